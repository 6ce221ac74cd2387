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
// endings, `package` lines — without a line number, and merges list
// entries in quadratic time (a firewall ipset with 20k entries took 13 s).
// So scanUCI reads the whole file once with libuci's rules, which decides
// validity and gives the line of any error; go-uci then parses only the
// sections netfix reads, rendered in the subset of the syntax it handles.
// The firewall's big lists never reach it.
type UCI struct {
	tree  uci.Tree
	name  string            // go-uci's config name for the fed text
	lines map[string]int    // "section\x00option" -> line in the file
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
	u := &UCI{lines: map[string]int{}, types: map[string]string{}}
	var text strings.Builder
	index := map[string]int{}
	for _, s := range secs {
		name := s.Name
		if name == "" {
			name = fmt.Sprintf("@%s[%d]", s.Type, index[s.Type])
		}
		index[s.Type]++
		u.types[name] = s.Type
		text.WriteString("config " + s.Type)
		if s.Name != "" {
			text.WriteString(" '" + s.Name + "'")
		}
		text.WriteString("\n")
		for _, o := range s.Options {
			u.lines[name+"\x00"+o.Name] = o.Line
			u.render(&text, path, o)
		}
	}
	tree, cfg, err := feed(text.String())
	if err != nil {
		return nil, fmt.Errorf("%s: hand the %s sections to the UCI reader: %w", path, strings.Join(types, ", "), err)
	}
	u.tree, u.name = tree, cfg
	return u, nil
}

// render writes one option in the syntax go-uci parses: single-quoted
// values without quotes, backslashes or line breaks (go-uci reads them
// raw or not at all), no empty list entries, lists capped.
func (u *UCI) render(w *strings.Builder, path string, o *uciOption) {
	kw := "option"
	if o.List {
		kw = "list"
	}
	n := 0
	for _, v := range o.Values {
		switch {
		case v == "":
			continue // an empty list entry names nothing
		case strings.ContainsAny(v, "'\\\n\r"):
			u.Problems = append(u.Problems, Problem{File: path, Line: o.Line, Option: o.Name,
				Msg: fmt.Sprintf("%s has a quote, backslash or line break, which no value netfix reads contains; ignored", Quote(v))})
			continue
		case n == MaxListEntries:
			u.Problems = append(u.Problems, Problem{File: path, Line: o.Line, Option: o.Name,
				Msg: fmt.Sprintf("more than %d entries; netfix reads the first %d (use prefixes)", MaxListEntries, MaxListEntries)})
		}
		if n == MaxListEntries {
			break
		}
		n++
		w.WriteString("\t" + kw + " " + o.Name + " '" + v + "'\n")
	}
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
