package smalljson

import (
	"fmt"
	"io"
)

// maxDepth caps nesting, as encoding/json does (10000): deeper input is a
// syntax error, never a stack overflow.
const maxDepth = 10000

// Scanner states: what the next byte may be.
const (
	sValue      = iota // a value (top level, after ':' or ',' in an array)
	sValueOrEnd        // a value or ']' (after '[')
	sKeyOrEnd          // a key or '}' (after '{')
	sKey               // a key (after ',' in an object)
	sColon             // ':' after a key
	sAfter             // ',' or the closing bracket after a value
	sString            // inside a string
	sEscape            // after '\' in a string
	sHex               // in \uXXXX, hex digits still expected
	sNeg               // after '-'
	sZero              // after a leading 0
	sInt               // in the integer digits
	sDot               // after '.'
	sFrac              // in the fraction digits
	sExp               // after 'e'
	sExpSign           // after 'e+' or 'e-'
	sExpDigits         // in the exponent digits
	sLiteral           // in true, false or null
	sEnd               // after the top-level value
)

// scanner checks JSON syntax one byte at a time. Being resumable, it lets
// a Decoder find where a value ends in a stream, and refuse malformed
// input as soon as it arrives instead of waiting for more.
type scanner struct {
	state   int
	stack   []byte // open containers, '{' or '['
	inKey   bool   // the string being scanned is an object key
	hex     int    // \u digits still expected
	literal string // rest of true, false or null
	started bool   // a byte other than space was seen
	off     int64  // bytes stepped over so far
	err     error
}

// Results of step.
const (
	scanMore   = iota // byte taken, value not complete
	scanDone          // byte taken, it completed the top-level value
	scanBefore        // the value was complete before this byte (a number ended), which is not taken
	scanError
)

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (s *scanner) fail(c byte, context string) int {
	s.err = &Error{fmt.Sprintf("invalid character %q %s", rune(c), context), s.off}
	s.state = sEnd
	return scanError
}

// endValue records the end of a value: inside a container the next byte
// must be ',' or its end; at the top level the value is complete.
func (s *scanner) endValue() int {
	if len(s.stack) == 0 {
		s.state = sEnd
		return scanDone
	}
	s.state = sAfter
	return scanMore
}

// step takes byte c.
func (s *scanner) step(c byte) int {
	if s.err != nil {
		return scanError
	}
	r := s.step1(c)
	if r != scanBefore {
		s.off++
	}
	return r
}

