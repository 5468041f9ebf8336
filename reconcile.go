package batchprocessing

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// findInstance returns the created-check of a trigger of flowID at triggerMillis: it looks
// for the manual instance of that flow whose trigger time falls in that minute and, when it
// finds one, stores its id in data. Each lookup sends single requests: the trigger's own
// loop retries them.
//
// An instance of that minute made by another trigger (another process, an earlier run of
// the same job) cannot be told from this call's: when this call's answer is lost and such
// an instance exists, the call returns its id.
func (c *Client) findInstance(q userQuery, flowID, triggerMillis int64, data *flowInstanceIDData) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		id, err := c.instanceOfMinute(ctx, q, flowID, triggerMillis)
		if err != nil || id == "" {
			return false, err
		}
		data.FlowInstanceID = string(id)
		return true, nil
	}
}

// errAmbiguous is the lookup's error when the service shows more than one instance that
// the trigger may have created: it cannot tell which, and asking again will not help.
var errAmbiguous = errors.New("more than one instance of the flow was triggered in that minute")

// instanceOfMinute returns the id of the manually triggered instance of flowID whose
// trigger time falls in the minute of atMillis, or "" when there is none.
//
// It asks List Flow Instances, whose trigger-time range is in epoch milliseconds, rather
// than computing the id from the server's time zone: Get Timezone reports only the offset
// in force now ("GMT+1"), which says nothing of the offset at a trigger time across a
// daylight-saving change, and an id computed with the wrong offset names the instance of
// another hour. The service does the zone arithmetic; the client compares instants. The
// listing's type is the flow's scheduling type, which the client does not know: it asks for
// each type until one shows the instance.
func (c *Client) instanceOfMinute(ctx context.Context, q userQuery, flowID, atMillis int64) (FlowInstanceID, error) {
	minute := atMillis - atMillis%60_000
	prefix := strconv.FormatInt(flowID, 10) + "-"
	var found []FlowInstanceID
	for _, typ := range []FlowType{FlowTypeManual, FlowTypePeriodic, FlowTypeTemporary} {
		body := listFlowInstancesBody{
			Type:            int(typ),
			Expression:      prefix,
			FromTriggerTime: minute,
			ToTriggerTime:   minute + 59_999,
			Status:          allStatusCodes,
			Pagination:      pagination{PageNo: 1, PageSize: DefaultPageSize},
		}
		var page flowInstancePageWire
		err := c.do(ctx, call{op: "ListFlowInstances", kind: readOnly, once: true, method: http.MethodPost,
			path: flowInstancesPath, query: userQuery{"search", q.OrgID, q.UserID}, body: body}, &page)
		if err != nil {
			return "", err
		}
		for _, w := range page.FlowInstances {
			// The expression is a fuzzy match: "3377-" also finds 13377's instances. A
			// scheduled instance of the same minute has a shorter suffix.
			id := w.FlowInstanceID
			if strings.HasPrefix(string(id), prefix) && int64(w.FlowID) == flowID && isManualID(id) {
				found = append(found, id)
			}
		}
		if len(found) > 0 {
			break
		}
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%w: %v", errAmbiguous, found)
}

// isManualID reports whether id has the suffix of a manual trigger: the minute, with
// seconds 00.
func isManualID(id FlowInstanceID) bool {
	_, suffix, err := id.parse()
	return err == nil && len(suffix) == len(manualSuffixLayout) && strings.HasSuffix(suffix, "00")
}
