package refserver

import (
	"encoding/json"
	"strconv"

	"github.com/enos-go/batchprocessing/internal/tasktype"
)

// This file holds the wire types of the /flows resource, as its operations' pages document
// them: what the handlers decode (tolerant: ids as numbers or strings, JSON documents as
// strings) and what they encode (exactly as documented).

// Requests.

// triggerFlowRequest is the body of Trigger Flow
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/trigger_flow.html).
type triggerFlowRequest struct {
	FlowID      flexInt `json:"flowId"`
	TriggerTime flexInt `json:"triggerTime"`
}

// triggerFromTaskRequest is the body of Trigger Flow From Task
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/trigger_flow_from_task.html).
type triggerFromTaskRequest struct {
	FlowID      flexInt `json:"flowId"`
	TaskID      flexInt `json:"taskId"`
	TriggerTime flexInt `json:"triggerTime"`
}

// updateAndTriggerRequest is the body of Update And Trigger Flow
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/update_and_trigger_flow.html).
type updateAndTriggerRequest struct {
	FlowID      flexInt         `json:"flowId"`
	TriggerTime flexInt         `json:"triggerTime"`
	Parameters  json.RawMessage `json:"parameters"`
}

// flowIDRequest is the body of Enable Flow and Disable Flow
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/enable_flow.html,
// disable_flow.html).
type flowIDRequest struct {
	FlowID flexInt `json:"flowId"`
}

// searchFlowRequest is the body of Search Flow
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/search_flow.html).
type searchFlowRequest struct {
	Expression string           `json:"expression"`
	Pagination *paginationInput `json:"pagination"`
}

// saveFlowRequest is the body of Save Flow
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/save_flow.html). Pointers
// and set flags tell a mandatory field that is absent from one that is empty.
type saveFlowRequest struct {
	ID         flexInt            `json:"id"`
	Type       flexInt            `json:"type"`
	Name       *string            `json:"name"`
	Freq       *string            `json:"freq"`
	Cycle      *string            `json:"cycle"`
	AlertMode  flexInt            `json:"alertMode"`
	DoAs       *string            `json:"doAs"`
	Owners     *string            `json:"owners"`
	Visitors   *string            `json:"visitors"`
	StartTime  *string            `json:"startTime"`
	Active     flexBool           `json:"active"`
	Parameters json.RawMessage    `json:"parameters"`
	Desc       *string            `json:"desc"`
	Queue      *string            `json:"queue"`
	Tasks      *[]taskSimpleInput `json:"tasks"`
	Flows      *[]flowSimpleInput `json:"flows"`
	Relations  []relationWire     `json:"relations"`
}

// taskSimpleInput is a TaskSimpleInfo as Save Flow reads it.
type taskSimpleInput struct {
	TaskName string    `json:"taskName"`
	X        flexFloat `json:"x"`
	Y        flexFloat `json:"y"`
	TaskID   flexInt   `json:"taskId"`
	NodeID   string    `json:"nodeId"`
}

// flowSimpleInput is a FlowSimpleInfo (an upstream flow node) as Save Flow reads it.
type flowSimpleInput struct {
	FlowID   flexInt   `json:"flowId"`
	FlowName string    `json:"flowName"`
	NodeID   string    `json:"nodeId"`
	X        flexFloat `json:"x"`
	Y        flexFloat `json:"y"`
}

// importFlowRequest is the body of Import Flow
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/import_flow.html). FlowJSON
// is an ExportedFlow, as an object or as a string holding one.
type importFlowRequest struct {
	FlowID   flexInt         `json:"flowId"`
	FlowName *string         `json:"flowName"`
	Desc     *string         `json:"desc"`
	DirID    *string         `json:"dirId"`
	FlowJSON json.RawMessage `json:"flowJson"`
}

// exportedFlowInput is an ExportedFlow as Import Flow reads it.
type exportedFlowInput struct {
	Name          string              `json:"name"`
	Cycle         string              `json:"cycle"`
	Cron          string              `json:"cron"`
	Parameters    json.RawMessage     `json:"parameters"`
	AlertMode     flexInt             `json:"alertMode"`
	Submitter     string              `json:"submitter"`
	Owners        string              `json:"owners"`
	Visitors      string              `json:"visitors"`
	Type          flexInt             `json:"type"`
	Desc          string              `json:"desc"`
	StartTime     string              `json:"startTime"`
	Tasks         []exportedTaskInput `json:"tasks"`
	FlowLinks     []flowLinkWire      `json:"flowLinks"`
	Relations     []taskRelationWire  `json:"relations"`
	LinkRelations []linkRelationWire  `json:"linkRelations"`
}

