package pim

// Recurrence rules: the vCalendar 1.0 basic recurrence grammar (vCalendar
// 1.0 "Recurrence Rule" and its grammar appendix, "D1 #10", "W2 MO WE 20261231T000000Z", "MP1 1+ MO",
// "MD1 1 15 LD", "YM1 6", "YD1 100 #5") and RFC 5545 3.3.10 RECUR values.
// Both are read into recur; what the 1.0 grammar cannot express (BYSETPOS,
// BYHOUR, BYWEEKNO, a weekday in a given month of the year, ...) makes
// format10 report false, and the caller keeps the 2.0 rule as X-RRULE.

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// weekdayCodes are the two-letter weekday names both grammars use.
var weekdayCodes = [7]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// recur is a recurrence rule in the terms both grammars share.
type recur struct {
	freq       string // DAILY, WEEKLY, MONTHLY or YEARLY
	interval   int
	count      int      // 0: no count
	until      string   // end date as written, "" for none
	byDay      []string // "MO", "1FR", "-2FR"
	byMonthDay []int
	byMonth    []int
	byYearDay  []int
	other      bool // 2.0 parts the 1.0 grammar has no equivalent for
}

// rruleParts splits an RFC 5545 RECUR value into upper-case parts.
func rruleParts(v string) map[string]string {
	m := map[string]string{}
	for part := range strings.SplitSeq(v, ";") {
		if k, val, ok := strings.Cut(part, "="); ok {
			m[strings.ToUpper(strings.TrimSpace(k))] = strings.ToUpper(strings.TrimSpace(val))
		}
	}
	return m
}

// parseByDay reads one BYDAY value: "SU", "2MO", "-1FR".
func parseByDay(s string) (pos int, wd time.Weekday, ok bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) < 2 {
		return 0, 0, false
	}
	code := s[len(s)-2:]
	for i, c := range weekdayCodes {
		if c == code {
			wd, ok = time.Weekday(i), true
		}
	}
	if num := s[:len(s)-2]; num != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(num, "+"))
		if err != nil || n == 0 || n < -53 || n > 53 {
			return 0, 0, false
		}
		pos = n
	}
	return pos, wd, ok
}

// atoiOr parses s as an integer, or returns def.
func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(s), "+"))
	if err != nil {
		return def
	}
	return n
}

// parseRecur20 reads an RFC 5545 RECUR value.
func parseRecur20(v string) (recur, error) {
	parts := rruleParts(v)
	r := recur{freq: parts["FREQ"], interval: 1}
	bad := fmt.Errorf("%w: bad RRULE %q", ErrMalformed, v)
	switch r.freq {
	case "DAILY", "WEEKLY", "MONTHLY", "YEARLY":
	case "SECONDLY", "MINUTELY", "HOURLY":
		r.other = true
	default:
		return r, bad
	}
	ints := func(s string, lo, hi int) ([]int, error) {
		var out []int
		for f := range strings.SplitSeq(s, ",") {
			n, err := strconv.Atoi(strings.TrimPrefix(f, "+"))
			if err != nil || n < lo || n > hi || n == 0 {
				return nil, bad
			}
			out = append(out, n)
		}
		return out, nil
	}
	var err error
	for k, val := range parts {
		switch k {
		case "FREQ":
		case "INTERVAL":
			if r.interval = atoiOr(val, 0); r.interval < 1 {
				return r, bad
			}
		case "COUNT":
			if r.count = atoiOr(val, 0); r.count < 1 {
				return r, bad
			}
		case "UNTIL":
			r.until = val
		case "BYDAY":
			for d := range strings.SplitSeq(val, ",") {
				if _, _, ok := parseByDay(d); !ok {
					return r, bad
				}
				r.byDay = append(r.byDay, strings.TrimPrefix(d, "+"))
			}
		case "BYMONTHDAY":
			r.byMonthDay, err = ints(val, -31, 31)
		case "BYMONTH":
			r.byMonth, err = ints(val, 1, 12)
		case "BYYEARDAY":
			r.byYearDay, err = ints(val, -366, 366)
		case "WKST": // matters only with INTERVAL > 1, checked below
		default:
			r.other = true
		}
		if err != nil {
			return r, err
		}
	}
	if parts["INTERVAL"] != "" && atoiOr(parts["INTERVAL"], 0) > 1 && parts["WKST"] != "" && parts["WKST"] != "MO" {
		r.other = true
	}
	return r, nil
}

