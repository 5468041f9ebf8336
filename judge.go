package batchprocessing

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"syscall"
)

// step is what the request path does after a failed attempt.
type step int

const (
	stop            step = iota // return the error
	retry                       // pause, then send again
	renewToken                  // renew the token (and correct the clock), then send again at once
	lookForInstance             // the attempt may have created the instance: look before resending
)

// String names the step in the debug log: "batchprocessing give up", and so on.
func (s step) String() string {
	switch s {
	case retry:
		return "retry"
	case renewToken:
		return "renew token"
	case lookForInstance:
		return "look for instance"
	}
	return "give up"
}

// decision is judge's verdict on a failed attempt, with the reason the debug log records.
type decision struct {
	step   step
	reason string
}

// judge decides what to do after a failed attempt of a call with the given rule. It is the
// one place that reads an attempt's failure.
func judge(rule retryRule, res attemptResult) decision {
	e := res.apiError
	switch {
	case e == nil && permanentTransportError(res.err):
		return decision{stop, "the server's certificate is refused"}
	case !res.reached && e != nil && !transientStatus(e.HTTPStatus):
		return decision{stop, "the token service refused the request"}
	case !res.reached:
		return decision{retry, "the request did not reach the service"}
	case e == nil:
		return afterUnknownOutcome(rule, "no response")
	}
	return judgeResponse(rule, e)
}

// judgeResponse decides what to do after a response that is not a success.
func judgeResponse(rule retryRule, e *APIError) decision {
	switch {
	case e.HTTPStatus == http.StatusUnauthorized || e.Code == CodeTokenExpired:
		return decision{renewToken, "the gateway refused the access token"}
	case e.HTTPStatus == http.StatusTooManyRequests:
		return decision{retry, "the gateway's rate limit"}
	case e.Code == CodeInternalServer && rule.finalInternalError:
		return decision{stop, "a final 62109 of this operation"}
	case transientStatus(e.HTTPStatus) || e.Code == CodeInternalServer:
		return afterUnknownOutcome(rule, "a passing failure of the service")
	case rule.creates && (e.HTTPStatus >= 500 || (e.Unexpected && isSuccessStatus(e.HTTPStatus))):
		// Another server error, or a success status with a response that is not the
		// documented one: the service may well have created the instance.
		return decision{lookForInstance, "a response the service may have acted on"}
	}
	return decision{stop, "a final response"}
}

// afterUnknownOutcome is the decision after an attempt that may or may not have been
// processed.
func afterUnknownOutcome(rule retryRule, what string) decision {
	switch {
	case rule.creates:
		return decision{lookForInstance, what + ": the service may have created the instance"}
	case rule.repeatable:
		return decision{retry, what + ": the call is safe to repeat"}
	}
	return decision{stop, what + ": sending again might act twice"}
}

// transientStatus reports the statuses of a passing failure of the gateway.
func transientStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// permanentTransportError reports a failure that sending again cannot mend: the server's
// certificate is refused.
func permanentTransportError(err error) bool {
	var verify *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &verify) || errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &invalid)
}

// neverSent reports whether a transport error happened before the request could reach
// the server: the connection was refused or the host could not be resolved.
func neverSent(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// mayRecover reports whether a failed lookup is worth trying again: not when the service
// refused it for good (an unknown user, no privilege, a refused certificate), nor when it
// showed more than one candidate.
func mayRecover(err error) bool {
	if errors.Is(err, errAmbiguous) {
		return false
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.HTTPStatus >= 500 || transientStatus(apiErr.HTTPStatus) || apiErr.Code == CodeInternalServer ||
			apiErr.HTTPStatus == http.StatusUnauthorized || apiErr.Code == CodeTokenExpired
	}
	return !permanentTransportError(err)
}
