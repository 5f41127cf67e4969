package condition

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// orderedFamily: the Numeric and Date operators (…Equals, …NotEquals, …LessThan,
// …LessThanEquals, …GreaterThan, …GreaterThanEquals). No variables.
//
// Numbers are decimals written as strings ("10", "-2.5", ".5"), no exponents; two integers
// that fit 64 bits compare exactly, anything else as float64. Dates are W3C ISO 8601
// (2006-01, 2006-01-02, 2006-01-02T15:04Z07:00, 2006-01-02T15:04:05[.frac]Z07:00) or epoch
// seconds with an optional fraction, compared as instants. Decision: a string of digits
// alone is epoch seconds, never a year (the W3C year-only form is not accepted).
type orderedFamily struct {
	cmp  comparison
	date bool
}

// read parses a value of the family's type.
func (f orderedFamily) read(s string) (compiled, bool) {
	if f.date {
		t, ok := parseDate(s)
		return compiled{t: t}, ok
	}
	n, ok := parseNumber(s)
	return compiled{num: n}, ok
}

// order compares two values of the family's type: -1, 0 or +1.
func (f orderedFamily) order(a, b *compiled) int {
	if f.date {
		return a.t.Compare(b.t)
	}
	return a.num.compare(b.num)
}

func (f orderedFamily) compile(t Template) (compiled, error) {
	c, ok := f.read(t.String())
	if !ok && f.date {
		return compiled{}, fmt.Errorf("%q is not an ISO 8601 date or epoch time", t.String())
	}
	if !ok {
		return compiled{}, fmt.Errorf("%q is not a number", t.String())
	}
	return c, nil
}

func (f orderedFamily) match(pv *compiled, v string, _ Context) bool {
	c, ok := f.read(v)
	return ok && f.cmp.holds(f.order(&c, pv))
}

func (orderedFamily) wildcards() bool { return false }
func (orderedFamily) variables() bool { return false }

type number struct {
	i     int64
	f     float64
	isInt bool
}

func parseNumber(s string) (number, bool) {
	if !isDecimal(s) {
		return number{}, false
	}
	if !strings.Contains(s, ".") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return number{i: i, f: float64(i), isInt: true}, true
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return number{}, false
	}
	return number{f: f}, true
}

// isDecimal accepts [+-]?(digits[.digits*] | .digits).
func isDecimal(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	digits, dots := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			digits++
		case c == '.' && dots == 0:
			dots++
		default:
			return false
		}
	}
	return digits > 0
}

func (a number) compare(b number) int {
	if a.isInt && b.isInt {
		return cmp.Compare(a.i, b.i)
	}
	return cmp.Compare(a.f, b.f)
}

func parseDate(s string) (time.Time, bool) {
	if t, ok := parseEpoch(s); ok {
		return t, true
	}
	for _, layout := range [...]string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02", "2006-01"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseEpoch parses digits[.digits] as seconds since 1970 (nanosecond precision at most).
func parseEpoch(s string) (time.Time, bool) {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || (hasFrac && (frac == "" || !allDigits(frac) || len(frac) > 9)) {
		return time.Time{}, false
	}
	sec, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	var nsec int64
	for i := 0; i < 9; i++ {
		nsec *= 10
		if i < len(frac) {
			nsec += int64(frac[i] - '0')
		}
	}
	return time.Unix(sec, nsec), true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
