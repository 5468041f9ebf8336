package refserver

import "time"

// This file is the life of one task instance, from its seeded behaviour (Task). The EnOS
// documentation lists the statuses a task instance may show (SUSPEND, READY, RERUN, TIMEOUT,
// INTERNAL_ERROR, ...) and the fields that count its attempts (runNum, recallNum,
// recallLimit, recallInterval, timeout, isTimeout; see the TaskInstance struct of
// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_task_instance.html),
// but not what brings each status. The server's reading, in order, once the task's upstream
// tasks have succeeded:
//
//   - SUSPEND for Task.Suspend, as a node held by an operator;
//   - READY for Task.ResourceWait, its dependencies met, waiting for its resource
//     (Task.ResourceName) before the first attempt;
//   - RUNNING for its Duration, one attempt; runNum counts the attempts started;
//   - an attempt that runs longer than Task.Timeout ends the task TIMEOUT (isTimeout) at the
//     timeout, without a retry;
//   - Task.InternalError ends the task INTERNAL_ERROR when the attempt's duration has passed,
//     without a retry: the scheduler's own error, not the task's;
//   - a failed attempt (Task.Fail: every one; Task.Failures: the first ones) is retried while
//     retries are left (Task.RetryLimit, recallLimit): the task is RERUN for
//     Task.RetryInterval (recallInterval), then RUNNING again; recallNum counts the retries;
//     with none left it ends FAIL;
//   - an attempt that does not fail ends the task SUCCESS.

// taskStep is a task instance changing status at an offset from the instance's start.
type taskStep struct {
	at     time.Duration
	status int
	runNum int // the attempts started, this step's included
}

// taskTimeline returns the status changes of a task that becomes ready at the offset ready,
// ignoring everything else in the run, and when and how it ends.
func taskTimeline(t Task, ready time.Duration) (steps []taskStep, end time.Duration, final int) {
	at, runNum := ready, 0
	add := func(status int) { steps = append(steps, taskStep{at: at, status: status, runNum: runNum}) }
	if t.Suspend > 0 {
		add(StatusSuspend)
		at += t.Suspend
	}
	if t.ResourceWait > 0 {
		add(StatusReady)
		at += t.ResourceWait
	}
	d := t.Duration
	for {
		runNum++
		add(StatusRunning)
		if t.Timeout > 0 && d > t.Timeout {
			at += t.Timeout
			add(StatusTimeout)
			return steps, at, StatusTimeout
		}
		at += d
		switch {
		case t.InternalError:
			add(StatusInternalError)
			return steps, at, StatusInternalError
		case !t.attemptFails(runNum):
			add(StatusSuccess)
			return steps, at, StatusSuccess
		case runNum > t.RetryLimit:
			add(StatusFail)
			return steps, at, StatusFail
		}
		add(StatusRerun)
		at += t.RetryInterval
	}
}

// attemptFails reports whether the attempt runNum (1 for the first) of t fails.
func (t *Task) attemptFails(runNum int) bool {
	return t.Fail || runNum <= t.Failures
}

// isTaskEnd reports whether a task instance status is an end: SUCCESS, FAIL, TIMEOUT,
// INTERNAL_ERROR or CANCEL (SKIP tasks never start).
func isTaskEnd(status int) bool {
	switch status {
	case StatusSuccess, StatusFail, StatusTimeout, StatusInternalError, StatusCancel:
		return true
	}
	return false
}

// isTaskActive reports whether a task instance status is one of a task that has started and
// not ended: SUSPEND, READY, RUNNING or RERUN. Cancelling the instance cancels those.
func isTaskActive(status int) bool {
	switch status {
	case StatusSuspend, StatusReady, StatusRunning, StatusRerun:
		return true
	}
	return false
}

// isBadEnd reports whether a task ending with status makes its instance end badly: FAIL,
// TIMEOUT or INTERNAL_ERROR.
func isBadEnd(status int) bool {
	return status == StatusFail || status == StatusTimeout || status == StatusInternalError
}
