package lmo

import (
	"encoding/binary"
	"errors"
	"sort"
)

// ErrEmpty: the catalog has no translated string. po2lmo writes no file
// then (it deletes its output), and neither should a package ship one.
var ErrEmpty = errors.New("no translated string in the catalog")

type entry struct {
	key, val, off, length uint32
}

// Compile writes the LMO file of c, byte for byte as po2lmo would for the
// same .po: the Plural-Forms entry first (the header comes first in a .po),
// then each translated form in file order; a form whose text hashes like
// its key (left untranslated) is left out; fuzzy entries are kept, as
// po2lmo keeps them.
func Compile(c Catalog) ([]byte, error) {
	var data []byte
	var index []entry
	add := func(key, val uint32, s string) {
		index = append(index, entry{key: key, val: val, off: uint32(len(data)), length: uint32(len(s))})
		data = append(data, s...)
		for len(data)%4 != 0 {
			data = append(data, 0)
		}
	}
	if c.PluralForms != "" {
		add(0, 0, c.PluralForms)
	}
	for _, m := range c.Messages {
		if len(m.Str) == 0 || m.Str[0] == "" {
			continue
		}
		last := len(m.Str) - 1
		for i, s := range m.Str {
			if s == "" {
				continue
			}
			form := -1
			if m.Plural != "" {
				form = i
			}
			key := Hash([]byte(Key(m.Context, m.ID, form)))
			if key == Hash([]byte(s)) {
				continue
			}
			add(key, uint32(last+1), s)
		}
	}
	if len(data) == 0 {
		return nil, ErrEmpty
	}
	sort.SliceStable(index, func(i, j int) bool { return index[i].key < index[j].key })
	out := data
	for _, e := range index {
		out = binary.BigEndian.AppendUint32(out, e.key)
		out = binary.BigEndian.AppendUint32(out, e.val)
		out = binary.BigEndian.AppendUint32(out, e.off)
		out = binary.BigEndian.AppendUint32(out, e.length)
	}
	return binary.BigEndian.AppendUint32(out, uint32(len(data))), nil
}
