package batchprocessing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
)

// taskInstancesPath is the resource of the task instance operations.
const taskInstancesPath = servicePath + "/taskInstances"

// TaskInstance is one run of a task node within a flow instance (Get Task Instance, spec
// section 3.2). Its Status uses the flow instance status codes.
type TaskInstance struct {
	InstanceID        TaskInstanceID     `json:"instanceId"`
	TaskID            int64              `json:"taskId"`
	TaskName          string             `json:"taskName"`
	FlowInstID        FlowInstanceID     `json:"flowInstId"`
	Cycle             string             `json:"cycle"`
	Freq              string             `json:"freq"`
	Status            FlowInstanceStatus `json:"status"`
	StsDesc           string             `json:"stsDesc"`
	Type              int                `json:"type"` // task type code
	SyncType          *int               `json:"syncType"`
	RunNum            int                `json:"runNum"`
	RecallNum         int                `json:"recallNum"`   // retries done
	RecallLimit       int                `json:"recallLimit"` // retries allowed
	RecallInterval    int                `json:"recallInterval"`
	Timeout           int                `json:"timeout"` // seconds
	IsTimeout         bool               `json:"isTimeout"`
	IfPre             int                `json:"ifPre"`
	TriggerTime       ServerTime         `json:"triggerTime"`
	StartTime         ServerTime         `json:"startTime"`
	EndTime           ServerTime         `json:"endTime"`
	TimeStamp         ServerTime         `json:"timeStamp"`
	DoAs              string             `json:"doAs"`
	Alert             bool               `json:"alert"`
	RunMode           EmbeddedJSON       `json:"runMode"`
	Cmd               string             `json:"cmd"`
	HasResourceBefore bool               `json:"hasResourceBefore"`
	ResourceName      string             `json:"resourceName"`
	FileName          string             `json:"fileName"`
	ResourceVersion   string             `json:"resourceVersion"`
}

// UnmarshalJSON decodes a task instance, accepting numbers as numbers or strings.
func (t *TaskInstance) UnmarshalJSON(b []byte) error {
	type plain TaskInstance
	aux := struct {
		*plain
		TaskID      flexInt `json:"taskId"`
		Type        flexInt `json:"type"`
		RunNum      flexInt `json:"runNum"`
		RecallNum   flexInt `json:"recallNum"`
		RecallLimit flexInt `json:"recallLimit"`
		Timeout     flexInt `json:"timeout"`
	}{plain: (*plain)(t)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	t.TaskID, t.Type, t.RunNum = int64(aux.TaskID), int(aux.Type), int(aux.RunNum)
	t.RecallNum, t.RecallLimit, t.Timeout = int(aux.RecallNum), int(aux.RecallLimit), int(aux.Timeout)
	return nil
}

// RunMode is the resource setting of a task (TaskInstance.RunMode, ExportedTask.RunMode).
type RunMode struct {
	TaskMode     int     `json:"taskMode"` // 1 single task, 2 multiple tasks
	CPU          float64 `json:"cpu"`      // cores
	Memory       float64 `json:"memory"`   // GB
	MaxParallel  int     `json:"maxParallel"`
	KeyType      int     `json:"keyType"` // 1 external files, 2 custom key
	DatasourceID int64   `json:"datasourceId"`
	Path         string  `json:"path"`
	Content      string  `json:"content"`
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
	if d.InstanceID == "" {
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
func (c *Client) GetTaskInstance(ctx context.Context, req GetTaskInstanceRequest) (*TaskInstance, error) {
	const op = "GetTaskInstance"
	q, err := c.userQuery(ctx, op, "get", req.OrgID, req.UserID)
	if err != nil {
		return nil, err
	}
	if err := checkTaskInstanceID(op, req.TaskInstanceID); err != nil {
		return nil, err
	}
	var data taskInstanceData
	err = c.do(ctx, call{op: op, kind: readOnly, method: http.MethodGet, path: taskInstancesPath,
		query: taskInstanceQuery{userQuery: q, TaskInstID: string(req.TaskInstanceID)}}, &data)
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
	// MaxLength limits the length of the log returned; 0 leaves it to the service.
	MaxLength     int
	OrgID, UserID string // empty: the client's defaults
}

// GetTaskInstanceLog returns the log of a task instance (Get Task Instance Log: GET
// /batch-processing-service/v2.1/taskInstances?action=getLog). A task that has no log yet
// gives code 62109 "No log found" (ErrInternalServer), which is not retried.
func (c *Client) GetTaskInstanceLog(ctx context.Context, req GetTaskInstanceLogRequest) (string, error) {
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
	err = c.do(ctx, call{op: op, kind: readOnly, method: http.MethodGet, path: taskInstancesPath, internalErrorIsFinal: true,
		query: taskInstanceQuery{userQuery: q, TaskInstID: string(req.TaskInstanceID), MaxLength: req.MaxLength}}, &data)
	if err != nil {
		return "", err
	}
	return *data.Log, nil
}
