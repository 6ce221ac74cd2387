package lmo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Vectors from LuCI's own JavaScript sfh() (cbi.js / luci.js), the hash
// the browser computes for _() and N_() lookups, over the UTF-8 bytes.
func TestHashMatchesLuCI(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]uint32{
		"a":        0x115ea782,
		"ab":       0x516b8b44,
		"abc":      0xd2be198a,
		"abcd":     0xdad8b8db,
		"Critical": 0x47cb8d7f,
		"流表":       0x038efab3,
		"严重":       0x7d5d44bd,
		"é":        0xc4fba554,
		"Flowtable %s lists bridge ports (%s): a host that changes MAC or bridge port keeps receiving nothing until its conntrack entry dies.": 0x36b516d3,
		Key("", "%d flow deleted.", 0): 0xb9b9163c,
		Key("menu", "Status", -1):      0x47aacbf1,
	} {
		if got := Hash([]byte(s)); got != want {
			t.Errorf("Hash(%q) = %08x, want %08x", s, got, want)
		}
	}
	if Hash(nil) != 0 {
		t.Error("the hash of nothing is 0 (lmo.c)")
	}
}

func TestEvalPlural(t *testing.T) {
	t.Parallel()
	ru := "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
	cases := []struct {
		forms string
		n     int
		want  int
	}{
		{"nplurals=1; plural=0;", 5, 0},
		{"nplurals=2; plural=(n != 1);", 1, 0},
		{"nplurals=2; plural=(n != 1);", 0, 1},
		{"nplurals=2; plural=n>1;", 1, 0},
		{"nplurals=2; plural=n>1;", 2, 1},
		{ru, 1, 0}, {ru, 3, 1}, {ru, 5, 2}, {ru, 11, 2}, {ru, 21, 0}, {ru, 22, 1},
		{"nplurals=2; plural=!(n <= 1);", 0, 0},
		{"nplurals=2; plural=n/0;", 3, -1},
		{"nplurals=2;", 3, -1},
		{"nplurals=2; plural=(n != 1", 3, -1},
	}
	for _, c := range cases {
		if got := EvalPlural(c.forms, c.n); got != c.want {
			t.Errorf("EvalPlural(%q, %d) = %d, want %d", c.forms, c.n, got, c.want)
		}
	}
}

const sample = `# a comment
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: a.js:1
msgid "Status"
msgstr "状态"

msgctxt "menu"
msgid "Status"
msgstr "状态页"

msgid "%d flow"
msgid_plural "%d flows"
msgstr[0] "%d Fluss"
msgstr[1] "%d Flüsse"

msgctxt "heal"
msgid "%d repair"
msgid_plural "%d repairs"
msgstr[0] "%d Reparatur"
msgstr[1] "%d Reparaturen"

msgid "Untranslated"
msgstr ""

msgid "Same"
msgstr "Same"

msgid ""
"A long "
"line with \"quotes\" and a back\\slash"
msgstr "Eine lange Zeile mit \"Anführungszeichen\" und einem Back\\slash"

#~ msgid "Gone"
#~ msgstr "Weg"
`

