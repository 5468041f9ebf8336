package refserver

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// This file holds the server's own JSON wire types, written from the EnOS documentation,
// and the writers of the three envelopes: the gateway's {"message"}, the token service's
// {"status","msg","business","data"} and the Batch Processing Service's
// {"code","msg","data","requestId"}. Nothing here is shared with the client package.

// Content types of the answers.
const (
	contentTypeGateway = "application/json"
	contentTypeService = "application/json;charset=UTF-8"
)

// Messages of the gateway: Kong's stock texts, which the Exception Handling table of the EnOS
// API's Getting Started page lists (https://support.enos-iot.com/docs/api/en/3.0.0/gettingstarted).
const (
	msgNoRoute         = "no Route matched with those values"
	msgUnauthorized    = "Invalid authentication credentials"
	msgTooLarge        = "Request size limit exceeded"
	msgBadRequestBody  = "Cannot process request body"
	msgOrgForbidden    = "You cannot consume this service"
	tokenServiceName   = "apim-token-service"
	tokenServiceOKText = "SUCCESS"
	serviceOKText      = "OK"
)

// failure is a documented error answer: a code and its message. The token service carries it
// in "status", the Batch Processing Service in "code"; both answer HTTP 200. reason, when
// set, says more than the documented message, in the X-Refserver-Reason header.
type failure struct {
	code   int
	msg    string
	reason string
}

// newFailure returns the failure code with its message.
func newFailure(code int, msg string) *failure {
	return &failure{code: code, msg: msg}
}

// because returns a copy of f with the reason given.
func (f *failure) because(reason string) *failure {
	c := *f
	c.reason = reason
	return &c
}

// Token service codes
// (https://support.enos-iot.com/docs/apim/en/2.4.0/token/invoke_api_with_access_token.html).
var (
	errTokenReplay        = newFailure(1001, "Repeated requests with duplicated encryption")
	errTokenUnknownApp    = newFailure(1002, "The appKey does not exist")
	errTokenEncryption    = newFailure(1003, "The encryption is not valid")
	errTokenInvalid       = newFailure(1004, "Invalid parameter")
	errTokenTimestamp     = newFailure(1004, "Invalid parameter: timestamp")
	errTokenEmptyField    = newFailure(1202, "The parameter is empty")
	errTokenExpired       = newFailure(1203, "The access token has expired")
	errTokenRefreshFailed = newFailure(1204, "Failed to refresh access token")
)

// Batch Processing Service codes: the common ones of
// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/overview.html and those of
// each operation's page. Messages the documentation does not give (marked "undocumented") are the
// server's own choice.
var (
	errUserNotInOrg  = newFailure(62101, "userId does not exist, or it does not match to orgId.")
	errInvalidAction = newFailure(62102, "Invalid parameter: action")
	errInvalidBody   = newFailure(62102, "Invalid request body.")
	errCannotTrigger = newFailure(62102, "Cannot create workflow instance. Please check if the workflow or task exist, and do not trigger the same workflow repeatedly in 1 minute.")
	errNoPrivilege   = newFailure(62103, "User has no privilege.")
	errFlowNoTask    = newFailure(62104, "This workflow has no task. You cannot trigger it.")
	errLocked        = newFailure(62105, "Your account has been locked")

	errIncorrectParameter = newFailure(62102, "Incorrect parameter")
	errInvalidSorters     = newFailure(62102, "The sorters field parameter is invalid")
	errInstanceNotFound   = newFailure(62102, "Instance not found")
	errFlowValidation     = newFailure(62102, "Flow validation exception")
	errInvalidFlowName    = newFailure(62102, "Invalid parameter: flowName")
	errNoDirectory        = newFailure(62102, "Directory does not exist")
	errWorkflowValidation = newFailure(62102, "Workflow validation failed")
	errDirNameEmpty       = newFailure(62102, "param: dirName cannot be empty")
	errParentIDEmpty      = newFailure(62102, "param: parentId cannot be empty")
	errParentNotFound     = newFailure(62102, "parentId not found")
	errDirExists          = newFailure(62102, "A directory of the same name already exists")
	errFlowDependedOn     = newFailure(62104, "This workflow is relied on by other workflows and cannot be deleted.")
	errNoLog              = newFailure(62109, "No log found")

	// Undocumented cases.
	errFlowNotFound       = newFailure(62102, "Flow not found")
	errInvalidFlowID      = newFailure(62102, "Invalid parameter: flowId")
	errInvalidFlowInstID  = newFailure(62102, "Invalid parameter: flowInstId")
	errInvalidTaskInstID  = newFailure(62102, "Invalid parameter: taskInstId")
	errInvalidMaxLength   = newFailure(62102, "Invalid parameter: maxLength")
	errInvalidPagination  = newFailure(62102, "Invalid parameter: pagination")
	errInvalidStatusParam = newFailure(62102, "Invalid parameter: status")
	errInvalidTypeParam   = newFailure(62102, "Invalid parameter: type")

	errInvalidFromTriggerTime = newFailure(62102, "Invalid parameter: fromTriggerTime")
	errInvalidToTriggerTime   = newFailure(62102, "Invalid parameter: toTriggerTime")
)

