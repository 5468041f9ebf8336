package batchprocessing

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FlowInstanceID identifies one run (instance) of a flow: "<flowId>-<time suffix>". A
// manual trigger's suffix is the trigger time cut to the minute, yyyyMMddHHmm00, in the
// server's time zone (e.g. "3377-20261130080000"); scheduled instances use the cycle's
// granularity: yyyyMMddHHmm (minute), yyyyMMddHH (hour), yyyyMMdd (day or week) or yyyyMM
// (month).
type FlowInstanceID string

// String returns the id as it is.
func (id FlowInstanceID) String() string { return string(id) }

// suffixLayouts maps the length of an instance id's time suffix to its layout.
var suffixLayouts = map[int]string{
	14: "20060102150405",
	12: "200601021504",
	10: "2006010215",
	8:  "20060102",
	6:  "200601",
}

// manualSuffixLayout formats the suffix of a manually triggered instance.
const manualSuffixLayout = "20060102150400"

// ParseFlowInstanceID checks that s is a well-formed flow instance id and returns it.
func ParseFlowInstanceID(s string) (FlowInstanceID, error) {
	id := FlowInstanceID(s)
	if _, _, err := id.parse(); err != nil {
		return "", err
	}
	return id, nil
}

// FlowInstanceIDFor returns the id the service gives the instance of a manual trigger of
// flowID at triggerTime, in the server's time zone loc (Client.ServerLocation; UTC if nil).
func FlowInstanceIDFor(flowID int64, triggerTime time.Time, loc *time.Location) FlowInstanceID {
	if loc == nil {
		loc = time.UTC
	}
	return FlowInstanceID(strconv.FormatInt(flowID, 10) + "-" + triggerTime.In(loc).Format(manualSuffixLayout))
}

// FlowID returns the id of the flow the instance belongs to.
func (id FlowInstanceID) FlowID() (int64, error) {
	flowID, _, err := id.parse()
	return flowID, err
}

// Time returns the start of the period the instance belongs to (for a manual trigger, its
// trigger minute), read in the server's time zone loc (UTC if nil).
func (id FlowInstanceID) Time(loc *time.Location) (time.Time, error) {
	_, suffix, err := id.parse()
	if err != nil {
		return time.Time{}, err
	}
	if loc == nil {
		loc = time.UTC
	}
	return suffixTime(suffix, loc)
}

// suffixTime reads the well-formed time suffix of an instance id in loc.
func suffixTime(suffix string, loc *time.Location) (time.Time, error) {
	return time.ParseInLocation(suffixLayouts[len(suffix)], suffix, loc)
}

// isManualSuffix reports whether a well-formed time suffix is a manual trigger's: the
// minute, with seconds 00.
func isManualSuffix(suffix string) bool {
	return len(suffix) == len(manualSuffixLayout) && strings.HasSuffix(suffix, "00")
}

// parse splits the id into a positive flow id and a time suffix of a known length.
func (id FlowInstanceID) parse() (int64, string, error) {
	fail := func(why string) error {
		return fmt.Errorf("batchprocessing: malformed flow instance id %q: %s; want <flowId>-<yyyyMMddHHmmss>", string(id), why)
	}
	flowPart, suffix, ok := strings.Cut(string(id), "-")
	if !ok {
		return 0, "", fail("no '-'")
	}
	flowID, err := strconv.ParseInt(flowPart, 10, 64)
	if err != nil || flowID <= 0 || !allDigits(flowPart) || flowPart[0] == '0' {
		return 0, "", fail("the flow id is not a positive number without leading zeros")
	}
	if _, ok := suffixLayouts[len(suffix)]; !ok || !allDigits(suffix) {
		return 0, "", fail("the time suffix is not 6, 8, 10, 12 or 14 digits")
	}
	if !validSuffix(suffix) {
		return 0, "", fail("the time suffix is not a valid time")
	}
	return flowID, suffix, nil
}

// validSuffix reports whether the digits of a time suffix (yyyyMM[dd[HH[mm[ss]]]]) name a
// time that exists: time.Date normalizes an impossible one (February 30) into another,
// which tells it apart, at a fraction of the cost of time.Parse on every response.
func validSuffix(digits string) bool {
	field := func(i, n int) int {
		v := 0
		for _, c := range digits[i : i+n] {
			v = v*10 + int(c-'0')
		}
		return v
	}
	part := func(i, missing int) int { // a two-digit field at i, or missing when the suffix is shorter
		if i+2 > len(digits) {
			return missing
		}
		return field(i, 2)
	}
	y, mo, d, h, mi, s := field(0, 4), part(4, 1), part(6, 1), part(8, 0), part(10, 0), part(12, 0)
	t := time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC)
	return t.Year() == y && int(t.Month()) == mo && t.Day() == d && t.Hour() == h && t.Minute() == mi && t.Second() == s
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// TaskInstanceID identifies one run of a task node: "<taskId>-<time suffix of its flow
// instance>", e.g. "104890-20190812080700". It is not a flow instance id.
type TaskInstanceID string

// String returns the id as it is.
func (id TaskInstanceID) String() string { return string(id) }

// TaskID returns the id of the task the instance runs.
func (id TaskInstanceID) TaskID() (int64, error) {
	taskID, _, err := FlowInstanceID(id).parse()
	if err != nil {
		return 0, fmt.Errorf("batchprocessing: malformed task instance id %q; want <taskId>-<yyyyMMddHHmmss>", string(id))
	}
	return taskID, nil
}

// TaskInstanceIDFor returns the id of the instance of task taskID in the flow instance
// flowInstance: the task id with the flow instance's time suffix. A task id that is not
// positive, or a malformed flow instance id, is an error.
func TaskInstanceIDFor(taskID int64, flowInstance FlowInstanceID) (TaskInstanceID, error) {
	if taskID <= 0 {
		return "", fmt.Errorf("batchprocessing: task id must be positive, got %d", taskID)
	}
	_, suffix, err := flowInstance.parse()
	if err != nil {
		return "", err
	}
	return TaskInstanceID(strconv.FormatInt(taskID, 10) + "-" + suffix), nil
}
