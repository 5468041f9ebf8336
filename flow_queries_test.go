package batchprocessing

import (
	"context"
	"errors"
	"testing"

	"github.com/jarcoal/httpmock"
)

func TestDeleteFlowDependedOn(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t)
	mt.RegisterNoResponder(httpmock.NewStringResponder(200,
		`{"code":62104,"msg":"This workflow is relied on by other workflows and cannot be deleted."}`))
	err := c.DeleteFlow(context.Background(), FlowRequest{FlowID: 1})
	if !errors.Is(err, ErrFlowDependedOn) || errors.Is(err, ErrFlowHasNoTask) {
		t.Errorf("err = %v, want ErrFlowDependedOn only", err)
	}
	_, err = trigger(c, 1)
	if !errors.Is(err, ErrFlowHasNoTask) || errors.Is(err, ErrFlowDependedOn) {
		t.Errorf("trigger err = %v, want ErrFlowHasNoTask only", err)
	}
}
