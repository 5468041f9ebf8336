package refserver

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// This file reads the Quartz cron expressions of flows (freq: "0 0 0 * * ? *", "0 */5 * * *
// ? *") and finds their fire times. It takes the fields second, minute, hour, day of month,
// month, day of week (1-7 or SUN-SAT, Sunday first, as Quartz counts) and an optional year,
// each "*", "?", a number or name, a range "a-b", a step "*/n", "a/n" or "a-b/n", or a list of
// those. Quartz's L, W and # are not read: a flow whose freq uses them has no periodic
// instance (Save Flow still takes it, as EnOS does).

// cronSpec is a parsed cron expression: the allowed values of each field.
type cronSpec struct {
	sec, min, hour, dom, month, dow uint64 // bit v set: value v allowed
	years                           map[int]bool
	anyDom, anyDow                  bool // "?" or "*": the field does not restrict the day
	// dated reports that some day of the month field's months is in the day-of-month
	// field: "0 0 0 30 FEB ? *" has none, and never fires.
	dated bool
}

// cronField is the range and names of one field.
type cronField struct {
	name     string
	min, max int
	names    []string // names of min, min+1, ...
}

var cronFields = []cronField{
	{"second", 0, 59, nil}, {"minute", 0, 59, nil}, {"hour", 0, 23, nil}, {"day of month", 1, 31, nil},
	{"month", 1, 12, []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	{"day of week", 1, 7, []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
	{"year", 1970, 2199, nil},
}

// parseCron reads a Quartz cron expression of 6 or 7 fields.
func parseCron(expr string) (*cronSpec, error) {
	fields := strings.Fields(expr)
	if len(fields) != 6 && len(fields) != 7 {
		return nil, fmt.Errorf("cron %q: want 6 or 7 fields", expr)
	}
	var bits [7]uint64
	spec := &cronSpec{}
	for i, text := range fields {
		var err error
		if bits[i], err = cronFields[i].parse(text, i == 6); err != nil {
			return nil, fmt.Errorf("cron %q: %w", expr, err)
		}
	}
	spec.sec, spec.min, spec.hour, spec.dom, spec.month, spec.dow = bits[0], bits[1], bits[2], bits[3], bits[4], bits[5]
	spec.anyDom = fields[3] == "?" || fields[3] == "*"
	spec.anyDow = fields[5] == "?" || fields[5] == "*"
	spec.dated = spec.hasDate()
	if len(fields) == 7 && fields[6] != "*" {
		spec.years = make(map[int]bool)
		f := cronFields[6]
		for _, part := range strings.Split(fields[6], ",") {
			lo, hi, step, err := f.bounds(part)
			if err != nil {
				return nil, fmt.Errorf("cron %q: %w", expr, err)
			}
			for y := lo; y <= hi; y += step {
				spec.years[y] = true
			}
		}
	}
	return spec, nil
}

// parse reads one field (not the year, whose values do not fit the bits) into bits.
func (f cronField) parse(text string, isYear bool) (uint64, error) {
	if isYear || text == "?" || text == "*" {
		return ^uint64(0), nil
	}
	var bits uint64
	for _, part := range strings.Split(text, ",") {
		lo, hi, step, err := f.bounds(part)
		if err != nil {
			return 0, err
		}
		for v := lo; v <= hi; v += step {
			bits |= 1 << uint(v)
		}
	}
	return bits, nil
}

// bounds reads "*", "v", "a-b", with an optional "/step", into the values lo to hi by step.
func (f cronField) bounds(part string) (lo, hi, step int, err error) {
	rangeText, stepText, hasStep := strings.Cut(part, "/")
	step = 1
	if hasStep {
		if step, err = strconv.Atoi(stepText); err != nil || step <= 0 {
			return 0, 0, 0, fmt.Errorf("%s: bad step %q", f.name, stepText)
		}
	}
	switch a, b, isRange := strings.Cut(rangeText, "-"); {
	case rangeText == "*" || rangeText == "?":
		lo, hi = f.min, f.max
	case isRange:
		if lo, err = f.value(a); err == nil {
			hi, err = f.value(b)
		}
	default:
		if lo, err = f.value(rangeText); err == nil {
			hi = lo
			if hasStep {
				hi = f.max
			}
		}
	}
	if err == nil && lo > hi {
		err = fmt.Errorf("%s: range %q runs backwards", f.name, rangeText)
	}
	return lo, hi, step, err
}

// value reads one value of the field: a number in range, or a name.
func (f cronField) value(s string) (int, error) {
	for i, name := range f.names {
		if strings.EqualFold(s, name) {
			return f.min + i, nil
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < f.min || v > f.max {
		return 0, fmt.Errorf("%s: %q is not a value from %d to %d (L, W and # are not supported)", f.name, s, f.min, f.max)
	}
	return v, nil
}

// errNoFireTime is returned by next when the expression never fires again.
var errNoFireTime = fmt.Errorf("no fire time up to %d, the last year a Quartz cron reads", cronFields[6].max)

// next returns the first fire time after t, in loc. It searches up to the last year a
// Quartz cron reads: both day fields may restrict ("0 0 0 29 FEB MON *"), and such an
// expression may fire decades apart. A year the year field does not list is skipped
// whole, a month that does not match at once, and an expression without a date in its
// months (dated) is not searched at all, so a search steps through the days of its months
// only until the date comes round on its day of the week. A day that matches yet has no
// fire time has all its times in a daylight-saving gap (02:30 on the day clocks spring
// forward; Quartz skips it too); no number of such days in a row shows that the next
// matching day is one too (zone rules change, Gaza's gap moves in 2055), so an expression
// whose days are all gap days is searched to the end: about 20 ms in New York.
func (c *cronSpec) next(t time.Time, loc *time.Location) (time.Time, error) {
	if !c.dated {
		return time.Time{}, errNoFireTime
	}
	t = t.In(loc).Truncate(time.Second).Add(time.Second)
	for t.Year() <= cronFields[6].max {
		cand, ok := c.step(t, loc)
		switch {
		case !ok:
			return time.Time{}, errNoFireTime
		case cand.IsZero():
			return t, nil
		}
		// Across a daylight saving change time.Date may land in the earlier zone: step on.
		if !cand.After(t) {
			cand = t.Add(time.Minute).Truncate(time.Minute)
		}
		t = cand
	}
	return time.Time{}, errNoFireTime
}

// step returns the next time after t that may fire, or the zero time when t fires; ok is
// false when no year the year field lists is left.
func (c *cronSpec) step(t time.Time, loc *time.Location) (cand time.Time, ok bool) {
	switch {
	case c.years != nil && !c.years[t.Year()]:
		y, ok := c.yearAfter(t.Year())
		return time.Date(y, 1, 1, 0, 0, 0, 0, loc), ok
	case !has(c.month, int(t.Month())):
		return time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, loc), true
	case !c.dayMatches(t):
		return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc), true
	case !has(c.hour, t.Hour()):
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour()+1, 0, 0, 0, loc), true
	case !has(c.min, t.Minute()):
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute()+1, 0, 0, loc), true
	case !has(c.sec, t.Second()):
		return t.Add(time.Second), true
	}
	return time.Time{}, true
}

// hasDate reports whether some day of the month field's months (29 February included) is
// in the day-of-month field. Every such date falls on every day of the week in some year,
// so an expression that has one fires, unless its year field lists none of those years.
func (c *cronSpec) hasDate() bool {
	days := [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	for m := 1; m <= 12; m++ {
		for d := 1; d <= days[m] && has(c.month, m); d++ {
			if has(c.dom, d) {
				return true
			}
		}
	}
	return false
}

// yearAfter returns the first year after y that the year field lists.
func (c *cronSpec) yearAfter(y int) (int, bool) {
	for y++; y <= cronFields[6].max; y++ {
		if c.years[y] {
			return y, true
		}
	}
	return 0, false
}

// dayMatches reports whether the day of t is allowed by day of month and day of week.
func (c *cronSpec) dayMatches(t time.Time) bool {
	dom, dow := has(c.dom, t.Day()), has(c.dow, int(t.Weekday())+1)
	switch {
	case c.anyDom && c.anyDow:
		return true
	case c.anyDom:
		return dow
	case c.anyDow:
		return dom
	}
	return dom && dow
}

// has reports whether bit v is set.
func has(bits uint64, v int) bool { return bits&(1<<uint(v)) != 0 }