func TestSampleRoundTrip(t *testing.T) {
	t.Parallel()
	c, err := ParsePO([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	if c.PluralForms != "nplurals=2; plural=(n != 1);" {
		t.Fatalf("Plural-Forms %q", c.PluralForms)
	}
	b, err := Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Open(b)
	if err != nil {
		t.Fatal(err)
	}
	check := func(what, got, want string, ok bool) {
		t.Helper()
		if !ok || got != want {
			t.Errorf("%s: got %q (found %v), want %q", what, got, ok, want)
		}
	}
	s, ok := f.Translate("", "Status")
	check("plain", s, "状态", ok)
	s, ok = f.Translate("menu", "Status")
	check("with context", s, "状态页", ok)
	s, ok = f.Translate("", "  Status \n")
	check("white space is canonical (lmo_canon_hash)", s, "状态", ok)
	s, ok = f.Translate("", `A long line with "quotes" and a back\slash`)
	check("continuation and escapes", s, `Eine lange Zeile mit "Anführungszeichen" und einem Back\slash`, ok)
	for n, want := range map[int]string{0: "%d Flüsse", 1: "%d Fluss", 2: "%d Flüsse"} {
		check(fmt.Sprintf("plural n=%d", n), f.TranslatePlural(n, "", "%d flow", "%d flows"), want, true)
	}
	check("plural with context", f.TranslatePlural(1, "heal", "%d repair", "%d repairs"), "%d Reparatur", true)
	check("plural with context, other", f.TranslatePlural(7, "heal", "%d repair", "%d repairs"), "%d Reparaturen", true)
	check("plural not in the catalog falls back to English", f.TranslatePlural(3, "", "%d cat", "%d cats"), "%d cats", true)
	for _, id := range []string{"Untranslated", "Same", "Gone"} {
		if s, ok := f.Translate("", id); ok {
			t.Errorf("%q: po2lmo leaves it out, got %q", id, s)
		}
	}
	// 1 header + 2 plain + 2 + 2 plural forms + 1 long line
	if f.Len() != 8 {
		t.Errorf("%d index entries, want 8", f.Len())
	}
	// the value id of a plural form is the number of forms, of a plain message 1
	for i := 0; i < f.Len(); i++ {
		key, val, _, _ := f.entry(i)
		if key == Hash([]byte(Key("", "%d flow", 1))) && val != 2 {
			t.Errorf("plural form entry has value id %d, want 2", val)
		}
		if key == Hash([]byte("Status")) && val != 1 {
			t.Errorf("plain entry has value id %d, want 1", val)
		}
	}
}

// The layout po2lmo writes, checked byte by byte on a two-entry catalog.
func TestLayout(t *testing.T) {
	t.Parallel()
	c := Catalog{Messages: []Message{{ID: "ab", Str: []string{"xyz"}}, {ID: "a", Str: []string{"12345"}}}}
	b, err := Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte("xyz\x0012345\x00\x00\x00")
	if !bytes.Equal(b[:12], want) {
		t.Fatalf("strings %q, want %q (each padded to 4 bytes)", b[:12], want)
	}
	if len(b) != 12+2*16+4 || binary.BigEndian.Uint32(b[len(b)-4:]) != 12 {
		t.Fatalf("file of %d bytes, trailer %d: want 48 bytes and index at 12", len(b), binary.BigEndian.Uint32(b[len(b)-4:]))
	}
	k0, k1 := binary.BigEndian.Uint32(b[12:]), binary.BigEndian.Uint32(b[28:])
	if k0 != Hash([]byte("a")) || k1 != Hash([]byte("ab")) {
		t.Errorf("index keys %08x %08x, want sorted %08x %08x", k0, k1, Hash([]byte("a")), Hash([]byte("ab")))
	}
	if off := binary.BigEndian.Uint32(b[12+8:]); off != 4 {
		t.Errorf("offset of %q is %d, want 4", "a", off)
	}
}

func TestEmptyAndBroken(t *testing.T) {
	t.Parallel()
	if _, err := Compile(Catalog{Messages: []Message{{ID: "x", Str: []string{""}}}}); !errors.Is(err, ErrEmpty) {
		t.Errorf("an untranslated catalog: got %v, want ErrEmpty", err)
	}
	for _, b := range [][]byte{nil, {0, 0, 0, 9}, append(make([]byte, 8), 0, 0, 0, 2)} {
		if _, err := Open(b); err == nil {
			t.Errorf("Open(%v) accepted a broken file", b)
		}
	}
	for _, src := range []string{`msgstr "x"`, `msgid "x`, `msgid "a"` + "\n" + `msgstr[1] "b"`, `bogus "x"`} {
		if _, err := ParsePO([]byte(src)); err == nil {
			t.Errorf("ParsePO(%q) accepted it", src)
		}
	}
}

// Every message of the shipped catalogs, read back from the compiled file
// by the same hash and lookup rules LuCI uses.
func TestShippedCatalogsRoundTrip(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../../../luci-app/po/*/netfix.po")
	if err != nil || len(files) == 0 {
		t.Fatalf("no luci-app/po/<lang>/netfix.po (%v)", err)
	}
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		c, err := ParsePO(src)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		b, err := Compile(c)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		f, err := Open(b)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		forms, ok := f.PluralForms()
		if !ok || forms != c.PluralForms {
			t.Errorf("%s: Plural-Forms %q read back as %q", file, c.PluralForms, forms)
		}
		plurals := 0
		for _, m := range c.Messages {
			if m.Plural == "" {
				got, ok := f.Translate(m.Context, m.ID)
				if m.Str[0] == Key(m.Context, m.ID, -1) {
					// the same text in both languages: po2lmo leaves it
					// out and LuCI shows the msgid
					if ok {
						t.Errorf("%s:%d: %q is stored though it translates to itself", file, m.Line, m.ID)
					}
					continue
				}
				if !ok || got != m.Str[0] {
					t.Errorf("%s:%d: %q read back as %q (found %v)", file, m.Line, m.ID, got, ok)
				}
				continue
			}
			plurals++
			for i, want := range m.Str {
				if got, ok := f.find(Hash([]byte(Key(m.Context, m.ID, i)))); !ok || got != want {
					t.Errorf("%s:%d: form %d of %q read back as %q", file, m.Line, i, m.ID, got)
				}
			}
			for _, n := range []int{0, 1, 2, 5} {
				want := m.Str[min(EvalPlural(c.PluralForms, n), len(m.Str)-1)]
				if got := f.TranslatePlural(n, m.Context, m.ID, m.Plural); got != want {
					t.Errorf("%s:%d: n=%d of %q read back as %q, want %q", file, m.Line, n, m.ID, got, want)
				}
			}
		}
		if plurals == 0 {
			t.Errorf("%s: no plural message: the round trip does not cover plurals", file)
		}
		t.Logf("%s: %d messages (%d plural), %d bytes", filepath.Base(filepath.Dir(file)), len(c.Messages), plurals, len(b))
	}
}