// exportedTaskInput is a Task of an ExportedFlow as Import Flow reads it: its type may be the
// documented integer code or a name such as "COMMAND".
type exportedTaskInput struct {
	Name          string          `json:"name"`
	Type          json.RawMessage `json:"type"`
	Cmd           string          `json:"cmd"`
	Timeout       flexInt         `json:"timeout"`       // seconds
	RetryLimit    flexInt         `json:"retryLimit"`    // retries of a failed attempt
	RetryInterval flexInt         `json:"retryInterval"` // seconds
}

// Answers.

// flowIDData is the FlowId struct of Save Flow and Import Flow: the id as a number, as the
// samples show.
type flowIDData struct {
	FlowID int64 `json:"flowId"`
}

// flowData is the Flow struct
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_flow.html) of Get Flow
// and Load Flow For Edit.
type flowData struct {
	FlowID       int64  `json:"flowId"`
	FlowName     string `json:"flowName"`
	Active       int    `json:"active"`
	Creator      string `json:"creator"`
	CreateTime   string `json:"createTime"`
	UpdateUser   string `json:"updateUser"`
	UpdateTime   string `json:"updateTime"`
	Freq         string `json:"freq"`
	Cycle        string `json:"cycle"`
	Parameters   string `json:"parameters"`
	Owner        string `json:"owner"`
	Visitor      string `json:"visitor"`
	DoAs         string `json:"doAs"`
	AlertMode    int    `json:"alertMode"`
	Graph        string `json:"graph"`
	Entry        int    `json:"entry"`
	Type         int    `json:"type"`
	SyncType     int    `json:"syncType"`
	Desc         string `json:"desc"`
	StartTime    string `json:"startTime"`
	Virtual      bool   `json:"virtual"`
	Locked       bool   `json:"locked"`
	HasEditPri   bool   `json:"hasEditPri"`
	HasReadPri   bool   `json:"hasReadPri"`
	IsUserLocked bool   `json:"isUserLocked"`
	// Queue is the computing queue, in Load Flow For Edit's answer only (nil otherwise).
	Queue *string `json:"queue,omitempty"`
}

// flowGraph is the FlowGraph struct, emitted as a JSON string in flowData.Graph.
type flowGraph struct {
	Creator    string           `json:"creator"`
	Freq       string           `json:"freq"`
	AlertMode  int              `json:"alertMode"`
	Type       int              `json:"type"`
	Owners     string           `json:"owners"`
	Visitors   string           `json:"visitors"`
	StartTime  string           `json:"startTime"`
	Cycle      string           `json:"cycle"`
	DoAs       string           `json:"doAs"`
	Flows      []flowSimpleInfo `json:"flows"`
	Name       string           `json:"name"`
	SyncType   int              `json:"syncType"`
	Relations  []relationWire   `json:"relations"`
	Parameters string           `json:"parameters"`
	Tasks      []taskSimpleInfo `json:"tasks"`
	Queue      string           `json:"queue"`
	Desc       string           `json:"desc"`
	Active     int              `json:"active"`
}

// flowSimpleInfo is a FlowSimpleInfo: an upstream flow's node in a flow graph.
type flowSimpleInfo struct {
	FlowID    string  `json:"flowId"`
	FlowName  string  `json:"flowName"`
	NodeID    string  `json:"nodeId"`
	IsVirtual bool    `json:"isVirtual"`
	X         float64 `json:"x"`
	Y         float64 `json:"y"`
}

// taskSimpleInfo is a TaskSimpleInfo: a task's node in a flow graph.
type taskSimpleInfo struct {
	TaskName string  `json:"taskName"`
	X        float64 `json:"x"`
	Y        float64 `json:"y"`
	TaskID   string  `json:"taskId"`
	NodeID   string  `json:"nodeId"`
}

// relationWire is a Relation: an edge of a graph between two node ids.
type relationWire struct {
	CycleGap string `json:"cycleGap"`
	Source   string `json:"source"`
	Target   string `json:"target"`
	// Rerun is read as clients send it and written as a boolean; the server does not use it.
	Rerun flexBool `json:"rerun"`
}

// myFlowInfo is an element of Get My Flow's data (MyFlowInfo): the id as a string.
type myFlowInfo struct {
	FlowID   string `json:"flowId"`
	Editable bool   `json:"editable"`
	FlowName string `json:"flowName"`
	Cycle    string `json:"cycle"`
}

// pageFlow is an element of Search Flow's data (PageFlow): the id as a number.
type pageFlow struct {
	FlowID   int64  `json:"flowId"`
	FlowName string `json:"flowName"`
}

