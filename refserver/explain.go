package refserver

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/enos-go/batchprocessing/internal/signing"
)

// This file tells a client author why the gateway refused a request. The real gateway only
// answers "Invalid authentication credentials"; the reference server keeps that answer byte
// for byte and adds the reason in the X-Refserver-Reason header (and in its request log).
// A reason never holds a SecretKey or a whole access token or signature: a token is
// shortened to its first and last four characters where a reason names it, and every reason
// passes shownReason, which shows each registered secret as <SecretKey>.

// Header names of the explainer.
const (
	// HeaderReason carries, on a refused request, why it was refused; and on an answer
	// whose documented message says less than the server knows (62102 "Incorrect
	// parameter" for an instance that cannot be cancelled), the rest.
	HeaderReason = "X-Refserver-Reason"
	// HeaderStringToSign may carry, base64 (standard, padded), the string a client signed,
	// with its SecretKey or with <SecretKey> in the secret's place: a refused signature's
	// reason then says which part of it differs from what the gateway signed.
	HeaderStringToSign = "X-Refserver-String-To-Sign"
)

// secretPlaceholder stands for the SecretKey in a shown signed string.
const secretPlaceholder = "<SecretKey>"

// maxShownBody is the most body bytes a reason shows in full; a longer body shows its start
// and end.
const maxShownBody = 512

// shorten returns a token or signature cut to its first and last four characters.
func shorten(s string) string {
	if len(s) <= 12 {
		return strings.Repeat("*", len(s))
	}
	return s[:4] + "..." + s[len(s)-4:]
}

// quote returns s as an ASCII-only quoted string, safe in a header and on one log line.
func quote(s string) string {
	return strconv.QuoteToASCII(s)
}

// shownBody returns the body for a reason: quoted, its middle cut when it is long.
func shownBody(body []byte) string {
	if len(body) <= maxShownBody {
		return quote(string(body))
	}
	half := maxShownBody / 2
	return fmt.Sprintf("%s + ...(%d bytes in all)... + %s", quote(string(body[:half])), len(body), quote(string(body[len(body)-half:])))
}

// signedString shows the string the gateway signs for a call: the token shortened, the
// query part, the body, the timestamp and <SecretKey>.
func signedString(accessToken string, query url.Values, body []byte, stamp string) string {
	return quote(shorten(accessToken)) + " + " + quote(signing.QueryPart(query)) + " + " + shownBody(body) +
		" + " + quote(stamp) + " + " + secretPlaceholder
}

// offBy says how far ts (epoch ms) is from now and which way.
func offBy(ts int64, now time.Time, window time.Duration) string {
	d := now.Sub(time.UnixMilli(ts)).Round(time.Millisecond)
	way := "behind"
	if d < 0 {
		way, d = "ahead of", -d
	}
	s := fmt.Sprintf("%v %s the server clock (%s); the window is +/-%v", d, way, now.UTC().Format(time.RFC3339), window)
	if ts > 0 && ts < 1e11 {
		s += "; it looks like seconds: the gateway wants milliseconds"
	}
	return s
}

// missingHeaders names the signature headers absent from h.
func missingHeaders(h http.Header) []string {
	var out []string
	for _, name := range []string{signing.HeaderAccessToken, signing.HeaderTimestamp, signing.HeaderSignature} {
		if h.Get(name) == "" {
			out = append(out, name)
		}
	}
	return out
}

// signatureCall is what the gateway knows of a call whose signature it checks.
type signatureCall struct {
	accessToken, stamp, signature string
	ts                            int64
	query                         url.Values
	rawQuery                      string
	body                          []byte
	clientString                  string // HeaderStringToSign, as sent
}

// explainSignature says why the signature of c does not match for the app a: a guess at the
// usual mistakes, the string the gateway signed, and, when the client sent its own, which
// part differs.
func (st *state) explainSignature(c *signatureCall, a *app) string {
	var b strings.Builder
	b.WriteString("wrong apim-signature")
	if hint := st.signatureHint(c, a); hint != "" {
		b.WriteString(": " + hint)
	}
	b.WriteString("; the gateway signed sha256(" + signedString(c.accessToken, c.query, c.body, c.stamp) + ")")
	if c.clientString != "" {
		b.WriteString("; " + compareSigned(c, a.secret))
	}
	return b.String() // shownReason hides the secrets
}

