package main

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"
)

func TestRetryNotes(t *testing.T) {
	tests := []struct {
		name    string
		log     func(l *slog.Logger)
		want    []string
		enabled bool // Enabled(debug) after the records
	}{
		{"one note for the first retry", func(l *slog.Logger) {
			l.Debug("batchprocessing request", "operation", "GetFlowInstance")
			l.Debug("batchprocessing retry", "operation", "GetFlowInstance", "attempt", 2, "pause", 250*time.Millisecond+123*time.Microsecond,
				"after", errors.New("connection refused").Error())
			l.Debug("batchprocessing retry", "operation", "GetFlowInstance", "attempt", 3)
		}, []string{"retrying GetFlowInstance (attempt 2, in 250ms) after: connection refused; further retries are not shown"}, false},
		{"attributes added later are ignored", func(l *slog.Logger) {
			l.With("client", "x").Debug("batchprocessing retry: transient", "operation", "TriggerFlow", "attempt", 2,
				slog.Group("http", "status", 503), "after", "http 503", "request_id", "r-1")
		}, []string{"retrying TriggerFlow (attempt 2) after: http 503; further retries are not shown"}, false},
		{"missing attributes leave their part out", func(l *slog.Logger) {
			l.Debug("batchprocessing retry")
		}, []string{"retrying; further retries are not shown"}, false},
		{"other records give no note", func(l *slog.Logger) {
			l.Warn("batchprocessing clock differs from the gateway's; corrected")
			l.Debug("batchprocessing access token")
		}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var notes []string
			h := newRetryNotes(func(s string) { notes = append(notes, s) })
			tt.log(slog.New(h))
			if len(notes) != len(tt.want) {
				t.Fatalf("notes %q, want %q", notes, tt.want)
			}
			for i := range notes {
				if notes[i] != tt.want[i] {
					t.Errorf("note %q, want %q", notes[i], tt.want[i])
				}
			}
			if got := h.Enabled(context.Background(), slog.LevelDebug); got != tt.enabled {
				t.Errorf("Enabled(debug) = %v after the records, want %v", got, tt.enabled)
			}
		})
	}
}
