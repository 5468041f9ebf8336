package batchprocessing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// typedListing answers List Flow Instances from one list of instances per flow type,
// sorted by trigger time as the body asks, paged as it asks; it counts the requests.
func typedListing(t *testing.T, byType map[int][]string) (httpmock.Responder, *int) {
	requests := 0
	return func(req *http.Request) (*http.Response, error) {
		requests++
		raw, _ := io.ReadAll(req.Body)
		var body listFlowInstancesBody
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Errorf("body %s: %v", raw, err)
		}
		ids := slices.Clone(byType[body.Type]) // oldest first: the minute is the id's suffix
		if s := body.Pagination.Sorters; len(s) == 1 && s[0].Order == SortDescending {
			slices.Reverse(ids)
		}
		from := min((body.Pagination.PageNo-1)*body.Pagination.PageSize, len(ids))
		to := min(from+body.Pagination.PageSize, len(ids))
		items := []string{}
		for _, id := range ids[from:to] {
			minute := id[len(id)-14:]
			items = append(items, fmt.Sprintf(`{"instanceId":%q,"triggerTime":"%s-%s-%s %s:%s:00"}`,
				id, minute[:4], minute[4:6], minute[6:8], minute[8:10], minute[10:12]))
		}
		page := fmt.Sprintf(`{"flowInsts":[%s],"count":%d}`, joinComma(items), len(ids))
		return okData(page)(req)
	}, &requests
}

func joinComma(items []string) string {
	out := ""
	for i, s := range items {
		if i > 0 {
			out += ","
		}
		out += s
	}
	return out
}

// Instances of three flows, one of each type, triggered in interleaved minutes.
var listingByType = map[int][]string{
	0: {"1-20191122010000", "1-20191122010300", "1-20191122010600"},
	1: {"2-20191122010100", "2-20191122010400"},
	2: {"3-20191122010200", "3-20191122010500", "3-20191122010700"},
}

// TestListFlowInstancesEveryType: the zero request lists every type, merged newest first,
// in pages of the merged order, with the types' counts added.
func TestListFlowInstancesEveryType(t *testing.T) {
	t.Parallel()
	newest := []FlowInstanceID{"3-20191122010700", "1-20191122010600", "3-20191122010500", "2-20191122010400",
		"1-20191122010300", "3-20191122010200", "2-20191122010100", "1-20191122010000"}
	tests := []struct {
		name string
		req  ListFlowInstancesRequest
		want []FlowInstanceID
	}{
		{"zero request", ListFlowInstancesRequest{}, newest},
		{"page 2 of 3", ListFlowInstancesRequest{PageNo: 2, PageSize: 3}, newest[3:6]},
		{"last page", ListFlowInstancesRequest{PageNo: 3, PageSize: 3}, newest[6:]},
		{"oldest first", ListFlowInstancesRequest{Sorters: []Sorter{{SortByTriggerTime, SortAscending}}, PageSize: 4},
			[]FlowInstanceID{"1-20191122010000", "2-20191122010100", "3-20191122010200", "1-20191122010300"}},
		{"two types", ListFlowInstancesRequest{Types: []FlowType{FlowTypePeriodic, FlowTypeManual}},
			[]FlowInstanceID{"1-20191122010600", "2-20191122010400", "1-20191122010300", "2-20191122010100", "1-20191122010000"}},
		{"one type", ListFlowInstancesRequest{Types: []FlowType{FlowTypePeriodic}}, []FlowInstanceID{"2-20191122010100", "2-20191122010400"}},
		{"deprecated Type", ListFlowInstancesRequest{Type: FlowTypeTemporary},
			[]FlowInstanceID{"3-20191122010200", "3-20191122010500", "3-20191122010700"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t)
			listing, _ := typedListing(t, listingByType)
			mt.RegisterResponder(http.MethodPost, testEndpoint+flowInstancesPath, listing)
			page, err := c.ListFlowInstances(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if got := instanceIDsOf(page.FlowInstances); !slices.Equal(got, tt.want) {
				t.Errorf("page %v, want %v", got, tt.want)
			}
			var all []FlowInstanceID
			for fi, err := range c.ListFlowInstancesIter(context.Background(), ListFlowInstancesRequest{Types: tt.req.Types,
				Type: tt.req.Type, Sorters: tt.req.Sorters, PageSize: 2}) {
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, fi.FlowInstanceID)
			}
			if len(all) != page.Count {
				t.Errorf("the iterator gave %d instances, the page's count is %d", len(all), page.Count)
			}
		})
	}
}

// TestListFlowInstancesMergeNeedsTriggerTime: several types merge by trigger time only;
// types and statuses must be documented ones.
func TestListFlowInstancesMergeNeedsTriggerTime(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t)
	_, err := c.ListFlowInstances(context.Background(), ListFlowInstancesRequest{Sorters: []Sorter{{SortByStartTime, SortAscending}}})
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || reqErr.Field != "Sorters" || mt.GetTotalCallCount() != 0 {
		t.Errorf("err = %v after %d calls, want a *RequestError on Sorters before any call", err, mt.GetTotalCallCount())
	}
	for _, req := range []ListFlowInstancesRequest{{Types: []FlowType{7}}, {Type: -1}, {Statuses: []FlowInstanceStatus{12345}},
		{Statuses: []FlowInstanceStatus{StatusNone}}} {
		if _, err := c.ListFlowInstances(context.Background(), req); !errors.As(err, &reqErr) {
			t.Errorf("%+v: err = %v, want a *RequestError", req, err)
		}
	}
}

