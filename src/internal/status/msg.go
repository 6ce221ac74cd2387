package status

import (
	"fmt"
	"strings"
)

// Msg is one sentence netfix says to a person, kept as its catalog key and
// the values that fill it, so the CLI (English) and the LuCI page (through
// LuCI's _() and the zh_Hans catalog) can never say different things.
//
// ID is the English msgid of luci-app/po: it may hold %s and %d
// placeholders, filled in order by Args (always strings, so values that
// come from the network, such as host or interface names, stay text). A
// plural message also has Plural (msgid_plural) and N, which picks the
// form; N is not an argument by itself: put it in Args where the sentence
// shows it.
type Msg struct {
	ID     string   `json:"id"`
	Plural string   `json:"plural,omitempty"`
	N      int      `json:"n,omitempty"`
	Args   []string `json:"args,omitempty"`
}

// M builds a message; each arg is formatted with %v.
func M(id string, args ...any) Msg {
	return Msg{ID: id, Args: stringArgs(args)}
}

// MN builds a plural message: singular when n == 1, plural otherwise (the
// English rule; the catalog carries each language's own).
func MN(n int, singular, plural string, args ...any) Msg {
	return Msg{ID: singular, Plural: plural, N: n, Args: stringArgs(args)}
}

func stringArgs(args []any) []string {
	if len(args) == 0 {
		return nil
	}
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = fmt.Sprint(a)
	}
	return out
}

// String renders the English sentence.
func (m Msg) String() string {
	tmpl := m.ID
	if m.Plural != "" && m.N != 1 {
		tmpl = m.Plural
	}
	return Fill(tmpl, m.Args)
}

// Fill replaces the %s / %d placeholders of tmpl in order with args, and
// %% with %. A missing argument renders as an empty string; a placeholder
// count that does not match is caught by the catalog tests, not here.
func Fill(tmpl string, args []string) string {
	if !strings.Contains(tmpl, "%") {
		return tmpl
	}
	var b strings.Builder
	next := 0
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c != '%' || i+1 >= len(tmpl) {
			b.WriteByte(c)
			continue
		}
		switch tmpl[i+1] {
		case 's', 'd':
			if next < len(args) {
				b.WriteString(args[next])
			}
			next++
			i++
		case '%':
			b.WriteByte('%')
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Placeholders counts the %s / %d placeholders of a msgid.
func Placeholders(tmpl string) int {
	n := 0
	for i := 0; i+1 < len(tmpl); i++ {
		if tmpl[i] != '%' {
			continue
		}
		switch tmpl[i+1] {
		case 's', 'd':
			n++
			i++
		case '%':
			i++
		}
	}
	return n
}

// NewFinding builds a finding from messages and fills its English fields
// from them. Rules use it so that every sentence of a finding has a key.
func NewFinding(id string, sev Severity, title Msg, detail []Msg, evidence []Msg, fix string) Finding {
	f := Finding{
		ID:          id,
		Severity:    sev,
		TitleMsg:    title,
		DetailMsg:   detail,
		EvidenceMsg: evidence,
		Fix:         fix,
	}
	f.Title = title.String()
	parts := make([]string, len(detail))
	for i, d := range detail {
		parts[i] = d.String()
	}
	f.Detail = strings.Join(parts, " ")
	f.Evidence = make([]string, len(evidence))
	for i, e := range evidence {
		f.Evidence[i] = e.String()
	}
	return f
}

// WithFixAction marks a finding's fix as one netfix can apply and undo on
// request: action is a fix action id, args its arguments for this host.
func (f Finding) WithFixAction(action string, args map[string]string) Finding {
	f.FixAction = action
	f.FixArgs = args
	return f
}
