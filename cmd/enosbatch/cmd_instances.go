package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/enos-go/batchprocessing"
)

var instancesCommand = &command{
	name:    "instances",
	summary: "list flow instances, newest first, with filters",
	help: `Instances lists the flow instances related to the user (List Flow Instances),
newest trigger time first, at most --limit of them. The service lists one
scheduling type at a time; --type all (the default) asks for each type and
merges the lists. Without --from it lists the 7 days before --to. With --flow,
instances of other flows that the service lists are skipped, but at most
the larger of 1000 and 20 x --limit of them are read: a note on stderr says
when the listing was cut short.

With --watch it lists again every --interval until interrupted: on a terminal
it redraws the table in place; otherwise it prints the table once, then a row
for each instance that appears or changes, stamped with the local time it
was seen (with --json, each as one JSON object on a line).`,
	flagCompletions: map[string]func(*session) cobra.CompletionFunc{
		"type": completeWords("all", "manual", "periodic", "temporary"), "status": completeStatuses, "flow": completeFlowFlag,
	},
	setup: func(fs *pflag.FlagSet) action {
		o := instancesOptions{statuses: listFlag{split: true}}
		fs.StringVar(&o.typ, "type", "all", "scheduling type of the flows: all, manual, periodic or temporary")
		fs.StringVar(&o.flow, "flow", "", "only the instances of this flow id")
		fs.StringVar(&o.search, "search", "", "only instances whose id or flow name contains this text")
		fs.StringVar(&o.owner, "owner", "", "only the instances of flows this user owns")
		fs.Var(&o.statuses, "status", "only these statuses, e.g. FAIL,CANCEL (names or codes; repeatable)")
		fs.StringVar(&o.from, "from", "", "earliest trigger time: now (this computer's), RFC 3339, a date (midnight UTC), or a duration ago (24h; before the gateway's now when --to is now)")
		fs.StringVar(&o.to, "to", "", "latest trigger time, as --from (default now, the gateway's; a date is its start, midnight UTC)")
		fs.IntVar(&o.limit, "limit", 50, "list at most this many (0: all)")
		o.watchOptions.register(fs, "the list")
		return o.run
	},
}

// instancesOptions are the flags of instances.
type instancesOptions struct {
	typ, flow, search, owner, from, to string
	statuses                           listFlag
	limit                              int
	watchOptions
}

// timeRange reads --from and --to: a zero To is now, which the SDK reads on the gateway's
// clock, and a --from given as a duration ago then becomes the SDK's Within, so that it
// counts back from that now too; a From after To, or after this computer's now by
// default, is refused.
func (o *instancesOptions) timeRange(now time.Time) (from, to time.Time, within time.Duration, err error) {
	if from, err = parseTime("--from", o.from, now); err != nil {
		return from, to, 0, err
	}
	if to, err = parseTimeOrNow("--to", o.to, now); err != nil {
		return from, to, 0, err
	}
	switch {
	case !from.IsZero() && to.IsZero() && from.After(now):
		return from, to, 0, usagef("--from is after now (--to's default)")
	case !from.IsZero() && !to.IsZero() && from.After(to):
		return from, to, 0, usagef("--from is after --to")
	}
	if d, ok := durationAgo(strings.TrimSpace(o.from)); ok && d > 0 && to.IsZero() {
		return time.Time{}, to, d, nil // 0s is a From of now: a zero Within would be a week
	}
	return from, to, 0, nil
}

// request returns the request and the flow to keep (0: all), from the flags.
func (o *instancesOptions) request(now time.Time) (batchprocessing.ListFlowInstancesRequest, int64, error) {
	var req batchprocessing.ListFlowInstancesRequest
	var types []batchprocessing.FlowType // nil: every type, merged by the SDK
	if t, ok := flowTypes[o.typ]; ok {
		types = []batchprocessing.FlowType{t}
	} else if o.typ != "all" {
		return req, 0, usagef("--type %q: want all, manual, periodic or temporary", o.typ)
	}
	if o.limit < 0 {
		return req, 0, usagef("--limit must not be negative")
	}
	var flowID int64
	if o.flow != "" {
		id, err := parseFlowID(o.flow)
		if err != nil {
			return req, 0, err
		}
		flowID = id
	}
	statuses, err := parseStatuses(o.statuses.values)
	if err != nil {
		return req, 0, err
	}
	from, to, within, err := o.timeRange(now)
	if err != nil {
		return req, 0, err
	}
	req = batchprocessing.ListFlowInstancesRequest{
		Types: types, Expression: o.search, Owner: o.owner, From: from, To: to, Within: within, Statuses: statuses,
		Sorters: []batchprocessing.Sorter{{Field: batchprocessing.SortByTriggerTime, Order: batchprocessing.SortDescending}},
	}
	if req.Expression == "" && flowID > 0 {
		// Instance ids start with "<flowId>-": let the service narrow the list.
		req.Expression = itoa(flowID) + "-"
	}
	return req, flowID, nil
}

