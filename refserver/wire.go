package refserver

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// This file holds the server's own JSON wire types, written from the spec (sections 1.2 and 2),
// and the writers of the three envelopes: the gateway's {"message"}, the token service's
// {"status","msg","business","data"} and the Batch Processing Service's
// {"code","msg","data","requestId"}. Nothing here is shared with the client package.

// Content types of the answers.
const (
	contentTypeGateway = "application/json"
	contentTypeService = "application/json;charset=UTF-8"
)

// Messages of the gateway (Kong's stock texts, spec section 2.2).
const (
	msgNoRoute         = "no Route matched with those values"
	msgUnauthorized    = "Invalid authentication credentials"
	msgTooLarge        = "Request size limit exceeded"
	msgBadRequestBody  = "Cannot process request body"
	tokenServiceName   = "apim-token-service"
	tokenServiceOKText = "SUCCESS"
	serviceOKText      = "OK"
)

// failure is a documented error answer: a code and its message. The token service carries it
// in "status", the Batch Processing Service in "code"; both answer HTTP 200.
type failure struct {
	code int
	msg  string
}

// Token service codes (spec section 1.2.3).
var (
	errTokenReplay        = &failure{1001, "Repeated requests with duplicated encryption"}
	errTokenUnknownApp    = &failure{1002, "The appKey does not exist"}
	errTokenEncryption    = &failure{1003, "The encryption is not valid"}
	errTokenInvalid       = &failure{1004, "Invalid parameter"}
	errTokenTimestamp     = &failure{1004, "Invalid parameter: timestamp"}
	errTokenEmptyField    = &failure{1202, "The parameter is empty"}
	errTokenExpired       = &failure{1203, "The access token has expired"}
	errTokenRefreshFailed = &failure{1204, "Failed to refresh access token"}
)

// Batch Processing Service codes (spec sections 0, 2.4 and 3.4).
var (
	errUserNotInOrg  = &failure{62101, "userId does not exist, or it does not match to orgId."}
	errInvalidAction = &failure{62102, "Invalid parameter: action"}
	errInvalidBody   = &failure{62102, "Invalid request body."}
	errCannotTrigger = &failure{62102, "Cannot create workflow instance. Please check if the workflow or task exist, and do not trigger the same workflow repeatedly in 1 minute."}
	errNoPrivilege   = &failure{62103, "User has no privilege."}
	errFlowNoTask    = &failure{62104, "This workflow has no task. You cannot trigger it."}
	errLocked        = &failure{62105, "Your account has been locked"}
)

// gatewayError is the body of a gateway rejection (spec section 2.2).
type gatewayError struct {
	Message string `json:"message"`
}

// tokenRequest is the body of token/get and token/refresh (spec sections 1.2.1 and 1.2.2).
// AccessToken is only read by refresh.
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

// envelope is the Batch Processing Service's answer (spec section 2.1).
type envelope struct {
	Code      int    `json:"code"`
	Msg       string `json:"msg"`
	Data      any    `json:"data"`
	RequestID string `json:"requestId"`
}

// triggerFlowRequest is the body of Trigger Flow (spec section 3.4 #1).
type triggerFlowRequest struct {
	FlowID      flexInt `json:"flowId"`
	TriggerTime flexInt `json:"triggerTime"`
}

// flowInstanceIDData is the FlowInstanceId struct (spec section 3.2).
type flowInstanceIDData struct {
	FlowInstanceID string `json:"flowInstanceId"`
}

// flexInt is an integer that may come as a JSON number or as a JSON string of digits
// (spec section 0, "decoding"). null, an empty string or an absent field leave it unset.
type flexInt struct {
	value int64
	set   bool
}

// UnmarshalJSON accepts an integer number, a string holding one, "" or null.
func (n *flexInt) UnmarshalJSON(b []byte) error {
	text := string(b)
	if text == "null" {
		*n = flexInt{}
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &text); err != nil {
			return err
		}
		if text == "" {
			*n = flexInt{}
			return nil
		}
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
