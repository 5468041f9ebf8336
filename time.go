package batchprocessing

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/enos-go/batchprocessing/internal/utcoffset"
)

// timePath is the resource of the time operations.
const timePath = servicePath + "/time"

// actionQuery is the query of the operations that take no userId or orgId.
type actionQuery struct {
	Action string `url:"action"`
}

// currentTimeCall is Get Current Time, as GetCurrentTime and the clock's refinement send it.
var currentTimeCall = call{op: "GetCurrentTime", rule: ruleRead, method: http.MethodGet, path: timePath, query: actionQuery{"getCurrentTime"}}

// GetCurrentTime returns the service's current time (Get Current Time: GET
// /batch-processing-service/v2.1/time?action=getCurrentTime).
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_current_time.html
func (c *Client) GetCurrentTime(ctx context.Context, opts ...CallOption) (time.Time, error) {
	if ctx == nil {
		return time.Time{}, invalid(currentTimeCall.op, "context", "nil context.Context")
	}
	var ms *flexInt // stays nil if the response has no data
	if err := c.do(ctx, currentTimeCall.withOptions(opts), &ms); err != nil {
		return time.Time{}, err
	}
	return time.UnixMilli(int64(*ms)), nil
}

// Timezone is the service's time zone, as Get Timezone reports it ("GMT+8").
type Timezone struct {
	// Name is the zone as the service names it: "GMT+N" as documented ("GMT+8"); some
	// servers name an IANA zone ("Asia/Shanghai"). Location reads either.
	Name string `json:"timezone"`
}

func (tz *Timezone) validate() error {
	if _, err := tz.Location(); err != nil {
		return err
	}
	return nil
}

// Location returns the zone as a time.Location: time.UTC for "GMT" or "UTC"; a fixed zone
// for an offset, named as the service writes it ("GMT+8" for "GMT+8", "GMT+08:00" or
// "UTC+0800"; "GMT+5:30", "GMT-3"), the prefixes in any case; or the IANA zone
// ("Asia/Shanghai") when the system knows it.
func (tz *Timezone) Location() (*time.Location, error) {
	loc, err := utcoffset.Location(tz.Name)
	if err != nil {
		return nil, fmt.Errorf("batchprocessing: time zone %q: %w", tz.Name, err)
	}
	return loc, nil
}

// GetTimezone returns the service's time zone (Get Timezone: GET
// /batch-processing-service/v2.1/time?action=getTimeZone): the zone of its server-local
// times and of manual flow instance ids. Use Timezone.Location.
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_time_zone.html
func (c *Client) GetTimezone(ctx context.Context, opts ...CallOption) (*Timezone, error) {
	const op = "GetTimezone"
	if ctx == nil {
		return nil, invalid(op, "context", "nil context.Context")
	}
	var tz Timezone
	if err := c.do(ctx, call{op: op, rule: ruleRead, method: http.MethodGet, path: timePath, query: actionQuery{"getTimeZone"}}.withOptions(opts), &tz); err != nil {
		return nil, err
	}
	return &tz, nil
}
