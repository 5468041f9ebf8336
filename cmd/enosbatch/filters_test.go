package main

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// Flows of TestInstancesOwner, besides fastFlowID (owned by refserver.DemoUserID).
const (
	otherUser     = "otherUser"
	othersFlowID  = 51 // owned by otherUser
	sharedFlowID  = 52 // owned by refserver.DemoUserID and otherUser
	otherUserFlow = "other's flow"
)

// TestInstancesOwner: instances --owner lists the instances of the flows that user owns,
// one of several owners included.
func TestInstancesOwner(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.srv.AddUser(refserver.DemoOrgID, otherUser)
	task := func(id int64) refserver.Task {
		return refserver.Task{ID: id, Name: "a", Duration: 20 * time.Millisecond}
	}
	w.srv.AddFlow(refserver.Flow{ID: othersFlowID, Name: otherUserFlow, OrgID: refserver.DemoOrgID, Owner: otherUser, Tasks: []refserver.Task{task(5101)}})
	w.srv.AddFlow(refserver.Flow{ID: sharedFlowID, Name: "shared flow", OrgID: refserver.DemoOrgID,
		Owner: refserver.DemoUserID + ";" + otherUser, Tasks: []refserver.Task{task(5201)}})
	ids := map[int64]string{fastFlowID: w.trigger(t, fastFlowID), sharedFlowID: w.trigger(t, sharedFlowID)}
	// Only an owner may trigger a flow: otherUser triggers theirs.
	r := runWith(t, context.Background(), with(w.env, "ENOS_USER_ID", otherUser), "trigger", "--flow", itoa(othersFlowID)).want(t, exitOK)
	ids[othersFlowID] = strings.TrimSpace(r.stdout)

	tests := []struct {
		name  string
		args  []string
		flows []int64
	}{
		{"no --owner: every owner", nil, []int64{fastFlowID, othersFlowID, sharedFlowID}},
		{"the caller", []string{"--owner", refserver.DemoUserID}, []int64{fastFlowID, sharedFlowID}},
		{"another user", []string{"--owner", otherUser}, []int64{othersFlowID, sharedFlowID}},
		{"a user who owns nothing", []string{"--owner", "nobody"}, nil},
		{"a prefix of an owner is not the owner", []string{"--owner", "other"}, nil},
		{"with --flow", []string{"--owner", otherUser, "--flow", itoa(sharedFlowID)}, []int64{sharedFlowID}},
		{"with --search", []string{"--owner", otherUser, "--search", "other's"}, []int64{othersFlowID}},
		{"with --search that the owner's flows do not match", []string{"--owner", otherUser, "--search", "fast"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			views, got := w.listed(t, tt.args...)
			for _, v := range views {
				if v.InstanceID != ids[v.FlowID] {
					t.Errorf("instance %s of flow %d, want %s", v.InstanceID, v.FlowID, ids[v.FlowID])
				}
			}
			if !slices.Equal(got, tt.flows) {
				t.Errorf("flows %v, want %v", got, tt.flows)
			}
		})
	}

	t.Run("text", func(t *testing.T) {
		r := w.run(t, "instances", "--owner", otherUser).want(t, exitOK)
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		var got []string
		for _, line := range lines[1:] {
			got = append(got, strings.Fields(line)[0])
		}
		slices.Sort(got)
		want := []string{ids[othersFlowID], ids[sharedFlowID]}
		slices.Sort(want)
		if !strings.HasPrefix(lines[0], "INSTANCE ") || !slices.Equal(got, want) {
			t.Errorf("table lists %q, want %q:\n%s", got, want, r.stdout)
		}
		r = w.run(t, "instances", "--owner", "nobody").want(t, exitOK)
		if r.stdout != "" || r.stderr != "no flow instances match\n" {
			t.Errorf("no match: stdout %q, stderr %q", r.stdout, r.stderr)
		}
	})
}

// TestLogsMaxLength: logs --max-length N prints the last N bytes of each log, as the
// reference server keeps them; 0 or a length over the log's prints it whole.
func TestLogsMaxLength(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := strings.Split(w.run(t, "trigger", "--flow", itoa(fastFlowID), "--wait", "--poll", "10ms").want(t, exitOK).stdout, "\n")[0]
	// The whole logs, which no longer change: both tasks ended.
	var full []logView
	w.run(t, "logs", "--json", id).want(t, exitOK).decodeJSON(t, &full)
	if len(full) != 2 || full[0].Log == nil || full[1].Log == nil {
		t.Fatalf("logs %+v", full)
	}
	whole := []string{*full[0].Log, *full[1].Log}
	for i, name := range []string{"a", "b"} {
		if end := "task " + name + " finished with exit code 0\n"; !strings.HasSuffix(whole[i], end) || len(whole[i]) < 2*len(end) {
			t.Fatalf("log of %s %q, want several lines ending %q", name, whole[i], end)
		}
	}
	last := func(s string, n int) string { return s[len(s)-min(n, len(s)):] }

	tests := []struct {
		name   string
		length int
		want   []string // the logs of a and b
	}{
		{"the last line", 33, []string{"task a finished with exit code 0\n", "task b finished with exit code 0\n"}},
		{"a few bytes", 5, []string{"de 0\n", "de 0\n"}},
		{"one byte", 1, []string{"\n", "\n"}},
		{"a byte more than the last line", 34, []string{" task a finished with exit code 0\n", " task b finished with exit code 0\n"}},
		{"the length of a's log", len(whole[0]), []string{whole[0], last(whole[1], len(whole[0]))}},
		{"one byte less than a's log", len(whole[0]) - 1, []string{whole[0][1:], last(whole[1], len(whole[0])-1)}},
		{"longer than the logs", 1 << 20, whole},
		{"0: the whole logs", 0, whole},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := strconv.Itoa(tt.length)
			var logs []logView
			w.run(t, "logs", "--json", "--max-length", n, id).want(t, exitOK).decodeJSON(t, &logs)
			if len(logs) != 2 || logs[0].TaskName != "a" || logs[1].TaskName != "b" || logs[0].Log == nil || logs[1].Log == nil {
				t.Fatalf("logs %+v", logs)
			}
			if got := []string{*logs[0].Log, *logs[1].Log}; !slices.Equal(got, tt.want) {
				t.Errorf("--json --max-length %s: logs %q, want %q", n, got, tt.want)
			}

			// Text: a task's log alone, as it is (a line break added if it has none).
			r := w.run(t, "logs", id, "--task", "a", "--max-length", n).want(t, exitOK)
			if r.stdout != withNewline(tt.want[0]) {
				t.Errorf("--task a --max-length %s: stdout %q, want %q", n, r.stdout, withNewline(tt.want[0]))
			}
			// Text: every task's log under its header.
			r = w.run(t, "logs", id, "--max-length", n).want(t, exitOK)
			want := "==> a (" + logs[0].TaskInstanceID + ") SUCCESS <==\n" + withNewline(tt.want[0]) +
				"\n==> b (" + logs[1].TaskInstanceID + ") SUCCESS <==\n" + withNewline(tt.want[1])
			if r.stdout != want {
				t.Errorf("--max-length %s: stdout\n%q\nwant\n%q", n, r.stdout, want)
			}
		})
	}
}
