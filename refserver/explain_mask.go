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
func secretWindow[T ~string | ~[]byte](s T, lo, hi int, secrets []string) string {
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
// not show a piece of a secret it splits. Its first and last windows are quoted, and the
// cut between them is written between cutOpen and cutClose.
func shownHiding[T ~string | ~[]byte](s T, secrets []string) string {
	if len(s) <= maxShown {
		return quote(string(s))
	}
	half := maxShown / 2
	first, last := secretWindow(s, 0, half, secrets), secretWindow(s, len(s)-half, len(s), secrets)
	return fmt.Sprintf("%s%s%d bytes in all%s%s", first[:len(first)-1], cutOpen, len(s), cutClose, last[1:])
}

// The two sides of the cut shownHiding makes in a long value it quotes, with the quotes
// that end the window before it and start the one after it.
const (
	cutOpen  = `" + ...(`
	cutClose = `)... + "`
)

// minSecretPiece is the shortest piece of a SecretKey that hideCutPieces hides: a shorter
// end of a value matches the start of some secret by chance too often, and tells little.
const minSecretPiece = 4

// hideCutPieces hides, next to each cut that shown made in reason, a piece of one of secrets
// that the cut split: the end of the text before the cut that starts a secret, and the start
// of the text after it that ends one. A reason quotes a client's long value (an id, a
// parameter) through shown, which knows no secrets; whole secrets are hidden already.
func hideCutPieces(reason string, secrets []string) string {
	if !strings.Contains(reason, cutOpen) {
		return reason
	}
	var b strings.Builder
	rest := reason
	for {
		i := strings.Index(rest, cutOpen)
		j := strings.Index(rest[max(i, 0):], cutClose)
		if i < 0 || j < 0 {
			b.WriteString(rest)
			return b.String()
		}
		before := rest[:i]
		if n := splitPiece(before, secrets, true); n > 0 {
			before = before[:len(before)-n] + secretPlaceholder
		}
		end := i + j + len(cutClose)
		b.WriteString(before + rest[i:end])
		rest = rest[end:]
		if n := splitPiece(rest, secrets, false); n > 0 {
			b.WriteString(secretPlaceholder)
			rest = rest[n:]
		}
	}
}

// splitPiece returns the length of the longest end of s (its start, when atEnd is false)
// that is a proper start (end) of one of secrets, if it is minSecretPiece bytes or more;
// else 0.
func splitPiece(s string, secrets []string, atEnd bool) int {
	best := 0
	for _, secret := range secrets {
		for n := min(len(secret)-1, len(s)); n >= max(minSecretPiece, best+1); n-- {
			if atEnd && strings.HasSuffix(s, secret[:n]) || !atEnd && strings.HasPrefix(s, secret[len(secret)-n:]) {
				best = n
				break
			}
		}
	}
	return best
}
