package lmo

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// File is an LMO file opened for lookups, the way lmo.c reads one.
type File struct {
	b     []byte
	index []byte // 16 bytes per entry
}

// Open checks the trailer and the index bounds of an LMO file.
func Open(b []byte) (*File, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("lmo: %d bytes is too short for an LMO file", len(b))
	}
	idx := binary.BigEndian.Uint32(b[len(b)-4:])
	if uint64(idx) >= uint64(len(b)) {
		return nil, fmt.Errorf("lmo: index offset %d is beyond the file (%d bytes)", idx, len(b))
	}
	index := b[idx : len(b)-4]
	if len(index)%16 != 0 {
		return nil, fmt.Errorf("lmo: index of %d bytes is not a whole number of entries", len(index))
	}
	f := &File{b: b, index: index}
	for i := 0; i < f.Len(); i++ {
		_, _, off, n := f.entry(i)
		if uint64(off)+uint64(n) > uint64(idx) {
			return nil, fmt.Errorf("lmo: entry %d points past the strings", i)
		}
		if i > 0 {
			if prev, _, _, _ := f.entry(i - 1); prev > f.key(i) {
				return nil, fmt.Errorf("lmo: index not sorted at entry %d", i)
			}
		}
	}
	return f, nil
}

// Len is the number of index entries.
func (f *File) Len() int { return len(f.index) / 16 }

func (f *File) key(i int) uint32 { return binary.BigEndian.Uint32(f.index[i*16:]) }

func (f *File) entry(i int) (key, val, off, n uint32) {
	e := f.index[i*16 : i*16+16]
	return binary.BigEndian.Uint32(e), binary.BigEndian.Uint32(e[4:]),
		binary.BigEndian.Uint32(e[8:]), binary.BigEndian.Uint32(e[12:])
}

// find is lmo_find_entry: a binary search of the sorted index.
func (f *File) find(hash uint32) (string, bool) {
	l, r := 0, f.Len()-1
	for l <= r {
		m := l + (r-l)/2
		switch k := f.key(m); {
		case k == hash:
			_, _, off, n := f.entry(m)
			return string(f.b[off : off+n]), true
		case k > hash:
			r = m - 1
		default:
			l = m + 1
		}
	}
	return "", false
}

// canon is lmo_canon_hash's key: runs of white space become one space,
// leading and trailing space go.
func canon(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func canonKey(ctxt, msgid string, plural int) string {
	c := ""
	if ctxt != "" {
		c = canon(ctxt)
	}
	return Key(c, canon(msgid), plural)
}

// Translate is lmo_translate_ctxt: the translation of msgid, if any.
func (f *File) Translate(ctxt, msgid string) (string, bool) {
	return f.find(Hash([]byte(canonKey(ctxt, msgid, -1))))
}

// PluralForms is the stored Plural-Forms expression (the key 0 entry).
func (f *File) PluralForms() (string, bool) {
	return f.find(0)
}

// TranslatePlural is lmo_translate_plural_ctxt: the form the catalog's
// plural expression picks for n, falling back to the English singular or
// plural (n != 1) when the catalog has no such form.
func (f *File) TranslatePlural(n int, ctxt, singular, plural string) string {
	form := -1
	if expr, ok := f.PluralForms(); ok {
		form = EvalPlural(expr, n)
	}
	if form < 0 {
		form = 0
		if n != 1 {
			form = 1
		}
	}
	if s, ok := f.find(Hash([]byte(canonKey(ctxt, singular, form)))); ok {
		return s
	}
	if n != 1 {
		return plural
	}
	return singular
}
