package refserver

import (
	"bytes"
	"crypto/sha256"
	"encoding"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/enos-go/batchprocessing/internal/gatewayquery"
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
	// HeaderReason carries, on every refused request, why it was refused: the gateway's
	// refusals, the token service's, and every failure of an operation (HTTP 200 with a
	// code), where it says what the documented message leaves out: which parameter or
	// field is wrong and why, or which of the causes a shared message covers applies
	// (62101: userId missing, unknown, or outside the org; "Cannot create workflow
	// instance": flow unknown, task not the flow's, or the trigger minute taken).
	HeaderReason = "X-Refserver-Reason"
	// HeaderStringToSign may carry, base64 (standard, padded), the string a client signed,
	// with its SecretKey or with <SecretKey> in the secret's place: a refused signature's
	// reason then says which part of it differs from what the gateway signed.
	HeaderStringToSign = "X-Refserver-String-To-Sign"
)

// secretPlaceholder stands for the SecretKey in a shown signed string.
const secretPlaceholder = "<SecretKey>"

// maxShown is the most bytes of a query part or body a reason shows in full; a longer one
// shows its start and end.
const maxShown = 512

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

// shown returns a query part or a body for a reason: quoted, its middle cut when it is long,
// so that the reason costs the same whatever the size of the request (shownHiding, for no
// secret: shownReason hides a piece of one next to the cut, hideCutPieces).
func shown[T ~string | ~[]byte](s T) string { return shownHiding(s, nil) }

