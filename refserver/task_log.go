package refserver

import (
	"fmt"
	"strings"
	"time"
)

// taskLog returns the log of the task instance i of in at now, and false when the task has
// not left StatusInit (so it has no log). One line per status change of the task, each with
// the server-local time (its start with the command cmd, a suspension, the wait for its
// resource, each retry, its end), and progress at each quarter of an attempt's duration.
func taskLog(in *instance, i int, now time.Time, loc *time.Location, cmd string) (string, bool) {
	ti := in.Tasks[i]
	if ti.Status == StatusInit || ti.Status == StatusSkip {
		return "", false
	}
	task := in.plan.Tasks[i]
	l := &logWriter{loc: loc, name: ti.Name}
	events := in.run.events[:in.applied]
	lastEnd := false
	for k, e := range events {
		if e.task != i {
			continue
		}
		at := in.StartTime.Add(e.at)
		l.event(task, e, at, cmd)
		if e.status == StatusRunning {
			var until time.Time // zero: no next status change
			if next, ok := nextTaskEvent(in.run.events, k, i); ok {
				until = in.StartTime.Add(next)
			}
			l.progress(at, task.Duration, now, until, ti.EndTime)
		}
		lastEnd = isTaskEnd(e.status)
	}
	if !lastEnd && !ti.EndTime.IsZero() { // stopped: cancelled, or ended by FinishFlowInstance
		if ti.Status == StatusCancel {
			l.line(ti.EndTime, "WARN", "task "+ti.Name+" cancelled")
		} else {
			l.line(ti.EndTime, "WARN", "task "+ti.Name+" ended with status "+statusName(ti.Status))
		}
	}
	return l.b.String(), true
}

// nextTaskEvent returns the offset of the next event of the task i after events[k].
func nextTaskEvent(events []runEvent, k, i int) (time.Duration, bool) {
	for _, e := range events[k+1:] {
		if e.task == i {
			return e.at, true
		}
	}
	return 0, false
}

// logWriter writes the lines of one task's log.
type logWriter struct {
	b    strings.Builder
	loc  *time.Location
	name string
}

// line writes one line at at.
func (l *logWriter) line(at time.Time, level, text string) {
	l.b.WriteString(at.In(l.loc).Format(timeLayout))
	l.b.WriteString(" " + level + " " + text + "\n")
}

// event writes the line of a status change of the task t.
func (l *logWriter) event(t Task, e runEvent, at time.Time, cmd string) {
	task := "task " + l.name
	switch e.status {
	case StatusSuspend:
		l.line(at, "INFO", task+" suspended")
	case StatusReady:
		if t.ResourceName != "" {
			l.line(at, "INFO", task+" ready, waiting for resource "+t.ResourceName)
		} else {
			l.line(at, "INFO", task+" ready, waiting for resources")
		}
	case StatusRunning:
		if e.runNum == 1 {
			l.line(at, "INFO", task+" started")
			if cmd != "" {
				l.line(at, "INFO", "command: "+cmd)
			}
		} else {
			l.line(at, "INFO", fmt.Sprintf("%s retry %d of %d started", task, e.runNum-1, t.RetryLimit))
		}
	case StatusRerun:
		l.line(at, "ERROR", fmt.Sprintf("%s failed with exit code 1; retry %d of %d in %s",
			task, e.runNum, t.RetryLimit, seconds(t.RetryInterval)))
	case StatusSuccess:
		l.line(at, "INFO", task+" finished with exit code 0")
	case StatusFail:
		l.line(at, "ERROR", task+" failed with exit code 1")
	case StatusTimeout:
		l.line(at, "ERROR", task+" timed out after "+seconds(t.Timeout))
	case StatusInternalError:
		l.line(at, "ERROR", task+" ended with an internal error")
	}
}

// progress writes the progress lines of an attempt of duration d started at start: at each
// quarter of d that has come by now, before the attempt's next status change (until, when
// not zero) and before the task's end (when not zero).
func (l *logWriter) progress(start time.Time, d time.Duration, now, until, end time.Time) {
	for k := 1; k <= 3; k++ {
		at := start.Add(d * time.Duration(k) / 4)
		if at.After(now) || (!until.IsZero() && !at.Before(until)) || (!end.IsZero() && !at.Before(end)) {
			return
		}
		l.line(at, "INFO", fmt.Sprintf("task %s running, %d%% done", l.name, 25*k))
	}
}

// seconds writes d in whole seconds, as "30s".
func seconds(d time.Duration) string {
	return fmt.Sprintf("%ds", int64(d/time.Second))
}
