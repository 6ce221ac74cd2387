package smalljson

import (
	"errors"
	"io"
	"math"
	"net/netip"
	"reflect"
	"sort"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// Marshal returns the JSON encoding of v, byte for byte what
// encoding/json.Marshal returns.
func Marshal(v any) ([]byte, error) {
	b, err := encode(v)
	defer buffers.Put(b)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), *b...), nil
}

// MarshalIndent is Marshal with each element on its own line, like
// encoding/json.MarshalIndent.
func MarshalIndent(v any, prefix, indent string) ([]byte, error) {
	b, err := encode(v)
	defer buffers.Put(b)
	if err != nil {
		return nil, err
	}
	return appendIndent(make([]byte, 0, 2*len(*b)), *b, prefix, indent), nil
}

// buffers keep encoding buffers from call to call, as encoding/json
// does: growing a new one for each status reply costs more time than the
// encoding.
var buffers = sync.Pool{New: func() any { return new([]byte) }}

// encode encodes v into a buffer from the pool; give it back.
func encode(v any) (*[]byte, error) {
	b := buffers.Get().(*[]byte)
	var err error
	*b, err = appendValue((*b)[:0], reflect.ValueOf(v), nil, 0)
	return b, err
}

// Encoder writes JSON values to a stream, each followed by a newline, in
// one Write each.
type Encoder struct {
	w              io.Writer
	prefix, indent string
}

func NewEncoder(w io.Writer) *Encoder { return &Encoder{w: w} }

// SetIndent makes Encode lay values out like MarshalIndent.
func (e *Encoder) SetIndent(prefix, indent string) { e.prefix, e.indent = prefix, indent }

// Encode writes v and a newline.
func (e *Encoder) Encode(v any) error {
	b, err := encode(v)
	defer buffers.Put(b)
	if err != nil {
		return err
	}
	*b = append(*b, '\n')
	out := *b
	if e.prefix != "" || e.indent != "" {
		out = appendIndent(make([]byte, 0, 2*len(out)), out, e.prefix, e.indent)
	}
	_, err = e.w.Write(out)
	return err
}

// appendValue appends v's encoding to b. info is v's type's, or nil to
// look it up. depth counts containers and pointers, so a cyclic value
// ends in an error, not a stack overflow.
func appendValue(b []byte, v reflect.Value, info *typeInfo, depth int) ([]byte, error) {
	if !v.IsValid() {
		return append(b, "null"...), nil // a nil interface
	}
	if depth > maxDepth {
		return b, errors.New("smalljson: value nested deeper than 10000 levels (a cycle?)")
	}
	if info == nil {
		info = infoOf(v.Type())
	}
	if info.err != nil {
		return b, info.err
	}
	switch info.handling {
	case rawType:
		return appendRaw(b, v.Bytes())
	case timeType:
		return appendTime(b, v.Interface().(time.Time))
	case addrType:
		// netip.Addr's MarshalText, which is not linked otherwise
		if a := v.Interface().(netip.Addr); a.IsValid() {
			return appendString(b, a.String()), nil
		}
		return append(b, `""`...), nil
	}
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			return append(b, "true"...), nil
		}
		return append(b, "false"...), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		// strconv.AppendUint is linked anyway, AppendInt would not be
		n := v.Int()
		if n < 0 {
			return strconv.AppendUint(append(b, '-'), uint64(-n), 10), nil
		}
		return strconv.AppendUint(b, uint64(n), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.AppendUint(b, v.Uint(), 10), nil
	case reflect.Float64:
		return appendFloat(b, v.Float())
	case reflect.String:
		return appendString(b, v.String()), nil
	case reflect.Struct:
		return appendStruct(b, v, info.fields, depth)
	case reflect.Map:
		return appendMap(b, v, depth)
	case reflect.Slice:
		if v.IsNil() {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		var err error
		for i := 0; i < v.Len() && err == nil; i++ {
			if i > 0 {
				b = append(b, ',')
			}
			b, err = appendValue(b, v.Index(i), nil, depth+1)
		}
		return append(b, ']'), err
	}
	// Pointer or interface.
	if v.IsNil() {
		return append(b, "null"...), nil
	}
	return appendValue(b, v.Elem(), nil, depth+1)
}

