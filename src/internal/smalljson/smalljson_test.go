package smalljson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Inputs for the syntax and decoding tests: valid and invalid JSON of
// every shape the scanner knows.
var syntaxCases = []string{
	``, ` `, `null`, `true`, `false`, `nul`, `nulll`, `tru`, `True`, `0`, `-0`, `-`, `01`, `1.`, `1.5`, `.5`,
	`1e5`, `1E+5`, `1e-5`, `1e`, `1e+`, `-1.5e-07`, `1.5e07`, `123456789012345678901234567890`,
	`""`, `"abc"`, `"a\"b"`, `"\u00e9"`, `"\u00G9"`, `"\x"`, `"\/"`, "\"\t\"", "\"\x7f\"", `"\ud83d\ude00"`,
	`"unterminated`, `[]`, `[1,2]`, `[1,]`, `[,1]`, `[1 2]`, `{}`, `{"a":1}`, `{"a":1,}`, `{"a" 1}`,
	`{a:1}`, `{"a":1 "b":2}`, `{"a":[{"b":null}]}`, ` { "a" : [ 1 , 2 ] } `, `{"a":1}}`, `[1]]`, `]`, `}`,
	`{"a":1} x`, `1 2`, "\xef\xbb\xbf{}", `{"a":"\ud800"}`, "\"\xff\"", `[` + strings.Repeat(`[`, 5) + `]`,
	`{"a":{"b":{"c":[true,false,null,-1.25e+3,"x"]}}}`, `[-]`, `[0x1]`, `[1e1.5]`, `{"a":tru}`, `"\u12"`,
}

func TestSyntaxAsEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, in := range syntaxCases {
		err := checkValid([]byte(in))
		if (err == nil) != json.Valid([]byte(in)) {
			t.Errorf("%q: valid %v, encoding/json says %v (%v)", in, err == nil, json.Valid([]byte(in)), err)
		}
	}
}

// Syntax errors say what was wrong and where.
func TestSyntaxErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{`{"a":1,}`, `invalid character '}' looking for beginning of object key string at byte offset 7`},
		{`{"a" 1}`, `invalid character '1' after object key at byte offset 5`},
		{`[1 2]`, `invalid character '2' after array element at byte offset 3`},
		{`{"a":tru}`, `invalid character '}' in literal (expecting 'e') at byte offset 8`},
		{"\"a\nb\"", `invalid character '\n' in string literal at byte offset 2`},
		{`{"a":1}x`, `invalid character 'x' after top-level value at byte offset 7`},
		{`{"a":`, `unexpected end of JSON input at byte offset 5`},
		{``, `unexpected end of JSON input at byte offset 0`},
		{`01`, `invalid character '1' after top-level value at byte offset 1`},
	} {
		var v any
		err := Unmarshal([]byte(tt.in), &v)
		var e *Error
		if err == nil || err.Error() != tt.want || !errors.As(err, &e) {
			t.Errorf("%q: error %v, want %s", tt.in, err, tt.want)
		}
	}
}

func TestDepthLimit(t *testing.T) {
	t.Parallel()
	for _, n := range []int{maxDepth, maxDepth + 1} {
		in := strings.Repeat("[", n) + strings.Repeat("]", n)
		err := checkValid([]byte(in))
		if (err == nil) != json.Valid([]byte(in)) || (err == nil) != (n <= maxDepth) {
			t.Errorf("depth %d: %v, encoding/json valid: %v", n, err, json.Valid([]byte(in)))
		}
	}
	// Skipped (unknown) deep values neither recurse nor fail.
	var s struct{ A int }
	in := `{"x":` + strings.Repeat("[", maxDepth-1) + strings.Repeat("]", maxDepth-1) + `,"a":3}`
	if err := Unmarshal([]byte(in), &s); err != nil || s.A != 3 {
		t.Errorf("deep unknown key: %v %+v", err, s)
	}
}

// Strings: escapes, invalid UTF-8 and JavaScript's line separators as
// encoding/json writes them, and back.
var stringCases = []string{
	"", "plain", `q"b\s/`, "<a href='x'>&amp;</a>", "\x00\x01\x1f\x7f", "\b\f\n\r\t", "é ü 中文 😀",
	"\u2028\u2029", "bad \xff utf8 \xc3", "\xed\xa0\x80 surrogate bytes", "\uFFFD", "tab\there",
}

func TestStringsAsEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, s := range stringCases {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("%q: %s, encoding/json %s", s, got, want)
		}
		var back, jback string
		if err := Unmarshal(want, &back); err != nil || json.Unmarshal(want, &jback) != nil || back != jback {
			t.Errorf("%s decodes to %q (%v), encoding/json %q", want, back, err, jback)
		}
	}
	for _, in := range []string{`"\ud83d\ude00"`, `"\ud83d"`, `"\ude00"`, `"\ud83dx"`, `"\ud83d\u0041"`, `"\ud83d\ud83d\ude00"`,
		`"\u0000"`, `"\u00e9\u00E9"`, `"\"\\\/\b\f\n\r\t"`, "\"a\xffb\"", `"\uDBFF\uDFFF"`} {
		var got, want string
		err := Unmarshal([]byte(in), &got)
		jerr := json.Unmarshal([]byte(in), &want)
		if (err == nil) != (jerr == nil) || got != want {
			t.Errorf("%s: %q %v, encoding/json %q %v", in, got, err, want, jerr)
		}
	}
}

func TestFloatsAsEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 10, 2.5, 123.456, 1e-6, 9.99e-7, 1e-7, 1e20, 1e21, 1.5e21,
		-1e-7, 5e-324, math.MaxFloat64, math.SmallestNonzeroFloat64, 1.0 / 3, 1e100, 123456789.125, 4e-9} {
		want, _ := json.Marshal(f)
		got, err := appendFloat(nil, f)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%v: %s %v, encoding/json %s", f, got, err, want)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, err := Marshal(f); err == nil {
			t.Errorf("%v: no error", f)
		}
	}
}

// Floats decode exactly where smalljson claims to, and are refused
// elsewhere; within the range they equal strconv.ParseFloat's result.
func TestParseFloat(t *testing.T) {
	t.Parallel()
	var lits []string
	for _, m := range []string{"0", "1", "7", "12", "999999999999999", "4503599627370495", "4503599627370496", "123456789012345", "9007199254740993", "1000000000000000000000"} {
		for _, e := range []string{"", "e0", "e5", "e22", "e23", "e37", "e38", "e-5", "e-22", "e-23", "e+300", "e-400"} {
			for _, sign := range []string{"", "-"} {
				lits = append(lits, sign+m+e)
				if len(m) > 2 {
					lits = append(lits, sign+m[:2]+"."+m[2:]+e, sign+"0.000"+m+e)
				}
			}
		}
	}
	lits = append(lits, "0.1", "2.5", "10.003", "0.000001", "1.7976931348623157e308", "5e-324", "0e999", "-0.0", "0.30000000000000004")
	for _, lit := range lits {
		got, ok := parseFloat([]byte(lit))
		want, err := strconv.ParseFloat(lit, 64)
		if !ok {
			continue // refused: checked below for what netfix writes
		}
		if err != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("%s: %v, strconv %v (%v)", lit, got, want, err)
		}
	}
	// Everything netfix writes as a float reads back: whole seconds and
	// decimals of up to 15 digits.
	for _, lit := range []string{"10", "2", "0.5", "3600", "10.003", "86400.123456789", "1e-6", "0"} {
		if _, ok := parseFloat([]byte(lit)); !ok {
			t.Errorf("%s refused", lit)
		}
	}
	var x struct{ F float64 }
	if err := Unmarshal([]byte(`{"F":0.1234567890123456789}`), &x); err == nil || !strings.Contains(err.Error(), "beyond the floats") {
		t.Errorf("long float: %v", err)
	}
}

func TestDaysSinceEpoch(t *testing.T) {
	t.Parallel()
	for y := 0; y <= 9999; y += 7 {
		for _, md := range [][2]int{{1, 1}, {2, 28}, {2, 29}, {3, 1}, {12, 31}} {
			if md[1] > daysIn(md[0], y) {
				continue
			}
			want := time.Date(y, time.Month(md[0]), md[1], 0, 0, 0, 0, time.UTC).Unix() / 86400
			if got := daysSinceEpoch(y, md[0], md[1]); int64(got) != want {
				t.Fatalf("%04d-%02d-%02d: %d, want %d", y, md[0], md[1], got, want)
			}
		}
	}
}

