package config

import (
	"fmt"
	"strings"
)

// This file reads UCI files the way OpenWrt's libuci does (file.c,
// list.c), so netfix accepts every file `uci` accepts and rejects the same
// ones, with the line. go-uci, which netfix uses to query the result,
// differs from libuci in ways that broke real routers (see feed.go); this
// scanner is what decides validity, in one pass over the file.
//
// libuci's rules, as implemented here:
//   - a line holds commands separated by ';'; a word starting with '#'
//     starts a comment that runs to the end of the line;
//   - commands are package, config, option and list, or their first
//     letter (p, c, o, l);
//   - an argument concatenates unquoted runs, '…' (no escapes, may span
//     lines) and "…" (backslash takes the next character literally, may
//     span lines); outside single quotes a backslash at the end of a line
//     joins the next line;
//   - whitespace is what C's isspace says, so the '\r' of CRLF endings is
//     whitespace;
//   - option and section names are [A-Za-z0-9_]; an option with an empty
//     value deletes the option; a list entry may be empty; list after
//     option turns the option into a list that keeps its value.

// SyntaxError is a line a UCI file cannot have.
type SyntaxError struct {
	File string
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s line %d: %s", e.File, e.Line, e.Msg)
}

// uciOption is one option or list of a section.
type uciOption struct {
	Name   string
	List   bool
	Values []string
	Lines  []int // the line of each value (where its word starts)
	Line   int   // the line that set it last
}

// uciSection is one section, its options in file order.
type uciSection struct {
	Type, Name string // Name is "" for an anonymous section
	Line       int
	Options    []*uciOption
	byName     map[string]*uciOption
}

func (s *uciSection) set(name, value string, line int, list bool) {
	o := s.byName[name]
	if !list && value == "" {
		if o != nil { // libuci: an empty value deletes the option
			delete(s.byName, name)
			for i, x := range s.Options {
				if x == o {
					s.Options = append(s.Options[:i], s.Options[i+1:]...)
					break
				}
			}
		}
		return
	}
	if o == nil {
		o = &uciOption{Name: name}
		s.byName[name] = o
		s.Options = append(s.Options, o)
	}
	o.Line = line
	if list {
		o.List = true
		o.Values = append(o.Values, value)
		o.Lines = append(o.Lines, line)
	} else {
		o.List = false
		o.Values = []string{value}
		o.Lines = []int{line}
	}
}

// uciScanner walks the file once; pos only moves forward.
type uciScanner struct {
	file string
	src  string
	pos  int
	line int
	// multiLine is the first line on which a quoted value went on past the
	// end of the line: legal, but the likeliest place of a missing quote
	// when the file then ends inside a quote.
	multiLine int
	words     []word // command's buffer
}

// scanUCI parses body (the contents of file) and returns the sections
// whose type keep accepts; the others are checked and not stored, so a
// firewall's big ipsets cost no memory.
func scanUCI(file, body string, keep func(typ string) bool) ([]*uciSection, error) {
	sc := &uciScanner{file: file, src: body, line: 1}
	var secs []*uciSection
	named := map[string]*uciSection{}
	var cur *uciSection
	for sc.pos < len(sc.src) {
		words, err := sc.command()
		if err != nil {
			return nil, err
		}
		if len(words) == 0 {
			continue
		}
		kw, args, line := words[0].text, words[1:], words[0].line
		switch kw {
		case "package", "p":
			if len(args) != 1 || !validName(args[0].text, true) {
				return nil, sc.errAt(line, "package needs one name")
			}
		case "config", "c":
			if len(args) < 1 || args[0].text == "" {
				return nil, sc.errAt(line, "config needs a section type")
			}
			if !validType(args[0].text) {
				return nil, sc.errAt(line, fmt.Sprintf("invalid character in section type %s", Quote(args[0].text)))
			}
			if len(args) > 2 {
				return nil, sc.errAt(line, "too many arguments (quote a value that has spaces)")
			}
			typ, name := args[0].text, ""
			if len(args) == 2 {
				name = args[1].text
				if name != "" && !validName(name, false) {
					return nil, sc.errAt(line, fmt.Sprintf("invalid character in section name %s (use letters, digits and _)", Quote(name)))
				}
			}
			if s := named[name]; name != "" && s != nil {
				s.Type = typ // libuci: a repeated name reopens the section
				cur = s
				continue
			}
			cur = &uciSection{Type: typ, Name: name, Line: line, byName: map[string]*uciOption{}}
			if keep(typ) {
				secs = append(secs, cur)
			}
			if name != "" {
				named[name] = cur
			}
		case "option", "o", "list", "l":
			if cur == nil {
				return nil, sc.errAt(line, kw+" before the first config line")
			}
			if len(args) < 1 || args[0].text == "" {
				return nil, sc.errAt(line, kw+" without a name")
			}
			if !validName(args[0].text, false) {
				return nil, sc.errAt(line, fmt.Sprintf("invalid character in option name %s (use letters, digits and _)", Quote(args[0].text)))
			}
			if len(args) > 2 {
				return nil, sc.errAt(line, fmt.Sprintf("%s %s: too many arguments (quote a value that has spaces)", kw, clip(args[0].text)))
			}
			value := ""
			if len(args) == 2 {
				value = args[1].text
			}
			if keep(cur.Type) {
				cur.set(args[0].text, value, line, kw == "list" || kw == "l")
			}
		default:
			return nil, sc.errAt(line, fmt.Sprintf("unknown keyword %s (want config, option or list)", Quote(kw)))
		}
	}
	return secs, nil
}