func appendStruct(b []byte, v reflect.Value, fields []field, depth int) ([]byte, error) {
	b = append(b, '{')
	n := 0
fields:
	for i := range fields {
		f := &fields[i]
		fv := v
		for _, x := range f.index {
			if fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue fields // in an embedded struct that is not there
				}
				fv = fv.Elem()
			}
			fv = fv.Field(x)
		}
		if f.omitEmpty && isEmpty(fv) {
			continue
		}
		if n++; n > 1 {
			b = append(b, ',')
		}
		b = append(b, f.key...)
		var err error
		if b, err = appendValue(b, fv, f.info, depth+1); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

// isEmpty is omitempty's test: false, 0, "", nil, and empty maps and
// slices. A struct is never empty.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}

// appendMap writes a map with its keys sorted, as encoding/json does.
func appendMap(b []byte, v reflect.Value, depth int) ([]byte, error) {
	if v.IsNil() {
		return append(b, "null"...), nil
	}
	type entry struct {
		key   string
		value reflect.Value
	}
	entries := make([]entry, 0, v.Len())
	for it := v.MapRange(); it.Next(); {
		entries = append(entries, entry{it.Key().String(), it.Value()})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
	b = append(b, '{')
	var err error
	for i, e := range entries {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendString(b, e.key), ':')
		if b, err = appendValue(b, e.value, nil, depth+1); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

// appendFloat writes f as encoding/json does (like ES6): plain decimals
// for 1e-6 <= |f| < 1e21, exponent form outside, shortest digits that
// read back to f.
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, errors.New("smalljson: unsupported value: " + strconv.FormatFloat(f, 'g', -1, 64))
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 to e-9, as encoding/json does
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// appendTime writes t as time.Time's MarshalJSON does, RFC 3339 with
// nanoseconds, with its errors for what RFC 3339 cannot express.
func appendTime(b []byte, t time.Time) ([]byte, error) {
	b = append(b, '"')
	n := len(b)
	b = t.AppendFormat(b, time.RFC3339Nano)
	switch s := b[n:]; {
	case s[4] != '-':
		return b, errors.New("smalljson: Time.MarshalJSON: year outside of range [0,9999]")
	case s[len(s)-1] != 'Z':
		c := s[len(s)-6] // the zone is ±hh:mm
		if isDigit(c) || (s[len(s)-5]-'0')*10+s[len(s)-4]-'0' >= 24 {
			return b, errors.New("smalljson: Time.MarshalJSON: timezone hour outside of range [0,23]")
		}
	}
	return append(b, '"'), nil
}

const hex = "0123456789abcdef"

// plainASCII marks the ASCII bytes a JSON string holds as they are.
var plainASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendString writes s as a JSON string the way encoding/json does:
// HTML-safe (<, > and & escaped), U+2028 and U+2029 escaped for
// JavaScript, invalid UTF-8 as \ufffd.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if plainASCII[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(append(b, s[start:]...), '"')
}

// appendRaw writes a RawMessage compacted, as encoding/json does: nil is
// null, anything not valid JSON an error, and <, >, &, U+2028 and U+2029
// escaped.
func appendRaw(b, raw []byte) ([]byte, error) {
	if raw == nil {
		return append(b, "null"...), nil
	}
	if err := checkValid(raw); err != nil {
		return b, errors.New("smalljson: RawMessage: " + err.Error())
	}
	inString, escaped := false, false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '<' || c == '>' || c == '&':
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			continue
		case c == 0xE2 && i+2 < len(raw) && raw[i+1] == 0x80 && raw[i+2]&^1 == 0xA8:
			b = append(b, '\\', 'u', '2', '0', '2', hex[raw[i+2]&0xF])
			i += 2
			continue
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case isSpace(c):
			continue
		case c == '"':
			inString = true
		}
		b = append(b, c)
	}
	return b, nil
}

// appendIndent lays compact JSON out like encoding/json's Indent: one
// element per line, "key": value, empty objects and arrays kept as {} and
// []. src is smalljson's own output, so nothing but strings needs care.
func appendIndent(b, src []byte, prefix, indent string) []byte {
	depth := 0
	newline := func() {
		b = append(append(b, '\n'), prefix...)
		for i := 0; i < depth; i++ {
			b = append(b, indent...)
		}
	}
	inString, escaped := false, false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			b = append(b, c)
			continue
		}
		switch c {
		case '"':
			inString = true
			b = append(b, c)
		case '{', '[':
			b = append(b, c)
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				b = append(b, src[i+1])
				i++
				continue
			}
			depth++
			newline()
		case ',':
			b = append(b, c)
			newline()
		case ':':
			b = append(b, ':', ' ')
		case '}', ']':
			depth--
			newline()
			b = append(b, c)
		default:
			b = append(b, c)
		}
	}
	return b
}
