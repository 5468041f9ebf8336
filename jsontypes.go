package batchprocessing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds the tolerant JSON types of the results: the service sends ids as numbers
// or strings, some documents as JSON encoded in a string, and times as server-local
// strings (the documentation's own samples show each form). Decoding accepts every form
// seen; encoding is as documented.

// EmbeddedJSON is a JSON document that the service sends encoded in a string (graph,
// parameters, runMode), or, tolerated, as plain JSON. It holds the document itself; use
// Decode, or the typed helpers of the struct that carries it.
type EmbeddedJSON json.RawMessage

// UnmarshalJSON accepts a string holding JSON ("[]", "{\"a\":1}"), plain JSON, or null.
func (e *EmbeddedJSON) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		doc, err := unquoteJSONBytes(b)
		if err != nil {
			return err
		}
		*e = EmbeddedJSON(bytes.TrimSpace(doc))
		return nil
	}
	if bytes.Equal(b, []byte("null")) {
		*e = nil
		return nil
	}
	*e = append((*e)[:0], b...)
	return nil
}

// MarshalJSON encodes the document as a string holding JSON, the form the service uses.
func (e EmbeddedJSON) MarshalJSON() ([]byte, error) {
	if len(e) == 0 {
		return []byte(`""`), nil
	}
	return json.Marshal(string(e))
}

// IsZero reports whether there is no document.
func (e EmbeddedJSON) IsZero() bool { return len(bytes.TrimSpace(e)) == 0 }

// Decode unmarshals the document into v. An empty document leaves v unchanged.
func (e EmbeddedJSON) Decode(v any) error {
	if e.IsZero() {
		return nil
	}
	return json.Unmarshal(e, v)
}

// String returns the document's JSON text.
func (e EmbeddedJSON) String() string { return string(e) }

// Parameter is one key/value parameter of a flow or flow instance.
type Parameter struct {
	// Key is the parameter's name; it must not be empty.
	Key string `json:"key"`
	// Value is the parameter's value, as text (DecodeParameters reads a number or boolean
	// the service sends as its JSON text).
	Value string `json:"value"`
}

// decodeParameters reads parameters given as [{"key":..,"value":..}] (documented) or as an
// object {"key": "value"} (the older "Map" type), sorted by key in the second case.
func decodeParameters(e EmbeddedJSON) ([]Parameter, error) {
	if e.IsZero() {
		return nil, nil
	}
	var list []struct {
		Key   string   `json:"key"`
		Value flexText `json:"value"`
	}
	if err := json.Unmarshal(e, &list); err == nil {
		out := make([]Parameter, len(list))
		for i, p := range list {
			out[i] = Parameter{Key: p.Key, Value: string(p.Value)}
		}
		return out, nil
	}
	var m map[string]flexText
	if err := json.Unmarshal(e, &m); err != nil {
		return nil, fmt.Errorf("batchprocessing: parameters are neither a list of key/value pairs nor an object: %w", err)
	}
	out := make([]Parameter, 0, len(m))
	for k, v := range m {
		out = append(out, Parameter{Key: k, Value: string(v)})
	}
	slices.SortFunc(out, func(a, b Parameter) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// ServerTime is a time as the service writes it: a string in the server's time zone, such
// as "2019-08-08 09:32:12", "2019-08-08 09:34:36.0", "2019-08-07" or, for task instances,
// "Tue Feb 02 17:35:00 CST 2021". An empty ServerTime means no time (not started, not
// ended). Client.Time turns it into a time.Time in the server's zone; Time does so in a
// zone of your choice. A time the service sends as epoch milliseconds is kept as RFC 3339
// text in UTC ("2019-08-08T08:11:05.242Z"): it names its instant, whatever the zone.
type ServerTime string

// serverTimeLayouts are the layouts ServerTime accepts, most common first.
var serverTimeLayouts = []string{
	"2006-01-02 15:04:05",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05",
	"2006-01-02",
}

// IsZero reports whether no time is given.
func (t ServerTime) IsZero() bool {
	s := strings.TrimSpace(string(t))
	return s == "" || s == "null"
}

// Time parses the time in the server's time zone loc (time.UTC if nil). A zero ServerTime
// gives the zero time.Time and no error.
func (t ServerTime) Time(loc *time.Location) (time.Time, error) {
	if t.IsZero() {
		return time.Time{}, nil
	}
	if loc == nil {
		loc = time.UTC
	}
	s := strings.TrimSpace(string(t))
	for _, layout := range serverTimeLayouts {
		if v, err := time.ParseInLocation(layout, s, loc); err == nil {
			return v, nil
		}
	}
	if v, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return v.In(loc), nil // a time with its offset (an epoch number decoded) is that instant
	}
	// Java's Date.toString: "Tue Feb 02 17:35:00 CST 2021". Zone abbreviations are
	// ambiguous (CST is China, US Central or Cuba), so the clock reading is taken in loc.
	if f := strings.Fields(s); len(f) == 6 {
		if v, err := time.ParseInLocation("Mon Jan 02 15:04:05 2006", strings.Join(append(f[:4:4], f[5]), " "), loc); err == nil {
			return v, nil
		}
	}
	return time.Time{}, fmt.Errorf("batchprocessing: cannot read server time %q", s)
}

// UnmarshalJSON accepts a string, null, or an epoch-millisecond number (turned into RFC 3339
// text in UTC, which Time reads as the instant it names).
func (t *ServerTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*t = ""
	case len(b) > 0 && b[0] == '"':
		s, err := unquoteJSON(b)
		if err != nil {
			return err
		}
		*t = ServerTime(s)
	default:
		ms, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			return fmt.Errorf("batchprocessing: server time %s is neither a string nor epoch milliseconds", b)
		}
		*t = ServerTime(time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z07:00"))
	}
	return nil
}

