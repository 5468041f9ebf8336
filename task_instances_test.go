package batchprocessing

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
)

// TestGetTaskInstanceAsList: Get Task Instance's data is documented as a list and shown as
// one object; the client takes the first element of a list, and refuses an empty one.
func TestGetTaskInstanceAsList(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		data string
		ok   bool
	}{
		{`[{"instanceId":"118979-2021020211","taskId":"118979"}]`, true},
		{`[]`, false},
	} {
		c, mt, _ := newTestClient(t)
		mt.RegisterResponder(http.MethodGet, testEndpoint+taskInstancesPath, okData(tt.data))
		ti, err := c.GetTaskInstance(context.Background(), GetTaskInstanceRequest{TaskInstanceID: "118979-2021020211"})
		if tt.ok && (err != nil || ti.TaskID != 118979 || ti.TaskInstanceID != "118979-2021020211") {
			t.Errorf("%s: %+v, %v", tt.data, ti, err)
		}
		if !tt.ok && !errors.Is(err, ErrUnexpectedResponse) {
			t.Errorf("%s: err = %v, want ErrUnexpectedResponse", tt.data, err)
		}
	}
}

// TestTaskInstanceTypeNamedOrCoded: the task type may come as the documented code or, as
// export samples send it, as a name: a documented name gives its code, another name -1,
// and TypeName keeps the name; a type that is neither fails the decoding.
func TestTaskInstanceTypeNamedOrCoded(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		typ      string
		wantType int
		wantName string
		ok       bool
	}{
		{`7`, 7, "", true},
		{`"3"`, 3, "", true},
		{`"DATA_INTEGRATION"`, 0, "DATA_INTEGRATION", true},
		{`"shell"`, 3, "shell", true},
		{`"COMMAND"`, -1, "COMMAND", true},
		{`{"x":1}`, 0, "", false},
	} {
		var ti TaskInstance
		err := json.Unmarshal([]byte(`{"instanceId":"118979-2021020211","taskId":118979,"status":1,"type":`+tt.typ+`}`), &ti)
		switch {
		case !tt.ok && err == nil:
			t.Errorf("type %s: decoded %d %q, want an error", tt.typ, ti.Type, ti.TypeName)
		case tt.ok && (err != nil || ti.Type != tt.wantType || ti.TypeName != tt.wantName || ti.Status != StatusSuccess || ti.TaskID != 118979):
			t.Errorf("type %s: %d %q (%v), want %d %q", tt.typ, ti.Type, ti.TypeName, err, tt.wantType, tt.wantName)
		}
	}
}