func (s *scanner) step1(c byte) int {
	switch s.state {
	case sValue, sValueOrEnd:
		if isSpace(c) {
			return scanMore
		}
		if c == ']' && s.state == sValueOrEnd {
			return s.close(c)
		}
		return s.begin(c)
	case sKeyOrEnd, sKey:
		if isSpace(c) {
			return scanMore
		}
		if c == '"' {
			s.state, s.inKey = sString, true
			return scanMore
		}
		if c == '}' && s.state == sKeyOrEnd {
			return s.close(c)
		}
		return s.fail(c, "looking for beginning of object key string")
	case sColon:
		if isSpace(c) {
			return scanMore
		}
		if c == ':' {
			s.state = sValue
			return scanMore
		}
		return s.fail(c, "after object key")
	case sAfter:
		if isSpace(c) {
			return scanMore
		}
		top := s.stack[len(s.stack)-1]
		switch {
		case c == ',' && top == '{':
			s.state = sKey
			return scanMore
		case c == ',':
			s.state = sValue
			return scanMore
		case c == '}' && top == '{', c == ']' && top == '[':
			return s.close(c)
		case top == '{':
			return s.fail(c, "after object key:value pair")
		}
		return s.fail(c, "after array element")
	case sString:
		switch {
		case c == '"':
			if s.inKey {
				s.state, s.inKey = sColon, false
				return scanMore
			}
			return s.endValue()
		case c == '\\':
			s.state = sEscape
		case c < 0x20:
			return s.fail(c, "in string literal")
		}
		return scanMore
	case sEscape:
		switch c {
		case 'b', 'f', 'n', 'r', 't', '\\', '/', '"':
			s.state = sString
		case 'u':
			s.state, s.hex = sHex, 4
		default:
			return s.fail(c, "in string escape code")
		}
		return scanMore
	case sHex:
		if !isHex(c) {
			return s.fail(c, `in \u hexadecimal character escape`)
		}
		if s.hex--; s.hex == 0 {
			s.state = sString
		}
		return scanMore
	case sNeg:
		switch {
		case c == '0':
			s.state = sZero
		case '1' <= c && c <= '9':
			s.state = sInt
		default:
			return s.fail(c, "in numeric literal")
		}
		return scanMore
	case sInt, sZero:
		if s.state == sInt && isDigit(c) {
			return scanMore
		}
		switch c {
		case '.':
			s.state = sDot
			return scanMore
		case 'e', 'E':
			s.state = sExp
			return scanMore
		}
		return s.endNumber(c)
	case sDot:
		if !isDigit(c) {
			return s.fail(c, "after decimal point in numeric literal")
		}
		s.state = sFrac
		return scanMore
	case sFrac:
		if isDigit(c) {
			return scanMore
		}
		if c == 'e' || c == 'E' {
			s.state = sExp
			return scanMore
		}
		return s.endNumber(c)
	case sExp:
		if c == '+' || c == '-' {
			s.state = sExpSign
			return scanMore
		}
		fallthrough
	case sExpSign:
		if !isDigit(c) {
			return s.fail(c, "in exponent of numeric literal")
		}
		s.state = sExpDigits
		return scanMore
	case sExpDigits:
		if isDigit(c) {
			return scanMore
		}
		return s.endNumber(c)
	case sLiteral:
		if c != s.literal[0] {
			return s.fail(c, fmt.Sprintf("in literal (expecting %q)", rune(s.literal[0])))
		}
		if s.literal = s.literal[1:]; s.literal == "" {
			return s.endValue()
		}
		return scanMore
	}
	if isSpace(c) {
		return scanMore
	}
	return s.fail(c, "after top-level value")
}

// begin starts the value whose first byte is c.
func (s *scanner) begin(c byte) int {
	s.started = true
	switch {
	case c == '{' || c == '[':
		if len(s.stack) >= maxDepth {
			return s.fail(c, "exceeding the maximum nesting depth")
		}
		s.stack = append(s.stack, c)
		s.state = sValueOrEnd
		if c == '{' {
			s.state = sKeyOrEnd
		}
	case c == '"':
		s.state = sString
	case c == '-':
		s.state = sNeg
	case c == '0':
		s.state = sZero
	case '1' <= c && c <= '9':
		s.state = sInt
	case c == 't':
		s.state, s.literal = sLiteral, "rue"
	case c == 'f':
		s.state, s.literal = sLiteral, "alse"
	case c == 'n':
		s.state, s.literal = sLiteral, "ull"
	default:
		return s.fail(c, "looking for beginning of value")
	}
	return scanMore
}

// close ends the container on top of the stack with c.
func (s *scanner) close(c byte) int {
	s.stack = s.stack[:len(s.stack)-1]
	return s.endValue()
}

// endNumber handles c, the first byte after a number.
func (s *scanner) endNumber(c byte) int {
	if s.endValue() == scanDone {
		return scanBefore // a top-level number: c belongs to what follows
	}
	return s.step1(c)
}

// eof ends the input: a top-level number completes, anything else
// unfinished is an unexpected end. It returns io.EOF when the input held
// nothing but space.
func (s *scanner) eof() error {
	if s.err != nil {
		return s.err
	}
	switch {
	case s.state == sEnd:
		return nil
	case len(s.stack) == 0 && (s.state == sZero || s.state == sInt || s.state == sFrac || s.state == sExpDigits):
		s.state = sEnd
		return nil
	case !s.started:
		return io.EOF
	}
	s.err = &Error{"unexpected end of JSON input", s.off}
	return s.err
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// checkValid reports whether data is exactly one JSON value, with space
// around it allowed.
func checkValid(data []byte) error {
	var s scanner
	for i := 0; i < len(data); {
		switch s.step(data[i]) {
		case scanError:
			return s.err
		case scanBefore:
			continue // the number before it ended; look at data[i] again
		}
		i++
	}
	if err := s.eof(); err != io.EOF {
		return err
	}
	return &Error{"unexpected end of JSON input", s.off}
}