type word struct {
	text string
	line int
}

func (sc *uciScanner) errAt(line int, msg string) error {
	return &SyntaxError{File: sc.file, Line: line, Msg: msg}
}

func isUCISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'
}

// command reads the words of one command: up to ';', a comment or the end
// of the line (which it consumes). The slice is reused by the next call.
func (sc *uciScanner) command() ([]word, error) {
	words := sc.words[:0]
	defer func() { sc.words = words[:0] }()
	for {
		for sc.pos < len(sc.src) && isUCISpace(sc.src[sc.pos]) {
			sc.pos++
		}
		if sc.pos >= len(sc.src) {
			return words, nil
		}
		switch sc.src[sc.pos] {
		case '\n':
			sc.pos++
			sc.line++
			return words, nil
		case ';':
			sc.pos++
			return words, nil
		case '#':
			for sc.pos < len(sc.src) && sc.src[sc.pos] != '\n' {
				sc.pos++
			}
			continue
		}
		w, err := sc.word()
		if err != nil {
			return nil, err
		}
		words = append(words, w)
	}
}

// word reads one argument (quoted and unquoted runs, concatenated).
func (sc *uciScanner) word() (word, error) {
	start := sc.line
	if w, ok := sc.simpleWord(); ok {
		return word{w, start}, nil
	}
	var b strings.Builder
	for sc.pos < len(sc.src) {
		c := sc.src[sc.pos]
		switch {
		case isUCISpace(c), c == '\n', c == ';', c == '#':
			return word{b.String(), start}, nil
		case c == '\'' || c == '"':
			if err := sc.quoted(c, &b); err != nil {
				return word{}, err
			}
		case c == '\\':
			sc.backslash(&b)
		default:
			b.WriteByte(c)
			sc.pos++
		}
	}
	return word{b.String(), start}, nil
}

// ends reports whether c ends an unquoted run.
func ends(c byte) bool {
	return isUCISpace(c) || c == '\n' || c == ';' || c == '#'
}

// simpleWord takes the common words without copying: one unquoted run, or
// one quoted run with no escape or line break in it. Anything else is left
// to word's general path.
func (sc *uciScanner) simpleWord() (string, bool) {
	src, i := sc.src, sc.pos
	end := i
	var w string
	if q := src[i]; q == '\'' || q == '"' {
		j := strings.IndexByte(src[i+1:], q)
		if j < 0 {
			return "", false
		}
		w = src[i+1 : i+1+j]
		if strings.IndexByte(w, '\n') >= 0 || q == '"' && strings.IndexByte(w, '\\') >= 0 {
			return "", false
		}
		end = i + 1 + j + 1
	} else {
		for end < len(src) && !ends(src[end]) && src[end] != '\'' && src[end] != '"' && src[end] != '\\' {
			end++
		}
		w = src[i:end]
	}
	if end < len(src) && !ends(src[end]) {
		return "", false // a quote or escape follows: concatenation
	}
	sc.pos = end
	return w, true
}

// backslash handles '\' outside single quotes: at the end of a line it
// joins the next line, otherwise it keeps the next character as is.
func (sc *uciScanner) backslash(b *strings.Builder) {
	sc.pos++
	rest := sc.src[sc.pos:]
	switch {
	case rest == "":
	case rest[0] == '\n':
		sc.pos++
		sc.line++
	case strings.HasPrefix(rest, "\r\n"):
		sc.pos += 2
		sc.line++
	default:
		b.WriteByte(rest[0])
		sc.pos++
	}
}

func (sc *uciScanner) quoted(q byte, b *strings.Builder) error {
	open := sc.line
	sc.pos++
	for sc.pos < len(sc.src) {
		c := sc.src[sc.pos]
		switch {
		case c == q:
			sc.pos++
			return nil
		case c == '\\' && q == '"':
			sc.backslash(b)
			continue
		case c == '\n':
			if sc.multiLine == 0 {
				sc.multiLine = sc.line
			}
			sc.line++
		}
		b.WriteByte(c)
		sc.pos++
	}
	line := open
	if sc.multiLine != 0 {
		line = sc.multiLine
	}
	return sc.errAt(line, "unterminated quoted string")
}

// validType is libuci's rule for a section type: printable ASCII, no
// spaces.
func validType(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 33 || s[i] > 126 {
			return false
		}
	}
	return true
}

// validName is libuci's rule for section, option (and, with '-', package)
// names.
func validName(s string, pkg bool) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || pkg && c == '-'
		if !ok {
			return false
		}
	}
	return true
}
