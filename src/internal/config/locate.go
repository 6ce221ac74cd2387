package config

import (
	"fmt"
	"strings"
)

// SyntaxProblem locates the first line of a UCI file that the UCI grammar
// rejects. go-uci reports parse errors without a usable line number; this
// scan finds the line a person has to fix. UCI allows a quoted value to
// span lines, but in a hand-edited file an unbalanced quote on one line is
// the typo far more often, so that is what it reports. It returns line 0
// when every line looks well-formed.
func SyntaxProblem(body string) (line int, msg string) {
	for i, raw := range strings.Split(body, "\n") {
		n := i + 1
		s := strings.TrimSpace(raw)
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		f := strings.Fields(s)
		switch f[0] {
		case "package", "config", "option", "list":
		default:
			return n, fmt.Sprintf("unknown keyword %q (want config, option or list)", f[0])
		}
		if len(f) < 2 {
			return n, fmt.Sprintf("%s without a name", f[0])
		}
		if (f[0] == "option" || f[0] == "list") && len(f) < 3 {
			return n, fmt.Sprintf("%s %s has no value", f[0], f[1])
		}
		if !quotesBalanced(s) {
			return n, "unterminated quoted string"
		}
	}
	return 0, ""
}

// quotesBalanced reports whether every ' or " opened on the line closes on
// it, ignoring a trailing comment.
func quotesBalanced(s string) bool {
	var q rune
	escaped := false
	for _, r := range s {
		switch {
		case escaped:
			escaped = false
		case r == '\\' && q != '\'':
			escaped = true
		case q == 0 && (r == '\'' || r == '"'):
			q = r
		case q != 0 && r == q:
			q = 0
		case q == 0 && r == '#':
			return true
		}
	}
	return q == 0
}

// optionOf returns the option named on a line ("option heal '1'" → heal),
// for error messages.
func optionOf(body string, line int) string {
	lines := strings.Split(body, "\n")
	if line < 1 || line > len(lines) {
		return ""
	}
	f := strings.Fields(lines[line-1])
	if len(f) >= 2 && (f[0] == "option" || f[0] == "list") {
		return f[1]
	}
	return ""
}

// DescribeSyntax turns a parse failure of file into one sentence with the
// line and option, or falls back to the parser's own words.
func DescribeSyntax(file, body string, parseErr error) string {
	line, msg := SyntaxProblem(body)
	if line == 0 {
		return fmt.Sprintf("%s: %v", file, parseErr)
	}
	if opt := optionOf(body, line); opt != "" {
		return fmt.Sprintf("%s line %d (option %s): %s", file, line, opt, msg)
	}
	return fmt.Sprintf("%s line %d: %s", file, line, msg)
}
