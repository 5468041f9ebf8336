package batchprocessing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// response is what the request path hands to the decoders: the answer of one attempt.
type response struct {
	op, method, path string
	status           int
	header           http.Header
	body             []byte
	// secrets are strings that must not appear in an error (the access token, the
	// SecretKey); unexpected masks them in the body sample.
	secrets []string
}

// envelope is the gateway's answer to a Batch Processing call: {code, msg, data, requestId}
// on success and business errors, {message} on gateway errors (spec section 2). Every
// field is optional here; decodeEnvelope decides what is missing.
type envelope struct {
	Code      *flexInt        `json:"code"`
	Msg       *string         `json:"msg"`
	Message   *string         `json:"message"`
	Data      json.RawMessage `json:"data"`
	RequestID string          `json:"requestId"`
}

// validator is implemented by result types that can tell a complete result from an empty one.
type validator interface {
	validate() error
}

// decodeEnvelope turns an answer of the Batch Processing Service into nil (data filled),
// an *APIError for a business or gateway error, or an unexpected-response *APIError for a
// body that is not the documented JSON. data may be nil when the operation returns nothing.
func decodeEnvelope(r *response, data any) error {
	if data != nil && isSuccessStatus(r.status) && decodeSuccess(r.body, data) {
		if v, ok := data.(validator); ok {
			if err := v.validate(); err != nil {
				return r.unexpected(err)
			}
		}
		return nil
	}
	var env envelope
	jsonErr := json.Unmarshal(r.body, &env)
	if !isSuccessStatus(r.status) {
		if jsonErr != nil || (env.Code == nil && env.Msg == nil && env.Message == nil) {
			return r.unexpected(jsonErr)
		}
		return r.apiError(env.code(), env.message(), env.RequestID)
	}
	if jsonErr != nil {
		return r.unexpected(jsonErr)
	}
	if env.Code == nil {
		e := r.unexpected(errors.New("no code in the envelope"))
		e.Message = env.message()
		return e
	}
	if code := env.code(); code != 0 {
		return r.apiError(code, env.message(), env.RequestID)
	}
	if data == nil {
		return nil
	}
	if len(env.Data) == 0 || bytes.Equal(env.Data, []byte("null")) {
		return r.unexpected(errors.New("success without data"))
	}
	if err := json.Unmarshal(env.Data, data); err != nil {
		return r.unexpected(fmt.Errorf("decoding data: %w", err))
	}
	if v, ok := data.(validator); ok {
		if err := v.validate(); err != nil {
			return r.unexpected(err)
		}
	}
	return nil
}

// successEnvelope decodes a success answer in one pass, data straight into its target.
type successEnvelope struct {
	Code *flexInt `json:"code"`
	Data any      `json:"data"`
}

// decodeSuccess decodes body into data in one pass, the common case. It reports false,
// leaving the answer to the careful path of decodeEnvelope, for anything but a well-formed
// envelope with code 0 and non-null data.
func decodeSuccess(body []byte, data any) bool {
	env := successEnvelope{Data: data}
	if err := json.Unmarshal(body, &env); err != nil || env.Code == nil || *env.Code != 0 {
		return false
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

func (e *envelope) code() int {
	if e.Code == nil {
		return 0
	}
	return int(*e.Code)
}

func (e *envelope) message() string { return msgText(e.Msg, e.Message) }

// msgText is the text of an answer: its msg, or else the gateway's message.
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

// apiError builds the error of a well-formed non-success answer.
func (r *response) apiError(code int, message, requestID string) *APIError {
	if requestID == "" {
		requestID = r.header.Get("X-Request-Id")
	}
	return &APIError{
		Operation:  r.op,
		Method:     r.method,
		Path:       r.path,
		HTTPStatus: r.status,
		Code:       code,
		Message:    redact(message, r.secrets),
		RequestID:  requestID,
	}
}

// unexpected builds the error of an answer that is not the documented JSON.
func (r *response) unexpected(cause error) *APIError {
	e := r.apiError(0, "", "")
	e.Unexpected = true
	e.ContentType = r.header.Get("Content-Type")
	e.BodySize = len(r.body)
	// Redact the whole body before cutting it: a secret across the cut would survive.
	e.Body = sample(redact(string(r.body), r.secrets))
	if cause != nil && cause != errBodyTooLarge {
		// Decoding errors quote what the server sent: keep their text short and clean.
		cause = errors.New(sample(redact(cause.Error(), r.secrets)))
	}
	e.Err = cause
	return e
}

// tokenValue finds access token values in a token service's answer.
var tokenValue = regexp.MustCompile(`("accessToken"\s*:\s*")[^"]*("?)`)

// redactedText replaces secrets in error bodies.
const redactedText = "[REDACTED]"

// redact masks the given secrets and any "accessToken" value in s.
func redact(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, redactedText)
		}
	}
	if strings.Contains(s, "accessToken") {
		s = tokenValue.ReplaceAllString(s, "${1}"+redactedText+"${2}")
	}
	return s
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
// is inconsistent about this (spec section 3.2), so decoding is tolerant.
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
