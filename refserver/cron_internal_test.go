package refserver

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestCronNext reads Quartz expressions of every field form and finds the first fire time
// after a Monday morning (2026-11-30 08:00:30 UTC); expressions the server does not read
// are refused with the field at fault.
func TestCronNext(t *testing.T) {
	t.Parallel()
	from := time.Date(2026, 11, 30, 8, 0, 30, 0, time.UTC)
	at := func(y int, mo time.Month, d, h, mi, s int) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
	}
	tests := []struct {
		expr string
		want time.Time
		err  string
	}{
		{"0 0 0 * * ? *", at(2026, 12, 1, 0, 0, 0), ""},
		{"* * * * * ?", at(2026, 11, 30, 8, 0, 31), ""}, // six fields: no year
		{"0 */5 * * * ? *", at(2026, 11, 30, 8, 5, 0), ""},
		{"15 2/20 8 * * ? *", at(2026, 11, 30, 8, 2, 15), ""},
		{"0 30 9-17/4 * * ? *", at(2026, 11, 30, 9, 30, 0), ""},
		{"0 0 6,12,18 * * ? *", at(2026, 11, 30, 12, 0, 0), ""},
		{"0 0 0 ? * FRI *", at(2026, 12, 4, 0, 0, 0), ""},
		{"0 0 0 ? * mon-wed *", at(2026, 12, 1, 0, 0, 0), ""}, // names in any case; Monday's midnight has passed
		{"0 0 0 ? * 1 *", at(2026, 12, 6, 0, 0, 0), ""},       // 1 is Sunday, as Quartz counts
		{"0 0 0 1 * ? *", at(2026, 12, 1, 0, 0, 0), ""},
		{"0 0 0 31 * ? *", at(2026, 12, 31, 0, 0, 0), ""},
		{"0 0 0 29 FEB ? *", at(2028, 2, 29, 0, 0, 0), ""},
		{"0 0 0 1 JAN-MAR ? *", at(2027, 1, 1, 0, 0, 0), ""},
		{"0 0 0 13 * FRI *", at(2027, 8, 13, 0, 0, 0), ""}, // both day fields restrict: a Friday the 13th
		{"0 0 12 * * ? 2028", at(2028, 1, 1, 12, 0, 0), ""},
		{"0 0 12 * * ? 2030-2032/2", at(2030, 1, 1, 12, 0, 0), ""},
		{"0 0 0 1 1 ? 2035", at(2035, 1, 1, 0, 0, 0), ""},          // years away
		{"0 0 0 1 1 ? 2027,2199", at(2027, 1, 1, 0, 0, 0), ""},     // the last year Quartz reads
		{"0 0 0 29 FEB ? 2029-2199", at(2032, 2, 29, 0, 0, 0), ""}, // the first leap year listed
		{"0 0 0 29 FEB ? 2097-2199", at(2104, 2, 29, 0, 0, 0), ""}, // 2100 is no leap year: eight years without one
		{"0 0 0 29 FEB MON *", at(2044, 2, 29, 0, 0, 0), ""},       // both day fields: 18 years away, then 28 apart
		{"0 0 0 30 FEB ? 2027,2150", time.Time{}, "no fire time"},  // listed years, no matching day
		{"0 0 0 * * ? 2020", time.Time{}, "no fire time"},
		{"0 0 0 30 FEB ? *", time.Time{}, "no fire time"},
		{"0 0 0 * *", time.Time{}, "want 6 or 7 fields"},
		{"0 0 0 * * ? * *", time.Time{}, "want 6 or 7 fields"},
		{"60 0 0 * * ? *", time.Time{}, "second"},
		{"0 0 24 * * ? *", time.Time{}, "hour"},
		{"0 0 0 L * ? *", time.Time{}, "day of month"},
		{"0 0 0 ? * MON#2 *", time.Time{}, "day of week"},
		{"0 0 0 ? * 0 *", time.Time{}, "day of week"},
		{"0 0 0 * 13 ? *", time.Time{}, "month"},
		{"0 */0 * * * ? *", time.Time{}, "bad step"},
		{"0 30-10 * * * ? *", time.Time{}, "runs backwards"},
		{"0 0 0 * * ? 1969", time.Time{}, "year"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			got, err := nextFire(tt.expr, from, time.UTC)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("next = %v, %v; want an error about %q", got, err, tt.err)
				}
				return
			}
			if err != nil || !got.Equal(tt.want) {
				t.Errorf("next = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// TestCronNextAcrossDaylightSaving: a daily 02:30 fire in New York skips the spring-forward
// day's missing half hour to the next day, and runs once on the fall-back day.
func TestCronNextAcrossDaylightSaving(t *testing.T) {
	t.Parallel()
	ny := mustZone(t, "America/New_York")
	for _, tt := range []struct {
		from, want time.Time
	}{
		{time.Date(2027, 3, 13, 3, 0, 0, 0, ny), time.Date(2027, 3, 15, 2, 30, 0, 0, ny)}, // 2027-03-14 02:30 does not exist
		{time.Date(2027, 11, 6, 3, 0, 0, 0, ny), time.Date(2027, 11, 7, 2, 30, 0, 0, ny)},
	} {
		got, err := nextFire("0 30 2 * * ? *", tt.from, ny)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("next after %v = %v, %v; want %v", tt.from, got, err, tt.want)
		}
	}
}

func nextFire(expr string, from time.Time, loc *time.Location) (time.Time, error) {
	spec, err := parseCron(expr)
	if err != nil {
		return time.Time{}, err
	}
	return spec.next(from, loc)
}

// BenchmarkCronNext measures the search of a next fire in a zone with daylight saving,
// where a step past the zone's listed transitions computes its rule: an expression without
// a date is not searched at all, one whose days all fall on a spring-forward gap is
// searched to 2199, and one whose both day fields restrict fires 18 years away.
func BenchmarkCronNext(b *testing.B) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		b.Skip(err)
	}
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, expr := range []string{"0 0 0 30 FEB ? *", "0 30 2 8-14 MAR SUN *", "0 0 0 29 FEB MON *", "0 0 0 * * ? *"} {
		spec, err := parseCron(expr)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(expr, func(b *testing.B) {
			for range b.N {
				_, _ = spec.next(from, ny)
			}
		})
	}
}

