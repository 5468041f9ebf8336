package batchprocessing

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file holds List Flow Instances: one page, every page, one type or all of them.

// ListFlowInstancesRequest is the input of Client.ListFlowInstances and
// ListFlowInstancesIter. Its zero value lists the instances of every flow related to the
// user, of every type and status, triggered in the last seven days, newest first.
type ListFlowInstancesRequest struct {
	// Types are the scheduling types of the flows whose instances are listed. The service
	// filters by the flow's type, not by how the instance was triggered: a manual trigger
	// of a periodic flow is listed under FlowTypePeriodic. Empty lists every type: the
	// client asks once per type and merges the responses, newest trigger time first.
	Types []FlowType
	// Expression matches instance ids and flow names (fuzzy); empty: all related to the user.
	Expression string
	// Owner filters by owner user name; empty: any.
	Owner string
	// From and To bound the trigger times (inclusive). A zero To is now, on the gateway's
	// clock (the client's, corrected when the gateway's Date shows it is off, by the
	// listing's first request if need be); a zero From is Within before To (seven days
	// when Within is zero too). A From after To, or after now on the client's clock when
	// To is zero, is refused. The range is sent in whole milliseconds; a From before 1970
	// counts from 1970; a To before 1970 is refused.
	From, To time.Time
	// Within is the alternative to From: the range starts that long before To, in whole
	// milliseconds, from 1970 at the earliest. Within 24 hours and a zero To list the
	// last day on the gateway's clock, where a From of time.Now().Add(-24 * time.Hour)
	// would read the client's. Zero means seven days; a negative Within, or one given with
	// a From, is refused.
	Within time.Duration
	// Statuses filters by status; empty: every status.
	Statuses []FlowInstanceStatus
	// PageNo is the page, from 1 (0 means 1); PageSize its size (0 means DefaultPageSize).
	PageNo, PageSize int
	// Sorters order the result, e.g. {Field: SortByTriggerTime, Order: SortDescending}.
	// When several types are listed, the merge is by trigger time: Sorters may then only
	// choose its order.
	Sorters []Sorter
	// OrgID and UserID: empty takes the client's defaults.
	OrgID, UserID string

	// Type is the former single-type filter.
	//
	// Deprecated: use Types. A Type of FlowTypePeriodic or FlowTypeTemporary filters as
	// Types does when Types is empty; FlowTypeManual, being the zero value, cannot be told
	// from no filter and lists every type.
	Type FlowType
}

// FlowInstancePage is one page of List Flow Instances.
type FlowInstancePage struct {
	// FlowInstances are the page's instances, in the listing's order.
	FlowInstances []FlowInstance `json:"flowInsts"`
	// Count is the number of matching instances over all pages (and types).
	Count int `json:"count"`
}

// UnmarshalJSON decodes a page in any form the service writes (see the package doc, Decoding).
func (p *FlowInstancePage) UnmarshalJSON(b []byte) error {
	var w flowInstancePageWire
	if err := decodeTolerant(b, &w); err != nil {
		return err
	}
	*p = w.page()
	return nil
}

// flowInstancePageWire is how a page is decoded; see flowInstanceWire.
type flowInstancePageWire struct {
	FlowInstances []flowInstanceWire `json:"flowInsts"`
	Count         int                `json:"count"`
}

func (w *flowInstancePageWire) validate() error {
	if w.FlowInstances == nil {
		return errors.New("no flowInsts in the data")
	}
	return nil
}

func (w *flowInstancePageWire) page() FlowInstancePage {
	p := FlowInstancePage{FlowInstances: make([]FlowInstance, len(w.FlowInstances)), Count: w.Count}
	for i := range w.FlowInstances {
		p.FlowInstances[i] = w.FlowInstances[i].instance()
	}
	return p
}

// listFlowInstancesBody is List Flow Instances' body; every field is mandatory.
type listFlowInstancesBody struct {
	Type            int        `json:"type"`
	Expression      string     `json:"expression"`
	Owner           string     `json:"owner"`
	FromTriggerTime int64      `json:"fromTriggerTime"`
	ToTriggerTime   int64      `json:"toTriggerTime"`
	Status          string     `json:"status"`
	Pagination      pagination `json:"pagination"`
}