// run lists the instances, once or, with --watch, until interrupted.
func (o *instancesOptions) run(ctx context.Context, s *session, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	if _, _, err := o.request(time.Now()); err != nil {
		return err
	}
	if err := o.watchOptions.check(); err != nil {
		return err
	}
	c, err := s.client()
	if err != nil {
		return err
	}
	if o.watch {
		return o.watchList(ctx, s, c)
	}
	views, err := o.list(ctx, s, c, time.Now())
	if err != nil {
		return err
	}
	s.rememberListing(views)
	if s.g.json {
		return s.printJSON(views)
	}
	if len(views) == 0 {
		fmt.Fprintln(s.stderr, "no flow instances match")
		return nil
	}
	return writeInstances(s.stdout, views, true)
}

// list lists the instances as of now, newest first.
func (o *instancesOptions) list(ctx context.Context, s *session, c *batchprocessing.Client, now time.Time) ([]instanceView, error) {
	req, flowID, err := o.request(now)
	if err != nil {
		return nil, err
	}
	text, err := s.timeText(ctx, c)
	if err != nil {
		return nil, err
	}
	budget := max(1000, 20*o.limit) // instances of other flows read before giving up
	views := []instanceView{}       // --json prints [] when none match, never null
	for fi, err := range c.ListFlowInstancesIter(ctx, req) {
		if err != nil {
			return nil, err
		}
		if flowID > 0 && fi.FlowID != flowID {
			if budget--; budget == 0 {
				s.notify(fmt.Sprintf("instances: stopped after reading %d instances of other flows; narrow the listing with --from, --to or --search", max(1000, 20*o.limit)))
				break
			}
			continue
		}
		views = append(views, newInstanceView(&fi, text))
		if o.limit > 0 && len(views) >= o.limit {
			break
		}
	}
	return views, nil
}

// watchList lists the instances every --interval until ctx ends.
func (o *instancesOptions) watchList(ctx context.Context, s *session, c *batchprocessing.Client) error {
	w := s.newWatcher(o.watchOptions)
	first := true
	return w.run(ctx, func(ctx context.Context) error {
		views, err := o.list(ctx, s, c, time.Now())
		if err != nil {
			return err
		}
		var changed []instanceView
		for _, v := range views {
			if w.changed(v.InstanceID, v.Status+" "+v.StartTime+" "+v.EndTime) {
				changed = append(changed, v)
			}
		}
		s.rememberListing(changed) // only what changed: a round without news writes no file
		defer func() { first = false }()
		switch {
		case w.live != nil:
			var b strings.Builder
			if len(views) == 0 {
				b.WriteString("no flow instances match")
			} else if err := writeInstances(&b, views, true); err != nil {
				return err
			}
			return w.live.draw(w.header(fmt.Sprintf("%d flow instances", len(views))), b.String())
		case s.g.json:
			for _, v := range changed {
				if err := s.printJSONLine(v); err != nil {
					return err
				}
			}
		case first && len(views) == 0:
			fmt.Fprintln(s.stderr, "no flow instances match yet")
		case first:
			return writeInstances(s.stdout, views, true)
		case len(changed) > 0:
			return writeChanges(s.stdout, changed, time.Now())
		}
		return nil
	})
}

// writeInstances writes the instances as a table, with its header line if header is set.
func writeInstances(w io.Writer, views []instanceView, header bool) error {
	tw := newTable(w)
	if header {
		tw.row("INSTANCE", "FLOW", "NAME", "STATUS", "TRIGGER TIME", "START TIME", "END TIME")
	}
	for _, v := range views {
		tw.row(instanceCells(v)...)
	}
	return tw.Flush()
}

// writeChanges writes the instances that appeared or changed as rows of the instances
// table, each stamped with the local time seen, as status --watch stamps its lines.
func writeChanges(w io.Writer, views []instanceView, seen time.Time) error {
	tw := newTable(w)
	for _, v := range views {
		tw.row(append([]string{seen.Format("15:04:05")}, instanceCells(v)...)...)
	}
	return tw.Flush()
}

// instanceCells returns the cells of an instance's row in the instances table.
func instanceCells(v instanceView) []string {
	return []string{v.InstanceID, itoa(v.FlowID), v.FlowName, v.Status, dash(v.TriggerTime), dash(v.StartTime), dash(v.EndTime)}
}
