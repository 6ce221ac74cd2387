package smalljson_test

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netfix/netfix/src/internal/assess"
	"github.com/netfix/netfix/src/internal/fix"
	"github.com/netfix/netfix/src/internal/heal"
	"github.com/netfix/netfix/src/internal/ipc"
	"github.com/netfix/netfix/src/internal/probe"
	"github.com/netfix/netfix/src/internal/smalljson"
	"github.com/netfix/netfix/src/internal/status"
)

// ledgerFile is fix's on-disk ledger (unexported there), field for field.
type ledgerFile struct {
	Records map[string]fix.Record `json:"records"`
	Events  []fix.Event           `json:"events"`
}

// history is the reply the rpcd plugin decodes from the daemon.
type history struct {
	Events []status.Event `json:"events"`
	Total  uint64         `json:"total"`
}

// productTypes are the types the product encodes or decodes as JSON: the
// status document (CLI, rpcd, control socket), events, the daemon's state
// file, the fix ledger and listings, the conntrack sample cache and the
// control socket's request. Add new JSON types here.
var productTypes = []reflect.Type{
	reflect.TypeOf(status.Document{}), reflect.TypeOf(status.Event{}), reflect.TypeOf(history{}),
	reflect.TypeOf(heal.State{}), reflect.TypeOf(ledgerFile{}), reflect.TypeOf(fix.Listing{}),
	reflect.TypeOf(fix.Result{}), reflect.TypeOf(probe.CTSample{}), reflect.TypeOf(assess.Healer{}),
	reflect.TypeOf(ipc.Request{}), // last: FuzzDecode checks it apart
}

// Every type reachable from the product's JSON types is one smalljson
// handles: a new field of a refused kind fails here, not on a router.
func TestProductTypesSupported(t *testing.T) {
	t.Parallel()
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type, string)
	walk = func(ty reflect.Type, path string) {
		if seen[ty] {
			return
		}
		seen[ty] = true
		if err := smalljson.TypeErr(ty); err != nil {
			t.Errorf("%s: %v", path, err)
			return
		}
		switch ty.Kind() {
		case reflect.Struct:
			if ty == reflect.TypeOf(time.Time{}) || ty == reflect.TypeOf(netip.Addr{}) {
				return
			}
			for i := 0; i < ty.NumField(); i++ {
				if f := ty.Field(i); f.IsExported() || f.Anonymous {
					walk(f.Type, path+"."+f.Name)
				}
			}
		case reflect.Slice, reflect.Pointer, reflect.Map:
			walk(ty.Elem(), path+"[]")
		case reflect.Interface:
			t.Errorf("%s: an interface field decodes with encoding/json but not with smalljson", path)
		}
	}
	for _, ty := range productTypes {
		walk(ty, ty.String())
	}
	if len(seen) < 50 {
		t.Errorf("walked only %d types", len(seen))
	}
}

// compare checks Marshal, MarshalIndent and the Encoder (as `--json`
// writes, and as the control socket does) against encoding/json.
func compare(t *testing.T, name string, v any) {
	t.Helper()
	want, jerr := json.Marshal(v)
	got, err := smalljson.Marshal(v)
	if (err == nil) != (jerr == nil) || !bytes.Equal(got, want) {
		t.Fatalf("%s: Marshal differs (error %v, encoding/json %v):\n%s", name, err, jerr, cmp.Diff(string(want), string(got)))
	}
	want, _ = json.MarshalIndent(v, "", "  ")
	got, _ = smalljson.MarshalIndent(v, "", "  ")
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: MarshalIndent differs:\n%s", name, cmp.Diff(string(want), string(got)))
	}
	for _, indent := range []string{"", "  "} {
		var gb, wb bytes.Buffer
		e, je := smalljson.NewEncoder(&gb), json.NewEncoder(&wb)
		e.SetIndent("", indent)
		je.SetIndent("", indent)
		_, _ = e.Encode(v), je.Encode(v)
		if gb.String() != wb.String() {
			t.Fatalf("%s: Encoder (indent %q) differs:\n%s", name, indent, cmp.Diff(wb.String(), gb.String()))
		}
	}
}

// decodeBoth decodes data into new values of type ty with both packages
// and fails when they disagree.
func decodeBoth(t *testing.T, name string, ty reflect.Type, data []byte) {
	t.Helper()
	got, want := reflect.New(ty), reflect.New(ty)
	err := smalljson.Unmarshal(data, got.Interface())
	jerr := json.Unmarshal(data, want.Interface())
	if err != nil && strings.Contains(err.Error(), "beyond the floats smalljson reads") {
		return // the one documented refusal
	}
	if (err == nil) != (jerr == nil) {
		t.Fatalf("%s: %s: error %v, encoding/json %v", name, data, err, jerr)
	}
	if err == nil && !reflect.DeepEqual(got.Interface(), want.Interface()) {
		t.Fatalf("%s: %s decodes differently:\n%s", name, data, cmp.Diff(want.Interface(), got.Interface()))
	}
}

