package batchprocessing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// envelope is the gateway's response to a Batch Processing call: {code, msg, data, requestId}
// on success and business errors (the Return Sample of every operation's page, such as
// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/trigger_flow.html),
// {message} with an HTTP error status on gateway errors (the gateway's own refusals: 401,
// 413, 429, ...). Every field is optional here; decodeEnvelope decides what is missing.
type envelope struct {
	Code      optionalInt     `json:"code"`
	Msg       *string         `json:"msg"`
	Message   *string         `json:"message"`
	Data      json.RawMessage `json:"data"`
	RequestID requestID       `json:"requestId"`
}

// requestID is the gateway's id of a request as an envelope carries it: a string, or a
// number as some gateways write it. It only helps to trace a request, so a form it cannot
// read (an object, an array) leaves it empty instead of making the response unreadable.
type requestID string

// UnmarshalJSON reads the id as flexText does, and never fails.
func (id *requestID) UnmarshalJSON(b []byte) error {
	var text flexText
	if text.UnmarshalJSON(b) == nil {
		*id = requestID(text)
	}
	return nil
}

// validator is implemented by result types that can tell a complete result from an empty one.
type validator interface {
	validate() error
}

// decodeEnvelope turns a response of the Batch Processing Service into nil (data filled),
// an *APIError for a business or gateway error, or an unexpected-response *APIError for a
// body that is not the documented JSON. data may be nil when the operation returns nothing.
func decodeEnvelope(r *response, data any) error {
	if data != nil && isSuccessStatus(r.status) && decodeSuccess(r, data) {
		return r.validated(data)
	}
	var env envelope
	jsonErr := json.Unmarshal(r.body, &env)
	if env.RequestID != "" {
		r.requestID = string(env.RequestID)
	}
	switch {
	case !isSuccessStatus(r.status) && (jsonErr != nil || (!env.Code.set && env.Msg == nil && env.Message == nil)):
		return r.unexpected(jsonErr) // an error page, not the gateway's {"message": ...}
	case !isSuccessStatus(r.status):
		return r.apiError(env.code(), env.message(), string(env.RequestID))
	case jsonErr != nil:
		return r.unexpected(jsonErr)
	case !env.Code.set:
		e := r.unexpected(errors.New("no code in the envelope"))
		e.Message = r.secrets.redact(env.message())
		return e
	case env.code() != 0:
		return r.apiError(env.code(), env.message(), string(env.RequestID))
	}
	return r.decodeData(env.Data, data)
}

// decodeData decodes the data of a success envelope, the careful way: tolerantly, and
// refusing a missing or null data where the operation returns some.
func (r *response) decodeData(raw json.RawMessage, data any) error {
	if data == nil {
		return nil
	}
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return r.unexpected(errors.New("success without data"))
	}
	if err := decodeTolerant(raw, data); err != nil {
		return r.unexpected(fmt.Errorf("decoding data: %w", err))
	}
	return r.validated(data)
}

// validated checks a decoded result that can tell a complete result from an empty one.
func (r *response) validated(data any) error {
	if v, ok := data.(validator); ok {
		if err := v.validate(); err != nil {
			return r.unexpected(err)
		}
	}
	return nil
}

// successEnvelope decodes a success response in one pass, data straight into its target.
type successEnvelope struct {
	Code      optionalInt `json:"code"`
	Data      any         `json:"data"`
	RequestID requestID   `json:"requestId"`
}

// optionalInt is a tolerant integer (flexInt) that says whether it was present: the codes
// and statuses of the envelopes, whose absence means something.
type optionalInt struct {
	value flexInt
	set   bool
}

// UnmarshalJSON reads the integer as flexInt does; null leaves it unset.
func (o *optionalInt) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	o.set = true
	return o.value.UnmarshalJSON(b)
}

// decodeSuccess decodes r's body into data in one pass, the common case. It reports false,
// leaving the response to the careful path of decodeEnvelope, for anything but a well-formed
// envelope with code 0 and non-null data.
func decodeSuccess(r *response, data any) bool {
	env := successEnvelope{Data: data}
	if err := json.Unmarshal(r.body, &env); err != nil || !env.Code.set || env.Code.value != 0 {
		return false
	}
	if env.RequestID != "" {
		r.requestID = string(env.RequestID)
	}
	// null data sets Data to nil; absent data leaves the target as it was, which decoded
	// and the targets' validators catch.
	return env.Data != nil && decoded(data)
}

// decoded reports whether a decoding filled data, as far as it can tell: a slice, map or
// pointer target stays nil when the envelope had no data. (Struct targets have validators.)
func decoded(data any) bool {
	v := reflect.ValueOf(data)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return true
	}
	switch e := v.Elem(); e.Kind() {
	case reflect.Slice, reflect.Map, reflect.Pointer, reflect.Interface:
		return !e.IsNil()
	}
	return true
}

func (e *envelope) code() int { return int(e.Code.value) }

func (e *envelope) message() string { return msgText(e.Msg, e.Message) }

// msgText is the text of a response: its msg, or else the gateway's message.
func msgText(msg, message *string) string {
	if msg != nil {
		return *msg
	}
	if message != nil {
		return *message
	}
	return ""
}

func isSuccessStatus(status int) bool { return status >= 200 && status < 300 }

// apiError builds the error of a well-formed non-success response.
func (r *response) apiError(code int, message, requestID string) *APIError {
	if requestID == "" {
		requestID = r.header.Get("X-Request-Id")
	}
	return r.secrets.redactAPIError(&APIError{
		Operation:  r.op,
		Method:     r.method,
		Path:       r.path,
		HTTPStatus: r.status,
		Code:       code,
		Message:    message,
		RequestID:  requestID,
		sentinel:   r.codes[code],
	})
}

// unexpected builds the error of a response that is not the documented JSON.
func (r *response) unexpected(cause error) *APIError {
	e := &APIError{
		Operation:   r.op,
		Method:      r.method,
		Path:        r.path,
		HTTPStatus:  r.status,
		RequestID:   r.header.Get("X-Request-Id"),
		Unexpected:  true,
		ContentType: r.header.Get("Content-Type"),
		BodySize:    len(r.body),
		// Mask the whole body before cutting it: a secret across the cut would survive.
		Body: sample(r.secrets.redact(string(r.body))),
		Err:  cause,
	}
	if cause != nil && cause != errBodyTooLarge {
		// Decoding errors quote what the server sent: keep their text short.
		e.Err = errors.New(sample(r.secrets.redact(cause.Error())))
	}
	return r.secrets.redactAPIError(e)
}

// sample returns the first bytes of a body, cut at a rune boundary.
func sample(body string) string {
	if len(body) <= maxErrorBodySample {
		return body
	}
	cut := maxErrorBodySample
	for cut > 0 && !utf8.RuneStart(body[cut]) {
		cut--
	}
	return body[:cut]
}

// flexInt decodes a JSON integer given as a number or as a string of digits: the service
// is inconsistent about this (the documentation's own samples send "flowId": "2526" where
// its tables say Integer), so decoding is tolerant.
type flexInt int64

// UnmarshalJSON accepts 42, 42.0 and "42".
func (n *flexInt) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		unq, err := strconv.Unquote(s)
		if err != nil {
			return err
		}
		s = strings.TrimSpace(unq)
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = flexInt(v)
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != float64(int64(f)) {
		return fmt.Errorf("not an integer: %.32s", b)
	}
	*n = flexInt(f)
	return nil
}
