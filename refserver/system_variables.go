package refserver

import (
	"strconv"
	"strings"
	"time"
)

// This file substitutes the system variables of a flow instance, as "Supported System Variables"
// describes them (https://support.enos-iot.com/docs/data-sync/en/2.4.0/system_variables.html):
// ${name} in the instance's global parameters is replaced when the instance is created, and in a
// task's parameters and command when the task instance is read (Get Task Instance's cmd, the task
// log). A task's command also takes ${key} from the task's parameters, then from the instance's
// global parameters. A name that is none of these stays as it is (${env.APP_ID}, for one, which the
// server cannot know); values are not substituted again.
//
// The business-related variables count from the business date, which the page defines as
// the triggering time minus one day "because the batch job is performed against the data of
// yesterday by default" for a daily flow; the server takes the trigger time minus one cycle
// of the flow, in the server's time zone: the calDt the instance shows. So for a daily flow
// triggered at 2017-05-27 13:50:00, ${cal_dt} is 2017-05-26, as on the page.

// systemVariables is what the system variables of one instance, or one task instance, are
// computed from.
type systemVariables struct {
	trigger    time.Time // the trigger time, in the server's time zone
	business   time.Time // the business date (see businessDate), in the same zone
	instanceID string    // the flow instance id
	taskID     string    // the task id; "" outside a task
}

// newSystemVariables returns the system variables of the instance instanceID of a flow of
// cycle cycle triggered at trigger (in the server's time zone), within the task taskID (0:
// outside a task).
func newSystemVariables(trigger time.Time, cycle, instanceID string, taskID int64) systemVariables {
	v := systemVariables{trigger: trigger, business: businessDate(trigger, cycle), instanceID: instanceID}
	if taskID != 0 {
		v.taskID = strconv.FormatInt(taskID, 10)
	}
	return v
}

// dateVariable is a business-related variable that is a date: the date, from the business
// date, and its layout.
type dateVariable struct {
	date   func(business time.Time) time.Time
	layout string
}

// dateVariables are the date variables by name; those ending in 8 write yyyyMMdd.
var dateVariables = newDateVariables()

// newDateVariables returns the date variables of the page's table.
func newDateVariables() map[string]dateVariable {
	out := make(map[string]dateVariable)
	shift := func(days int) func(time.Time) time.Time {
		return func(b time.Time) time.Time { return b.AddDate(0, 0, days) }
	}
	dayOfMonth := func(months, day int) func(time.Time) time.Time {
		return func(b time.Time) time.Time {
			return time.Date(b.Year(), b.Month()+time.Month(months), day, 0, 0, 0, 0, b.Location())
		}
	}
	nextMonday := func(b time.Time) time.Time { return b.AddDate(0, 0, daysToNextMonday(b.Weekday())) }
	for _, v := range []struct {
		names [2]string // yyyy-MM-dd, yyyyMMdd ("" when the page has none)
		date  func(time.Time) time.Time
	}{
		{[2]string{"cal_dt", "cal_dt8"}, shift(0)},
		{[2]string{"ncal_dt", "ncal_dt8"}, shift(1)},
		{[2]string{"last_week10", "last_week8"}, shift(-6)},
		{[2]string{"30days_cal_dt", ""}, shift(-30)},
		{[2]string{"end_day_this_month10", "end_day_this_month8"}, dayOfMonth(1, 0)},
		{[2]string{"first_day_this_month10", "first_day_this_month8"}, dayOfMonth(0, 1)},
		{[2]string{"first_day_last_month10", "first_day_last_month8"}, dayOfMonth(-1, 1)},
		{[2]string{"last_day_last_month10", "last_day_last_month8"}, dayOfMonth(0, 0)},
		{[2]string{"monday_next_week10", "monday_next_week8"}, nextMonday},
	} {
		for i, layout := range []string{"2006-01-02", "20060102"} {
			if name := v.names[i]; name != "" {
				out[name] = dateVariable{v.date, layout}
			}
		}
	}
	return out
}