// gatewayError is the body of a gateway rejection, {"message": ...}, as Kong writes it.
type gatewayError struct {
	Message string `json:"message"`
}

// tokenRequest is the body of token/get and token/refresh
// (https://support.enos-iot.com/docs/apim/en/2.4.0/token/get_access_token.html,
// refresh_access_token.html). AccessToken is only read by refresh.
type tokenRequest struct {
	AppKey      string  `json:"appKey"`
	Encryption  string  `json:"encryption"`
	Timestamp   flexInt `json:"timestamp"`
	AccessToken string  `json:"accessToken"`
}

// tokenEnvelope is the token service's answer.
type tokenEnvelope struct {
	Status   int        `json:"status"`
	Msg      string     `json:"msg"`
	Business string     `json:"business"`
	Data     *tokenData `json:"data"`
}

// tokenData is the data of a successful token answer: the token and its remaining life in seconds.
type tokenData struct {
	AccessToken string `json:"accessToken"`
	Expire      int64  `json:"expire"`
}

// envelope is the Batch Processing Service's answer, {"code","msg","data"} as every
// operation's Return Sample shows it, with the requestId of EnOS API answers.
type envelope struct {
	Code      int    `json:"code"`
	Msg       string `json:"msg"`
	Data      any    `json:"data"`
	RequestID string `json:"requestId"`
}

// flowInstanceIDData is the FlowInstanceId struct
// (https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/trigger_flow.html).
type flowInstanceIDData struct {
	FlowInstanceID string `json:"flowInstanceId"`
}

// flexInt is an integer that may come as a JSON number or as a JSON string of digits
// (the samples send ids both ways). null, an empty string or an absent field leave it unset.
type flexInt struct {
	value int64
	set   bool
}

// UnmarshalJSON accepts an integer number, a string holding one, "" or null.
func (n *flexInt) UnmarshalJSON(b []byte) error {
	text, empty, err := numberText(b)
	if err != nil || empty {
		*n = flexInt{}
		return err
	}
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return fmt.Errorf("refserver: %s is not an integer", b)
	}
	*n = flexInt{value: v, set: true}
	return nil
}

// writeGatewayError answers like the gateway does: the HTTP status and {"message": ...}.
func writeGatewayError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, contentTypeGateway, gatewayError{Message: message})
}

// writeTokenAnswer writes the token service envelope: data on success, f (and null data) otherwise.
func writeTokenAnswer(w http.ResponseWriter, data *tokenData, f *failure) {
	env := tokenEnvelope{Msg: tokenServiceOKText, Business: tokenServiceName, Data: data}
	if f != nil {
		env = tokenEnvelope{Status: f.code, Msg: f.msg, Business: tokenServiceName}
	}
	writeJSON(w, http.StatusOK, contentTypeService, env)
}

// writeEnvelope writes the Batch Processing Service envelope with a fresh request id:
// data on success, f (and null data) otherwise.
func writeEnvelope(w http.ResponseWriter, data any, f *failure) {
	env := envelope{Msg: serviceOKText, Data: data, RequestID: newRequestID()}
	if f != nil {
		env = envelope{Code: f.code, Msg: f.msg, RequestID: env.RequestID}
	}
	writeJSON(w, http.StatusOK, contentTypeService, env)
}

// writeJSON writes v as compact JSON, without a trailing newline.
func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own wire types come here; they always marshal.
		panic("refserver: " + err.Error())
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// newRequestID returns 32 random lowercase hex characters.
func newRequestID() string {
	return randomHex(16)
}