// String writes r as an RFC 5545 RECUR value, in the order KOrganizer
// writes it: FREQ, COUNT or UNTIL, INTERVAL (if not 1), BYDAY,
// BYMONTHDAY, BYYEARDAY, BYMONTH.
func (r recur) String() string {
	var b strings.Builder
	b.WriteString("FREQ=" + r.freq)
	switch {
	case r.count > 0:
		fmt.Fprintf(&b, ";COUNT=%d", r.count)
	case r.until != "":
		b.WriteString(";UNTIL=" + r.until)
	}
	if r.interval > 1 {
		fmt.Fprintf(&b, ";INTERVAL=%d", r.interval)
	}
	list := func(name string, v []int) {
		if len(v) > 0 {
			s := make([]string, len(v))
			for i, n := range v {
				s[i] = strconv.Itoa(n)
			}
			b.WriteString(";" + name + "=" + strings.Join(s, ","))
		}
	}
	if len(r.byDay) > 0 {
		b.WriteString(";BYDAY=" + strings.Join(r.byDay, ","))
	}
	list("BYMONTHDAY", r.byMonthDay)
	list("BYYEARDAY", r.byYearDay)
	list("BYMONTH", r.byMonth)
	return b.String()
}

// parseRecur10 reads a vCalendar 1.0 rule. A missing duration means
// forever, as KOrganizer and the phones that write rules without one
// mean it (the specification's default of "#2" is not followed). start
// is the event's start, for "MP" without positions. Rules written in the
// 2.0 syntax, as some devices do, are read as such.
func parseRecur10(v string, start time.Time) (recur, error) {
	if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(v)), "FREQ=") {
		return parseRecur20(v)
	}
	bad := fmt.Errorf("%w: bad vCalendar RRULE %q", ErrMalformed, v)
	toks := strings.Fields(strings.ToUpper(v))
	if len(toks) == 0 {
		return recur{}, bad
	}
	var r recur
	head := toks[0]
	kind := strings.TrimRight(head, "0123456789")
	r.interval = atoiOr(head[len(kind):], 1)
	r.freq = map[string]string{"D": "DAILY", "W": "WEEKLY", "MP": "MONTHLY", "MD": "MONTHLY",
		"YM": "YEARLY", "YD": "YEARLY"}[kind]
	if r.freq == "" || r.interval < 1 || r.interval > 1000 {
		return r, bad
	}
	toks = toks[1:]
	if n := len(toks); n > 0 {
		switch last := toks[n-1]; {
		case strings.HasPrefix(last, "#"):
			c, err := strconv.Atoi(last[1:])
			if err != nil || c < 0 {
				return r, bad
			}
			r.count, toks = c, toks[:n-1]
		case len(last) >= 8 && last[0] >= '0' && last[0] <= '9' && !strings.ContainsAny(last, "+-$"):
			if _, err := parseCalTime(last, "", false); err != nil {
				return r, bad
			}
			r.until, toks = last, toks[:n-1]
		}
	}
	var occ []int
	lastWasDay := false
	for _, t := range toks {
		t = strings.TrimSuffix(t, "$")
		wd := -1
		for i, c := range weekdayCodes {
			if c == t {
				wd = i
			}
		}
		num, sign := strings.TrimRight(t, "+-"), strings.TrimLeft(t, "0123456789")
		n, err := strconv.Atoi(num)
		switch {
		case wd >= 0 && (kind == "W" || kind == "MP"):
			if kind == "W" || len(occ) == 0 {
				r.byDay = append(r.byDay, weekdayCodes[wd])
			}
			for _, o := range occ {
				r.byDay = append(r.byDay, strconv.Itoa(o)+weekdayCodes[wd])
			}
			lastWasDay = true
		case kind == "MP" && err == nil && n >= 1 && n <= 5 && (sign == "+" || sign == "-"):
			if lastWasDay {
				occ, lastWasDay = nil, false
			}
			if sign == "-" {
				n = -n
			}
			occ = append(occ, n)
		case kind == "MD" && t == "LD":
			r.byMonthDay = append(r.byMonthDay, -1)
		case kind == "MD" && err == nil && n >= 1 && n <= 31 && (sign == "" || sign == "+" || sign == "-"):
			if sign == "-" {
				n = -n
			}
			r.byMonthDay = append(r.byMonthDay, n)
		case kind == "YM" && err == nil && sign == "" && n >= 1 && n <= 12:
			r.byMonth = append(r.byMonth, n)
		case kind == "YD" && err == nil && sign == "" && n >= 1 && n <= 366:
			r.byYearDay = append(r.byYearDay, n)
		default:
			return r, bad
		}
	}
	if kind == "MP" && len(r.byDay) == 0 && !start.IsZero() {
		pos := (start.Day()-1)/7 + 1
		if pos == 5 {
			pos = -1
		}
		r.byDay = []string{strconv.Itoa(pos) + weekdayCodes[start.Weekday()]}
	}
	return r, nil
}