// allStatusCodes is the status filter of a listing that asks for every status.
var allStatusCodes = statusCodes([]FlowInstanceStatus{StatusFail, StatusInit, StatusSuccess, StatusRunning,
	StatusSuspend, StatusInternalError, StatusWait, StatusReady, StatusTimeout, StatusCancel, StatusRerun, StatusSkip})

// statusCodes is the status filter of a listing: the codes, comma-separated ("1,2,3").
func statusCodes(statuses []FlowInstanceStatus) string {
	codes := make([]string, len(statuses))
	for i, s := range statuses {
		codes[i] = strconv.Itoa(int(s))
	}
	return strings.Join(codes, ",")
}

// ListFlowInstances returns one page of the flow instances that match the request (List
// Flow Instances: POST /batch-processing-service/v2.1/flowInstances?action=search). Use
// ListFlowInstancesIter to go through every page.
//
// A listing of one type is one request. A listing of several (the zero Types) reads each
// type's pages, newest trigger first, until it has the page asked for: page n costs up to
// n requests per type, and Count adds the types' counts.
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/list_flow_instances.html
func (c *Client) ListFlowInstances(ctx context.Context, req ListFlowInstancesRequest, opts ...CallOption) (*FlowInstancePage, error) {
	l, err := c.newListing(ctx, req, opts)
	if err != nil {
		return nil, err
	}
	if len(l.types) == 1 {
		page, err := l.fetch(ctx, l.types[0], l.body.Pagination.PageNo)
		if err != nil {
			return nil, err
		}
		return page, nil
	}
	size := l.body.Pagination.PageSize
	out := &FlowInstancePage{FlowInstances: make([]FlowInstance, 0, min(size, DefaultPageSize))}
	skip := (l.body.Pagination.PageNo - 1) * size
	streams := l.streams(1)
	for fi, err := range l.merge(ctx, streams) {
		if err != nil {
			return nil, err
		}
		if skip > 0 {
			skip--
			continue
		}
		out.FlowInstances = append(out.FlowInstances, fi)
		if len(out.FlowInstances) == size {
			break
		}
	}
	for _, s := range streams {
		out.Count += s.count
	}
	return out, nil
}

// ListFlowInstancesIter returns every flow instance that matches the request, page after
// page from req.PageNo, merged newest first when several types are listed. It stops at
// the first error (yielded once, with a zero instance), when the caller stops, or when the
// context ends. An instance that a later page repeats (the listing shifted while it was
// read) is yielded once.
//
// It does not trust the service to make progress: a page that brings no instance not seen
// before, or an empty page while the count says more remain, ends the listing with an
// unexpected-response *APIError (ErrUnexpectedResponse).
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/list_flow_instances.html
func (c *Client) ListFlowInstancesIter(ctx context.Context, req ListFlowInstancesRequest, opts ...CallOption) iter.Seq2[FlowInstance, error] {
	return func(yield func(FlowInstance, error) bool) {
		// The listing reads the clock once; a correction of the clock during the first
		// page's request moves its range, and the later pages keep the range it was sent
		// with: pages do not shift while the clock moves.
		l, err := c.newListing(ctx, req, opts)
		if err != nil {
			yield(FlowInstance{}, err)
			return
		}
		first, skip := l.body.Pagination.PageNo, 0
		if len(l.types) > 1 {
			first, skip = 1, (l.body.Pagination.PageNo-1)*l.body.Pagination.PageSize
		}
		for fi, err := range l.merge(ctx, l.streams(first)) {
			if err == nil && skip > 0 {
				skip--
				continue
			}
			if !yield(fi, err) || err != nil {
				return
			}
		}
	}
}

// listing is a validated List Flow Instances request: its query, its body for each type,
// the types to list, and the order of the merge.
type listing struct {
	c      *Client
	op     string
	query  userQuery
	body   listFlowInstancesBody
	types  []FlowType
	newest bool // merged newest trigger first (else oldest first)
	opts   []CallOption
	// md is the caller's WithMetadata, if any: every page request of every type fills it,
	// attempts counts them all.
	md       *ResponseMetadata
	attempts int
	// now is the end of the range when the client read it as now (a zero To), until the
	// first page is asked for: that request moves it with the clock's corrections (see
	// followClock), and every later page has the range the first was read with.
	now *nowReading
	// startMoves reports that the range starts within before its end (the caller gave no
	// From): its start moves with a now that moves.
	startMoves bool
	within     time.Duration
}

