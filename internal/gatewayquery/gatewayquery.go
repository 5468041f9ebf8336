// Package gatewayquery reads a request's query as the EnOS API gateway does: the one reading
// the reference server and its command's request log share.
//
// The gateway is Kong, on nginx, whose query parser splits the raw query on '&' alone, and
// keeps what does not decode; the Java sample of the EnOS documentation signs the values
// that OkHttp's queryParameter decodes the same way
// (https://support.enos-iot.com/docs/apim/en/2.4.0/token/invoke_api_with_access_token.html).
// Go's own parser (url.ParseQuery, behind Request.URL.Query) is not that reading: it drops a
// pair that holds a ';' or a malformed escape, so a value such as expression=a;b, which the
// gateway reads and signs as "a;b", would be lost.
package gatewayquery

import (
	"iter"
	"net/url"
	"strings"
)

// Parse reads a raw query: its Pairs, keys and values percent-decoded ('+' as a space), a
// malformed escape kept as it was sent.
func Parse(rawQuery string) url.Values {
	out := url.Values{}
	for k, v := range Pairs(rawQuery) {
		key := unescapedOrRaw(k)
		out[key] = append(out[key], unescapedOrRaw(v))
	}
	return out
}

// Pairs yields the key and value of each pair of a raw query, as sent (not decoded): the
// query split on '&' alone, each pair at its first '='. Empty pairs are skipped; a pair
// without '=' is a key with an empty value.
func Pairs(rawQuery string) iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for _, pair := range strings.Split(rawQuery, "&") {
			if pair == "" {
				continue
			}
			k, v, _ := strings.Cut(pair, "=")
			if !yield(k, v) {
				return
			}
		}
	}
}

// unescapedOrRaw returns s query-unescaped, or s itself when it does not unescape.
func unescapedOrRaw(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}