// randomHex returns n random bytes from crypto/rand, hex encoded.
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("refserver: crypto/rand: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// numberText returns the text of a JSON number, or of a string holding one; empty is true
// for null and "".
func numberText(b []byte) (text string, empty bool, err error) {
	text = string(b)
	if text == "null" {
		return "", true, nil
	}
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &text); err != nil {
			return "", false, err
		}
	}
	return text, text == "", nil
}

// flexFloat is a number that may come as a JSON number or as a JSON string holding one.
// null, an empty string or an absent field leave it 0.
type flexFloat float64

// UnmarshalJSON accepts a number, a string holding one, "" or null.
func (n *flexFloat) UnmarshalJSON(b []byte) error {
	text, empty, err := numberText(b)
	if err != nil || empty {
		*n = 0
		return err
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return fmt.Errorf("refserver: %s is not a number", b)
	}
	*n = flexFloat(v)
	return nil
}

// flexBool is a flag that may come as a JSON boolean, a number (0 or 1) or a string holding
// either ("true", "1", ...), as the service's JSON reader takes them. null, "null", "" or an
// absent field leave it unset. It is written as a JSON boolean.
type flexBool struct {
	value bool
	set   bool
}

// MarshalJSON writes the flag as a JSON boolean.
func (v flexBool) MarshalJSON() ([]byte, error) { return strconv.AppendBool(nil, v.value), nil }

// UnmarshalJSON accepts true, false, 0, 1, their string forms, or null.
func (v *flexBool) UnmarshalJSON(b []byte) error {
	text := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &text); err != nil {
			return err
		}
	}
	switch text {
	case "null", "":
		*v = flexBool{}
	case "true", "1":
		*v = flexBool{value: true, set: true}
	case "false", "0":
		*v = flexBool{value: false, set: true}
	default:
		return fmt.Errorf("refserver: %s is not a flag", b)
	}
	return nil
}

// parameterWire is one global parameter on the wire: {"key": ..., "value": ...}.
type parameterWire struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// encodeParameters returns ps as the JSON document the service emits inside a string,
// e.g. `[{"key":"a","value":"b"}]`, or `[]`.
func encodeParameters(ps []Parameter) string {
	out := make([]parameterWire, 0, len(ps))
	for _, p := range ps {
		out = append(out, parameterWire(p))
	}
	return mustMarshal(out)
}

// decodeRequest decodes the JSON object data into v, a pointer to a request struct, and when
// that fails says which field is wrong and why: encoding/json names no field for a value a
// field's own decoder refuses, so each field is decoded alone to find it (on failure only:
// one more pass over data). root names data in the error: "" for a request body, else the
// field that holds it.
func decodeRequest(root string, data []byte, v any) error {
	err := json.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	whole, prefix := cmp.Or(root, "the body"), ""
	if root != "" {
		prefix = root + "."
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(data, &fields) != nil {
		return fmt.Errorf("%s is not a JSON object: %s", whole, plain(err))
	}
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		one, _ := json.Marshal(map[string]json.RawMessage{name: fields[name]})
		if err := json.Unmarshal(one, reflect.New(reflect.TypeOf(v).Elem()).Interface()); err != nil {
			return fieldError(prefix+name, err)
		}
	}
	return fmt.Errorf("%s: %s", whole, plain(err))
}

// fieldError says why the value of the field name was refused.
func fieldError(name string, err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Type != nil {
		return fmt.Errorf("%s: got a JSON %s, want a %s", name, typeErr.Value, jsonKind(typeErr.Type))
	}
	return fmt.Errorf("%s: %s", name, plain(err))
}

// jsonKind names the JSON type that decodes into a value of type t.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return jsonKind(t.Elem())
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return "number"
}

// plain is the text of err for a reason, without the "refserver: " of the server's own
// decoders.
func plain(err error) string {
	return strings.TrimPrefix(err.Error(), "refserver: ")
}