var timeCases = []string{
	`"2024-03-01T12:34:56Z"`, `"2024-03-01T12:34:56.123456789Z"`, `"2024-03-01T12:34:56.1234567891234Z"`, `"2024-03-01T12:34:56.5+01:00"`,
	`"2024-07-01T12:34:56+02:00"`, `"2024-01-01T12:34:56+01:00"`, `"2024-01-01T00:00:00-07:30"`, `"0000-01-01T00:00:00Z"`,
	`"9999-12-31T23:59:59.999999999-23:59"`, `"2024-02-29T00:00:00Z"`, `"2023-02-29T00:00:00Z"`, `"2024-13-01T00:00:00Z"`,
	`"2024-00-01T00:00:00Z"`, `"2024-01-32T00:00:00Z"`, `"2024-01-01T24:00:00Z"`, `"2024-01-01T23:60:00Z"`, `"2024-01-01T23:59:60Z"`,
	`"2024-01-01t00:00:00Z"`, `"2024-01-01T00:00:00z"`, `"2024-01-01 00:00:00Z"`, `"2024-01-01T00:00:00"`, `"2024-01-01T00:00:00+24:00"`,
	`"2024-01-01T00:00:00+01:60"`, `"2024-01-01T00:00:00+0100"`, `"2024-01-01T00:00:00.Z"`, `"2024-01-01T00:00:00,5Z"`,
	`"2024-01-01T0:00:00Z"`, `"+024-01-01T00:00:00Z"`, `"2024-01-01T00:00:00\u005a"`, `""`, `"x"`, `null`, `5`, `{}`, `[]`, `true`,
	`"2024-1-01T00:00:00Z"`, `"2024-01-01T00:00:00.123+01:00"`, `"2024-01-01T00:00:00+01:00x"`, `"1900-02-29T00:00:00Z"`, `"2000-02-29T00:00:00Z"`,
}

// Times decode as time.Time's UnmarshalJSON decodes them, location
// included: UTC for Z, Local where the offset is the local one, a fixed
// zone otherwise.
func TestTimesAsEncodingJSON(t *testing.T) { // not parallel: it sets time.Local
	defer func(l *time.Location) { time.Local = l }(time.Local)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		berlin = time.FixedZone("CET", 3600)
	}
	for _, loc := range []*time.Location{time.UTC, berlin, time.FixedZone("X", -7*3600-1800)} {
		time.Local = loc
		for _, in := range timeCases {
			start := time.Date(1, 2, 3, 4, 5, 6, 7, time.UTC)
			got, want := start, start
			err := Unmarshal([]byte(in), &got)
			jerr := json.Unmarshal([]byte(in), &want)
			if (err == nil) != (jerr == nil) || !reflect.DeepEqual(got, want) {
				t.Errorf("local %s, %s: %v (%v), encoding/json %v (%v)", loc, in, got, err, want, jerr)
			}
		}
	}
}

func TestTimeEncodingAsEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, tm := range []time.Time{
		time.Date(2024, 3, 1, 12, 34, 56, 0, time.UTC), time.Date(2024, 3, 1, 12, 34, 56, 120000000, time.FixedZone("", 3600)),
		time.Date(2024, 3, 1, 12, 34, 56, 1, time.FixedZone("", -9000)), time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), {},
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600)), time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("", -30)),
		time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("", 100*3600)), time.Now(),
	} {
		want, jerr := json.Marshal(tm)
		got, err := Marshal(tm)
		if (err == nil) != (jerr == nil) || err == nil && !bytes.Equal(got, want) {
			t.Errorf("%v: %s %v, encoding/json %s %v", tm, got, err, want, jerr)
		}
	}
}

type inner struct {
	X int    `json:"x"`
	Y string `json:"y,omitempty"`
}

type Embedded struct {
	E1 int    `json:"e1"`
	X  string `json:"x"` // hidden by outer.X
	Z  int
}

type Other struct {
	Z int // ambiguous with Embedded.Z at the same depth: dropped
	W int `json:"w"`
}

