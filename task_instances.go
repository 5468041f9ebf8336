package batchprocessing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/enos-go/batchprocessing/internal/tasktype"
)

// taskInstancesPath is the resource of the task instance operations.
const taskInstancesPath = servicePath + "/taskInstances"

// TaskInstance is one run of a task node within a flow instance (Get Task Instance,
// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_task_instance.html).
type TaskInstance struct {
	// TaskInstanceID is this run's id: "<taskId>-<time suffix of the flow instance>".
	TaskInstanceID TaskInstanceID `json:"instanceId"`
	// TaskID and TaskName are the task (node) that ran.
	TaskID   int64  `json:"taskId"`
	TaskName string `json:"taskName"`
	// FlowInstanceID is the flow instance the task ran in.
	FlowInstanceID FlowInstanceID `json:"flowInstId"`
	// Cycle is the scheduling period: M, W, D, H or mi.
	Cycle string `json:"cycle"`
	// Freq is the schedule, a 7-field Quartz cron expression.
	Freq string `json:"freq"`
	// Status uses the flow instance status codes. An answer without one (or with null) has
	// the status its StatusDesc names.
	Status FlowInstanceStatus `json:"status"`
	// StatusDesc is the service's text for Status.
	StatusDesc string `json:"stsDesc"`
	// Type is the task's type code (0 data integration, 1 WORMHOLE, 2 CALCULATE, 3 SHELL,
	// 4 CANAAN, 5 HIVE, 6 MR). When the service names the type instead, as export samples
	// do, Type is that name's documented code, or -1 for a name the documentation gives no
	// code ("COMMAND"), and TypeName holds the name.
	Type int `json:"type"`
	// TypeName is the task type as the service named it; empty when it sent a code.
	TypeName string `json:"-"`
	// SyncType is 0 for file synchronization, 1 for data synchronization; nil when not sent.
	SyncType *int `json:"syncType"`
	// RunNum is how many times the task has run in this instance.
	RunNum int `json:"runNum"`
	// RecallNum is how many retries were done; RecallLimit how many are allowed.
	RecallNum   int `json:"recallNum"`
	RecallLimit int `json:"recallLimit"`
	// RecallInterval is the pause between two retries, in seconds.
	RecallInterval int `json:"recallInterval"`
	// Timeout is the task's time limit in seconds; IsTimeout reports that it ran out.
	Timeout   int  `json:"timeout"`
	IsTimeout bool `json:"isTimeout"`
	// IfPre is 1 when the task waits for its upstream tasks (it has predecessors), else 0.
	IfPre int `json:"ifPre"`
	// TriggerTime is the flow instance's trigger time, in the server's time zone
	// (Client.Time reads it).
	TriggerTime ServerTime `json:"triggerTime"`
	// StartTime and EndTime are when the task started and ended; empty until it does.
	StartTime ServerTime `json:"startTime"`
	EndTime   ServerTime `json:"endTime"`
	// Timestamp is when the task instance was created.
	Timestamp ServerTime `json:"timeStamp"`
	// DoAs is the account the task executes as.
	DoAs string `json:"doAs"`
	// Alert reports whether a failure of the task raises an alert.
	Alert bool `json:"alert"`
	// RunMode is the task's resource setting (see DecodeRunMode).
	RunMode EmbeddedJSON `json:"runMode"`
	// Cmd is the command the task runs.
	Cmd string `json:"cmd"`
	// HasResourceBefore reports whether the task waits for a resource before it runs;
	// ResourceName, FileName and ResourceVersion name that resource.
	HasResourceBefore bool   `json:"hasResourceBefore"`
	ResourceName      string `json:"resourceName"`
	FileName          string `json:"fileName"`
	ResourceVersion   string `json:"resourceVersion"`

	// Deprecated: use TaskInstanceID, which holds the same id.
	InstanceID TaskInstanceID `json:"-"`
	// Deprecated: use FlowInstanceID, which holds the same id.
	FlowInstID FlowInstanceID `json:"-"`
	// Deprecated: use StatusDesc, which holds the same text.
	StsDesc string `json:"-"`
	// Deprecated: use Timestamp, which holds the same time.
	TimeStamp ServerTime `json:"-"`
}

// UnmarshalJSON decodes a task instance in any form the service writes (see the package doc, Decoding).
func (t *TaskInstance) UnmarshalJSON(b []byte) error {
	type plain TaskInstance
	err := decodeTolerant(b, (*plain)(t))
	if err != nil {
		name, coded, ok := taskTypeCoded(b)
		if !ok {
			return err
		}
		if err := decodeTolerant(coded, (*plain)(t)); err != nil {
			return err
		}
		t.TypeName = name
	}
	t.InstanceID, t.FlowInstID, t.StsDesc, t.TimeStamp = t.TaskInstanceID, t.FlowInstanceID, t.StatusDesc, t.Timestamp
	t.Status = t.Status.withDesc(t.StatusDesc)
	return nil
}

// taskTypeCoded returns the task type name of the task instance b, when it names one, and b
// with the name replaced by its code (-1 for a name without one); ok is false otherwise.
func taskTypeCoded(b []byte) (name string, coded []byte, ok bool) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(b, &obj) != nil {
		return "", nil, false
	}
	name, isString := stringText(obj["type"])
	name = strings.TrimSpace(name)
	if _, err := strconv.Atoi(name); !isString || name == "" || err == nil {
		return "", nil, false // a code, or no name: not what failed
	}
	code, known := tasktype.Code(strings.ToUpper(name))
	if !known {
		code = -1
	}
	obj["type"] = json.RawMessage(strconv.Itoa(code))
	coded, err := json.Marshal(obj)
	return name, coded, err == nil
}

