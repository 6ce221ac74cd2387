package config

import (
	"fmt"
	"strconv"
	"strings"

	uci "github.com/digineo/go-uci/v2"
)

// MaxListEntries bounds a list netfix reads from its own sections (e.g.
// ignore_host). go-uci merges list entries in quadratic time, and a list
// this long belongs in prefixes anyway.
const MaxListEntries = 256

// UCI is the part of a UCI file netfix reads, queried through go-uci.
//
// Why not hand go-uci the file: go-uci (pinned; upstream inactive) refuses
// whole files that libuci accepts — empty values (option x ”), CRLF line
// endings, `package` lines — without a line number, merges list entries in
// quadratic time (a firewall ipset with 20k entries took 13 s), and reads
// quoted values raw: "it\'s" stays with its backslash, and a value with a
// quote or a line break cannot be written for it at all. So scanUCI reads
// the whole file once with libuci's rules, which decides validity, gives
// the line of any error and yields each value as libuci does; go-uci gets
// only the section headers of the types netfix reads (names are
// [A-Za-z0-9_], nothing to quote), and every value is handed to it through
// its API (SetType), never through its lexer. The firewall's big lists
// never reach it.
type UCI struct {
	tree  uci.Tree
	name  string            // go-uci's config name for the fed text
	lines map[string]int    // "section\x00option" -> line that set it last
	entry map[string][]int  // "section\x00option" -> line of each value Get returns
	types map[string]string // section name -> type
	// Problems are values netfix skipped, with their lines.
	Problems []Problem
}

// ReadUCI parses body (the contents of path) and keeps the sections of the
// given types. A file libuci would refuse returns a *SyntaxError.
func ReadUCI(path string, body []byte, types ...string) (*UCI, error) {
	want := map[string]bool{}
	for _, t := range types {
		want[t] = true
	}
	secs, err := scanUCI(path, string(body), func(t string) bool { return want[t] })
	if err != nil {
		return nil, err
	}
	u := &UCI{lines: map[string]int{}, entry: map[string][]int{}, types: map[string]string{}}
	var text strings.Builder
	names := make([]string, len(secs))
	index := map[string]int{}
	for i, s := range secs {
		name := s.Name
		if name == "" {
			name = fmt.Sprintf("@%s[%d]", s.Type, index[s.Type])
		}
		index[s.Type]++
		names[i] = name
		u.types[name] = s.Type
		text.WriteString("config " + s.Type)
		if s.Name != "" {
			text.WriteString(" '" + s.Name + "'")
		}
		text.WriteString("\n")
	}
	tree, cfg, err := feed(text.String())
	if err != nil {
		return nil, fmt.Errorf("%s: hand the %s sections to the UCI reader: %w", path, strings.Join(types, ", "), err)
	}
	for i, s := range secs {
		for _, o := range s.Options {
			values, lines := u.entries(path, o)
			if len(values) == 0 {
				continue
			}
			typ := uci.TypeOption
			if o.List {
				typ = uci.TypeList
			}
			if err := tree.SetType(cfg, names[i], o.Name, typ, values...); err != nil {
				return nil, fmt.Errorf("%s: hand option %s of section %s to the UCI reader: %w", path, o.Name, names[i], err)
			}
			key := names[i] + "\x00" + o.Name
			u.lines[key] = o.Line
			u.entry[key] = lines
		}
	}
	u.tree, u.name = tree, cfg
	return u, nil
}

// entries returns the values of one option netfix keeps, with the line
// of each: no empty list entries (they name nothing), lists capped.
func (u *UCI) entries(path string, o *uciOption) (values []string, lines []int) {
	for i, v := range o.Values {
		if v == "" {
			continue
		}
		if len(values) == MaxListEntries {
			u.Problems = append(u.Problems, Problem{File: path, Line: o.Lines[i], Option: o.Name,
				Msg: fmt.Sprintf("more than %d entries; netfix reads the first %d (use prefixes)", MaxListEntries, MaxListEntries)})
			break
		}
		values = append(values, v)
		lines = append(lines, o.Lines[i])
	}
	return values, lines
}

// Sections returns the names of the sections of type typ, in file order;
// anonymous ones as @typ[i], as uci shows them.
func (u *UCI) Sections(typ string) []string {
	names, _ := u.tree.GetSections(u.name, typ)
	return names
}

// Get returns every value of an option or list.
func (u *UCI) Get(section, option string) []string {
	v, _ := u.tree.Get(u.name, section, option)
	return v
}

// GetLast returns the value of an option (the last entry of a list).
func (u *UCI) GetLast(section, option string) (string, bool) {
	return u.tree.GetLast(u.name, section, option)
}

// Line is the line of the file that set an option last, 0 if unknown.
func (u *UCI) Line(section, option string) int {
	return u.lines[section+"\x00"+option]
}

// EntryLine is the line of the i-th value Get returns for an option (a
// list entry's own line), 0 if unknown.
func (u *UCI) EntryLine(section, option string, i int) int {
	lines := u.entry[section+"\x00"+option]
	if i < 0 || i >= len(lines) {
		return 0
	}
	return lines[i]
}

// MaxLogValue bounds a value quoted in a message: a 10 MB option value must
// not become a 10 MB log line.
const MaxLogValue = 64

// Quote quotes v for a message, truncated to MaxLogValue bytes with the
// full length said.
func Quote(v string) string {
	if len(v) <= MaxLogValue {
		return strconv.Quote(v)
	}
	return fmt.Sprintf("%s… (%d bytes)", strconv.Quote(v[:MaxLogValue]), len(v))
}

// clip truncates s to MaxLogValue bytes for a message.
func clip(s string) string {
	if len(s) <= MaxLogValue {
		return s
	}
	return s[:MaxLogValue] + "…"
}
