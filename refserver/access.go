package refserver

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// This file holds the prerequisite checks the operations share (the "Prerequisites" of each
// operation's page, e.g.
// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/trigger_flow.html) and their
// paging and sorting (the Pagination struct of
// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/search_flow.html).
//
// Owner-only operations (trigger, triggerFromTask, updateAndTrigger, cancel, enable, disable,
// delete, save, import) check, in order: the user belongs to the org (62101); the user is not
// locked (62105); the body or query (62102); the flow exists in the org (62102); the user owns
// it (62103); the flow is not locked (62105). OU-member operations check that the user
// belongs to the org (62101) and nothing about locks.

// ouMember checks the OU prerequisite and returns the caller's org and user ids.
func (st *state) ouMember(c *call) (orgID, userID string, f *failure) {
	orgID, userID = c.query.Get("orgId"), c.query.Get("userId")
	if st.member(orgID, userID) == nil {
		return "", "", errUserNotInOrg.because(st.whyNotMember(orgID, userID))
	}
	return orgID, userID, nil
}

// whyNotMember says which of the three causes of 62101 applies: a query parameter missing,
// a user unknown, or a user who is not in the organization.
func (st *state) whyNotMember(orgID, userID string) string {
	switch {
	case userID == "" && orgID == "":
		return "the query has no userId and no orgId"
	case userID == "":
		return "the query has no userId"
	case orgID == "":
		return "the query has no orgId"
	case st.users[userID] == nil:
		return "userId " + quote(userID) + ": no such user"
	}
	return "user " + quote(userID) + " is not a member of organization " + quote(orgID)
}

// ownerCaller checks the user prerequisites of an owner-only operation: a member of the org,
// not locked.
func (st *state) ownerCaller(c *call) (orgID, userID string, f *failure) {
	orgID, userID, f = st.ouMember(c)
	if f != nil {
		return "", "", f
	}
	if st.users[userID].locked {
		return "", "", errLocked.because("user " + quote(userID) + " is locked")
	}
	return orgID, userID, nil
}

// orgFlow returns the flow id if it is in orgID, else the failure notFound, which says
// why, naming the request's field that gave the id, unless it has a reason of its own.
func (st *state) orgFlow(field string, id int64, orgID string, notFound *failure) (*Flow, *failure) {
	f := st.flows[id]
	if f == nil || f.OrgID != orgID {
		if notFound.reason == "" {
			notFound = notFound.because(fmt.Sprintf("%s %d: no flow of that id in organization %s", field, id, quote(orgID)))
		}
		return nil, notFound
	}
	return f, nil
}

// ownedFlow returns the flow id for an owner-only operation: it is in orgID (else notFound,
// see orgFlow), userID owns it (62103) and it is not locked (62105). The id is flowId's.
func (st *state) ownedFlow(id int64, orgID, userID string, notFound *failure) (*Flow, *failure) {
	return st.ownedFlowBy("flowId", id, orgID, userID, notFound)
}

// ownedFlowBy is ownedFlow for an id the request's field gave.
func (st *state) ownedFlowBy(field string, id int64, orgID, userID string, notFound *failure) (*Flow, *failure) {
	f, fail := st.orgFlow(field, id, orgID, notFound)
	if fail != nil {
		return nil, fail
	}
	if !isOwner(f, userID) {
		return nil, errNoPrivilege.because(fmt.Sprintf("user %s is not an owner of flow %d (owners %s)", quote(userID), id, shown(f.Owner)))
	}
	if f.Locked {
		return nil, errLocked.because(fmt.Sprintf("flow %d is locked", id))
	}
	return f, nil
}

// parseID reads a positive decimal id from a query value.
func parseID(s string) (int64, bool) {
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil && v > 0
}

// fuzzy reports whether the expression matches any of texts: an empty expression matches
// everything, otherwise a case-insensitive substring match.
func fuzzy(expression string, texts ...string) bool {
	e := strings.ToLower(strings.TrimSpace(expression))
	if e == "" {
		return true
	}
	for _, t := range texts {
		if strings.Contains(strings.ToLower(t), e) {
			return true
		}
	}
	return false
}