// value returns the value of the system variable name, and whether it is one.
func (v systemVariables) value(name string) (string, bool) {
	if d, ok := dateVariables[name]; ok {
		return d.date(v.business).Format(d.layout), true
	}
	switch name {
	case "hcal_dt8": // "1 hour ago": the page's example, 2017-05-26 00:30:00, gives 20170525
		return v.trigger.Add(-time.Hour).Format("20060102"), true
	case "cal_hr": // the hour of an hour ago: 23 for 2017-05-26 00:30:00
		return v.trigger.Add(-time.Hour).Format("15"), true
	case "this_hour":
		t := v.trigger
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), 0, 0, 0, t.Location()).Format(timeLayout), true
	case "unix_timestamp":
		return strconv.FormatInt(v.trigger.Unix(), 10), true
	case "instance_id":
		return v.instanceID, true
	case "task_id":
		return v.taskID, v.taskID != ""
	}
	return v.daysBefore(name)
}

// daysBefore reads ${cal_dt-n} and ${cal_dt8-n}: n days before the business date.
func (v systemVariables) daysBefore(name string) (string, bool) {
	base, digits, found := strings.Cut(name, "-")
	n, err := strconv.Atoi(digits)
	if !found || err != nil || n < 0 || digits[0] == '+' {
		return "", false
	}
	if base != "cal_dt" && base != "cal_dt8" {
		return "", false
	}
	d := dateVariables[base]
	return v.business.AddDate(0, 0, -n).Format(d.layout), true
}

// daysToNextMonday returns how many days after a day of weekday w the next Monday is: 1 to 7.
func daysToNextMonday(w time.Weekday) int {
	if n := (8 - int(w)) % 7; n > 0 {
		return n
	}
	return 7
}

// businessDate returns the business date of a trigger time: the trigger time minus one
// cycle (a month, a week, a day, an hour or a minute), at midnight of its day.
func businessDate(trigger time.Time, cycle string) time.Time {
	switch cycle {
	case "M":
		trigger = trigger.AddDate(0, -1, 0)
	case "W":
		trigger = trigger.AddDate(0, 0, -7)
	case "H":
		trigger = trigger.Add(-time.Hour)
	case "mi":
		trigger = trigger.Add(-time.Minute)
	default:
		trigger = trigger.AddDate(0, 0, -1)
	}
	y, m, d := trigger.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, trigger.Location())
}

// expand returns s with each ${name} for which one of lookups (tried in order) has a value
// replaced by it; the others stay as they are.
func expand(s string, lookups ...func(string) (string, bool)) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i+2:], '}')
		if j < 0 {
			break
		}
		name := s[i+2 : i+2+j]
		b.WriteString(s[:i])
		if v, ok := lookupIn(name, lookups); ok {
			b.WriteString(v)
		} else {
			b.WriteString(s[i : i+3+j])
		}
		s = s[i+3+j:]
	}
	b.WriteString(s)
	return b.String()
}

// lookupIn returns the value of name in the first of lookups that has one.
func lookupIn(name string, lookups []func(string) (string, bool)) (string, bool) {
	for _, l := range lookups {
		if v, ok := l(name); ok {
			return v, true
		}
	}
	return "", false
}

// parameterLookup returns a lookup of the keys of ps (the first of a key wins).
func parameterLookup(ps []Parameter) func(string) (string, bool) {
	return func(name string) (string, bool) {
		for _, p := range ps {
			if p.Key == name {
				return p.Value, true
			}
		}
		return "", false
	}
}

// expandParameters returns ps with the system variables of vars substituted in their values:
// ps itself when none holds "${", else a copy.
func expandParameters(ps []Parameter, vars systemVariables) []Parameter {
	i := 0
	for i < len(ps) && !strings.Contains(ps[i].Value, "${") {
		i++
	}
	if i == len(ps) {
		return ps
	}
	out := make([]Parameter, len(ps))
	for k, p := range ps {
		out[k] = Parameter{Key: p.Key, Value: expand(p.Value, vars.value)}
	}
	return out
}

// taskCommand returns the command of the task i of in as the task instance runs it: its
// ${key} taken from the task's parameters (their own variables substituted), the instance's
// parameters and the system variables, in that order. loc is the server's time zone.
func taskCommand(in *instance, i int, loc *time.Location) string {
	t := &in.plan.Tasks[i]
	if !strings.Contains(t.Command, "${") {
		return t.Command
	}
	vars := newSystemVariables(in.TriggerTime.In(loc), in.plan.Cycle, in.ID, t.ID)
	global := parameterLookup(in.Parameters)
	own := make([]Parameter, len(t.Parameters))
	for k, p := range t.Parameters {
		own[k] = Parameter{Key: p.Key, Value: expand(p.Value, global, vars.value)}
	}
	return expand(t.Command, parameterLookup(own), global, vars.value)
}