// RunMode is the resource setting of a task (TaskInstance.RunMode, ExportedTask.RunMode).
type RunMode struct {
	// TaskMode is 1 for a single task, 2 for multiple tasks.
	TaskMode int `json:"taskMode"`
	// CPU is the number of cores; Memory is in GB.
	CPU    float64 `json:"cpu"`
	Memory float64 `json:"memory"`
	// MaxParallel is the largest number of task runs at once.
	MaxParallel int `json:"maxParallel"`
	// KeyType is 1 for keys from external files, 2 for a custom key.
	KeyType int `json:"keyType"`
	// DatasourceID, Path and Content go with KeyType; the documentation names them without
	// describing them, and they are passed on as the service sends them.
	DatasourceID int64  `json:"datasourceId"`
	Path         string `json:"path"`
	Content      string `json:"content"`
}

// UnmarshalJSON decodes a run mode in any form the service writes (see the package doc, Decoding).
func (rm *RunMode) UnmarshalJSON(b []byte) error {
	type plain RunMode
	return decodeTolerant(b, (*plain)(rm))
}

// DecodeRunMode returns the task's run mode, or nil if it has none.
func (t *TaskInstance) DecodeRunMode() (*RunMode, error) {
	if t.RunMode.IsZero() {
		return nil, nil
	}
	var rm RunMode
	if err := t.RunMode.Decode(&rm); err != nil {
		return nil, err
	}
	return &rm, nil
}

// taskInstanceData is Get Task Instance's data: documented as a list, shown as one object;
// both are accepted.
type taskInstanceData struct{ TaskInstance }

func (d *taskInstanceData) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var list []TaskInstance
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		if len(list) == 0 {
			return errors.New("an empty list of task instances")
		}
		d.TaskInstance = list[0]
		return nil
	}
	return json.Unmarshal(b, &d.TaskInstance)
}

func (d *taskInstanceData) validate() error {
	if d.TaskInstanceID == "" {
		return errors.New("no instanceId in the task instance")
	}
	return nil
}

// GetTaskInstanceRequest is the input of Client.GetTaskInstance.
type GetTaskInstanceRequest struct {
	// TaskInstanceID is the task node instance id (not the flow instance id); required.
	TaskInstanceID TaskInstanceID
	OrgID, UserID  string // empty: the client's defaults
}

type taskInstanceQuery struct {
	userQuery
	TaskInstID string `url:"taskInstId"`
	MaxLength  int    `url:"maxLength,omitempty"`
}

// GetTaskInstance returns one task instance (Get Task Instance: GET
// /batch-processing-service/v2.1/taskInstances?action=get). The ids of an instance's task
// instances are in its graph (FlowInstance.DecodeGraph), or TaskInstanceIDFor.
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_task_instance.html
func (c *Client) GetTaskInstance(ctx context.Context, req GetTaskInstanceRequest, opts ...CallOption) (*TaskInstance, error) {
	const op = "GetTaskInstance"
	q, err := c.userQuery(ctx, op, "get", req.OrgID, req.UserID)
	if err != nil {
		return nil, err
	}
	if err := checkTaskInstanceID(op, req.TaskInstanceID); err != nil {
		return nil, err
	}
	var data taskInstanceData
	err = c.do(ctx, call{op: op, rule: ruleRead, method: http.MethodGet, path: taskInstancesPath,
		query: taskInstanceQuery{userQuery: q, TaskInstID: string(req.TaskInstanceID)}}.withOptions(opts), &data)
	if err != nil {
		return nil, err
	}
	return &data.TaskInstance, nil
}

func checkTaskInstanceID(op string, id TaskInstanceID) error {
	if _, err := id.TaskID(); err != nil {
		return invalid(op, "TaskInstanceID", err.Error())
	}
	return nil
}

// logData is the data of Get Task Instance Log: {"log": "..."}.
type logData struct {
	Log *string `json:"log"`
}

func (d *logData) validate() error {
	if d.Log == nil {
		return errors.New("no log in the data")
	}
	return nil
}

// GetTaskInstanceLogRequest is the input of Client.GetTaskInstanceLog.
type GetTaskInstanceLogRequest struct {
	TaskInstanceID TaskInstanceID // required
	// MaxLength limits the length of the log returned (the documentation gives no unit; the
	// reference server keeps the last MaxLength bytes); 0 leaves it to the service.
	MaxLength     int
	OrgID, UserID string // empty: the client's defaults
}

// GetTaskInstanceLog returns the log of a task instance (Get Task Instance Log: GET
// /batch-processing-service/v2.1/taskInstances?action=getLog). A task that has no log yet
// gives code 62109 "No log found" (ErrInternalServer), which is not retried.
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_task_instance_log.html
func (c *Client) GetTaskInstanceLog(ctx context.Context, req GetTaskInstanceLogRequest, opts ...CallOption) (string, error) {
	const op = "GetTaskInstanceLog"
	q, err := c.userQuery(ctx, op, "getLog", req.OrgID, req.UserID)
	if err != nil {
		return "", err
	}
	if err := checkTaskInstanceID(op, req.TaskInstanceID); err != nil {
		return "", err
	}
	if req.MaxLength < 0 {
		return "", invalid(op, "MaxLength", "must not be negative")
	}
	var data logData
	err = c.do(ctx, call{op: op, rule: ruleReadLogs, method: http.MethodGet, path: taskInstancesPath,
		query: taskInstanceQuery{userQuery: q, TaskInstID: string(req.TaskInstanceID), MaxLength: req.MaxLength}}.withOptions(opts), &data)
	if err != nil {
		return "", err
	}
	return *data.Log, nil
}
