package batchprocessing

import (
	"context"
	"log/slog"
	"time"
)

// discardHandler is a slog.Handler that drops every record (slog.DiscardHandler needs Go 1.24).
type discardHandler struct{}

func (discardHandler) Enabled(context.Context, slog.Level) bool  { return false }
func (discardHandler) Handle(context.Context, slog.Record) error { return nil }
func (d discardHandler) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discardHandler) WithGroup(string) slog.Handler           { return d }

// logDecision records at debug level what the request path does after a failed attempt,
// and why.
func (c *Client) logDecision(ctx context.Context, p *prepared, d decision, res attemptResult) {
	if c.log.Enabled(ctx, slog.LevelDebug) {
		c.log.LogAttrs(ctx, slog.LevelDebug, "batchprocessing "+d.step.String(), slog.String("operation", p.op),
			slog.Int("attempt", p.attempts), slog.String("reason", d.reason), slog.String("after", res.err.Error()))
	}
}

// logCall logs the outcome of an attempt: debug for success, warn for failure (debug for
// a background call's). The attributes are built only when the logger wants the record.
func (c *Client) logCall(ctx context.Context, p *prepared, start time.Time, res attemptResult) {
	level := slog.LevelDebug
	if res.err != nil && !p.background {
		level = slog.LevelWarn
	}
	if !c.log.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("operation", p.op),
		slog.String("method", p.method),
		slog.String("path", p.path),
		slog.Duration("duration", time.Since(start)),
		slog.Int("attempt", p.attempts),
	}
	if res.resp != nil {
		attrs = append(attrs, slog.Int("status", res.resp.status))
	}
	if e := res.apiError; e != nil {
		attrs = append(attrs, slog.Int("code", e.Code))
	}
	if id := requestIDOf(res); id != "" {
		attrs = append(attrs, slog.String("request_id", id))
	}
	msg := "batchprocessing call"
	if res.err != nil {
		attrs = append(attrs, slog.String("error", res.err.Error()))
		msg = "batchprocessing call failed"
	}
	c.log.LogAttrs(ctx, level, msg, attrs...)
}

// requestIDOf returns the gateway's id of an attempt's request, masked: the error's, or the
// response's (the envelope's requestId, else the X-Request-Id header), or "".
func requestIDOf(res attemptResult) string {
	if e := res.apiError; e != nil && e.RequestID != "" {
		return e.RequestID // masked with the error
	}
	if r := res.resp; r != nil {
		return r.secrets.redact(r.requestID)
	}
	return ""
}
