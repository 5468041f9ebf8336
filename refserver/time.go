package refserver

import (
	"github.com/enos-go/batchprocessing/internal/utcoffset"
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
//
// The documentation gives only this form ("TimeZone: timezone String, format GMT+N", with
// the sample "GMT+8") and says nothing of daylight saving. So a server in a zone that has
// it (WithLocation(Europe/Berlin)) answers the offset in force now, "GMT+1" in winter and
// "GMT+2" in summer, as a real service would: an offset, never the zone's name, which
// cannot say when the offset changes. Clients must not compute instance ids of other
// times from it; the trigger-time range of List Flow Instances, in epoch milliseconds,
// leaves the zone arithmetic to the server.
func (st *state) getTimeZone(c *call) (any, *failure) {
	_, offset := c.now.In(st.loc).Zone()
	return timeZoneData{TimeZone: utcoffset.Name(offset)}, nil
}
