package config

import (
	"fmt"
	"strings"
)

// SyntaxProblem locates the first line of a UCI file that the UCI grammar
// rejects. go-uci reports parse errors without a usable line number; this
// scan finds the line a person has to fix. It returns line 0 when every
// line looks well-formed.
func SyntaxProblem(body string) (line int, msg string) {
	inQuote := rune(0)
	startLine := 0
	for i, raw := range strings.Split(body, "\n") {
		n := i + 1
		s := strings.TrimSpace(raw)
		if inQuote == 0 {
			if s == "" || strings.HasPrefix(s, "#") {
				continue
			}
			kw := strings.Fields(s)[0]
			switch kw {
			case "package", "config", "option", "list":
			default:
				return n, fmt.Sprintf("unknown keyword %q (want config, option or list)", kw)
			}
			if kw != "package" && len(strings.Fields(s)) < 2 {
				return n, fmt.Sprintf("%s without a name", kw)
			}
			if (kw == "option" || kw == "list") && len(strings.Fields(s)) < 3 {
				return n, fmt.Sprintf("%s %s has no value", kw, strings.Fields(s)[1])
			}
		}
		for _, r := range raw {
			switch {
			case inQuote == 0 && (r == '\'' || r == '"'):
				inQuote, startLine = r, n
			case inQuote != 0 && r == inQuote:
				inQuote = 0
			case inQuote == 0 && r == '#':
				goto nextLine
			}
		}
	nextLine:
	}
	if inQuote != 0 {
		return startLine, "unterminated quoted string"
	}
	return 0, ""
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
