package smalljson_test

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/smalljson"
)

// decodeTargets are what the product decodes: the product's JSON types
// and the rpcd plugin's argument map (compared through encoding/json's
// RawMessage).
var decodeTargets = append([]reflect.Type{reflect.TypeOf(map[string]smalljson.RawMessage{}), reflect.TypeOf(""), reflect.TypeOf(int32(0))},
	productTypes[:len(productTypes)-1]...) // ipc.Request: checkRequest

// FuzzDecode: any input is accepted or refused by smalljson as by
// encoding/json, for every type the product decodes, and decodes to the
// same value, through Unmarshal and through a Decoder. Run it with
// -fuzzminimizetime 2s: minimizing a 13 KB status document for the
// default 60 s stalls the fuzzer.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob("../status/testdata/*.json")
	for _, name := range files {
		b, _ := os.ReadFile(name)
		f.Add(b)
	}
	g := &gen{r: rand.New(rand.NewSource(3)), exact: true}
	for _, ty := range productTypes {
		v := reflect.New(ty).Elem()
		g.fill(v, 0)
		b, _ := json.Marshal(v.Interface())
		f.Add(b)
	}
	for _, s := range append(requestSeeds, `{"limit":1,"ubus_rpc_session":"x"}`, `{"hosts":[{"link":2,"ip":"fd00::1","mac":"x","failed":true}],"ports":null}`,
		`{"at":"2024-01-01T00:00:00.5+01:00","stats":{"found":1e2}}`, `{"records":{"k":{"args":{"a":"b"},"applied":"2024-01-01T00:00:00Z"}},"events":[{}]}`,
		`"\ud83d\ude00\u00e9"`, `-2147483648`, `2147483648`, `{"x":[1,{"y":null}],"\u212aey":"\ud800"}`) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, ty := range decodeTargets {
			name := ty.String()
			if ty.Kind() == reflect.Map { // RawMessage types differ: compare as bytes
				var got map[string]smalljson.RawMessage
				var want map[string]json.RawMessage
				err, jerr := smalljson.Unmarshal(b, &got), json.Unmarshal(b, &want)
				if (err == nil) != (jerr == nil) || err == nil && !sameRaw(got, want) {
					t.Fatalf("%s: %q: %q %v, encoding/json %q %v", name, b, got, err, want, jerr)
				}
				continue
			}
			decodeBoth(t, name, ty, b)
			decodeStream(t, name, ty, b)
		}
		checkRequest(t, b)
	})
}

func sameRaw(a map[string]smalljson.RawMessage, b map[string]json.RawMessage) bool {
	if len(a) != len(b) || (a == nil) != (b == nil) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}

// decodeStream compares a Decoder's first value with encoding/json's.
func decodeStream(t *testing.T, name string, ty reflect.Type, b []byte) {
	got, want := reflect.New(ty), reflect.New(ty)
	err := smalljson.NewDecoder(bytes.NewReader(b)).Decode(got.Interface())
	jerr := json.NewDecoder(bytes.NewReader(b)).Decode(want.Interface())
	if err != nil && strings.Contains(err.Error(), "beyond the floats smalljson reads") {
		return
	}
	if (err == nil) != (jerr == nil) || err == nil && !reflect.DeepEqual(got.Interface(), want.Interface()) {
		t.Fatalf("Decoder, %s: %q: error %v, encoding/json %v", name, b, err, jerr)
	}
}

// FuzzEncodeValues: times, floats and strings from the fuzzer, in a
// product-like value, encode as with encoding/json.
func FuzzEncodeValues(f *testing.F) {
	f.Add(int64(1700000000), int64(5), int32(3600), 2.5, "br-lan", []byte(`{"a":[1]}`))
	f.Add(int64(-62135596800), int64(0), int32(0), 1e21, "\u2028<&>", []byte(" 1 "))
	f.Add(int64(253402300800), int64(999999999), int32(-86399), -1e-7, "\xff", []byte(`{`))
	f.Fuzz(func(t *testing.T, sec, nsec int64, offset int32, fl float64, s string, raw []byte) {
		type value struct {
			T  time.Time             `json:"t"`
			TP *time.Time            `json:"tp,omitempty"`
			F  float64               `json:"f,omitempty"`
			S  map[string][]string   `json:"s"`
			R  json.RawMessage       `json:"r"`
			M  map[string]*time.Time `json:"m"`
		}
		type smallValue struct {
			T  time.Time             `json:"t"`
			TP *time.Time            `json:"tp,omitempty"`
			F  float64               `json:"f,omitempty"`
			S  map[string][]string   `json:"s"`
			R  smalljson.RawMessage  `json:"r"`
			M  map[string]*time.Time `json:"m"`
		}
		tm := time.Unix(sec, nsec).In(time.FixedZone("", int(offset)))
		v := value{T: tm, TP: &tm, F: fl, S: map[string][]string{s: {s, ""}, "": nil}, R: raw, M: map[string]*time.Time{s: nil, "x": &tm}}
		sv := smallValue{T: tm, TP: &tm, F: fl, S: v.S, R: smalljson.RawMessage(raw), M: v.M}
		want, jerr := json.MarshalIndent(v, "", "\t")
		got, err := smalljson.MarshalIndent(sv, "", "\t")
		if (err == nil) != (jerr == nil) || !bytes.Equal(got, want) {
			t.Fatalf("%+v:\n got %s (%v)\nwant %s (%v)", v, got, err, want, jerr)
		}
	})
}
