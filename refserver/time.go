package refserver

import (
	"strconv"
	"time"
)

// This file holds the handlers of the /time resource: Get Current Time
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_current_time.html) and
// Get Timezone
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_time_zone.html). They
// take no userId or orgId: any authenticated caller may ask.

// getCurrentTime is Get Current Time: GET /time?action=getCurrentTime. data is the server
// clock in epoch milliseconds, a JSON number.
func (st *state) getCurrentTime(c *call) (any, *failure) {
	return c.now.UnixMilli(), nil
}

// getTimeZone is Get Timezone: GET /time?action=getTimeZone. data is {"timezone": "GMT+8"}:
// the UTC offset of the server's time zone (WithLocation) at the server clock's now.
func (st *state) getTimeZone(c *call) (any, *failure) {
	return timeZoneData{TimeZone: gmtOffset(c.now.In(st.loc))}, nil
}

// gmtOffset formats the UTC offset of t as "GMT+8", "GMT-3", "GMT+0" or "GMT+5:30".
func gmtOffset(t time.Time) string {
	_, offset := t.Zone()
	sign := "+"
	if offset < 0 {
		sign, offset = "-", -offset
	}
	s := "GMT" + sign + strconv.Itoa(offset/3600)
	if m := offset % 3600 / 60; m != 0 {
		s += ":" + strconv.Itoa(m/10) + strconv.Itoa(m%10)
	}
	return s
}