// signedString shows the string the gateway signs for a call: the token shortened, the
// query part, the body, the timestamp and <SecretKey>; the cut of a long query or body shows
// no piece of one of secrets.
func signedString(accessToken, queryPart string, body []byte, stamp string, secrets []string) string {
	return quote(shorten(accessToken)) + " + " + shownHiding(queryPart, secrets) + " + " + shownHiding(body, secrets) +
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

// badSignature is a call whose signature does not match, with what explaining it needs from
// the store, copied: explain runs with the store unlocked, since it hashes the body a few
// times more.
type badSignature struct {
	call       *signatureCall
	secret     string      // the SecretKey of the token's app
	want       string      // the signature the gateway computed
	others     []appSecret // the other registered apps
	explaining func()      // state.explaining
}

// appSecret is an app's AccessKey and SecretKey.
type appSecret struct{ key, secret string }

// badSignatureOf returns what explaining c's signature needs, for a call of the app a whose
// right signature is want. It holds st.mu, and copies an app's key and secret for each app.
func (st *state) badSignatureOf(c *signatureCall, a *app, want string) *badSignature {
	bad := &badSignature{call: c, secret: a.secret, want: want, explaining: st.explaining}
	bad.others = make([]appSecret, 0, len(st.apps)-1)
	for key, other := range st.apps {
		if other != a {
			bad.others = append(bad.others, appSecret{key, other.secret})
		}
	}
	return bad
}

// explain says why the signature does not match: a guess at the usual mistakes, the string
// the gateway signed, and, when the client sent its own, which part differs. Its cost is a
// few passes over the body and the query, whatever their size and the number of apps, and
// it shows at most maxShown bytes of each.
func (bad *badSignature) explain() string {
	if bad.explaining != nil {
		bad.explaining()
	}
	c := bad.call
	queryPart := signing.QueryPart(c.query)
	var b strings.Builder
	b.WriteString("wrong apim-signature")
	if hint := bad.hint(queryPart); hint != "" {
		b.WriteString(": " + hint)
	}
	secrets := bad.secrets()
	b.WriteString("; the gateway signed sha256(" + signedString(c.accessToken, queryPart, c.body, c.stamp, secrets) + ")")
	if c.clientString != "" {
		b.WriteString("; " + compareSigned(c, queryPart, bad.secret, secrets))
	}
	return b.String() // shownReason hides the secrets
}

// secrets returns the SecretKey of the token's app and of the others.
func (bad *badSignature) secrets() []string {
	out := make([]string, 0, len(bad.others)+1)
	out = append(out, bad.secret)
	for _, o := range bad.others {
		out = append(out, o.secret)
	}
	return out
}

// maxHintQuery is the longest raw query whose signing mistakes hint tries: each try builds
// the query part anew, and no call of the service needs a longer query.
const maxHintQuery = 8 << 10

// hint tries the usual mistakes and names the one whose signature matches, or "". Each try
// hashes the body once, without copying it (a query longer than maxHintQuery is tried for no
// mistake); the SecretKeys of the other apps all share one pass over it.
func (bad *badSignature) hint(queryPart string) string {
	c := bad.call
	if strings.ToLower(c.signature) == bad.want {
		return "it is upper-case hex; the gateway compares lower-case hex"
	}
	signs := func(query url.Values, body []byte) bool {
		return c.signature == signing.Sign(c.accessToken, bad.secret, c.ts, query, body)
	}
	if left := leftOutPairs(c.rawQuery); left != "" && signs(goQuery(c.rawQuery), c.body) {
		return left // signed the query as Go's parser reads it: that is the mistake
	}
	joined := func(queryPart string) bool { // a query part Sign does not build
		return c.signature == sha256Hex(c.accessToken, queryPart, c.body, c.stamp, bad.secret)
	}
	short := len(c.rawQuery) <= maxHintQuery
	tries := []struct {
		what  string
		match func() bool
	}{
		{"the query values were signed percent-encoded as sent; sign the decoded values", func() bool {
			return short && c.rawQuery != "" && signs(rawValues(c.rawQuery), c.body)
		}},
		{"the body was left out of the signed string; sign the exact body bytes sent", func() bool {
			return len(c.body) > 0 && signs(c.query, nil)
		}},
		{"the action parameter was left out; every query parameter is signed, action included", func() bool {
			if !short || !c.query.Has("action") {
				return false
			}
			withoutAction := maps.Clone(c.query) // Del only drops a key: the values may be shared
			withoutAction.Del("action")
			return signs(withoutAction, c.body)
		}},
		{"the query was signed with '=' and '&' between keys and values; join them without separators", func() bool {
			return short && joined(c.query.Encode())
		}},
		{"the query keys were signed in the order sent; sort them bytewise", func() bool {
			return short && joined(unsortedQueryPart(c.rawQuery))
		}},
	}
	for _, t := range tries {
		if t.match() {
			return t.what
		}
	}
	if key := bad.otherApp(queryPart); key != "" {
		return fmt.Sprintf("it was signed with the SecretKey of app %q, but the access token belongs to another app", key)
	}
	return ""
}

// otherApp returns the key of the other app whose SecretKey makes the call's signature, or
// "". The signed string ends with the SecretKey, so the hash of what precedes it is computed
// once and resumed for each app: no pass over the body, and no allocation, per app.
func (bad *badSignature) otherApp(queryPart string) string {
	c := bad.call
	sig, err := hex.DecodeString(c.signature)
	if err != nil || len(sig) != sha256.Size || strings.ContainsAny(c.signature, "ABCDEF") || len(bad.others) == 0 {
		return ""
	}
	h := newStringHasher()
	h.writeStrings(c.accessToken, queryPart)
	h.Write(c.body)
	h.writeStrings(strconv.FormatInt(c.ts, 10)) // as signing.Sign writes the timestamp
	prefix, err := h.Hash.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return ""
	}
	slices.SortFunc(bad.others, func(a, b appSecret) int { return strings.Compare(a.key, b.key) })
	sum := make([]byte, 0, sha256.Size)
	for _, o := range bad.others {
		if h.Hash.(encoding.BinaryUnmarshaler).UnmarshalBinary(prefix) != nil {
			return ""
		}
		h.writeStrings(o.secret)
		if sum = h.Sum(sum[:0]); bytes.Equal(sum, sig) {
			return o.key
		}
	}
	return ""
}

