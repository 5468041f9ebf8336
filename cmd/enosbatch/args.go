package main

import (
	"strconv"
	"strings"
	"time"

	"github.com/enos-go/batchprocessing"
)

// oneArg returns the only positional argument, named what in the error when there is none
// or more than one.
func oneArg(args []string, what string) (string, error) {
	switch len(args) {
	case 0:
		return "", usagef("missing %s", what)
	case 1:
		return args[0], nil
	}
	return "", usagef("want one %s, got %d arguments: %s", what, len(args), strings.Join(args, " "))
}

// noArgs fails when there are positional arguments.
func noArgs(args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	return nil
}

// instanceArg returns the flow instance id that is the only positional argument.
func instanceArg(args []string) (batchprocessing.FlowInstanceID, error) {
	s, err := oneArg(args, "flow instance id (e.g. 3377-20261130080000)")
	if err != nil {
		return "", err
	}
	id, err := batchprocessing.ParseFlowInstanceID(s)
	if err != nil {
		return "", usagef("flow instance id %q: want <flowId>-<time>, e.g. 3377-20261130080000", s)
	}
	return id, nil
}

// parseFlowID reads a flow id: a positive integer.
func parseFlowID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("flow id %q: want a positive integer", s)
	}
	return id, nil
}

// parseTime reads a time for --from (and --at and --to, through parseTimeOrNow): "now" (this
// computer's clock), RFC 3339
// ("2026-11-30T08:00:00Z"), a date ("2026-11-30", midnight UTC), or a duration meaning that
// long ago ("24h", "90m"). A date is midnight UTC, not the server's midnight: the server's
// zone would take a Get Timezone call before a time could be checked, and every time is
// checked before any call. The zero time and no error for "". A time the service cannot
// represent is refused: before 1970 (the service counts milliseconds from 1970, and the SDK
// takes the zero time for "now"), or too late for a four-digit year in every time zone.
func parseTime(flagName, s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	var t time.Time
	switch s {
	case "":
		return time.Time{}, nil
	case "now":
		t = now
	default:
		var ok bool
		if t, ok = readTime(s, now); !ok {
			return time.Time{}, usagef("%s %q: want now, RFC 3339 (2026-11-30T08:00:00Z), a date (2026-11-30, midnight UTC) or a duration ago (24h)", flagName, s)
		}
	}
	if t.Before(minTime) || !t.Before(maxTime) {
		return time.Time{}, usagef("%s %q: want a time from %s to %s", flagName, s,
			minTime.Format(time.RFC3339), maxTime.Add(-time.Second).Format(time.RFC3339))
	}
	return t, nil
}

// parseTimeOrNow is parseTime for a flag whose "now" the SDK reads (--at, --to): the zero
// time, which the SDK takes for now on the gateway's clock, correcting a local clock that
// is off during the call itself (see batchprocessing.TriggerFlowRequest.TriggerTime and
// ListFlowInstancesRequest.To).
func parseTimeOrNow(flagName, s string, now time.Time) (time.Time, error) {
	if strings.TrimSpace(s) == "now" {
		return time.Time{}, nil
	}
	return parseTime(flagName, s, now)
}

// The range of times the service can represent: from the Unix epoch, to the end of year
// 9999 in the zone furthest ahead (UTC+14), since instance ids hold the service's local
// time with a four-digit year.
var (
	minTime = time.Unix(0, 0).UTC()
	maxTime = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).Add(-14 * time.Hour)
)

// readTime reads RFC 3339, a date, or a duration ago.
func readTime(s string, now time.Time) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	if d, ok := durationAgo(s); ok {
		return now.Add(-d), true
	}
	return time.Time{}, false
}

// durationAgo reads a time given as a duration ago ("24h", "90m"), which must not be
// negative.
func durationAgo(s string) (time.Duration, bool) {
	d, err := time.ParseDuration(s)
	return d, err == nil && d >= 0
}

// parseStatuses reads --status values: names (SUCCESS, fail, ...) or codes (1, -1, ...).
func parseStatuses(values []string) ([]batchprocessing.FlowInstanceStatus, error) {
	var out []batchprocessing.FlowInstanceStatus
	for _, v := range values {
		st, ok := statusByName(v)
		if !ok {
			return nil, usagef("--status %q: want a status name (SUCCESS, FAIL, RUNNING, WAIT, CANCEL, ...) or code", v)
		}
		out = append(out, st)
	}
	return out, nil
}

// statusByName returns the status a name or code stands for.
func statusByName(v string) (batchprocessing.FlowInstanceStatus, bool) {
	v = strings.ToUpper(strings.TrimSpace(v))
	for st := batchprocessing.StatusFail; st <= batchprocessing.StatusSkip; st++ {
		if v == st.String() || v == strconv.Itoa(int(st)) {
			return st, true
		}
	}
	return 0, false
}

// parseParams reads --param key=value values.
func parseParams(values []string) ([]batchprocessing.Parameter, error) {
	var out []batchprocessing.Parameter
	for _, v := range values {
		key, value, ok := strings.Cut(v, "=")
		if !ok || strings.TrimSpace(key) == "" {
			return nil, usagef("--param %q: want key=value", v)
		}
		out = append(out, batchprocessing.Parameter{Key: strings.TrimSpace(key), Value: value})
	}
	return out, nil
}

// itoa formats an integer.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