// format10 writes r in the vCalendar 1.0 grammar; until is the end date
// already in vCalendar form. It reports false for rules the grammar
// cannot express.
func (r recur) format10(until string) (string, bool) {
	if r.other || r.interval < 1 {
		return "", false
	}
	var b strings.Builder
	nums := func(v []int, neg bool) bool {
		for _, n := range v {
			switch {
			case n > 0:
				fmt.Fprintf(&b, " %d", n)
			case neg:
				fmt.Fprintf(&b, " %d-", -n)
			default:
				return false
			}
		}
		return true
	}
	plainDays := true
	for _, d := range r.byDay {
		if pos, _, _ := parseByDay(d); pos != 0 {
			plainDays = false
		}
	}
	switch {
	case r.freq == "DAILY" && len(r.byDay) == 0 && r.onlyBy():
		fmt.Fprintf(&b, "D%d", r.interval)
	case (r.freq == "WEEKLY" || r.freq == "DAILY" && r.interval == 1) && plainDays && r.onlyBy("BYDAY"):
		fmt.Fprintf(&b, "W%d", r.interval)
		for _, d := range r.byDay {
			b.WriteString(" " + d)
		}
	case r.freq == "MONTHLY" && len(r.byDay) > 0 && r.onlyBy("BYDAY"):
		fmt.Fprintf(&b, "MP%d", r.interval)
		for _, d := range r.byDay {
			pos, wd, _ := parseByDay(d)
			if pos == 0 || pos > 5 || pos < -5 {
				return "", false
			}
			sign := "+"
			if pos < 0 {
				sign, pos = "-", -pos
			}
			fmt.Fprintf(&b, " %d%s %s", pos, sign, weekdayCodes[wd])
		}
	case r.freq == "MONTHLY" && r.onlyBy("BYMONTHDAY"):
		fmt.Fprintf(&b, "MD%d", r.interval)
		if !nums(r.byMonthDay, true) {
			return "", false
		}
	case r.freq == "YEARLY" && r.onlyBy("BYMONTH"):
		fmt.Fprintf(&b, "YM%d", r.interval)
		nums(r.byMonth, false)
	case r.freq == "YEARLY" && len(r.byYearDay) > 0 && r.onlyBy("BYYEARDAY"):
		fmt.Fprintf(&b, "YD%d", r.interval)
		if !nums(r.byYearDay, false) {
			return "", false
		}
	default:
		return "", false
	}
	switch {
	case r.count > 0:
		fmt.Fprintf(&b, " #%d", r.count)
	case until != "":
		b.WriteString(" " + until)
	default:
		b.WriteString(" #0")
	}
	return b.String(), true
}

// onlyBy tells whether r has no BY parts other than the named ones.
func (r recur) onlyBy(names ...string) bool {
	has := map[string]bool{"BYDAY": len(r.byDay) > 0, "BYMONTHDAY": len(r.byMonthDay) > 0,
		"BYMONTH": len(r.byMonth) > 0, "BYYEARDAY": len(r.byYearDay) > 0}
	for _, n := range names {
		delete(has, n)
	}
	for _, v := range has {
		if v {
			return false
		}
	}
	return true
}