// signatureHint tries the usual mistakes and names the one whose signature matches, or "".
func (st *state) signatureHint(c *signatureCall, a *app) string {
	want := signing.Sign(c.accessToken, a.secret, c.ts, c.query, c.body)
	if strings.ToLower(c.signature) == want {
		return "it is upper-case hex; the gateway compares lower-case hex"
	}
	raw := rawValues(c.rawQuery)
	withoutAction := maps.Clone(c.query) // Del only drops a key: the values may be shared
	withoutAction.Del("action")
	tries := []struct {
		what  string
		match bool
	}{
		{"the query values were signed percent-encoded as sent; sign the decoded values", c.rawQuery != "" && c.signature == signing.Sign(c.accessToken, a.secret, c.ts, raw, c.body)},
		{"the body was left out of the signed string; sign the exact body bytes sent", len(c.body) > 0 && c.signature == signing.Sign(c.accessToken, a.secret, c.ts, c.query, nil)},
		{"the action parameter was left out; every query parameter is signed, action included", c.query.Has("action") && c.signature == signing.Sign(c.accessToken, a.secret, c.ts, withoutAction, c.body)},
		{"the query was signed with '=' and '&' between keys and values; join them without separators", c.signature == sha256Hex(c.accessToken+c.query.Encode()+string(c.body)+c.stamp+a.secret)},
		{"the query keys were signed in the order sent; sort them bytewise", c.signature == sha256Hex(c.accessToken+unsortedQueryPart(c.rawQuery)+string(c.body)+c.stamp+a.secret)},
	}
	for _, t := range tries {
		if t.match {
			return t.what
		}
	}
	for key, other := range st.apps {
		if other != a && c.signature == signing.Sign(c.accessToken, other.secret, c.ts, c.query, c.body) {
			return fmt.Sprintf("it was signed with the SecretKey of app %q, but the access token belongs to another app", key)
		}
	}
	return ""
}

// compareSigned compares the string the client says it signed with the gateway's, part by
// part, and names the first part that differs. It shows the client's parts only where they
// cannot hold the secret.
func compareSigned(c *signatureCall, secret string) string {
	raw, err := base64.StdEncoding.DecodeString(c.clientString)
	if err != nil {
		return HeaderStringToSign + " is not base64: " + err.Error()
	}
	s := string(raw)
	rest, ok := strings.CutPrefix(s, c.accessToken)
	if !ok {
		return "your signed string does not start with the access token sent in apim-accesstoken (" + quote(shorten(c.accessToken)) + ")"
	}
	rest, ok = strings.CutSuffix(rest, secret)
	if !ok {
		rest, ok = strings.CutSuffix(rest, secretPlaceholder)
	}
	if !ok {
		return "your signed string does not end with the app's SecretKey"
	}
	rest, ok = strings.CutSuffix(rest, c.stamp)
	if !ok {
		return "the timestamp part differs: your signed string does not end with apim-timestamp " + quote(c.stamp) + " before the secret"
	}
	wantQuery := signing.QueryPart(c.query)
	gotBody, ok := strings.CutPrefix(rest, wantQuery)
	if !ok {
		return "the query part differs: " + firstDifference(rest, wantQuery, "you signed", "the gateway signed")
	}
	if gotBody != string(c.body) {
		return fmt.Sprintf("the body part differs: you signed %d bytes, the request carried %d; %s (a body re-serialized after signing differs)",
			len(gotBody), len(c.body), firstDifference(gotBody, string(c.body), "you signed", "the request carried"))
	}
	return "your signed string is the gateway's: check that the SecretKey you hash is the app's"
}

// firstDifference shows where a and b first differ, with a little context from each.
func firstDifference(a, b, aName, bName string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(i-16, 0)
	cut := func(s string) string { return s[min(from, len(s)):min(i+24, len(s))] }
	return fmt.Sprintf("at byte %d %s ...%s..., %s ...%s...", i, aName, quote(cut(a)), bName, quote(cut(b)))
}

// rawValues splits a raw query into keys and values without decoding them.
func rawValues(rawQuery string) url.Values {
	out := url.Values{}
	for _, pair := range strings.Split(rawQuery, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		out[k] = append(out[k], v)
	}
	return out
}

// unsortedQueryPart joins the decoded keys and values of a raw query in the order sent.
func unsortedQueryPart(rawQuery string) string {
	var b strings.Builder
	for _, pair := range strings.Split(rawQuery, "&") {
		k, v, _ := strings.Cut(pair, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return ""
		}
		b.WriteString(dk + dv)
	}
	return b.String()
}

// sha256Hex returns the lowercase hex SHA-256 of s.
func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// maxReasonBytes bounds a reason: every HTTP client reads a header line of 8 KiB (Python's
// http.client refuses one over 64 KiB), whatever a client put in the query or body echoed.
const maxReasonBytes = 8 << 10

// shownReason is reason as a header and the request log show it: every registered
// SecretKey hidden, whole or shortened as tokens are (a client that swaps its AccessKey and
// SecretKey sends the secret where a key or token goes), and cut to maxReasonBytes.
func (st *state) shownReason(reason string) string {
	st.mu.Lock()
	for _, a := range st.apps {
		reason = hide(reason, a.secret)
		if len(a.secret) > 12 {
			reason = strings.ReplaceAll(reason, shorten(a.secret), secretPlaceholder)
		}
	}
	st.mu.Unlock()
	if len(reason) > maxReasonBytes {
		cut := fmt.Sprintf(" ...(cut: %d bytes in all)", len(reason))
		reason = reason[:maxReasonBytes-len(cut)] + cut
	}
	return reason
}

// hide replaces every occurrence of secret in s by <SecretKey>, whatever a client put in the
// parts a reason echoes.
func hide(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, secretPlaceholder)
}