// common is what outer and its encoding/json twin share: all but the
// RawMessage fields.
type common struct {
	Embedded
	*Other
	X       int               `json:"x"`
	Skip    int               `json:"-"`
	Dash    int               `json:"-,"`
	Bad     int               `json:"it's"` // invalid name: the Go name is used
	Untag   bool              //nolint
	OmitS   string            `json:"omit_s,omitempty"`
	OmitI   int64             `json:"omit_i,omitempty"`
	OmitU   uint8             `json:"omit_u,omitempty"`
	OmitF   float64           `json:"omit_f,omitempty"`
	OmitB   bool              `json:"omit_b,omitempty"`
	OmitP   *inner            `json:"omit_p,omitempty"`
	OmitM   map[string]int    `json:"omit_m,omitempty"`
	OmitL   []string          `json:"omit_l,omitempty"`
	OmitA   any               `json:"omit_a,omitempty"`
	OmitT   time.Time         `json:"omit_t,omitempty"` // a struct is never empty
	NilL    []inner           `json:"nil_l"`
	NilM    map[string]string `json:"nil_m"`
	NilP    *int              `json:"nil_p"`
	Addr    netip.Addr        `json:"addr"`
	AddrP   *netip.Addr       `json:"addr_p"`
	Any     any               `json:"any"`
	Named   namedString       `json:"named"`
	Nested  []map[string]*inner
	private int
}

type outer struct {
	common
	Raw    RawMessage `json:"raw"`
	RawNil RawMessage `json:"raw_nil"`
}

type jsonOuter struct {
	common
	Raw    json.RawMessage `json:"raw"`
	RawNil json.RawMessage `json:"raw_nil"`
}

type namedString string

func sampleOuter() outer {
	seven := 7
	a := netip.MustParseAddr("fe80::1%br-lan<1>")
	return outer{common: common{
		Embedded: Embedded{E1: 1, X: "hidden", Z: 3},
		Other:    &Other{Z: 4, W: 5},
		X:        2, Skip: 9, Dash: 10, Bad: 11, Untag: true, OmitF: math.Copysign(0, -1),
		NilP: &seven, Addr: netip.MustParseAddr("::ffff:192.0.2.1"), AddrP: &a,
		Any: map[string]any{"z": 1, "a": []any{true, nil, "x", 2.5}}, Named: "n",
		Nested: []map[string]*inner{nil, {"b": {X: 1}, "a": nil, "<": {Y: "y"}}},
	}, Raw: RawMessage(" {\"b\" : [1, \"<&>\u2028\"],\n \"a\":null} ")}
}

func TestEncodeAsEncodingJSON(t *testing.T) {
	t.Parallel()
	o := sampleOuter()
	// encoding/json sees the same value with its own RawMessage type.
	j := jsonOuter{common: o.common, Raw: json.RawMessage(o.Raw)}
	for _, v := range [][2]any{{o, j}, {&o, &j}, {nil, nil}, {[]any{o.Any, nil}, []any{j.Any, nil}}, {o.Nested, j.Nested}} {
		compareEncodings(t, v[0], v[1])
	}
}

// compareEncodings checks Marshal, MarshalIndent and the Encoder with and
// without indent against encoding/json.
func compareEncodings(t *testing.T, v, jv any) {
	t.Helper()
	want, jerr := json.Marshal(jv)
	got, err := Marshal(v)
	if (err == nil) != (jerr == nil) || !bytes.Equal(got, want) {
		t.Errorf("Marshal:\n got %s (%v)\nwant %s (%v)", got, err, want, jerr)
	}
	want, _ = json.MarshalIndent(jv, "> ", "\t")
	got, _ = MarshalIndent(v, "> ", "\t")
	if !bytes.Equal(got, want) {
		t.Errorf("MarshalIndent:\n got %s\nwant %s", got, want)
	}
	for _, indent := range []string{"", "  "} {
		var gb, wb bytes.Buffer
		e, je := NewEncoder(&gb), json.NewEncoder(&wb)
		e.SetIndent("", indent)
		je.SetIndent("", indent)
		_, _ = e.Encode(v), je.Encode(jv)
		if gb.String() != wb.String() {
			t.Errorf("Encoder, indent %q:\n got %s\nwant %s", indent, gb.String(), wb.String())
		}
	}
}

