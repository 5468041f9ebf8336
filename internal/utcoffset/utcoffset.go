// Package utcoffset reads the time zone names of the EnOS API ("GMT+8" in Get Timezone's
// answer) and of reference-server seeds and settings: the one definition that the client and
// the reference server share.
package utcoffset

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// maxHours is the largest offset in hours that a time zone has (UTC+14, Line Islands).
const maxHours = 14

// errBad is the error of an offset Parse cannot read.
var errBad = errors.New(`bad UTC offset; want a sign, hours up to 14 and optional minutes, as in "+8", "-3", "+05:30" or "+0800"`)

// errUnknownZone is the error of a zone name Location cannot read.
var errUnknownZone = errors.New(`unknown time zone; want "UTC", an offset such as "GMT+8" or "UTC+05:30", or an IANA name such as "Asia/Shanghai"`)

// Location reads a time zone name: "GMT", "UTC" or "Z" (time.UTC); "GMT" or "UTC" followed
// by an offset Parse reads ("GMT+8", "UTC-3", "GMT+05:30"), as a fixed zone of that offset
// named as Name writes it; or an IANA name ("Asia/Shanghai") that the system or an embedded
// time/tzdata knows. The prefixes are read in any case; space around the name is ignored;
// "" and "Local" are refused.
func Location(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	upper := strings.ToUpper(name)
	switch upper {
	case "GMT", "UTC", "Z":
		return time.UTC, nil
	}
	for _, prefix := range []string{"GMT", "UTC"} {
		if rest, ok := strings.CutPrefix(upper, prefix); ok {
			offset, err := Parse(rest)
			if err != nil {
				return nil, err
			}
			return time.FixedZone(Name(offset), offset), nil
		}
	}
	// "Local" would be the zone of whatever machine reads it, not a zone of its own.
	if name != "" && name != "Local" {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc, nil
		}
	}
	return nil, errUnknownZone
}

// Parse reads the offset part of "GMT+8", "UTC-3", "GMT+05:30", "GMT+5:30" or "UTC+0800":
// a sign, one or two digits of hours (at most 14), then optionally ":" and two digits of
// minutes, or the four digits hhmm. It returns the offset in seconds east of UTC.
func Parse(s string) (int, error) {
	if len(s) < 2 || (s[0] != '+' && s[0] != '-') {
		return 0, errBad
	}
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	digits := s[1:]
	hours, minutes := digits, ""
	switch {
	case len(digits) > 2 && digits[len(digits)-3] == ':':
		hours, minutes = digits[:len(digits)-3], digits[len(digits)-2:]
	case len(digits) == 4:
		hours, minutes = digits[:2], digits[2:]
	}
	h, okH := number(hours, 1, 2)
	m, okM := 0, true
	if minutes != "" {
		m, okM = number(minutes, 2, 2)
	}
	if !okH || !okM || h > maxHours || m > 59 || (h == maxHours && m > 0) {
		return 0, errBad
	}
	return sign * (h*3600 + m*60), nil
}

// Name writes an offset in seconds east of UTC as EnOS names a zone: "GMT+8", "GMT-3",
// "GMT+0" or "GMT+5:30".
func Name(offset int) string {
	sign := "+"
	if offset < 0 {
		sign, offset = "-", -offset
	}
	s := "GMT" + sign + strconv.Itoa(offset/3600)
	if m := offset % 3600 / 60; m != 0 {
		s += ":" + strconv.Itoa(m/10) + strconv.Itoa(m%10)
	}
	return s
}

// number reads s as a decimal of minLen to maxLen ASCII digits.
func number(s string, minLen, maxLen int) (int, bool) {
	if len(s) < minLen || len(s) > maxLen {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}