// sortField normalizes a sorter field name, so that camelCase and snake_case spellings
// (triggerTime, trigger_time) meet.
func sortField(name string) string {
	return strings.ToLower(strings.ReplaceAll(name, "_", ""))
}

// orderBy builds the comparison a Pagination's sorters ask for, over the fields a resource
// knows (keyed by sortField), falling back to base. An unknown field, or an order other than
// ASC or DESC (any case; empty is ASC), fails with 62102 "The sorters field parameter is
// invalid".
func orderBy[T any](p *paginationInput, fields map[string]func(a, b T) int, base func(a, b T) int) (func(a, b T) int, *failure) {
	if p == nil || len(p.Sorters) == 0 {
		return base, nil
	}
	type step struct {
		cmp  func(a, b T) int
		desc bool
	}
	var steps []step
	for i, s := range p.Sorters {
		f, ok := fields[sortField(s.Field)]
		if !ok {
			return nil, errInvalidSorters.because(fmt.Sprintf("pagination.sorters[%d]: field %s: want one of %s (camelCase or snake_case, any case)",
				i, shown(s.Field), strings.Join(slices.Sorted(maps.Keys(fields)), ", ")))
		}
		var desc bool
		switch strings.ToUpper(s.Order) {
		case "", "ASC":
		case "DESC":
			desc = true
		default:
			return nil, errInvalidSorters.because(fmt.Sprintf("pagination.sorters[%d]: order %s: want ASC or DESC", i, shown(s.Order)))
		}
		steps = append(steps, step{f, desc})
	}
	return func(a, b T) int {
		for _, s := range steps {
			c := s.cmp(a, b)
			if s.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return base(a, b)
	}, nil
}

// page sorts items and returns the page a Pagination asks for (see pageOf).
func page[T any](items []T, p *paginationInput, order func(a, b T) int) ([]T, *failure) {
	w, f := pageOf(p)
	if f != nil {
		return nil, f
	}
	slices.SortStableFunc(items, order)
	lo, hi := w.bounds(len(items))
	if lo == hi {
		return []T{}, nil
	}
	return items[lo:hi], nil
}

// pageWindow is the part of a sorted list a Pagination asks for: the items from start up to
// end, or all of them.
type pageWindow struct {
	all        bool
	start, end int64
}

// pageOf returns the window a Pagination asks for: pageNo is 1-based (0 is taken as 1),
// pageSize must be positive. Without a pagination, all items. A negative pageNo or a pageSize
// that is absent or not positive fails with 62102 "Invalid parameter: pagination".
func pageOf(p *paginationInput) (pageWindow, *failure) {
	if p == nil {
		return pageWindow{all: true}, nil
	}
	switch {
	case p.PageNo.value < 0:
		return pageWindow{}, errInvalidPagination.because(fmt.Sprintf("pagination.pageNo %d: want 1 or more (0 is taken as 1)", p.PageNo.value))
	case !p.PageSize.set:
		return pageWindow{}, errInvalidPagination.because("pagination.pageSize is missing")
	case p.PageSize.value <= 0:
		return pageWindow{}, errInvalidPagination.because(fmt.Sprintf("pagination.pageSize %d: want 1 or more", p.PageSize.value))
	}
	no, size := max(p.PageNo.value, 1), p.PageSize.value
	start := (no - 1) * size
	if start/size != no-1 { // overflow: past any end
		return pageWindow{start: math.MaxInt64, end: math.MaxInt64}, nil
	}
	end := start + size
	if end < start {
		end = math.MaxInt64
	}
	return pageWindow{start: start, end: end}, nil
}

// bounds returns the window within n sorted items: items[lo:hi].
func (w pageWindow) bounds(n int) (lo, hi int) {
	if w.all {
		return 0, n
	}
	return int(min(w.start, int64(n))), int(min(w.end, int64(n)))
}

// holds reports whether the window holds the item at position i.
func (w pageWindow) holds(i int) bool {
	return w.all || (w.start <= int64(i) && int64(i) < w.end)
}

// byInt64 returns a comparison of T by an integer key.
func byInt64[T any](key func(T) int64) func(a, b T) int {
	return func(a, b T) int { return cmp.Compare(key(a), key(b)) }
}