func TestRawMessageEncoding(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{`1`, ` "a" `, `{"a" : [ 1 , {} , [] ] }`, `"<\u2028>"`, "\"\u2028\u2029&\"", `{"a":1`, ``, `nul`, `1 2`, "[\"\xff\"]"} {
		want, jerr := json.Marshal(json.RawMessage(raw))
		got, err := Marshal(RawMessage(raw))
		if (err == nil) != (jerr == nil) || !bytes.Equal(got, want) {
			t.Errorf("%q: %s %v, encoding/json %s %v", raw, got, err, want, jerr)
		}
	}
}

func TestDecodeAsEncodingJSON(t *testing.T) {
	t.Parallel()
	type target struct {
		A  int               `json:"a"`
		B  []inner           `json:"b"`
		C  map[string]inner  `json:"c"`
		P  *inner            `json:"p"`
		PP **int             `json:"pp"`
		K  string            `json:"key"`
		S  string            `json:"Sa"`
		U  uint16            `json:"u"`
		I8 int8              `json:"i8"`
		F  float64           `json:"f"`
		T  bool              `json:"t"`
		N  namedString       `json:"n"`
		M  map[string]string `json:"m"`
		Ad netip.Addr        `json:"ad"`
		E  Embedded
		*Other
		Embedded
	}
	for _, in := range []string{
		`{"a":1,"b":[{"x":1,"y":"a"},{"x":2}],"c":{"k":{"x":3}},"p":{"x":4},"pp":5,"key":"v","u":65535,"i8":-128,"f":2.5,"t":true}`,
		`{"b":[{"x":1,"y":"keep"}],"b":[{"x":2}]}`,         // duplicate key: merges into the elements there
		`{"b":[{"x":1},{"x":2}],"b":[],"b":[{"y":"z"}]}`,   // [] starts a new slice
		`{"c":{"k":{"x":1,"y":"a"}},"c":{"k":{"x":2}}}`,    // map elements are replaced
		`{"p":{"x":1,"y":"a"},"p":{"x":2}}`,                // pointers are reused
		`{"p":{"x":1},"p":null,"m":null,"b":null}`,         // null clears pointers, maps, slices
		`{"a":null,"key":null,"t":null,"f":null,"u":null}`, // and leaves others as they are
		`{"A":1,"KEY":"x","sa":"y","Sa":"z","\u212aey":"kelvin","\u017fa":"longs"}`,
		`{"x":1,"e1":2,"E1":3,"w":4,"W":5,"Z":6,"E":{"e1":7,"x":"s"}}`,
		`{"unknown":{"deep":[1,2,{"x":[]}]},"a":1}`,
		`{"u":-1}`, `{"u":65536}`, `{"u":-0}`, `{"a":-0}`, `{"a":1.0}`, `{"a":1e2}`, `{"i8":-129}`, `{"i8":127}`,
		`{"a":"1"}`, `{"key":1}`, `{"t":"true"}`, `{"b":{}}`, `{"c":[]}`, `{"a":{"x":1},"key":"after"}`,
		`{"a":99999999999999999999}`, `{"f":-0}`, `{"f":1e400}`, `{"f":-1.5e-7}`, `{"n":"named"}`,
		`{"ad":"192.0.2.1"}`, `{"ad":""}`, `{"ad":null}`, `{"ad":"::ffff:1.2.3.4"}`, `{"ad":"1.2.3"}`, `{"ad":5}`, `{"ad":{}}`,
		`{"m":{"a":"1","a":"2","b":"3"}}`, `{"m":{"a":1}}`, `[]`, `null`, `"x"`, `{"pp":null}`, `{"pp":{"x":1}}`,
		`{"b":[1,{"x":2}]}`, `{"key":"\u00e9\ud83d\ude00\ud800"}`, `{"c":{"\u00e9":{"x":1}}}`, `{"e":{"w":1}}`,
	} {
		seed := func() target {
			one := 1
			p := &one
			return target{A: 42, B: []inner{{X: 9, Y: "old"}, {X: 8}, {X: 7}}, K: "old", PP: &p, C: map[string]inner{"old": {X: 1}}}
		}
		got, want := seed(), seed()
		err := Unmarshal([]byte(in), &got)
		jerr := json.Unmarshal([]byte(in), &want)
		if (err == nil) != (jerr == nil) {
			t.Errorf("%s: error %v, encoding/json %v", in, err, jerr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", in, got, want)
		}
	}
}

// Type errors name the field and the offset, and do not stop the rest of
// the value from being decoded, as in encoding/json.
func TestTypeErrors(t *testing.T) {
	t.Parallel()
	var v struct {
		A struct {
			B []int32 `json:"b"`
		} `json:"a"`
		C string `json:"c"`
	}
	err := Unmarshal([]byte(`{"a":{"b":[1,"x",3]},"c":"after"}`), &v)
	want := `cannot unmarshal string into Go struct field a.b of type int32 at byte offset 13`
	if err == nil || err.Error() != want || v.C != "after" || !reflect.DeepEqual(v.A.B, []int32{1, 0, 3}) {
		t.Errorf("error %v, value %+v; want %s", err, v, want)
	}
	var n int32
	if err := Unmarshal([]byte(` 4294967297`), &n); err == nil || err.Error() != `cannot unmarshal number 4294967297 into Go value of type int32 at byte offset 1` {
		t.Errorf("overflow: %v", err)
	}
	if err := Unmarshal([]byte(`1`), n); err == nil {
		t.Error("a non-pointer target must be refused")
	}
	var p *int
	if err := Unmarshal([]byte(`1`), p); err == nil {
		t.Error("a nil pointer target must be refused")
	}
}

// What smalljson does not do, it refuses with a reason rather than
// guessing.
func TestUnsupported(t *testing.T) {
	t.Parallel()
	type stringOpt struct {
		N int `json:"n,string"`
	}
	type escapedTag struct {
		N int `json:"n\\x"`
	}
	for _, v := range []any{make(chan int), func() {}, []byte("x"), [2]int{}, float32(1), complex(1, 2), map[int]string{1: "a"},
		stringOpt{}, escapedTag{}, netip.MustParsePrefix("10.0.0.0/8"), time.Second * 0, struct{ R json.RawMessage }{}} {
		_, err := Marshal(v)
		_, isDuration := v.(time.Duration)
		if isDuration { // a plain int64: supported
			if err != nil {
				t.Errorf("%T: %v", v, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "not supported") {
			t.Errorf("Marshal %T: %v, want a 'not supported' error", v, err)
		}
	}
	for _, target := range []any{new(any), new([]byte), new(float32), new(map[int]int), new(json.RawMessage), new(netip.Prefix), new(struct{ A any })} {
		err := Unmarshal([]byte(`{"A":1}`), target)
		if err == nil || !strings.Contains(err.Error(), "not supported") {
			t.Errorf("Unmarshal into %T: %v, want a 'not supported' error", target, err)
		}
	}
}

type hooked struct{ got []byte }

func (h *hooked) UnmarshalJSONValue(b []byte) error {
	h.got = append([]byte(nil), b...)
	if string(b) == `"fail"` {
		return errors.New("hook refused")
	}
	return nil
}

func TestHook(t *testing.T) {
	t.Parallel()
	var v struct {
		H  hooked            `json:"h"`
		HP *hooked           `json:"hp"`
		HL []hooked          `json:"hl"`
		HM map[string]hooked `json:"hm"`
	}
	if err := Unmarshal([]byte(`{"h": {"a" : 1} ,"hp":null,"hl":[1,"x"],"hm":{"k":[ ]}}`), &v); err != nil {
		t.Fatal(err)
	}
	if string(v.H.got) != `{"a" : 1}` || v.HP != nil || len(v.HL) != 2 || string(v.HL[1].got) != `"x"` || string(v.HM["k"].got) != `[ ]` {
		t.Errorf("hook saw %+v", v)
	}
	if err := Unmarshal([]byte(`{"h":"fail"}`), &v); err == nil || err.Error() != "hook refused" {
		t.Errorf("hook error: %v", err)
	}
}

// The Decoder stops after one value: rpcd and the control socket keep
// the stream open after it.
func TestDecoderReadsOneValue(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`{"a":1}`, `[1,2]`, `"s"`, `{"a":` + strings.Repeat(" ", 2000) + `"x"}`} {
		r, w := io.Pipe()
		go func() { _, _ = w.Write([]byte(in)) }()
		var v any = new(RawMessage)
		if err := NewDecoder(r).Decode(v); err != nil || string(*v.(*RawMessage)) != in {
			t.Errorf("%s: %s %v", in, *v.(*RawMessage), err)
		}
		w.Close()
	}
	// Malformed input is refused as soon as it arrives.
	r, w := io.Pipe()
	go func() { _, _ = w.Write([]byte("{not json\n")) }()
	var m map[string]RawMessage
	if err := NewDecoder(r).Decode(&m); err == nil || !strings.Contains(err.Error(), "invalid character 'n'") {
		t.Errorf("garbage: %v", err)
	}
	w.Close()
}

// A stream of values and its end, as encoding/json's Decoder reads them.
func TestDecoderStreamAsEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, in := range []string{``, `  `, `{"a":1} {"a":2}` + "\n", `1 2 3`, `{"a":`, `{"a":1}x`, `[1,2] [`, `12`, `"a""b"`, `{"a":"b"}{}`, `nul`, `1.`} {
		dec, jdec := NewDecoder(strings.NewReader(in)), json.NewDecoder(strings.NewReader(in))
		for i := 0; i < 5; i++ {
			var got RawMessage
			var want json.RawMessage
			err, jerr := dec.Decode(&got), jdec.Decode(&want)
			sameEOF := errors.Is(err, io.EOF) == errors.Is(jerr, io.EOF) && errors.Is(err, io.ErrUnexpectedEOF) == errors.Is(jerr, io.ErrUnexpectedEOF)
			if (err == nil) != (jerr == nil) || !sameEOF || string(got) != string(want) {
				t.Errorf("%q, value %d: %s %v, encoding/json %s %v", in, i, got, err, want, jerr)
				break
			}
			if err != nil {
				break
			}
		}
	}
	// Errors count from the start of the stream.
	dec := NewDecoder(strings.NewReader(`{"a":1} {"a":"x"}`))
	var v struct{ A int }
	_ = dec.Decode(&v)
	if err := dec.Decode(&v); err == nil || !strings.HasSuffix(err.Error(), "at byte offset 13") {
		t.Errorf("second value's error: %v", err)
	}
}

func TestIndentAsEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`{}`, `[]`, `{"a":[],"b":{},"c":[1,{"d":"x,y:[z]\"{"}],"e":null}`, `"x"`, `[[[]]]`, `[{"a":{}}]`} {
		var want bytes.Buffer
		_ = json.Indent(&want, []byte(in), "# ", " ")
		if got := appendIndent(nil, []byte(in), "# ", " "); string(got) != want.String() {
			t.Errorf("%s:\n got %s\nwant %s", in, got, want.String())
		}
	}
}