// compareSigned compares the string the client says it signed with the gateway's, part by
// part, and names the first part that differs. It shows the client's parts only where they
// cannot hold the secret, or with the pieces of secrets they hold hidden, and copies no
// body.
func compareSigned(c *signatureCall, wantQuery, secret string, secrets []string) string {
	raw, err := base64.StdEncoding.DecodeString(c.clientString)
	if err != nil {
		return HeaderStringToSign + " is not base64: " + err.Error()
	}
	rest, ok := bytes.CutPrefix(raw, []byte(c.accessToken))
	if !ok {
		return "your signed string does not start with the access token sent in apim-accesstoken (" + quote(shorten(c.accessToken)) + ")"
	}
	rest, ok = bytes.CutSuffix(rest, []byte(secret))
	if !ok {
		rest, ok = bytes.CutSuffix(rest, []byte(secretPlaceholder))
	}
	if !ok {
		return "your signed string does not end with the app's SecretKey"
	}
	rest, ok = bytes.CutSuffix(rest, []byte(c.stamp))
	if !ok {
		return "the timestamp part differs: your signed string does not end with apim-timestamp " + quote(c.stamp) + " before the secret"
	}
	gotBody, ok := bytes.CutPrefix(rest, []byte(wantQuery))
	if !ok {
		return "the query part differs: " + firstDifference(rest, wantQuery, "you signed", "the gateway signed", secrets)
	}
	if !bytes.Equal(gotBody, c.body) {
		return fmt.Sprintf("the body part differs: you signed %d bytes, the request carried %d; %s (a body re-serialized after signing differs)",
			len(gotBody), len(c.body), firstDifference(gotBody, c.body, "you signed", "the request carried", secrets))
	}
	return "your signed string is the gateway's: check that the SecretKey you hash is the app's"
}

// firstDifference shows where a and b first differ, with a little context from each: no
// piece of one of secrets that a cut of the context splits.
func firstDifference[A, B string | []byte](a A, b B, aName, bName string, secrets []string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(i-16, 0)
	return fmt.Sprintf("at byte %d %s ...%s..., %s ...%s...", i, aName, secretWindow(a, from, i+24, secrets),
		bName, secretWindow(b, from, i+24, secrets))
}

// leftOutPairs names the pairs of a raw query that Go's query parser (url.ParseQuery, behind
// Request.URL.Query) drops, and why, or "" when it drops none: a pair holding a semicolon,
// or a malformed percent-escape. The gateway reads and signs them (gatewayquery.Parse), so a Go client
// that built its URL by hand and signed the query as its parser read it is refused.
func leftOutPairs(rawQuery string) string {
	if _, err := url.ParseQuery(rawQuery); err == nil || len(rawQuery) > maxHintQuery {
		return ""
	}
	var out []string
	for _, pair := range strings.Split(rawQuery, "&") {
		k, v, _ := strings.Cut(pair, "=")
		_, errK := url.QueryUnescape(k)
		_, errV := url.QueryUnescape(v)
		switch {
		case strings.Contains(pair, ";"):
			out = append(out, quote(pair)+" (a semicolon)")
		case errK != nil || errV != nil:
			out = append(out, quote(pair)+" (a malformed percent-escape)")
		}
	}
	return "the query pair " + strings.Join(out, ", ") + " was left out of the signed string, as Go's url.ParseQuery " +
		"drops it; the gateway splits the query on '&' alone and signs every pair"
}

// goQuery is the query as Go's parser reads it, without the pairs it drops.
func goQuery(rawQuery string) url.Values {
	q, _ := url.ParseQuery(rawQuery)
	return q
}

// rawValues splits a raw query into keys and values without decoding them.
func rawValues(rawQuery string) url.Values {
	out := url.Values{}
	for k, v := range gatewayquery.Pairs(rawQuery) {
		out[k] = append(out[k], v)
	}
	return out
}

// unsortedQueryPart joins the decoded keys and values of a raw query in the order sent.
func unsortedQueryPart(rawQuery string) string {
	var b strings.Builder
	for k, v := range gatewayquery.Pairs(rawQuery) {
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return ""
		}
		b.WriteString(dk + dv)
	}
	return b.String()
}