// TestCronDated: an expression whose months hold none of its days of the month is known
// at once never to fire; one with such a date (29 February, a range, a step, '?') is not.
func TestCronDated(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		expr  string
		dated bool
	}{
		{"0 0 0 30 FEB ? *", false},
		{"0 0 0 31 FEB,APR,JUN,SEP,NOV ? *", false},
		{"0 0 0 30-31 2 ? *", false},
		{"0 0 0 29 FEB ? *", true},
		{"0 0 0 29 FEB MON *", true},
		{"0 0 0 31 JAN-MAR ? *", true},
		{"0 0 0 */10 FEB ? *", true},
		{"0 0 0 ? FEB SUN *", true},
		{"0 0 0 * * ? *", true},
	} {
		spec, err := parseCron(tt.expr)
		if err != nil || spec.dated != tt.dated {
			t.Errorf("%s: dated %v (%v), want %v", tt.expr, spec != nil && spec.dated, err, tt.dated)
		}
	}
}

// TestCronNextDaylightSavingGaps: a day whose only times fall in the hour clocks skip has
// no fire, and the search goes on past any number of such days: the zone's rules may
// change, or the expression's days come round on a day without a gap years later.
func TestCronNextDaylightSavingGaps(t *testing.T) {
	t.Parallel()
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Skip(err)
		}
		return loc
	}
	ny, sp, gaza := zone("America/New_York"), zone("America/Sao_Paulo"), zone("Asia/Gaza")
	for _, tt := range []struct {
		expr string
		from time.Time
		want time.Time // zero: never
	}{
		// The second Sunday of March, the day clocks spring forward in New York since 2007.
		{"0 30 2 8-14 MAR SUN *", time.Date(2026, 3, 1, 0, 0, 0, 0, ny), time.Time{}},
		{"0 30 2 8-21 MAR SUN *", time.Date(2026, 3, 1, 0, 0, 0, 0, ny), time.Date(2026, 3, 15, 2, 30, 0, 0, ny)},
		// 15 March a Sunday, the third: eleven years after 2054.
		{"0 30 2 8-15 MAR SUN *", time.Date(2054, 3, 16, 0, 0, 0, 0, ny), time.Date(2065, 3, 15, 2, 30, 0, 0, ny)},
		// The first Sunday of April was New York's spring gap from 1987 to 2006.
		{"0 30 2 1-7 APR SUN *", time.Date(1990, 1, 1, 0, 0, 0, 0, ny), time.Date(2007, 4, 1, 2, 30, 0, 0, ny)},
		// Sao Paulo's gap was at midnight, on the third Sunday of October until 2017.
		{"0 30 0 15-21 OCT SUN *", time.Date(2010, 1, 1, 0, 0, 0, 0, sp), time.Date(2018, 10, 21, 0, 30, 0, 0, sp)},
		// Gaza's spring gap is on the last Saturday of March until 2054.
		{"0 30 2 24-30 MAR SAT *", time.Date(2026, 4, 1, 0, 0, 0, 0, gaza), time.Date(2055, 3, 27, 2, 30, 0, 0, gaza)},
	} {
		got, err := nextFire(tt.expr, tt.from, tt.from.Location())
		switch {
		case tt.want.IsZero() && !errors.Is(err, errNoFireTime):
			t.Errorf("%s from %v: next %v, %v; want no fire time", tt.expr, tt.from, got, err)
		case !tt.want.IsZero() && (err != nil || !got.Equal(tt.want)):
			t.Errorf("%s from %v: next %v, %v; want %v", tt.expr, tt.from, got, err, tt.want)
		}
	}
}
