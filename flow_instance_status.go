package batchprocessing

import "strconv"

// FlowInstanceStatus is the status of a flow instance or task instance (spec section 3.2).
type FlowInstanceStatus int

// The documented flow instance statuses.
const (
	StatusFail          FlowInstanceStatus = -1 // FAIL: the run failed (terminal)
	StatusInit          FlowInstanceStatus = 0  // INIT: created, not started
	StatusSuccess       FlowInstanceStatus = 1  // SUCCESS: every task succeeded (terminal)
	StatusRunning       FlowInstanceStatus = 2  // RUNNING
	StatusSuspend       FlowInstanceStatus = 3  // SUSPEND
	StatusInternalError FlowInstanceStatus = 4  // INTERNAL_ERROR (terminal)
	StatusWait          FlowInstanceStatus = 5  // WAIT: for its trigger time or a running instance of its flow
	StatusReady         FlowInstanceStatus = 6  // READY
	StatusTimeout       FlowInstanceStatus = 7  // TIMEOUT (terminal)
	StatusCancel        FlowInstanceStatus = 8  // CANCEL: cancelled (terminal)
	StatusRerun         FlowInstanceStatus = 9  // RERUN
	StatusSkip          FlowInstanceStatus = 10 // SKIP (terminal)
)

var statusNames = map[FlowInstanceStatus]string{
	StatusFail: "FAIL", StatusInit: "INIT", StatusSuccess: "SUCCESS", StatusRunning: "RUNNING",
	StatusSuspend: "SUSPEND", StatusInternalError: "INTERNAL_ERROR", StatusWait: "WAIT",
	StatusReady: "READY", StatusTimeout: "TIMEOUT", StatusCancel: "CANCEL", StatusRerun: "RERUN",
	StatusSkip: "SKIP",
}

// String returns the service's name of the status (SUCCESS, RUNNING, ...), or
// FlowInstanceStatus(n) for a value the documentation does not list.
func (s FlowInstanceStatus) String() string {
	if name, ok := statusNames[s]; ok {
		return name
	}
	return "FlowInstanceStatus(" + strconv.Itoa(int(s)) + ")"
}

// IsTerminal reports whether an instance in this status is over: SUCCESS, FAIL, CANCEL,
// TIMEOUT, SKIP or INTERNAL_ERROR.
func (s FlowInstanceStatus) IsTerminal() bool {
	switch s {
	case StatusSuccess, StatusFail, StatusCancel, StatusTimeout, StatusSkip, StatusInternalError:
		return true
	}
	return false
}

// UnmarshalJSON accepts the status as a number or a string of digits.
func (s *FlowInstanceStatus) UnmarshalJSON(b []byte) error {
	var n flexInt
	if err := n.UnmarshalJSON(b); err != nil {
		return err
	}
	*s = FlowInstanceStatus(n)
	return nil
}
