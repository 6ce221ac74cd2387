package smalljson

import (
	"io"
	"net/netip"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"
)

// Unmarshal decodes the JSON value in data into v, a non-nil pointer,
// with encoding/json's rules (see the package comment for what is
// refused). Malformed data changes nothing; a value that does not fit its
// Go type is reported after the rest has been decoded.
func Unmarshal(data []byte, v any) error {
	if err := checkValid(data); err != nil {
		return err
	}
	return decode(data, 0, v)
}

// Decoder reads JSON values from a stream, one per Decode. It reads no
// further than it needs: Decode returns as soon as an object or array is
// complete, without waiting for more input or its end, and refuses
// malformed input as soon as it arrives.
type Decoder struct {
	r   io.Reader
	buf []byte // read, not yet decoded
	off int64  // offset of buf[0] in the stream
	err error  // from the last read
}

func NewDecoder(r io.Reader) *Decoder { return &Decoder{r: r} }

// Decode reads the next value into v. At the end of the input before any
// value it returns io.EOF, within a value io.ErrUnexpectedEOF.
func (dec *Decoder) Decode(v any) error {
	s := scanner{off: dec.off}
	n := 0 // bytes of buf scanned
scan:
	for {
		for ; n < len(dec.buf); n++ {
			switch s.step(dec.buf[n]) {
			case scanDone:
				n++
				break scan
			case scanBefore:
				break scan
			case scanError:
				return s.err
			}
		}
		if dec.err != nil {
			if dec.err != io.EOF {
				return dec.err
			}
			switch err := s.eof(); err {
			case nil:
				break scan
			case io.EOF:
				return io.EOF
			}
			return io.ErrUnexpectedEOF
		}
		dec.refill()
	}
	data := dec.buf[:n]
	dec.buf = dec.buf[n:]
	off := dec.off
	dec.off += int64(n)
	return decode(data, off, v)
}

func (dec *Decoder) refill() {
	const minRead = 512
	if cap(dec.buf)-len(dec.buf) < minRead {
		b := make([]byte, len(dec.buf), 2*cap(dec.buf)+minRead)
		copy(b, dec.buf)
		dec.buf = b
	}
	n, err := dec.r.Read(dec.buf[len(dec.buf):cap(dec.buf)])
	dec.buf = dec.buf[:len(dec.buf)+n]
	dec.err = err
}

// decodeState decodes one value known to be valid JSON.
type decodeState struct {
	data []byte
	off  int      // next byte of data
	base int64    // offset of data[0] in the input, for messages
	err  error    // the first value that did not fit; decoding goes on
	path []string // JSON names of the fields being decoded, for messages
}

func decode(data []byte, base int64, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &Error{Msg: "smalljson: Unmarshal needs a non-nil pointer, not " + rv.Kind().String()}
	}
	d := decodeState{data: data, base: base}
	if err := d.value(rv); err != nil {
		return err
	}
	return d.err
}

// mismatch records that the value at start, described by what, does not
// fit type t, unless an earlier one did not.
func (d *decodeState) mismatch(what string, t reflect.Type, start int) {
	if d.err != nil {
		return
	}
	msg := "cannot unmarshal " + what + " into Go value of type " + t.String()
	if len(d.path) > 0 {
		msg = "cannot unmarshal " + what + " into Go struct field " + strings.Join(d.path, ".") + " of type " + t.String()
	}
	d.err = &Error{Msg: msg, Offset: d.base + int64(start)}
}

// fail is an error that stops decoding: the value at start is one
// smalljson cannot take at all.
func (d *decodeState) fail(msg string, start int) error {
	if len(d.path) > 0 {
		msg += " in field " + strings.Join(d.path, ".")
	}
	return &Error{Msg: msg, Offset: d.base + int64(start)}
}

func (d *decodeState) skipSpace() {
	for d.off < len(d.data) && isSpace(d.data[d.off]) {
		d.off++
	}
}