// decodeParameters reads parameters tolerantly: an array of {key, value} objects, an object
// mapping keys to values (taken in key order), or a JSON string holding either. Values that
// are numbers or booleans are taken as their JSON text. null, "" or an absent value give
// (nil, nil).
func decodeParameters(raw json.RawMessage) ([]Parameter, error) {
	raw = json.RawMessage(bytes.TrimSpace(raw))
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	switch raw[0] {
	case '"':
		var inner string
		if err := json.Unmarshal(raw, &inner); err != nil {
			return nil, err
		}
		if strings.TrimSpace(inner) == "" {
			return nil, nil
		}
		if t := strings.TrimSpace(inner); t[0] != '[' && t[0] != '{' {
			return nil, fmt.Errorf("refserver: %q is not a JSON document", inner)
		}
		return decodeParameters(json.RawMessage(inner))
	case '[':
		return decodeParameterArray(raw)
	case '{':
		return decodeParameterObject(raw)
	}
	return nil, fmt.Errorf("refserver: %s is neither an array nor an object", raw)
}

// decodeParameterArray reads parameters as an array of {key, value} objects.
func decodeParameterArray(raw json.RawMessage) ([]Parameter, error) {
	var items []struct {
		Key   *string         `json:"key"`
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, err
	}
	out := make([]Parameter, 0, len(items))
	for _, it := range items {
		if it.Key == nil {
			return nil, fmt.Errorf("refserver: a parameter has no key")
		}
		v, err := scalarText(it.Value)
		if err != nil {
			return nil, err
		}
		out = append(out, Parameter{Key: *it.Key, Value: v})
	}
	return out, nil
}

// decodeParameterObject reads parameters as an object mapping keys to values, taken in key
// order.
func decodeParameterObject(raw json.RawMessage) ([]Parameter, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]Parameter, 0, len(m))
	for _, k := range keys {
		v, err := scalarText(m[k])
		if err != nil {
			return nil, err
		}
		out = append(out, Parameter{Key: k, Value: v})
	}
	return out, nil
}

// scalarText returns a JSON scalar as text: a string's value, or a number's or boolean's
// JSON text; null or absent give "".
func scalarText(raw json.RawMessage) (string, error) {
	raw = json.RawMessage(bytes.TrimSpace(raw))
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	switch raw[0] {
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case '{', '[':
		return "", fmt.Errorf("refserver: %s is not a scalar", raw)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", err
	}
	return string(raw), nil
}

// mustMarshal returns v as compact JSON text; only the server's own wire types come here.
func mustMarshal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("refserver: " + err.Error())
	}
	return string(b)
}

// Formats of times on the wire, as the samples show them, all in the server's time zone.
const (
	timeLayout     = "2006-01-02 15:04:05"
	dateLayout     = "2006-01-02"
	javaDateLayout = "Mon Jan 02 15:04:05 MST 2006"
)

// formatTime returns t as "yyyy-MM-dd HH:mm:ss" in loc, or "" for the zero time.
func formatTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(timeLayout)
}

// formatTimestamp returns t as "yyyy-MM-dd HH:mm:ss.0" in loc, or "" for the zero time: the
// creation and update times of flows (createTime, updateTime) and instances (timestamp).
// Every sample shows ".0" (Get Flow's "2019-07-22 08:56:35.0",
// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_flow.html; Get
// Flow Instance's "2019-08-08 09:34:36.0",
// https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_flow_instance.html):
// java.sql.Timestamp's form of a time stored to the second. The server stores them so too:
// the fraction of the second is dropped and ".0" written.
func formatTimestamp(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(timeLayout) + ".0"
}

// formatJavaDate returns t the way Java's Date.toString prints it ("Tue Feb 02 17:35:00 CST
// 2021"), with the zone abbreviation Go gives for loc.
func formatJavaDate(t time.Time, loc *time.Location) string {
	return t.In(loc).Format(javaDateLayout)
}

// statusNames are the names of the status codes (statusDesc, stsDesc, graph node status).
var statusNames = map[int]string{
	StatusFail: "FAIL", StatusInit: "INIT", StatusSuccess: "SUCCESS", StatusRunning: "RUNNING",
	StatusSuspend: "SUSPEND", StatusInternalError: "INTERNAL_ERROR", StatusWait: "WAIT",
	StatusReady: "READY", StatusTimeout: "TIMEOUT", StatusCancel: "CANCEL", StatusRerun: "RERUN",
	StatusSkip: "SKIP",
}

// statusName returns the name of a status code, or "NONE" for an unknown one.
func statusName(status int) string {
	if name, ok := statusNames[status]; ok {
		return name
	}
	return "NONE"
}