// TestListFlowInstancesMergeSortSpelling: a merged listing asks each type for the trigger
// time in the caller's spelling, or by default in the documented one.
func TestListFlowInstancesMergeSortSpelling(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		sorters []Sorter
		want    Sorter
	}{
		{"default", nil, Sorter{"triggerTime", SortDescending}},
		{"snake_case, oldest first", []Sorter{{"trigger_time", SortAscending}}, Sorter{"trigger_time", SortAscending}},
		{"as the caller wrote it", []Sorter{{"TriggerTime", SortDescending}}, Sorter{"TriggerTime", SortDescending}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t)
			var sent [][]Sorter
			mt.RegisterResponder(http.MethodPost, testEndpoint+flowInstancesPath, func(req *http.Request) (*http.Response, error) {
				var body listFlowInstancesBody
				raw, _ := io.ReadAll(req.Body)
				if err := json.Unmarshal(raw, &body); err != nil {
					t.Errorf("body %s: %v", raw, err)
				}
				sent = append(sent, body.Pagination.Sorters)
				return okData(`{"flowInsts":[],"count":0}`)(req)
			})
			if _, err := c.ListFlowInstances(context.Background(), ListFlowInstancesRequest{Sorters: tt.sorters}); err != nil {
				t.Fatal(err)
			}
			if len(sent) != len(allFlowTypes) {
				t.Fatalf("%d requests, want one a type", len(sent))
			}
			for _, got := range sent {
				if !slices.Equal(got, []Sorter{tt.want}) {
					t.Errorf("sorters %v, want [%v]", got, tt.want)
				}
			}
		})
	}
}

// TestListFlowInstancesMetadataCountsEveryRequest: the metadata of a listing of several
// types counts the requests of every type and page, a retry among them, for the page and
// the iterator alike.
func TestListFlowInstancesMetadataCountsEveryRequest(t *testing.T) {
	t.Parallel()
	for _, iterate := range []bool{false, true} {
		t.Run(fmt.Sprintf("iterator %t", iterate), func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, fastRetries)
			listing, answered := typedListing(t, listingByType)
			mt.RegisterResponder(http.MethodPost, testEndpoint+flowInstancesPath, gatewayError(503).Then(listing))
			var md ResponseMetadata
			if iterate {
				for _, err := range c.ListFlowInstancesIter(context.Background(), ListFlowInstancesRequest{PageSize: 2}, WithMetadata(&md)) {
					if err != nil {
						t.Fatal(err)
					}
				}
			} else if _, err := c.ListFlowInstances(context.Background(), ListFlowInstancesRequest{}, WithMetadata(&md)); err != nil {
				t.Fatal(err)
			}
			if want := *answered + 1; md.Attempts != want || md.HTTPStatus != http.StatusOK || *answered < len(allFlowTypes) {
				t.Errorf("metadata %+v after %d pages answered; want %d attempts, the last answer's status", md, *answered, want)
			}
		})
	}
}

// TestListFlowInstancesTimesBefore1970: a To before 1970 is refused before any call; a From
// before 1970 counts from 1970, never a negative epoch millisecond.
func TestListFlowInstancesTimesBefore1970(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t)
	var reqErr *RequestError
	_, err := c.ListFlowInstances(context.Background(), ListFlowInstancesRequest{Types: []FlowType{FlowTypeManual},
		From: time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)})
	if !errors.As(err, &reqErr) || reqErr.Field != "To" || mt.GetTotalCallCount() != 0 {
		t.Errorf("err = %v after %d calls, want a *RequestError on To before any call", err, mt.GetTotalCallCount())
	}
	var sent listFlowInstancesBody
	mt.RegisterResponder(http.MethodPost, testEndpoint+flowInstancesPath, func(req *http.Request) (*http.Response, error) {
		_ = json.NewDecoder(req.Body).Decode(&sent)
		return okData(`{"flowInsts":[],"count":0}`)(req)
	})
	_, err = c.ListFlowInstances(context.Background(), ListFlowInstancesRequest{Types: []FlowType{FlowTypeManual},
		From: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), To: time.UnixMilli(testNowMillis)})
	if err != nil || sent.FromTriggerTime != 0 || sent.ToTriggerTime != testNowMillis {
		t.Errorf("err %v, range sent %d to %d; want 0 to %d", err, sent.FromTriggerTime, sent.ToTriggerTime, testNowMillis)
	}
}

func instanceIDsOf(fis []FlowInstance) []FlowInstanceID {
	out := make([]FlowInstanceID, len(fis))
	for i, fi := range fis {
		out[i] = fi.FlowInstanceID
	}
	return out
}