// value decodes the value at d.off into v; an invalid v skips it.
func (d *decodeState) value(v reflect.Value) error {
	d.skipSpace()
	start := d.off
	c := d.data[start]
	if !v.IsValid() {
		d.skip()
		return nil
	}
	// Follow pointers, allocating where nil; null stops at the first one
	// it can set to nil.
	for v.Kind() == reflect.Pointer {
		if c == 'n' && v.CanSet() {
			v.SetZero()
			d.skip()
			return nil
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	info := infoOf(v.Type())
	if info.err != nil {
		return d.fail(info.err.Error(), start)
	}
	switch info.handling {
	case rawType:
		d.skip()
		v.SetBytes(append(v.Bytes()[:0], d.data[start:d.off]...))
		return nil
	case hookType:
		d.skip()
		return v.Addr().Interface().(Unmarshaler).UnmarshalJSONValue(d.data[start:d.off])
	case timeType:
		d.skip()
		switch c {
		case 'n':
			return nil // null leaves it as it is, as time.Time's UnmarshalJSON does
		case '"':
			// As time.Time's UnmarshalJSON: the bytes between the quotes,
			// not unescaped; what does not parse leaves the zero time.
			t, ok := parseTime(d.data[start+1 : d.off-1])
			*v.Addr().Interface().(*time.Time) = t
			if !ok {
				return d.fail("cannot parse "+string(d.data[start:d.off])+" as an RFC 3339 time", start)
			}
			return nil
		}
		return d.fail("cannot unmarshal "+kindOf(c)+" into Go value of type time.Time", start)
	case addrType:
		switch c {
		case 'n':
			d.skip()
			return nil
		case '"':
			// netip.Addr's UnmarshalText, which is not linked otherwise:
			// "" is the zero Addr, an error leaves it too.
			a, err := netip.Addr{}, error(nil)
			if s := d.str(); len(s) > 0 {
				a, err = netip.ParseAddr(string(s))
			}
			*v.Addr().Interface().(*netip.Addr) = a
			if err != nil {
				return d.fail(err.Error(), start)
			}
			return nil
		}
		d.skip()
		d.mismatch(kindOf(c), v.Type(), start)
		return nil
	}
	switch c {
	case '{':
		return d.object(v, info)
	case '[':
		return d.array(v)
	case 'n':
		d.skip()
		switch v.Kind() {
		case reflect.Map, reflect.Slice, reflect.Interface:
			v.SetZero() // null for other kinds changes nothing
		}
		return nil
	case 't', 'f':
		d.skip()
		if v.Kind() != reflect.Bool {
			return d.notFor(kindOf(c), v, start)
		}
		v.SetBool(c == 't')
		return nil
	case '"':
		s := d.str()
		if v.Kind() != reflect.String {
			return d.notFor(kindOf(c), v, start)
		}
		v.SetString(string(s))
		return nil
	}
	d.skip()
	return d.number(d.data[start:d.off], v, start)
}

// notFor records a mismatch, or fails for a target smalljson does not fill.
func (d *decodeState) notFor(what string, v reflect.Value, start int) error {
	if v.Kind() == reflect.Interface {
		return d.fail("smalljson: decoding into an interface ("+v.Type().String()+") is not supported", start)
	}
	d.mismatch(what, v.Type(), start)
	return nil
}

func kindOf(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

func (d *decodeState) number(lit []byte, v reflect.Value, start int) error {
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := parseInt(lit)
		if bits := 64 - 8*v.Type().Size(); !ok || n<<bits>>bits != n {
			d.mismatch("number "+string(lit), v.Type(), start)
			return nil
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, ok := parseUint(lit)
		if bits := 64 - 8*v.Type().Size(); !ok || n<<bits>>bits != n {
			d.mismatch("number "+string(lit), v.Type(), start)
			return nil
		}
		v.SetUint(n)
	case reflect.Float64:
		f, ok := parseFloat(lit)
		if !ok {
			return d.fail("number "+string(lit)+" is beyond the floats smalljson reads exactly (at most 15 significant digits, times a power of ten up to 22)", start)
		}
		v.SetFloat(f)
	default:
		return d.notFor("number "+string(lit), v, start)
	}
	return nil
}

// parseUint reads an integer literal as strconv.ParseUint(lit, 10, 64)
// does: no sign, no fraction, no exponent, no overflow.
func parseUint(lit []byte) (uint64, bool) {
	var n uint64
	for _, c := range lit {
		if !isDigit(c) || n > (1<<64-1)/10 {
			return 0, false
		}
		n0 := n
		n = n*10 + uint64(c-'0')
		if n < n0 {
			return 0, false
		}
	}
	return n, true
}

// parseInt is strconv.ParseInt(lit, 10, 64) for valid JSON numbers.
func parseInt(lit []byte) (int64, bool) {
	neg := lit[0] == '-'
	if neg {
		lit = lit[1:]
	}
	u, ok := parseUint(lit)
	switch {
	case !ok || u > 1<<63 || u == 1<<63 && !neg:
		return 0, false
	case neg:
		return -int64(u), true
	}
	return int64(u), true
}

// parseFloat converts a JSON number where float64 arithmetic gives the
// correctly rounded result, strconv's exact fast path: an integer mantissa
// below 2^52 times or divided by an exact power of ten (10^22 at most).
// Out of that it reports false: strconv.ParseFloat's general algorithms
// (about 20 KB on mipsle) are left out, as netfix writes no such floats.
func parseFloat(lit []byte) (float64, bool) {
	neg := lit[0] == '-'
	i := 0
	if neg {
		i++
	}
	// The mantissa's first 19 significant digits, where the decimal
	// point falls (dp), and whether a non-zero digit was dropped; as
	// strconv's readFloat.
	var mant uint64
	nd, ndMant, dp := 0, 0, 0
	sawDot, trunc := false, false
	for ; i < len(lit); i++ {
		c := lit[i]
		if c == '.' {
			sawDot, dp = true, nd
			continue
		}
		if !isDigit(c) {
			break
		}
		if c == '0' && nd == 0 {
			dp-- // leading zeros
			continue
		}
		nd++
		if ndMant < 19 {
			mant = mant*10 + uint64(c-'0')
			ndMant++
		} else if c != '0' {
			trunc = true
		}
	}
	if !sawDot {
		dp = nd
	}
	if i < len(lit) { // exponent
		i++
		sign := 1
		if lit[i] == '+' || lit[i] == '-' {
			if lit[i] == '-' {
				sign = -1
			}
			i++
		}
		e := 0
		for ; i < len(lit); i++ {
			if e < 10000 {
				e = e*10 + int(lit[i]-'0')
			}
		}
		dp += e * sign
	}
	f := float64(mant)
	if neg {
		f = -f
	}
	if mant == 0 {
		return f, true // zero, whatever the exponent
	}
	exp := dp - ndMant
	switch {
	case trunc || mant>>52 != 0:
		return 0, false
	case exp == 0:
		return f, true
	case exp > 0 && exp <= 15+22:
		if exp > 22 { // move zeros into the mantissa while it stays exact
			f *= pow10[exp-22]
			exp = 22
		}
		if f > 1e15 || f < -1e15 {
			return 0, false
		}
		return f * pow10[exp], true
	case exp < 0 && exp >= -22:
		return f / pow10[-exp], true
	}
	return 0, false
}

// pow10 are the powers of ten float64 holds exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

func (d *decodeState) object(v reflect.Value, info *typeInfo) error {
	start := d.off
	switch v.Kind() {
	case reflect.Map:
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
	case reflect.Struct:
	default:
		d.skip()
		return d.notFor("object", v, start)
	}
	d.off++ // {
	for {
		d.skipSpace()
		switch d.data[d.off] {
		case '}':
			d.off++
			return nil
		case ',':
			d.off++
			d.skipSpace()
		}
		key := d.str()
		d.skipSpace()
		d.off++ // :
		if v.Kind() == reflect.Map {
			// A fresh element each time, set when decoded, as encoding/json.
			t := v.Type()
			elem := reflect.New(t.Elem()).Elem()
			if err := d.value(elem); err != nil {
				return err
			}
			k := reflect.New(t.Key()).Elem()
			k.SetString(string(key))
			v.SetMapIndex(k, elem)
			continue
		}
		f := lookup(info.fields, key)
		if f == nil {
			d.skipSpace()
			d.skip() // unknown keys are ignored
			continue
		}
		fv := v
		for _, x := range f.index {
			if fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					if !fv.CanSet() {
						d.skipSpace()
						return d.fail("smalljson: cannot set embedded pointer to unexported struct "+fv.Type().Elem().String(), d.off)
					}
					fv.Set(reflect.New(fv.Type().Elem()))
				}
				fv = fv.Elem()
			}
			fv = fv.Field(x)
		}
		d.path = append(d.path, f.name)
		if err := d.value(fv); err != nil {
			return err
		}
		d.path = d.path[:len(d.path)-1]
	}
}

// lookup finds the field for a key, an exact match first, else the first
// that matches regardless of case (as bytes.EqualFold, like
// encoding/json).
func lookup(fields []field, key []byte) *field {
	for i := range fields {
		if fields[i].name == string(key) {
			return &fields[i]
		}
	}
	for i := range fields {
		if foldEqual(key, fields[i].name) {
			return &fields[i]
		}
	}
	return nil
}

// foldEqual is bytes.EqualFold(key, []byte(name)) for an ASCII name,
// without Unicode's case tables: besides ASCII letters, the only runes
// that fold to ASCII are U+212A KELVIN SIGN (k) and U+017F LATIN SMALL
// LETTER LONG S (s).
func foldEqual(key []byte, name string) bool {
	j := 0
	for i := 0; i < len(key); j++ {
		c := key[i]
		i++
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(key[i-1:])
			i += size - 1
			switch r {
			case '\u212a':
				c = 'k'
			case '\u017f':
				c = 's'
			default:
				return false
			}
		}
		if j >= len(name) || lower(c) != lower(name[j]) {
			return false
		}
	}
	return j == len(name)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// array decodes into a slice the way encoding/json does: into the
// elements already there, growing it as needed, then cutting it to the
// array's length (an empty array gives an empty, non-nil slice).
func (d *decodeState) array(v reflect.Value) error {
	start := d.off
	if v.Kind() != reflect.Slice {
		d.skip()
		return d.notFor("array", v, start)
	}
	d.off++ // [
	i := 0
	for {
		d.skipSpace()
		if d.data[d.off] == ']' {
			d.off++
			break
		}
		if d.data[d.off] == ',' {
			d.off++
		}
		if i >= v.Cap() {
			v.Grow(1)
		}
		if i >= v.Len() {
			v.SetLen(i + 1)
		}
		if err := d.value(v.Index(i)); err != nil {
			return err
		}
		i++
	}
	if i < v.Len() {
		v.SetLen(i)
	}
	if i == 0 {
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
	}
	return nil
}

// skip moves past the value at d.off.
func (d *decodeState) skip() {
	depth := 0
	for {
		switch c := d.data[d.off]; {
		case c == '"':
			d.skipString()
		case c == '{' || c == '[':
			depth++
			d.off++
		case c == '}' || c == ']':
			depth--
			d.off++
		case c == ',' || c == ':' || isSpace(c):
			d.off++
		default: // number or literal
			for d.off < len(d.data) && (isDigit(d.data[d.off]) || 'a' <= d.data[d.off] && d.data[d.off] <= 'z' ||
				strings.IndexByte("+-.E", d.data[d.off]) >= 0) {
				d.off++
			}
		}
		if depth == 0 {
			return
		}
	}
}

func (d *decodeState) skipString() {
	for d.off++; d.data[d.off] != '"'; d.off++ {
		if d.data[d.off] == '\\' {
			d.off++
		}
	}
	d.off++
}

// str reads the string at d.off and returns its contents, decoded as
// encoding/json does: invalid UTF-8 and unpaired surrogates become U+FFFD.
func (d *decodeState) str() []byte {
	start := d.off
	d.skipString()
	s := d.data[start+1 : d.off-1]
	i := 0
	for i < len(s) { // nothing to change up to i
		if s[i] == '\\' {
			break
		}
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	if i == len(s) {
		return s
	}
	b := append(make([]byte, 0, len(s)), s[:i]...)
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\\' && s[i+1] == 'u':
			r := hex4(s[i+2:])
			i += 6
			if 0xD800 <= r && r < 0xE000 { // a surrogate: valid only as a high-low pair
				if r < 0xDC00 && i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if r2 := hex4(s[i+2:]); 0xDC00 <= r2 && r2 < 0xE000 {
						r = (r-0xD800)<<10 | (r2 - 0xDC00) + 0x10000
						i += 6
						b = utf8.AppendRune(b, r)
						continue
					}
				}
				r = utf8.RuneError
			}
			b = utf8.AppendRune(b, r)
		case c == '\\':
			c = s[i+1]
			switch c {
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			}
			b = append(b, c) // ", \ and / stand for themselves
			i += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRune(s[i:])
			b = utf8.AppendRune(b, r)
			i += size
		}
	}
	return b
}

// hex4 reads the four hex digits the scanner has checked.
func hex4(s []byte) rune {
	var r rune
	for _, c := range s[:4] {
		switch {
		case c <= '9':
			c -= '0'
		case c <= 'F':
			c -= 'A' - 10
		default:
			c -= 'a' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}
