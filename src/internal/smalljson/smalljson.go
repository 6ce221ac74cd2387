// Package smalljson encodes and decodes JSON the way encoding/json does,
// for the types netfix uses, in much less code.
//
// Why: encoding/json was the largest removable part of the router binary
// (about 320 KB of 4.2 MB on mipsle, with what it pulls in: time.Parse,
// strconv.ParseFloat, base64, generic sorts, reflect's method tables and
// the MarshalText methods of every type in the binary). smalljson is
// reflect-based like encoding/json, so no type needs boilerplate, but it
// only handles what netfix's documents hold and refuses the rest with an
// error instead of guessing:
//
//   - encoding is byte-identical to encoding/json (HTML-safe escaping,
//     field order, omitempty, sorted map keys, float format, MarshalIndent
//     and Encoder layout); the tests compare the two on every JSON type of
//     the product;
//   - decoding follows encoding/json's rules (exact then case-insensitive
//     keys, unknown keys ignored, merging into existing values, first type
//     error reported after the whole value is read), and the Decoder reads
//     exactly one value from a stream;
//   - time.Time, netip.Addr and RawMessage are handled by type, never
//     through MarshalJSON/MarshalText/UnmarshalText interface calls: such
//     calls keep every implementation in the binary (time.Time's
//     UnmarshalJSON alone links time.Parse). Other types with those
//     methods, []byte, arrays, float32, complex, channels, functions,
//     non-string map keys, the ",string" tag option and decoding into an
//     interface are refused;
//   - floats decode only where float64 arithmetic is exact (at most 15
//     significant digits, powers of ten up to 22), which covers every
//     float netfix writes, without strconv.ParseFloat.
package smalljson

import (
	"net/netip"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Error is malformed JSON or a JSON value that does not fit its Go type.
// Offset counts the bytes of the input (the stream, for a Decoder) before
// the offending one.
type Error struct {
	Msg    string
	Offset int64
}

func (e *Error) Error() string {
	return e.Msg + " at byte offset " + strconv.FormatInt(e.Offset, 10)
}

// RawMessage is a raw encoded JSON value, like encoding/json's: decoding
// copies the value's bytes into it (a JSON null as "null"), encoding
// writes it compacted.
type RawMessage []byte

// Unmarshaler is implemented by types that decode themselves from a JSON
// value, given valid JSON that they must copy to keep. It is encoding/json's Unmarshaler under another
// method name: an interface call of UnmarshalJSON would keep time.Time's
// UnmarshalJSON in the binary, and with it time.Parse.
type Unmarshaler interface {
	UnmarshalJSONValue(data []byte) error
}

// How a type is handled.
const (
	plain    = iota
	rawType  // RawMessage
	timeType // time.Time: RFC 3339 with nanoseconds
	addrType // netip.Addr: its text form
	hookType // *T implements Unmarshaler (decoding only)
)

var (
	rawMessageT = reflect.TypeOf(RawMessage(nil))
	timeT       = reflect.TypeOf(time.Time{})
	addrT       = reflect.TypeOf(netip.Addr{})
)

// foreignMethod names the method encoding/json would call on p, a *T,
// and smalljson does not. (Type assertions, not reflect's Implements,
// which would add about 2 KB to the binary.)
func foreignMethod(p any) string {
	switch p.(type) {
	case interface{ MarshalJSON() ([]byte, error) }:
		return "MarshalJSON"
	case interface{ UnmarshalJSON([]byte) error }:
		return "UnmarshalJSON"
	case interface{ MarshalText() ([]byte, error) }:
		return "MarshalText"
	case interface{ UnmarshalText([]byte) error }:
		return "UnmarshalText"
	}
	return ""
}

// typeInfo is what smalljson knows about a type, worked out once.
type typeInfo struct {
	handling int
	err      error   // the type is not supported, and why
	fields   []field // a struct's JSON members in field order
}

// field is one JSON member of a struct.
type field struct {
	name      string
	key       string       // `"name":` as the encoder writes it
	index     []int        // field indexes from the outer struct, through embedded ones
	typ       reflect.Type // the Go field's type
	info      *typeInfo    // typ's, so the encoder looks up no type per field
	tagged    bool         // the name comes from a tag
	omitEmpty bool
}

var infos sync.Map // reflect.Type -> *typeInfo

func infoOf(t reflect.Type) *typeInfo {
	if i, ok := infos.Load(t); ok {
		return i.(*typeInfo)
	}
	i, _ := infos.LoadOrStore(t, newInfo(t))
	return i.(*typeInfo)
}

func newInfo(t reflect.Type) *typeInfo {
	info := &typeInfo{}
	switch t {
	case rawMessageT:
		info.handling = rawType
		return info
	case timeT:
		info.handling = timeType
		return info
	case addrT:
		info.handling = addrType
		return info
	}
	p := reflect.New(t).Interface() // a *T has the methods of T and *T
	if _, ok := p.(Unmarshaler); ok {
		info.handling = hookType
	}
	if m := foreignMethod(p); m != "" {
		info.err = unsupported(t, "it has a "+m+" method, which smalljson does not call")
		return info
	}
	switch t.Kind() {
	case reflect.Bool, reflect.String, reflect.Float64, reflect.Pointer, reflect.Interface,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			info.err = unsupported(t, "encoding/json writes byte slices in base64")
		}
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			info.err = unsupported(t, "map keys must be strings")
		}
	case reflect.Struct:
		info.fields, info.err = structFields(t)
		for i := range info.fields {
			// A struct cannot hold itself but through a pointer, slice or
			// map, whose info does not look further: this ends.
			f := &info.fields[i]
			if f.info = infoOf(f.typ); f.info.err != nil && info.err == nil {
				info.err = f.info.err
			}
		}
	default:
		info.err = unsupported(t, "smalljson does not handle "+t.Kind().String()+" values")
	}
	return info
}