// newListing validates req.
func (c *Client) newListing(ctx context.Context, req ListFlowInstancesRequest, opts []CallOption) (*listing, error) {
	const op = "ListFlowInstances"
	q, err := c.userQuery(ctx, op, "search", req.OrgID, req.UserID)
	if err != nil {
		return nil, err
	}
	l := &listing{c: c, op: op, query: q, opts: opts, newest: true, md: applyOptions(callSettings{}, opts).metadata}
	if l.types, err = req.flowTypes(op); err != nil {
		return nil, err
	}
	now, offset := c.clock.reading()
	now = now.Truncate(time.Millisecond) // as sent
	if l.body, err = listBody(op, req, now); err != nil {
		return nil, err
	}
	if req.To.IsZero() {
		l.now = &nowReading{millis: now.UnixMilli(), offset: offset}
		l.startMoves, l.within = req.From.IsZero(), req.within()
	}
	if len(l.types) > 1 {
		if l.newest, err = mergeOrder(op, req.Sorters); err != nil {
			return nil, err
		}
		order := SortAscending
		if l.newest {
			order = SortDescending
		}
		// The caller's spelling of the trigger time, if given, is sent as it is.
		field := SortByTriggerTime
		if len(req.Sorters) == 1 {
			field = req.Sorters[0].Field
		}
		l.body.Pagination.Sorters = []Sorter{{Field: field, Order: order}}
	}
	return l, nil
}

