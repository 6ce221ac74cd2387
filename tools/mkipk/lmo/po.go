package lmo

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// Message is one entry of a .po file.
type Message struct {
	Context string
	ID      string
	Plural  string
	// Str holds msgstr, or msgstr[0..n] of a plural message.
	Str   []string
	Fuzzy bool
	Line  int
}

// Catalog is a parsed .po file.
type Catalog struct {
	// PluralForms is the header's Plural-Forms value
	// ("nplurals=1; plural=0;"), empty when the header has none.
	PluralForms string
	Messages    []Message
}

// ParsePO reads a .po file: comments, msgctxt, msgid, msgid_plural,
// msgstr, msgstr[N] and continuation lines. Obsolete (#~) entries are
// skipped. Strings are kept as po2lmo keeps them: \" and \\ are
// unescaped, other escapes (\n, \t) stay as written.
func ParsePO(src []byte) (Catalog, error) {
	var c Catalog
	var cur *Message
	var field *string
	var header string
	fuzzy := false
	flush := func() {
		if cur != nil {
			if cur.ID == "" && cur.Context == "" && len(cur.Str) > 0 {
				header = cur.Str[0]
			} else if cur.ID != "" {
				c.Messages = append(c.Messages, *cur)
			}
		}
		cur, field = nil, nil
	}
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#~"):
			continue
		case strings.HasPrefix(line, "#"):
			if strings.HasPrefix(line, "#,") && strings.Contains(line, "fuzzy") {
				fuzzy = true
			}
			continue
		}
		kw, rest := "", line
		if !strings.HasPrefix(line, `"`) {
			var ok bool
			if kw, rest, ok = strings.Cut(line, " "); !ok {
				return c, fmt.Errorf("line %d: %q has no string", n, line)
			}
		}
		val, err := unquote(strings.TrimSpace(rest))
		if err != nil {
			return c, fmt.Errorf("line %d: %w", n, err)
		}
		onlyCtxt := cur != nil && cur.Context != "" && cur.ID == "" && len(cur.Str) == 0
		if kw == "msgctxt" || (kw == "msgid" && !onlyCtxt) {
			flush()
			cur = &Message{Line: n, Fuzzy: fuzzy}
			fuzzy = false
		}
		switch {
		case kw == "msgctxt":
			field = &cur.Context
		case kw == "msgid":
			field = &cur.ID
		case cur == nil:
			return c, fmt.Errorf("line %d: %s before any msgid", n, kw)
		case kw == "msgid_plural":
			field = &cur.Plural
		case kw == "msgstr":
			cur.Str = append(cur.Str, "")
			field = &cur.Str[len(cur.Str)-1]
		case strings.HasPrefix(kw, "msgstr[") && strings.HasSuffix(kw, "]"):
			idx := kw[len("msgstr[") : len(kw)-1]
			if idx != itoa(len(cur.Str)) {
				return c, fmt.Errorf("line %d: %s out of order (expected msgstr[%d])", n, kw, len(cur.Str))
			}
			cur.Str = append(cur.Str, "")
			field = &cur.Str[len(cur.Str)-1]
		case kw == "":
			if field == nil {
				return c, fmt.Errorf("line %d: a string outside an entry", n)
			}
		default:
			return c, fmt.Errorf("line %d: unknown keyword %q", n, kw)
		}
		*field += val
	}
	if err := sc.Err(); err != nil {
		return c, err
	}
	flush()
	for _, l := range strings.Split(header, `\n`) {
		if v, ok := strings.CutPrefix(l, "Plural-Forms: "); ok {
			c.PluralForms = v
		}
	}
	return c, nil
}

// unquote takes a "..." string the way po2lmo's extract_string does.
func unquote(s string) (string, error) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", fmt.Errorf("%q is not a quoted string", s)
	}
	s = s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String(), nil
}
