package config

import (
	"errors"
	"fmt"
	"strings"
)

// optionOf returns the option named on a line ("option heal '1'" → heal),
// for error messages.
func optionOf(body []byte, line int) string {
	lines := strings.Split(string(body), "\n")
	if line < 1 || line > len(lines) {
		return ""
	}
	f := strings.Fields(lines[line-1])
	if len(f) >= 2 && (f[0] == "option" || f[0] == "list" || f[0] == "o" || f[0] == "l") {
		return f[1]
	}
	return ""
}

// DescribeSyntax turns a failure to read body into one sentence with the
// file, line and option where there is one.
func DescribeSyntax(body []byte, err error) string {
	var se *SyntaxError
	if !errors.As(err, &se) {
		return err.Error()
	}
	if opt := optionOf(body, se.Line); opt != "" {
		return fmt.Sprintf("%s line %d (option %s): %s", se.File, se.Line, clip(opt), se.Msg)
	}
	return se.Error()
}