// flowTypes returns the types to list.
func (req ListFlowInstancesRequest) flowTypes(op string) ([]FlowType, error) {
	if !req.Type.valid() {
		return nil, invalid(op, "Type", "must be FlowTypeManual, FlowTypePeriodic or FlowTypeTemporary, got "+strconv.Itoa(int(req.Type)))
	}
	types := req.Types
	if len(types) == 0 && req.Type != FlowTypeManual {
		types = []FlowType{req.Type}
	}
	if len(types) == 0 {
		return allFlowTypes, nil
	}
	var out []FlowType
	for _, t := range types {
		if !t.valid() {
			return nil, invalid(op, "Types", "must hold FlowTypeManual, FlowTypePeriodic or FlowTypeTemporary, got "+strconv.Itoa(int(t)))
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// mergeOrder reads the order of a merged listing from its sorters: only the trigger time
// can order a merge.
func mergeOrder(op string, sorters []Sorter) (newest bool, err error) {
	switch {
	case len(sorters) == 0:
		return true, nil
	case len(sorters) == 1 && strings.EqualFold(strings.ReplaceAll(sorters[0].Field, "_", ""), "triggertime"):
		return sorters[0].Order == SortDescending, nil
	}
	return false, invalid(op, "Sorters", "a listing of several types is merged by trigger time; "+
		"to sort by another field, list one type (Types)")
}

// listBody validates req and returns the body of its requests, the range ending at now
// when req.To is zero.
func listBody(op string, req ListFlowInstancesRequest, now time.Time) (listFlowInstancesBody, error) {
	from, to, err := listRange(op, req, now)
	if err != nil {
		return listFlowInstancesBody{}, err
	}
	page, err := checkPage(op, req.PageNo, req.PageSize, req.Sorters)
	if err != nil {
		return listFlowInstancesBody{}, err
	}
	status := allStatusCodes
	if len(req.Statuses) > 0 {
		for _, s := range req.Statuses {
			if _, ok := statusNames[s]; !ok || s == StatusNone || s == StatusUnknown {
				return listFlowInstancesBody{}, invalid(op, "Statuses", "not a documented status code: "+strconv.Itoa(int(s)))
			}
		}
		status = statusCodes(req.Statuses)
	}
	return listFlowInstancesBody{
		Expression:      req.Expression,
		Owner:           req.Owner,
		FromTriggerTime: from.UnixMilli(),
		ToTriggerTime:   to.UnixMilli(),
		Status:          status,
		Pagination:      page,
	}, nil
}

// listRange validates the range of req and returns it, its end at now when req.To is zero.
// A From after now is refused on the client's clock, as it reads it before any request.
func listRange(op string, req ListFlowInstancesRequest, now time.Time) (from, to time.Time, err error) {
	switch {
	case req.Within < 0:
		return from, to, invalid(op, "Within", "negative: want how long before To the range starts")
	case req.Within > 0 && !req.From.IsZero():
		return from, to, invalid(op, "Within", "given with From: give one of the two")
	}
	to, from = req.To, req.From
	if to.IsZero() {
		to = now
	}
	if from.IsZero() {
		from = time.UnixMilli(startBefore(to.UnixMilli(), req.within()))
	}
	if to.Before(minTriggerTime) {
		return from, to, invalid(op, "To", to.UTC().Format(time.RFC3339)+" is before 1970: no instance can be that old")
	}
	if from.Before(minTriggerTime) {
		from = minTriggerTime // the range is sent in epoch milliseconds: it starts in 1970 anyway
	}
	// In milliseconds, as sent: a From read from the clock just before a zero To was is
	// not after it.
	switch {
	case from.UnixMilli() > to.UnixMilli() && req.To.IsZero():
		return from, to, invalid(op, "From", "after now (To is zero: now)")
	case from.UnixMilli() > to.UnixMilli():
		return from, to, invalid(op, "From", "after To")
	}
	return from, to, nil
}

// within is how long before To a range without From starts (startBefore).
func (req ListFlowInstancesRequest) within() time.Duration {
	return cmp.Or(req.Within, defaultListRange)
}

// startBefore is the start, in epoch milliseconds, of a range that ends at end and starts
// within before it: in whole milliseconds, so that a range moved to a new end starts where
// the first started from its own, and from 1970 at the earliest.
func startBefore(end int64, within time.Duration) int64 {
	return max(end-within.Milliseconds(), 0)
}

// defaultListRange is how far back a listing without From or Within goes from its To.
const defaultListRange = 7 * 24 * time.Hour

// takeNow hands the range's now to the request of page pageNo of type t, the listing's
// first, with the body that request sends at another now; nil once it was handed out.
func (l *listing) takeNow(t FlowType, pageNo int) *nowReading {
	n := l.now
	if n == nil {
		return nil
	}
	l.now = nil
	n.body = func(millis int64) any {
		body := l.bodyOf(t, pageNo)
		body.FromTriggerTime, body.ToTriggerTime = l.rangeAt(millis)
		return body
	}
	return n
}

// rangeAt is the range that ends at now, in epoch milliseconds: from l.within before it
// when the caller gave no From, else from the caller's From. Neither end goes before 1970,
// and the end never before a From the caller gave: a correction that moves now back before
// it lists that instant alone (listBody checked From against the clock as it read it).
func (l *listing) rangeAt(now int64) (from, to int64) {
	if l.startMoves {
		return startBefore(now, l.within), max(now, 0)
	}
	return l.body.FromTriggerTime, max(now, l.body.FromTriggerTime)
}

// bodyOf is the body of the request for page pageNo of type t.
func (l *listing) bodyOf(t FlowType, pageNo int) listFlowInstancesBody {
	body := l.body
	body.Type, body.Pagination.PageNo = int(t), pageNo
	return body
}

// fetch asks for one page of one type.
func (l *listing) fetch(ctx context.Context, t FlowType, pageNo int) (*FlowInstancePage, error) {
	var w flowInstancePageWire
	cl := call{op: l.op, rule: ruleRead, method: http.MethodPost, path: flowInstancesPath, query: l.query,
		body: l.bodyOf(t, pageNo), now: l.takeNow(t, pageNo)}
	opts := l.opts
	var md ResponseMetadata
	if l.md != nil {
		opts = append(slices.Clip(opts), WithMetadata(&md)) // this request's, added up below
	}
	err := l.c.do(ctx, cl.withOptions(opts), &w)
	if cl.now != nil { // the first page: the later ones have the range it was sent with
		l.body.FromTriggerTime, l.body.ToTriggerTime = l.rangeAt(cl.now.millis)
	}
	if l.md != nil {
		l.attempts += md.Attempts
		md.Attempts = l.attempts
		*l.md = md
	}
	if err != nil {
		return nil, err
	}
	page := w.page()
	return &page, nil
}

// typeStream reads the pages of one type in order, checking that the service pages.
type typeStream struct {
	typ     FlowType
	next    int            // the page to read next
	pending []FlowInstance // read, not yet merged
	count   int            // the type's count, from its first page read
	done    bool
	seen    map[FlowInstanceID]bool
}

// streams returns a stream per type, each starting at page first.
func (l *listing) streams(first int) []*typeStream {
	out := make([]*typeStream, len(l.types))
	for i, t := range l.types {
		out[i] = &typeStream{typ: t, next: first, seen: map[FlowInstanceID]bool{}}
	}
	return out
}

// head returns the stream's next instance, reading a page when it has none; ok is false
// when the stream is over.
func (l *listing) head(ctx context.Context, s *typeStream) (fi FlowInstance, ok bool, err error) {
	for len(s.pending) == 0 && !s.done {
		if err := l.readPage(ctx, s); err != nil {
			return FlowInstance{}, false, err
		}
	}
	if len(s.pending) == 0 {
		return FlowInstance{}, false, nil
	}
	return s.pending[0], true, nil
}

// readPage reads the stream's next page, keeping the instances not seen before.
func (l *listing) readPage(ctx context.Context, s *typeStream) error {
	if ctx != nil && ctx.Err() != nil {
		return contextEnded(l.op, http.MethodPost, flowInstancesPath, ctx.Err())
	}
	page, err := l.fetch(ctx, s.typ, s.next)
	if err != nil {
		return err
	}
	size := l.body.Pagination.PageSize
	if err := checkProgress(s.next, size, page, s.seen); err != nil {
		return err
	}
	s.count = page.Count
	for _, fi := range page.FlowInstances {
		if !s.seen[fi.FlowInstanceID] {
			s.seen[fi.FlowInstanceID] = true
			s.pending = append(s.pending, fi)
		}
	}
	// Stop after a short page, or when this page reaches the total count.
	n := len(page.FlowInstances)
	s.done = n < size || (s.next-1)*size+n >= page.Count
	s.next++
	return nil
}

// merge yields the instances of the streams, the newest (or oldest) trigger time first,
// and stops at the first error.
func (l *listing) merge(ctx context.Context, streams []*typeStream) iter.Seq2[FlowInstance, error] {
	return func(yield func(FlowInstance, error) bool) {
		for {
			var best *typeStream
			var bestFI FlowInstance
			for _, s := range streams {
				fi, ok, err := l.head(ctx, s)
				if err != nil {
					yield(FlowInstance{}, err)
					return
				}
				if ok && (best == nil || l.before(fi, bestFI)) {
					best, bestFI = s, fi
				}
			}
			if best == nil {
				return
			}
			best.pending = best.pending[1:]
			if !yield(bestFI, nil) {
				return
			}
		}
	}
}

// before reports whether a comes before b in the merge: by trigger time, then by id. The
// times are compared as read in UTC: the service writes them all in its own zone, so they
// order as the instants do.
func (l *listing) before(a, b FlowInstance) bool {
	c := cmpServerTimes(a.TriggerTime, b.TriggerTime)
	if c == 0 {
		c = strings.Compare(string(a.FlowInstanceID), string(b.FlowInstanceID))
	}
	if l.newest {
		return c > 0
	}
	return c < 0
}

// cmpServerTimes compares two server times: parsed when both parse, else as text.
func cmpServerTimes(a, b ServerTime) int {
	ta, errA := a.Time(time.UTC)
	tb, errB := b.Time(time.UTC)
	if errA == nil && errB == nil {
		return ta.Compare(tb)
	}
	return strings.Compare(string(a), string(b))
}

// checkProgress checks that page number pageNo of a listing brings something new: an
// empty page while the count says more remain, a page of instances all seen before, or a
// full page more than half seen before means the service is not paging, and reading on
// would never end. Instances triggered while a listing newest first is read shift its
// pages: a page repeats as many instances as were triggered since the page before, and
// more than half a page of new runs between two requests is not a batch workload's.
func checkProgress(pageNo, size int, page *FlowInstancePage, seen map[FlowInstanceID]bool) error {
	n, repeated := len(page.FlowInstances), 0
	for _, fi := range page.FlowInstances {
		if seen[fi.FlowInstanceID] {
			repeated++
		}
	}
	var why string
	switch {
	case n == 0 && (pageNo-1)*size < page.Count:
		why = "is empty"
	case n > 0 && repeated == n:
		why = "repeats instances of earlier pages"
	case n >= size && 2*repeated > n:
		why = fmt.Sprintf("repeats %d of its %d instances from earlier pages", repeated, n)
	default:
		return nil
	}
	return &APIError{Operation: "ListFlowInstances", Method: http.MethodPost, Path: flowInstancesPath, HTTPStatus: http.StatusOK,
		Unexpected: true, Err: fmt.Errorf("page %d %s while the count says %d instances match: the service is not paging", pageNo, why, page.Count)}
}