// The golden status documents (what rpcd and LuCI get) encode to the
// same bytes and decode to the same values.
func TestGoldenDocuments(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("../status/testdata/*.json")
	if len(files) < 5 {
		t.Fatalf("golden documents: %v", files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc status.Document
		if err := smalljson.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		decodeBoth(t, f, reflect.TypeOf(doc), data)
		out, _ := smalljson.MarshalIndent(doc, "", "  ")
		if string(append(out, '\n')) != string(data) {
			t.Errorf("%s does not encode back to itself:\n%s", f, cmp.Diff(string(data), string(out)+"\n"))
		}
		compare(t, f, doc)
		compare(t, f+" in an rpcd reply", map[string]any{"data": doc})
	}
}

// gen fills values of any product type with varied data: empty, nil and
// populated lists, strings that need escaping, times in several zones,
// addresses of every form.
type gen struct {
	r *rand.Rand
	// exact limits floats to what netfix writes (whole seconds, short
	// decimals), which smalljson decodes; otherwise any finite float.
	exact bool
}

var strs = []string{"", "br-lan", "192.168.1.240", "fd00::1", "<script>&amp;</script>", "é中😀", "a\"b\\c", "\x00\x1f\n\t",
	"\u2028\u2029", "bad\xff\xfe", "kelvin \u212a", "The finding %s is not present on this machine now; there is nothing to fix."}

func (g *gen) str() string {
	if g.r.Intn(4) == 0 {
		b := make([]byte, g.r.Intn(12))
		g.r.Read(b)
		return string(b)
	}
	return strs[g.r.Intn(len(strs))]
}

func (g *gen) fill(v reflect.Value, depth int) {
	switch v.Type() {
	case reflect.TypeOf(time.Time{}):
		zones := []*time.Location{time.UTC, time.Local, time.FixedZone("", 3600), time.FixedZone("", -9000), time.FixedZone("X", 5*3600+1800)}
		tm := time.Unix(g.r.Int63n(4e9)-1e9, g.r.Int63n(1e9)*int64(g.r.Intn(2))).In(zones[g.r.Intn(len(zones))])
		if g.r.Intn(20) == 0 {
			tm = time.Time{}
		}
		v.Set(reflect.ValueOf(tm))
		return
	case reflect.TypeOf(netip.Addr{}):
		addrs := []netip.Addr{{}, netip.MustParseAddr("192.168.1.2"), netip.MustParseAddr("fd00::240"), netip.MustParseAddr("::ffff:10.0.0.1"),
			netip.MustParseAddr("fe80::1%br-lan"), netip.MustParseAddr("::"), netip.MustParseAddr("fe80::2%<&>")}
		v.Set(reflect.ValueOf(addrs[g.r.Intn(len(addrs))]))
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(g.r.Intn(2) == 1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := g.r.Int63() >> uint(g.r.Intn(64))
		if g.r.Intn(2) == 0 {
			n = -n
		}
		bits := 64 - 8*v.Type().Size()
		v.SetInt(n << bits >> bits)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		bits := 64 - 8*v.Type().Size()
		v.SetUint(g.r.Uint64() >> uint(g.r.Intn(64)) << bits >> bits)
	case reflect.Float64:
		f := float64(g.r.Intn(100000)) / []float64{1, 10, 1000}[g.r.Intn(3)]
		if !g.exact {
			for f = math.Float64frombits(g.r.Uint64()); math.IsNaN(f) || math.IsInf(f, 0); f = math.Float64frombits(g.r.Uint64()) {
			}
			f = []float64{f, 0, 1e21, 1e-7, 123.456, math.Copysign(0, -1)}[g.r.Intn(6)]
		}
		v.SetFloat(f)
	case reflect.String:
		v.SetString(g.str())
	case reflect.Slice:
		switch n := g.r.Intn(4); {
		case n == 0:
		case n == 1 || depth > 6:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			v.Set(reflect.MakeSlice(v.Type(), n-1, n-1))
			for i := 0; i < n-1; i++ {
				g.fill(v.Index(i), depth+1)
			}
		}
	case reflect.Map:
		switch n := g.r.Intn(4); {
		case n == 0:
		default:
			v.Set(reflect.MakeMap(v.Type()))
			for i := 1; i < n && depth <= 6; i++ {
				k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
				g.fill(k, depth+1)
				g.fill(e, depth+1)
				v.SetMapIndex(k, e)
			}
		}
	case reflect.Pointer:
		if g.r.Intn(3) > 0 && depth <= 6 {
			v.Set(reflect.New(v.Type().Elem()))
			g.fill(v.Elem(), depth+1)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				g.fill(f, depth+1)
			}
		}
	}
}

// Random values of every product type encode to the same bytes as with
// encoding/json, and what encoding/json writes decodes to the same value
// with both.
func TestProductTypesAsEncodingJSON(t *testing.T) {
	t.Parallel()
	g := &gen{r: rand.New(rand.NewSource(1))}
	n := 300
	if testing.Short() {
		n = 30
	}
	for _, ty := range productTypes {
		for i := 0; i < n; i++ {
			g.exact = i%2 == 0
			v := reflect.New(ty).Elem()
			g.fill(v, 0)
			compare(t, ty.String(), v.Interface())
			if !g.exact || ty == reflect.TypeOf(ipc.Request{}) {
				continue // ipc.Request decodes through its own hook: TestRequestDecoding
			}
			data, err := json.Marshal(v.Interface())
			if err != nil {
				continue // a time out of RFC 3339's range: compare checked the error
			}
			decodeBoth(t, ty.String(), ty, data)
		}
	}
}

// The shapes the rpcd plugin and the control socket write: maps of
// product values.
func TestRepliesAsEncodingJSON(t *testing.T) {
	t.Parallel()
	g := &gen{r: rand.New(rand.NewSource(2)), exact: true}
	for i := 0; i < 50; i++ {
		var doc status.Document
		var ev status.Event
		var res fix.Result
		var recs []fix.Record
		var evs []fix.Event
		var msg status.Msg
		for _, p := range []any{&doc, &ev, &res, &recs, &evs, &msg} {
			g.fill(reflect.ValueOf(p).Elem(), 0)
		}
		for _, reply := range []any{
			map[string]any{"data": doc}, map[string]any{"events": []status.Event{ev, ev}, "total": uint64(i)},
			map[string]any{"ip": "192.168.1.2", "dry_run": i%2 == 0, "deleted": ev.FlowsDeleted, "event": ev},
			map[string]any{"applied": recs, "events": evs}, map[string]any{"error": g.str(), "error_msg": msg, "refused": fix.RefusedNotPresent},
			map[string]any{"data": res}, map[string]string{"error": g.str()}, map[string]any{"data": nil, "error": ""},
		} {
			compare(t, "reply", reply)
		}
	}
}

// oldRequestDecode is ipc.Request's decoding as it was on encoding/json:
// the reference for the smalljson hook.
func oldRequestDecode(b []byte) (ipc.Request, error) {
	var raw struct {
		Method string          `json:"method"`
		IP     string          `json:"ip,omitempty"`
		Limit  *int32          `json:"limit"`
		DryRun json.RawMessage `json:"dry_run"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return ipc.Request{}, err
	}
	r := ipc.Request{Method: raw.Method, IP: raw.IP}
	if raw.Limit != nil {
		if err := ipc.CheckLimit(int(*raw.Limit)); err != nil {
			return r, err
		}
		r.Limit = int(*raw.Limit)
	}
	if raw.DryRun != nil {
		dry, err := ipc.ParseFlag(smalljson.RawMessage(raw.DryRun))
		if err != nil {
			return r, err
		}
		r.DryRun = dry
	}
	return r, nil
}

var requestSeeds = []string{`{"method":"history"}`, `{"method":"history","limit":7}`, `{"method":"history","limit":0}`,
	`{"method":"flush","ip":"10.0.0.2","dry_run":1}`, `{"method":"flush","dry_run":null}`, `{"Method":"x","LIMIT":3,"Dry_Run":true}`,
	`{"limit":4294967297}`, `{"limit":"5"}`, `null`, `{"ip":17}`, `{"method":"a","method":"b","limit":2,"limit":3}`, `[]`}

func TestRequestDecoding(t *testing.T) {
	t.Parallel()
	for _, in := range requestSeeds {
		checkRequest(t, []byte(in))
	}
}

func checkRequest(t *testing.T, b []byte) {
	var got ipc.Request
	err := smalljson.Unmarshal(b, &got)
	want, jerr := oldRequestDecode(b)
	if (err == nil) != (jerr == nil) || err == nil && got != want {
		t.Fatalf("%s: %+v %v, with encoding/json %+v %v", b, got, err, want, jerr)
	}
}