// flexText decodes a JSON string, number or boolean as text: ids and parameter values come
// in either form.
type flexText string

// UnmarshalJSON accepts "x", 42, true and null.
func (s *flexText) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*s = ""
	case len(b) > 0 && b[0] == '"':
		v, err := unquoteJSON(b)
		if err != nil {
			return err
		}
		*s = flexText(v)
	case len(b) > 0 && (b[0] == '{' || b[0] == '['):
		return errors.New("batchprocessing: want a string or number, got " + string(b[:1]))
	default:
		*s = flexText(b)
	}
	return nil
}

// unquoteJSON returns the text of a JSON string literal, as json.Unmarshal into a string
// would, with one allocation and no reflection: the fields that hold text, graphs among
// them, use it on every response.
func unquoteJSON(b []byte) (string, error) {
	if inner, ok := plainJSONString(b); ok {
		return string(inner), nil // no escapes: the common case
	}
	out, err := unquoteJSONBytes(b)
	return string(out), err
}

// plainJSONString returns the text of a JSON string literal that needs no unquoting.
func plainJSONString(b []byte) ([]byte, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' || !utf8.Valid(b) {
		return nil, false
	}
	inner := b[1 : len(b)-1]
	return inner, bytes.IndexByte(inner, '\\') < 0
}

// unquoteJSONBytes is unquoteJSON into a new byte slice: one allocation, escapes or not.
func unquoteJSONBytes(b []byte) ([]byte, error) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' || !utf8.Valid(b) {
		var s string
		err := json.Unmarshal(b, &s) // the rare cases, with json's own errors and repairs
		return []byte(s), err
	}
	inner := b[1 : len(b)-1]
	i := bytes.IndexByte(inner, '\\')
	if i < 0 {
		return append([]byte(nil), inner...), nil
	}
	out := make([]byte, i, len(inner))
	copy(out, inner)
	for i < len(inner) {
		if inner[i] != '\\' {
			out = append(out, inner[i])
			i++
			continue
		}
		var n int
		var err error
		if out, n, err = appendEscape(out, inner[i:]); err != nil {
			return nil, err
		}
		i += n
	}
	return out, nil
}

// simpleEscapes maps the letter of a one-letter escape to the byte it stands for.
var simpleEscapes = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// appendEscape appends what the escape at the start of s stands for, and says how many
// bytes it took.
func appendEscape(out, s []byte) ([]byte, int, error) {
	if len(s) < 2 {
		return out, 0, errors.New("batchprocessing: unterminated escape in a JSON string")
	}
	if c := simpleEscapes[s[1]]; c != 0 {
		return append(out, c), 2, nil
	}
	if s[1] != 'u' {
		return out, 0, fmt.Errorf("batchprocessing: bad escape \\%c in a JSON string", s[1])
	}
	r, n := unicodeEscape(s)
	if n == 0 {
		return out, 0, errors.New("batchprocessing: bad \\u escape in a JSON string")
	}
	return utf8.AppendRune(out, r), n, nil
}

// unicodeEscape reads \uXXXX, or a surrogate pair \uXXXX\uXXXX, at the start of b. It
// returns the rune (U+FFFD for a lone surrogate, as encoding/json does) and the bytes read,
// 0 if b does not start with a valid escape.
func unicodeEscape(b []byte) (rune, int) {
	r1, ok := hex4(b)
	if !ok {
		return 0, 0
	}
	if !utf16.IsSurrogate(r1) {
		return r1, 6
	}
	if r2, ok := hex4(b[6:]); ok {
		if r := utf16.DecodeRune(r1, r2); r != utf8.RuneError {
			return r, 12
		}
	}
	return utf8.RuneError, 6
}

// hex4 reads the four hex digits of a \uXXXX escape at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[2:6]), 16, 16)
	return rune(v), err == nil
}