func FuzzValid(f *testing.F) {
	for _, s := range syntaxCases {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		err := checkValid(b)
		if (err == nil) != json.Valid(b) {
			t.Fatalf("%q: %v, encoding/json valid %v", b, err, json.Valid(b))
		}
		if err == nil {
			var want bytes.Buffer
			_ = json.Compact(&want, b)
			if got, _ := appendRaw(nil, b); string(got) != want.String() && !bytes.ContainsAny(b, "<>&\u2028\u2029") {
				t.Fatalf("compact %q: %s, encoding/json %s", b, got, want.String())
			}
		}
	})
}

// FuzzEncodeString: strings of any bytes encode as encoding/json encodes
// them (as a value, a map key and in indented output) and decode back.
func FuzzEncodeString(f *testing.F) {
	for _, s := range stringCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := map[string]any{s: []string{s}, "k": []string{s, "<" + s}}
		want, _ := json.MarshalIndent(v, "", "  ")
		got, err := MarshalIndent(v, "", "  ")
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%q:\n got %s (%v)\nwant %s", s, got, err, want)
		}
		var back, jback map[string][]string
		if err := Unmarshal(got, &back); err != nil || json.Unmarshal(want, &jback) != nil || !reflect.DeepEqual(back, jback) {
			t.Fatalf("%q decodes to %q (%v), encoding/json %q", s, back, err, jback)
		}
	})
}
