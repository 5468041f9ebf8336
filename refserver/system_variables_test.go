package refserver

import (
	"testing"
	"time"
)

// TestSystemVariables checks each system variable of
// https://support.enos-iot.com/docs/data-sync/en/2.4.0/system_variables.html against the
// page's own example: a daily flow triggered at 2017-05-27 13:50:41 (GMT+8), whose business
// date is 2017-05-26. The hour variables use the page's example of 2017-05-26 00:30:00.
func TestSystemVariables(t *testing.T) {
	t.Parallel()
	gmt8 := time.FixedZone("GMT+8", 8*3600)
	trigger := time.Date(2017, 5, 27, 13, 50, 41, 0, gmt8)
	v := newSystemVariables(trigger, "D", "2809-20170527135000", 104890)
	hourly := newSystemVariables(time.Date(2017, 5, 26, 0, 30, 0, 0, gmt8), "H", "8435-2017052600", 0)
	tests := []struct {
		vars systemVariables
		name string
		want string
	}{
		{v, "last_week8", "20170520"},
		{v, "last_week10", "2017-05-20"},
		{v, "cal_dt", "2017-05-26"},
		{v, "cal_dt8", "20170526"},
		{v, "cal_dt-1", "2017-05-25"},
		{v, "cal_dt8-1", "20170525"},
		{v, "cal_dt-26", "2017-04-30"},
		{v, "cal_dt-0", "2017-05-26"},
		{v, "ncal_dt", "2017-05-27"},
		{v, "ncal_dt8", "20170527"},
		{v, "end_day_this_month8", "20170531"},
		{v, "end_day_this_month10", "2017-05-31"},
		{v, "first_day_this_month8", "20170501"},
		{v, "first_day_this_month10", "2017-05-01"},
		{v, "first_day_last_month8", "20170401"},
		{v, "first_day_last_month10", "2017-04-01"},
		{v, "last_day_last_month8", "20170430"},
		{v, "last_day_last_month10", "2017-04-30"},
		{v, "monday_next_week8", "20170529"},
		{v, "monday_next_week10", "2017-05-29"},
		{v, "30days_cal_dt", "2017-04-26"},
		{v, "this_hour", "2017-05-27 13:00:00"},
		{v, "unix_timestamp", "1495864241"},
		{v, "instance_id", "2809-20170527135000"},
		{v, "task_id", "104890"},
		{hourly, "hcal_dt8", "20170525"},
		{hourly, "cal_hr", "23"},
	}
	for _, tt := range tests {
		if got, ok := tt.vars.value(tt.name); !ok || got != tt.want {
			t.Errorf("${%s} = %q, %v; want %q", tt.name, got, ok, tt.want)
		}
	}
	for _, name := range []string{"task_id" /* outside a task */, "env.APP_ID", "cal_dt-", "cal_dt-x", "cal_dt-+1", "ncal_dt-1", "cal_dt10", "CAL_DT", ""} {
		if got, ok := hourly.value(name); ok {
			t.Errorf("${%s} = %q, want no value", name, got)
		}
	}
}

// TestBusinessDateAcrossMonths checks the business-date arithmetic where months and years
// turn, and next Monday from every weekday.
func TestBusinessDateAcrossMonths(t *testing.T) {
	t.Parallel()
	at := func(y int, m time.Month, d int) systemVariables {
		return newSystemVariables(time.Date(y, m, d, 1, 0, 0, 0, time.UTC), "D", "", 0)
	}
	tests := []struct {
		vars       systemVariables
		name, want string
	}{
		{at(2020, 3, 1), "cal_dt", "2020-02-29"},
		{at(2020, 3, 1), "end_day_this_month10", "2020-02-29"},
		{at(2020, 3, 1), "first_day_last_month10", "2020-01-01"},
		{at(2020, 3, 1), "last_day_last_month10", "2020-01-31"},
		{at(2021, 1, 1), "cal_dt", "2020-12-31"},
		{at(2021, 1, 1), "ncal_dt", "2021-01-01"},
		{at(2021, 1, 1), "end_day_this_month8", "20201231"},
		{at(2021, 1, 2), "first_day_last_month8", "20201201"},
		{at(2021, 3, 31), "last_day_last_month8", "20210228"},
	}
	for _, tt := range tests {
		if got, _ := tt.vars.value(tt.name); got != tt.want {
			t.Errorf("%v ${%s} = %q, want %q", tt.vars.trigger, tt.name, got, tt.want)
		}
	}
	// Business dates Monday 2026-11-30 to Sunday 2026-12-06: next Monday is 2026-12-07, and
	// from Monday the 7th, the 14th.
	for d := 1; d <= 8; d++ {
		want := "2026-12-07"
		if d == 8 {
			want = "2026-12-14"
		}
		if got, _ := at(2026, 11, 30+d).value("monday_next_week10"); got != want {
			t.Errorf("business date 2026-11-%d: next Monday %s, want %s", 29+d, got, want)
		}
	}
}

func TestExpand(t *testing.T) {
	t.Parallel()
	vars := newSystemVariables(time.Date(2017, 5, 27, 13, 50, 41, 0, time.UTC), "D", "i-1", 7)
	params := parameterLookup([]Parameter{{"out", "/data/${cal_dt}"}, {"cal_dt", "shadowed"}})
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"${cal_dt}", "2017-05-26"},
		{"a${cal_dt8}b${ncal_dt8}c", "a20170526b20170527c"},
		{"${unknown} ${env.APP_ID}", "${unknown} ${env.APP_ID}"},
		{"$cal_dt {cal_dt} ${cal_dt", "$cal_dt {cal_dt} ${cal_dt"},
		{"${}${task_id}", "${}7"},
		{"${${cal_dt}}", "${${cal_dt}}"},
	}
	for _, tt := range tests {
		if got := expand(tt.in, vars.value); got != tt.want {
			t.Errorf("expand(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := expand("${cal_dt} ${out}", params, vars.value); got != "shadowed /data/${cal_dt}" {
		t.Errorf("parameters first: %q", got)
	}
}
