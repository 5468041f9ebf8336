package refserver

import (
	"net/url"
	"strings"
)

// queryOf reads a request's query as the EnOS gateway does: the raw query split on '&'
// alone, each pair at its first '=', keys and values percent-decoded ('+' as a space), a
// malformed escape kept as it was sent. The gateway is Kong, on nginx, whose query parser
// splits on '&' only and keeps what does not decode; the documentation's Java sample signs
// the values that OkHttp's queryParameter decodes the same way
// (https://support.enos-iot.com/docs/apim/en/2.4.0/token/invoke_api_with_access_token.html).
//
// Go's own parser (url.ParseQuery, behind Request.URL.Query) is not used: it drops a pair
// that holds a ';' or a malformed escape, so a value such as expression=a;b, which the
// gateway reads and signs as "a;b", would be lost, and the request that signs it refused.
func queryOf(rawQuery string) url.Values {
	out := url.Values{}
	for _, pair := range strings.Split(rawQuery, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key := unescapedOrRaw(k)
		out[key] = append(out[key], unescapedOrRaw(v))
	}
	return out
}

// unescapedOrRaw returns s query-unescaped, or s itself when it does not unescape.
func unescapedOrRaw(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}
