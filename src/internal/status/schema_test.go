package status_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/status"
)

// The schema is package status's own: no type of another package (package
// facts above all, whose types carry no json tags and are renamed and
// reshaped with the probes) is reachable from Document, and every exported
// field names its JSON member in a tag, so renaming a Go field renames no
// member. TestGolden then pins the bytes of every member: a fact renamed
// in package facts either breaks the build of convert.go or changes
// nothing on the wire.
func TestSchemaIsStatusOwned(t *testing.T) {
	statusPkg := reflect.TypeOf(status.Document{}).PkgPath()
	timeT := reflect.TypeOf(time.Time{})
	seen := map[reflect.Type]bool{}
	var walk func(typ reflect.Type, path string)
	walk = func(typ reflect.Type, path string) {
		if typ == timeT || seen[typ] {
			return
		}
		seen[typ] = true
		if pkg := typ.PkgPath(); pkg != "" && pkg != statusPkg {
			t.Errorf("%s is %s: the document's types belong to package status", path, typ)
		}
		switch typ.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map:
			walk(typ.Elem(), path+"[]")
		case reflect.Struct:
			for i := 0; i < typ.NumField(); i++ {
				f := typ.Field(i)
				if !f.IsExported() {
					continue
				}
				tag, ok := f.Tag.Lookup("json")
				if !ok && !f.Anonymous {
					t.Errorf("%s.%s has no json tag: its member would be named after the Go field", path, f.Name)
				}
				if tag != "-" {
					walk(f.Type, path+"."+f.Name)
				}
			}
		}
	}
	walk(reflect.TypeOf(status.Document{}), "Document")
}

// Build copies every fact the schema has a member for: a snapshot with
// every field set gives a document with every member of its fact sections
// set. A member added to a schema type without its copy in convert.go, or
// a copy lost, leaves a zero member here.
func TestBuildCopiesEveryMember(t *testing.T) {
	var s facts.Snapshot
	fill(reflect.ValueOf(&s).Elem(), map[reflect.Type]bool{})
	doc := status.Build("0.1.0", s, nil, status.Heal{})
	if doc.Truncated != nil {
		t.Fatalf("one of each must not be capped: %v", doc.Truncated)
	}
	for name, v := range map[string]any{
		"firewall": doc.Firewall, "offload": doc.Offload, "conntrack": doc.Conntrack,
		"forwarding": doc.Forwarding, "bridge_nf": doc.BridgeNF,
	} {
		zeroMembers(t, name, reflect.ValueOf(v))
	}
}

var someTime = time.Date(2026, 3, 1, 14, 3, 12, 0, time.UTC)

// fill sets every field below v to a non-zero value, lists to one element
// (a list of the type being filled, Device.Ports, stays empty).
func fill(v reflect.Value, filling map[reflect.Type]bool) {
	if v.Type() == reflect.TypeOf(someTime) {
		v.Set(reflect.ValueOf(someTime))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(1)
	case reflect.Float64:
		v.SetFloat(1)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), filling)
	case reflect.Slice:
		if filling[v.Type().Elem()] {
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), filling)
	case reflect.Struct:
		filling[v.Type()] = true
		defer delete(filling, v.Type())
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), filling)
			}
		}
	}
}

func zeroMembers(t *testing.T, path string, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			t.Errorf("%s is null: convert.go does not copy it", path)
			return
		}
		zeroMembers(t, path, v.Elem())
	case reflect.Slice:
		if v.Len() == 0 {
			t.Errorf("%s is empty: convert.go does not copy it", path)
			return
		}
		zeroMembers(t, path+"[0]", v.Index(0))
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(someTime) {
			if v.Interface() != any(someTime) {
				t.Errorf("%s is %v, want %v", path, v.Interface(), someTime)
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			zeroMembers(t, path+"."+f.Name, v.Field(i))
		}
	default:
		if v.IsZero() {
			t.Errorf("%s is zero: convert.go does not copy it", path)
		}
	}
}
