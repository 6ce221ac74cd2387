package smalljson

import "time"

// parseTime reads a time as time.Time's UnmarshalJSON does, without
// time.Parse, which would add about 30 KB. Its parseStrictRFC3339 takes
// what time.Parse(time.RFC3339, s) takes (the strict checks are disabled
// up to Go 1.26 at least): YYYY-MM-DDTHH:MM:SS with a one-digit hour
// allowed, an optional fraction after '.' or ',' (digits past the ninth
// ignored), then Z or ±hh:mm with hh up to 24 and mm up to 60; each field
// in range, no leap second. Z gives a time in UTC, an offset that is the
// local zone's at that time a time in time.Local, another offset a time
// in a zone of that fixed offset.
func parseTime(s []byte) (time.Time, bool) {
	ok := true
	// num takes n digits from s, a number from min to max.
	num := func(n, min, max int) int {
		if len(s) < n {
			ok = false
			return 0
		}
		v := 0
		for _, c := range s[:n] {
			if !isDigit(c) {
				ok = false
			}
			v = v*10 + int(c) - '0'
		}
		if v < min || v > max {
			ok = false
		}
		s = s[n:]
		return v
	}
	sep := func(c byte) {
		if len(s) == 0 || s[0] != c {
			ok = false
			return
		}
		s = s[1:]
	}
	year := num(4, 0, 9999)
	sep('-')
	month := num(2, 1, 12)
	sep('-')
	day := num(2, 1, 31)
	sep('T')
	hourDigits := 2
	if len(s) >= 2 && !isDigit(s[1]) {
		hourDigits = 1
	}
	hour := num(hourDigits, 0, 23)
	sep(':')
	min := num(2, 0, 59)
	sep(':')
	sec := num(2, 0, 59)
	if !ok || day > daysIn(month, year) {
		return time.Time{}, false
	}
	nsec := 0
	if len(s) >= 2 && (s[0] == '.' || s[0] == ',') && isDigit(s[1]) {
		n := 1
		for ; n < len(s) && isDigit(s[n]); n++ {
			if n <= 9 {
				nsec = nsec*10 + int(s[n]-'0')
			}
		}
		for i := n; i <= 9; i++ {
			nsec *= 10
		}
		s = s[n:]
	}
	unix := int64(daysSinceEpoch(year, month, day))*86400 + int64(hour*3600+min*60+sec)
	if len(s) == 1 && s[0] == 'Z' {
		return time.Unix(unix, int64(nsec)).UTC(), true
	}
	if len(s) != len("-07:00") || s[0] != '+' && s[0] != '-' {
		return time.Time{}, false
	}
	west := s[0] == '-'
	s = s[1:]
	offset := num(2, 0, 24) * 3600
	sep(':')
	offset += num(2, 0, 60) * 60
	if !ok {
		return time.Time{}, false
	}
	if west {
		offset = -offset
	}
	t := time.Unix(unix-int64(offset), int64(nsec))
	if _, local := t.Zone(); local == offset {
		return t, true // time.Unix gives local time
	}
	return t.In(time.FixedZone("", offset)), true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysSinceEpoch counts days from 1970-01-01 to a date of the proleptic
// Gregorian calendar (Howard Hinnant's days_from_civil; years from 0).
func daysSinceEpoch(year, month, day int) int {
	if month <= 2 {
		year--
	}
	era := year / 400
	if year < 0 {
		era = (year - 399) / 400
	}
	yoe := year - era*400
	m := month + 9
	if month > 2 {
		m = month - 3
	}
	doy := (153*m+2)/5 + day - 1
	return era*146097 + yoe*365 + yoe/4 - yoe/100 + doy - 719468
}
