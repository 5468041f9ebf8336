package batchprocessing

import (
	"fmt"
	"strconv"
	"strings"
)

// FlowInstanceStatus is the status of a flow instance or task instance: a code in Get Flow
// Instance and Get Task Instance, a name in instance graphs; both decode to the same value.
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

// Statuses that instance graphs name but that have no code in the documentation.
const (
	// StatusNone is NONE: a task node that does not run in this instance (a run triggered
	// from a later task, for one).
	StatusNone FlowInstanceStatus = -100
	// StatusUnknown is a status the client cannot name: a status name the documentation
	// does not list, or none at all (a graph node without a status).
	StatusUnknown FlowInstanceStatus = -101
)

var statusNames = map[FlowInstanceStatus]string{
	StatusFail: "FAIL", StatusInit: "INIT", StatusSuccess: "SUCCESS", StatusRunning: "RUNNING",
	StatusSuspend: "SUSPEND", StatusInternalError: "INTERNAL_ERROR", StatusWait: "WAIT",
	StatusReady: "READY", StatusTimeout: "TIMEOUT", StatusCancel: "CANCEL", StatusRerun: "RERUN",
	StatusSkip: "SKIP", StatusNone: "NONE", StatusUnknown: "UNKNOWN",
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

// UnmarshalJSON accepts the status as a number, a string of digits, or its name
// ("SUCCESS", "NONE"; any case). A name the documentation does not list is StatusUnknown.
func (s *FlowInstanceStatus) UnmarshalJSON(b []byte) error {
	var n flexInt
	if err := n.UnmarshalJSON(b); err == nil {
		*s = FlowInstanceStatus(n)
		return nil
	}
	name, isString := stringText(b)
	if !isString {
		return fmt.Errorf("batchprocessing: status %.32s is neither a code nor a name", b)
	}
	*s = StatusUnknown
	if code, ok := statusNamed(name); ok {
		*s = code
	}
	return nil
}

// statusNamed returns the status of a documented name, in any case ("SUCCESS", "fail").
func statusNamed(name string) (FlowInstanceStatus, bool) {
	name = strings.TrimSpace(name)
	for code, known := range statusNames {
		if strings.EqualFold(name, known) && code != StatusUnknown {
			return code, true
		}
	}
	return 0, false
}

// withDesc returns the status of an instance whose status reads s and whose text (statusDesc,
// stsDesc) reads desc. A status missing or null reads as 0, INIT, as a real INIT does, and
// an empty or undocumented name as StatusUnknown: when desc names another status, the
// answer left the code out, and desc says what it is. A wait would otherwise poll a
// finished run for ever.
func (s FlowInstanceStatus) withDesc(desc string) FlowInstanceStatus {
	if (s != StatusInit && s != StatusUnknown) || desc == "" {
		return s
	}
	if named, ok := statusNamed(desc); ok {
		return named
	}
	return s
}
