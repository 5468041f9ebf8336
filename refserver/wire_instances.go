package refserver

import "encoding/json"

// This file holds the wire types of the /flowInstances and /taskInstances resources, as the
// pages of their operations document them.

// Requests.

// searchInstancesRequest is the body of List Flow Instances
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/list_flow_instances.html).
// Status may be a string of comma-separated codes ("1,2,3"), a number or an array of numbers.
type searchInstancesRequest struct {
	Type            flexInt          `json:"type"`
	Expression      string           `json:"expression"`
	Owner           string           `json:"owner"`
	FromTriggerTime flexInt          `json:"fromTriggerTime"`
	ToTriggerTime   flexInt          `json:"toTriggerTime"`
	Status          json.RawMessage  `json:"status"`
	Pagination      *paginationInput `json:"pagination"`
}

// paginationInput is a Pagination (the Pagination struct of
// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/search_flow.html).
type paginationInput struct {
	PageNo   flexInt       `json:"pageNo"`
	PageSize flexInt       `json:"pageSize"`
	Sorters  []sorterInput `json:"sorters"`
}

// sorterInput is one sorter of a Pagination.
type sorterInput struct {
	Field string `json:"field"`
	Order string `json:"order"`
}

// cancelRequest is the body of Cancel Flow Instance
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/cancel_flow_instance.html).
type cancelRequest struct {
	FlowInstID string `json:"flowInstId"`
}

// Answers.

// flowInstanceData is the FlowInstance struct
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_flow_instance.html).
type flowInstanceData struct {
	InstanceID  string `json:"instanceId"`
	FlowID      int64  `json:"flowId"`
	FlowName    string `json:"flowName"`
	Freq        string `json:"freq"`
	Cycle       string `json:"cycle"`
	Parameters  string `json:"parameters"`
	DoAs        string `json:"doAs"`
	Graph       string `json:"graph"`
	Status      int    `json:"status"`
	StatusDesc  string `json:"statusDesc"`
	TriggerTime string `json:"triggerTime"`
	StartTime   string `json:"startTime"`
	EndTime     string `json:"endTime"`
	Timestamp   string `json:"timestamp"`
	Virtual     bool   `json:"virtual"`
	Owner       string `json:"owner"`
	AlertMode   int    `json:"alertMode"`
	CalDt       string `json:"calDt"`
	HasEditPri  bool   `json:"hasEditPri"`
	HasReadPri  bool   `json:"hasReadPri"`
	// IsCancelled is in List Flow Instances' answer only (nil otherwise), where the sample of
	// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/list_flow_instances.html
	// shows it; the FlowInstance struct of Get Flow Instance has no such field.
	IsCancelled *bool `json:"isCancelled,omitempty"`
}

// flowInstancesData is the FlowInstances struct of List Flow Instances: one page and the
// number of matching instances before paging.
type flowInstancesData struct {
	FlowInsts []flowInstanceData `json:"flowInsts"`
	Count     int                `json:"count"`
}

// instanceGraph is the InstanceGraph struct, emitted as a JSON string in
// flowInstanceData.Graph.
type instanceGraph struct {
	Creator    string              `json:"creator"`
	Freq       string              `json:"freq"`
	AlertMode  int                 `json:"alertMode"`
	Owners     string              `json:"owners"`
	Cycle      string              `json:"cycle"`
	DoAs       string              `json:"doAs"`
	Flows      []flowInstanceGraph `json:"flows"`
	Name       string              `json:"name"`
	InstID     string              `json:"instId"`
	ID         int64               `json:"id"`
	Relations  []relationWire      `json:"relations"`
	Parameters string              `json:"parameters"`
	Tasks      []taskInstanceGraph `json:"tasks"`
}

// flowInstanceGraph is a FlowInstanceGraph: an upstream flow's node in an instance graph.
type flowInstanceGraph struct {
	FlowID     string  `json:"flowId"`
	FlowName   string  `json:"flowName"`
	NodeID     string  `json:"nodeId"`
	IsVirtual  bool    `json:"isVirtual"`
	X          float64 `json:"x"`
	Y          float64 `json:"y"`
	FlowInstID string  `json:"flowInstId"`
	Status     string  `json:"status"`
}

// taskInstanceGraph is a TaskInstanceGraph: a task instance's node in an instance graph.
type taskInstanceGraph struct {
	TaskName   string  `json:"taskName"`
	TaskInstID string  `json:"taskInstId"`
	X          float64 `json:"x"`
	Y          float64 `json:"y"`
	TaskID     string  `json:"taskId"`
	NodeID     string  `json:"nodeId"`
	Status     string  `json:"status"`
}

// taskInstanceData is the TaskInstance struct of Get Task Instance
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_task_instance.html).
// syncType and freq are null, as in the sample.
type taskInstanceData struct {
	InstanceID        string  `json:"instanceId"`
	TaskID            int64   `json:"taskId"`
	TaskName          string  `json:"taskName"`
	Cycle             string  `json:"cycle"`
	Status            int     `json:"status"`
	RunNum            int     `json:"runNum"`
	Type              int     `json:"type"`
	SyncType          *int    `json:"syncType"`
	Freq              *string `json:"freq"`
	IfPre             int     `json:"ifPre"`
	StsDesc           string  `json:"stsDesc"`
	RecallNum         int     `json:"recallNum"`
	TriggerTime       string  `json:"triggerTime"`
	Timeout           int     `json:"timeout"`
	RecallLimit       int     `json:"recallLimit"`
	RecallInterval    int     `json:"recallInterval"`
	StartTime         string  `json:"startTime"`
	EndTime           string  `json:"endTime"`
	TimeStamp         string  `json:"timeStamp"`
	IsTimeout         bool    `json:"isTimeout"`
	FlowInstID        string  `json:"flowInstId"`
	DoAs              string  `json:"doAs"`
	Alert             bool    `json:"alert"`
	RunMode           string  `json:"runMode"`
	Cmd               string  `json:"cmd"`
	HasResourceBefore bool    `json:"hasResourceBefore"`
	ResourceName      string  `json:"resourceName"`
	FileName          string  `json:"fileName"`
	ResourceVersion   string  `json:"resourceVersion"`
}

// instanceLogData is the InstanceLog struct of Get Task Instance Log.
type instanceLogData struct {
	Log string `json:"log"`
}