func unsupported(t reflect.Type, why string) error {
	return &Error{Msg: "smalljson: type " + t.String() + " is not supported: " + why, Offset: 0}
}

// structFields lists the JSON members of struct t by encoding/json's rules
// (its typeFields): exported fields and the fields of embedded structs,
// named by their tag or Go name; of several fields with the same name the
// shallowest wins, a tagged one if two are equally deep, none if that is
// still a tie.
func structFields(t reflect.Type) ([]field, error) {
	type embedded struct {
		typ   reflect.Type
		index []int
	}
	var fields []field
	current, next := []embedded{}, []embedded{{typ: t}}
	var count, nextCount map[reflect.Type]int
	visited := map[reflect.Type]bool{}
	for len(next) > 0 {
		current, next = next, current[:0]
		count, nextCount = nextCount, map[reflect.Type]int{}
		for _, e := range current {
			if visited[e.typ] {
				continue
			}
			visited[e.typ] = true
			for i := 0; i < e.typ.NumField(); i++ {
				sf := e.typ.Field(i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if !sf.IsExported() && !(sf.Anonymous && ft.Kind() == reflect.Struct) {
					continue // embedded structs of unexported types may still have exported fields
				}
				tag, ok := jsonTag(sf.Tag)
				if !ok {
					return nil, unsupported(t, "field "+sf.Name+" has a json tag with a backslash")
				}
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if opts != "" && opts != "omitempty" {
					return nil, unsupported(t, "field "+sf.Name+" has tag options ,"+opts+" (only omitempty is)")
				}
				if !validName(name) {
					name = ""
				}
				index := append(append([]int(nil), e.index...), i)
				if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
					// Its fields are promoted, unless deeper than others of the same name.
					if nextCount[ft]++; nextCount[ft] == 1 {
						next = append(next, embedded{ft, index})
					}
					continue
				}
				f := field{name: name, tagged: name != "", index: index, typ: sf.Type, omitEmpty: opts == "omitempty"}
				if name == "" {
					f.name = sf.Name
				}
				for j := 0; j < len(f.name); j++ {
					if f.name[j] >= 0x80 {
						return nil, unsupported(t, "field name "+strconv.Quote(f.name)+" is not ASCII")
					}
				}
				f.key = string(appendString(nil, f.name)) + ":"
				fields = append(fields, f)
				if count[e.typ] > 1 {
					// The struct is embedded twice at this depth: a second
					// copy makes the name ambiguous below.
					fields = append(fields, f)
				}
			}
		}
	}
	sort.Slice(fields, func(i, j int) bool {
		a, b := fields[i], fields[j]
		switch {
		case a.name != b.name:
			return a.name < b.name
		case len(a.index) != len(b.index):
			return len(a.index) < len(b.index)
		case a.tagged != b.tagged:
			return a.tagged
		}
		return indexLess(a.index, b.index)
	})
	out := fields[:0]
	for i := 0; i < len(fields); {
		j := i + 1
		for j < len(fields) && fields[j].name == fields[i].name {
			j++
		}
		// fields[i] is the shallowest (tagged first); a tie with the next
		// one hides the name altogether.
		if j == i+1 || len(fields[i].index) != len(fields[i+1].index) || fields[i].tagged != fields[i+1].tagged {
			out = append(out, fields[i])
		}
		i = j
	}
	sort.Slice(out, func(i, j int) bool { return indexLess(out[i].index, out[j].index) })
	return out, nil
}

func indexLess(a, b []int) bool {
	for k := 0; k < len(a) && k < len(b); k++ {
		if a[k] != b[k] {
			return a[k] < b[k]
		}
	}
	return len(a) < len(b)
}

// validName is encoding/json's isValidTag for ASCII names: letters,
// digits and punctuation other than quotes, backslash and comma. A name
// that is not valid falls back to the Go field name.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || isDigit(c) || c >= 0x80 ||
			strings.IndexByte("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c) >= 0) {
			return false
		}
	}
	return true
}

// jsonTag is sf.Tag.Get("json") for tags without escapes, by reflect's
// rules (space-separated key:"value" pairs); reflect's own parser links
// strconv.Unquote, about 5 KB on mipsle. A json value with a backslash is
// refused (false).
func jsonTag(tag reflect.StructTag) (string, bool) {
	for tag != "" {
		for tag != "" && tag[0] == ' ' {
			tag = tag[1:]
		}
		if tag == "" {
			break
		}
		i := 0
		for i < len(tag) && tag[i] > ' ' && tag[i] != ':' && tag[i] != '"' && tag[i] != 0x7f {
			i++
		}
		if i == 0 || i+1 >= len(tag) || tag[i] != ':' || tag[i+1] != '"' {
			return "", true
		}
		key := tag[:i]
		tag = tag[i+1:]
		i = 1
		for i < len(tag) && tag[i] != '"' {
			if tag[i] == '\\' {
				i++
			}
			i++
		}
		if i >= len(tag) {
			return "", true
		}
		value := string(tag[1:i])
		tag = tag[i+1:]
		if key == "json" {
			return value, strings.IndexByte(value, '\\') < 0
		}
	}
	return "", true
}
