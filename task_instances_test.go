package batchprocessing

import (
	"context"
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