// exportedFlow is the ExportedFlow struct of Export Flow.
type exportedFlow struct {
	Name          string             `json:"name"`
	Cycle         string             `json:"cycle"`
	Cron          string             `json:"cron"`
	Parameters    string             `json:"parameters"`
	AlertMode     int                `json:"alertMode"`
	Submitter     string             `json:"submitter"`
	Owners        string             `json:"owners"`
	Visitors      string             `json:"visitors"`
	Type          int                `json:"type"`
	SyncType      int                `json:"syncType"`
	Desc          string             `json:"desc"`
	StartTime     string             `json:"startTime"`
	Tasks         []exportedTask     `json:"tasks"`
	FlowLinks     []flowLinkWire     `json:"flowLinks"`
	TaskLinks     []taskLinkWire     `json:"taskLinks"`
	Relations     []taskRelationWire `json:"relations"`
	LinkRelations []linkRelationWire `json:"linkRelations"`
}

// exportedTask is a Task of an ExportedFlow. Type is the task type's name, as the samples
// show ("COMMAND"), not the integer the table documents.
type exportedTask struct {
	Name          string `json:"name"`
	Resource      string `json:"resource"`
	Type          string `json:"type"`
	SyncType      int    `json:"syncType"`
	Cmd           string `json:"cmd"`
	Submitter     string `json:"submitter"`
	FilePackage   string `json:"filePackage"`
	Cron          string `json:"cron"`
	PriorityLevel int    `json:"priorityLevel"`
	Timeout       int    `json:"timeout"`
	RetryLimit    int    `json:"retryLimit"`
	RetryInterval int    `json:"retryInterval"`
	SuccessCode   string `json:"successCode"`
	AsLink        bool   `json:"asLink"`
	RunMode       string `json:"runMode"`
}

// flowLinkWire is a FlowLink: a link to an upstream flow, by name.
type flowLinkWire struct {
	LinkID         string `json:"linkId"`
	SourceFlowName string `json:"sourceFlowName"`
}

// taskLinkWire is a TaskLink: a link to a task of an upstream flow, by names.
type taskLinkWire struct {
	LinkID         string `json:"linkId"`
	SourceFlowName string `json:"sourceFlowName"`
	SourceTaskName string `json:"sourceTaskName"`
}

// taskRelationWire is a TaskRelation: an edge between two tasks of the flow, by names.
type taskRelationWire struct {
	SourceTaskName string   `json:"sourceTaskName"`
	TargetTaskName string   `json:"targetTaskName"`
	Rerun          flexBool `json:"rerun"` // as relationWire's
}

// linkRelationWire is a LinkRelation: an edge from a link to a task of the flow.
type linkRelationWire struct {
	LinkID         string   `json:"linkId"`
	TargetTaskName string   `json:"targetTaskName"`
	Rerun          flexBool `json:"rerun"` // as relationWire's
}

// runModeWire is a RunMode, emitted as a JSON string in tasks and task instances, with the
// eight fields of the RunMode struct of
// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/export_flow.html.
type runModeWire struct {
	TaskMode     int     `json:"taskMode"`     // 1 single task, 2 multiple tasks
	CPU          float64 `json:"cpu"`          // cores
	Memory       float64 `json:"memory"`       // GB
	MaxParallel  int     `json:"maxParallel"`  // most tasks run at once in multiple-task mode
	KeyType      int     `json:"keyType"`      // 1 external files, 2 custom key; 0 when not set
	DatasourceID int     `json:"datasourceId"` // 0 when not set
	Path         string  `json:"path"`
	Content      string  `json:"content"`
}

// defaultRunMode is the runMode string of every task: the documentation's sample of a
// single-task run mode, {"taskMode":1,"cpu":0.5,"memory":1,"maxParallel":0,"keyType":0,
// "datasourceId":0,"path":"","content":""} (Export Flow's page).
var defaultRunMode = mustMarshal(runModeWire{TaskMode: 1, CPU: 0.5, Memory: 1})

// otherTaskTypeCode is the server's code for a task type name the documentation gives no
// code (COMMAND among them; tasktype holds the documented ones).
const otherTaskTypeCode = 7

// taskTypeCode returns the integer code of a task type name.
func taskTypeCode(name string) int {
	if code, ok := tasktype.Code(name); ok {
		return code
	}
	return otherTaskTypeCode
}

// taskTypeName reads an exported task's type: a name as given, or an integer code turned into
// its name ("COMMAND" for 7 and unknown codes). Absent or empty gives defaultTaskType.
func taskTypeName(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return defaultTaskType, true
	}
	var name string
	if err := json.Unmarshal(raw, &name); err == nil {
		if code, err := strconv.Atoi(name); err == nil {
			return typeNameOf(code), true
		}
		if name == "" {
			return defaultTaskType, true
		}
		return name, true
	}
	var code int
	if err := json.Unmarshal(raw, &code); err != nil {
		return "", false
	}
	return typeNameOf(code), true
}

// typeNameOf returns the name of a task type code.
func typeNameOf(code int) string {
	if name, ok := tasktype.Name(code); ok {
		return name
	}
	return defaultTaskType
}
