package refserver

import (
	"fmt"
	"strings"
)

// This file cuts windows out of what a reason echoes (a client's string to sign, a query, a
// body) without showing part of a SecretKey: shownReason hides every whole secret in a
// reason, but a window cut through a secret leaves a part of it that no longer matches.

// secretWindow returns s[lo:hi], quoted, with each part of it that belongs to an occurrence
// of one of secrets in the whole of s shown as <SecretKey>, whether the cut split the
// occurrence or not. Only the bytes around the window are searched: the cost is that of the
// window and the secrets, whatever the size of s.
func secretWindow[T string | []byte](s T, lo, hi int, secrets []string) string {
	lo, hi = max(lo, 0), min(hi, len(s))
	if lo >= hi {
		return quote("")
	}
	longest := 0
	for _, secret := range secrets {
		longest = max(longest, len(secret))
	}
	// The bytes an occurrence overlapping the window can take, converted once for all.
	from := max(lo-longest+1, 0)
	region := string(s[from:min(hi+longest-1, len(s))])
	var masked []bool // made at the first occurrence
	for _, secret := range secrets {
		for off := 0; secret != ""; {
			j := strings.Index(region[off:], secret)
			if j < 0 {
				break
			}
			if masked == nil {
				masked = make([]bool, hi-lo)
			}
			start := from + off + j
			for p := max(start, lo); p < min(start+len(secret), hi); p++ {
				masked[p-lo] = true
			}
			off += j + 1
		}
	}
	if masked == nil {
		return quote(string(s[lo:hi]))
	}
	var b strings.Builder
	for p := lo; p < hi; {
		q := p
		for q < hi && masked[q-lo] == masked[p-lo] {
			q++
		}
		if masked[p-lo] {
			b.WriteString(`" + ` + secretPlaceholder + ` + "`)
		} else {
			text := quote(string(s[p:q]))
			b.WriteString(text[1 : len(text)-1]) // without its quotes

		}
		p = q
	}
	return `"` + b.String() + `"`
}

// shownHiding is shown for a part that may hold one of secrets: the cut of a long part does
// not show a piece of a secret it splits.
func shownHiding[T string | []byte](s T, secrets []string) string {
	if len(s) <= maxShown {
		return quote(string(s))
	}
	half := maxShown / 2
	return fmt.Sprintf("%s + ...(%d bytes in all)... + %s", secretWindow(s, 0, half, secrets), len(s),
		secretWindow(s, len(s)-half, len(s), secrets))
}
