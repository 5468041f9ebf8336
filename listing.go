package batchprocessing

import "strconv"

// This file holds what the listing operations share: flow types, sorting and paging.

// FlowType is the scheduling type of a flow.
type FlowType int

// The scheduling types.
const (
	FlowTypeManual    FlowType = 0
	FlowTypePeriodic  FlowType = 1
	FlowTypeTemporary FlowType = 2
)

// allFlowTypes lists every scheduling type.
var allFlowTypes = []FlowType{FlowTypeManual, FlowTypePeriodic, FlowTypeTemporary}

func (t FlowType) valid() bool { return t >= FlowTypeManual && t <= FlowTypeTemporary }

// Sort orders of a Sorter.
const (
	SortAscending  = "ASC"
	SortDescending = "DESC"
)

// Sort fields, each in a spelling the documentation gives. The current documentation
// and Envision's samples spell create_time, update_time and start_time in snake_case, and
// list no other; the trigger and end times of instances are documented only by the 2.1.0
// documentation of List Flow Instances, in camelCase
// (https://support.enos-iot.com/docs/api/en/2.1.0/dataflow_service/v2.1/list_flow_instances.html),
// which spells the others createTime, updateTime and startTime. A Field is sent as it is:
// pass the other spelling as a string if your gateway wants it.
const (
	SortByTriggerTime = "triggerTime"
	SortByStartTime   = "start_time"
	SortByEndTime     = "endTime"
	SortByCreateTime  = "create_time"
	SortByUpdateTime  = "update_time"
)

// Sorter orders a listing by one field.
type Sorter struct {
	// Field is one of the SortBy constants.
	Field string `json:"field"`
	// Order is SortAscending (the default when empty) or SortDescending.
	Order string `json:"order,omitempty"`
}

// pagination is the Pagination struct of the listing bodies.
type pagination struct {
	PageNo   int      `json:"pageNo"`
	PageSize int      `json:"pageSize"`
	Sorters  []Sorter `json:"sorters,omitempty"`
}

// DefaultPageSize is the page size of listings that do not set one.
const DefaultPageSize = 50

// checkPage validates and completes paging input.
func checkPage(op string, pageNo, pageSize int, sorters []Sorter) (pagination, error) {
	switch {
	case pageNo < 0:
		return pagination{}, invalid(op, "PageNo", "must not be negative")
	case pageSize < 0:
		return pagination{}, invalid(op, "PageSize", "must not be negative")
	}
	for _, s := range sorters {
		if s.Field == "" {
			return pagination{}, invalid(op, "Sorters", "a sorter without a field")
		}
		if s.Order != "" && s.Order != SortAscending && s.Order != SortDescending {
			return pagination{}, invalid(op, "Sorters", `order must be "ASC" or "DESC", got `+strconv.Quote(s.Order))
		}
	}
	if pageNo == 0 {
		pageNo = 1
	}
	if pageSize == 0 {
		pageSize = DefaultPageSize
	}
	return pagination{PageNo: pageNo, PageSize: pageSize, Sorters: sorters}, nil
}