// sha256Hex returns the lowercase hex SHA-256 of the signed string made of the parts and
// the body, streamed into the hash: nothing is copied whole.
func sha256Hex(accessToken, queryPart string, body []byte, stamp, secret string) string {
	h := newStringHasher()
	h.writeStrings(accessToken, queryPart)
	h.Write(body)
	h.writeStrings(stamp, secret)
	return hex.EncodeToString(h.Sum(nil))
}

// stringHasher is a SHA-256 hash that takes strings through a small buffer: a hash.Hash
// takes bytes only, and io.WriteString would copy each string whole.
type stringHasher struct {
	hash.Hash
	buf [256]byte
}

func newStringHasher() *stringHasher { return &stringHasher{Hash: sha256.New()} }

// writeStrings writes each of parts to the hash.
func (h *stringHasher) writeStrings(parts ...string) {
	for _, s := range parts {
		for len(s) > 0 {
			n := copy(h.buf[:], s)
			h.Write(h.buf[:n])
			s = s[n:]
		}
	}
}

// maxReasonBytes bounds a reason: every HTTP client reads a header line of 8 KiB (Python's
// http.client refuses one over 64 KiB), whatever a client put in the query or body echoed.
const maxReasonBytes = 8 << 10

// shownReason is reason as a header and the request log show it: every registered
// SecretKey hidden, whole or shortened as tokens are (a client that swaps its AccessKey and
// SecretKey sends the secret where a key or token goes), and cut to maxReasonBytes. Only the
// secrets are read with the store locked; a long reason is cut before its secrets are
// hidden, so the cost does not grow with what a client made the reason echo.
func (st *state) shownReason(reason string) string {
	secrets, longest := st.secrets()
	total := len(reason)
	precut := total > maxReasonBytes+longest
	if precut {
		reason = reason[:maxReasonBytes+longest]
	}
	for _, secret := range secrets {
		reason = hide(reason, secret)
		if len(secret) > 12 {
			reason = strings.ReplaceAll(reason, shorten(secret), secretPlaceholder)
		}
	}
	reason = headerSafe(hideCutPieces(reason, secrets))
	if precut {
		// A secret the cut split is not hidden: its start is within the last longest bytes.
		reason = cutTo(reason, len(reason)-longest)
	}
	if precut || len(reason) > maxReasonBytes {
		note := fmt.Sprintf(" ...(cut: %d bytes in all)", total)
		reason = cutTo(reason, maxReasonBytes-len(note)) + note
	}
	return reason
}

// headerSafe returns s as a header value every HTTP client reads: a byte that no header
// may hold (a control character other than tab, DEL) or that is not UTF-8 is written \xNN,
// as Go quotes it; printable ASCII and UTF-8 text stay. A reason echoes what a client sent
// (a number "1\x7f" in a body), and Go's and Node's clients fail a whole response whose
// header holds a DEL.
func headerSafe(s string) string {
	var b strings.Builder
	done := 0 // s[:done] is in b
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f || (r == utf8.RuneError && size == 1) {
			b.WriteString(s[done:i])
			fmt.Fprintf(&b, `\x%02x`, c)
			done = i + 1
		}
		i += size
	}
	if done == 0 {
		return s // nothing to escape: the common case, no copy
	}
	b.WriteString(s[done:])
	return b.String()
}

// cutTo returns the longest start of s of at most n bytes that does not split a UTF-8
// character.
func cutTo(s string, n int) string {
	if n >= len(s) {
		return s
	}
	n = max(n, 0)
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// secrets returns the SecretKey of every app, and the length of the longest.
func (st *state) secrets() (secrets []string, longest int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	secrets = make([]string, 0, len(st.apps))
	for _, a := range st.apps {
		secrets = append(secrets, a.secret)
		longest = max(longest, len(a.secret))
	}
	return secrets, longest
}

// hide replaces every occurrence of secret in s by <SecretKey>, whatever a client put in the
// parts a reason echoes.
func hide(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, secretPlaceholder)
}
