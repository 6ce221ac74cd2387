package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// What libuci accepts, netfix accepts, with libuci's meaning.
func TestReadUCIAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want map[string][]string // "section.option" -> values; section as uci shows it
	}{
		{
			name: "empty values: option deleted, empty list entry dropped",
			body: "config netfix 'main'\n\toption heal '1'\n\toption heal ''\n\toption dry_run \"\"\n\tlist ignore_host ''\n\tlist ignore_host '10.0.0.1'\n\toption log_level\n",
			want: map[string][]string{"main.heal": nil, "main.dry_run": nil, "main.ignore_host": {"10.0.0.1"}, "main.log_level": nil},
		},
		{
			name: "CRLF line endings",
			body: "config netfix 'main'\r\n\toption heal '0'\r\n\toption log_level debug\r\n\tlist ignore_interface 'br-guest'\r\n",
			want: map[string][]string{"main.heal": {"0"}, "main.log_level": {"debug"}, "main.ignore_interface": {"br-guest"}},
		},
		{
			name: "quotes, escapes and comments as libuci reads them",
			body: "package netfix\nconfig netfix main # trailing comment\n\toption a 'it'\\''s'\n\toption b \"x\\\"y\"\n\toption c ab'c d'\"e\" # c\n\toption d 'x#y'\n\toption e plain#comment\n",
			want: map[string][]string{"main.a": {"it's"}, "main.b": {`x"y`}, "main.c": {"abc de"}, "main.d": {"x#y"}, "main.e": {"plain"}},
		},
		{
			name: "abbreviated keywords and ';' between commands",
			body: "c netfix 'main'; o heal 0; l ignore_host 10.0.0.1\n",
			want: map[string][]string{"main.heal": {"0"}, "main.ignore_host": {"10.0.0.1"}},
		},
		{
			name: "multi-line quoted value and a joined line",
			body: "config netfix 'main'\n\toption x 'a\nb'\n\toption log_\\\nlevel debug\n",
			want: map[string][]string{"main.log_level": {"debug"}, "main.x": {"a\nb"}},
		},
		{
			name: "list after option keeps the option's value",
			body: "config netfix 'main'\n\toption ignore_host '10.0.0.1'\n\tlist ignore_host '10.0.0.2'\n",
			want: map[string][]string{"main.ignore_host": {"10.0.0.1", "10.0.0.2"}},
		},
		{
			name: "anonymous sections, other types dropped",
			body: "config rule\n\toption name 'x'\nconfig netfix\n\toption heal '0'\nconfig netfix\n\toption heal '1'\n",
			want: map[string][]string{"@netfix[0].heal": {"0"}, "@netfix[1].heal": {"1"}, "@rule[0].name": nil},
		},
		{
			name: "repeated section name reopens it",
			body: "config netfix 'main'\n\toption heal '0'\nconfig netfix 'main'\n\toption dry_run '1'\n",
			want: map[string][]string{"main.heal": {"0"}, "main.dry_run": {"1"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := ReadUCI("/etc/config/netfix", []byte(tt.body), "netfix")
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			for k := range tt.want {
				sec, opt, _ := strings.Cut(k, ".")
				got[k] = u.Get(sec, opt)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
		})
	}
}

// Every quoting form libuci accepts reaches netfix with the value libuci
// gives (file.c: parse_str concatenates unquoted, '…' and "…" runs;
// parse_single_quote copies everything up to the next '; parse_double_quote
// and unquoted runs pass the character after a backslash literally and drop
// a backslash that ends a line together with the line break; a quoted run
// may span lines and keeps the line breaks). go-uci alone reads quoted
// values raw and cannot carry a quote, a backslash or a line break.
func TestReadUCIQuoting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, value string // value: the UCI text after "option v "
		want        string // what libuci yields
	}{
		{"unquoted", `plain`, "plain"},
		{"single quotes", `'two words'`, "two words"},
		{"double quotes", `"two words"`, "two words"},
		{"apostrophe in double quotes", `"it's"`, "it's"},
		{"uci export's quote escape", `'a'\''b'`, "a'b"},
		{"backslash literal in single quotes", `'a\b'`, `a\b`},
		{"only a backslash, single-quoted", `'\'`, `\`},
		{"trailing backslash, single-quoted", `'C:\'`, `C:\`},
		{"escaped backslash in double quotes", `"a\\b"`, `a\b`},
		{"escaped double quote", `"a\"b"`, `a"b`},
		{"backslash before a letter in double quotes", `"a\nb"`, "anb"},
		{"escaped backslash at the end of double quotes", `"a\\"`, `a\`},
		{"escaped space unquoted", `a\ b`, "a b"},
		{"escaped backslash unquoted", `a\\b`, `a\b`},
		{"escaped quote unquoted", `a\'b`, "a'b"},
		{"escaped hash unquoted", `a\#b`, "a#b"},
		{"concatenated runs", `'x'"y"z`, "xyz"},
		{"quotes of the other kind inside", `"a'b"'c"d'`, `a'bc"d`},
		{"hash and semicolon quoted", `'a#b;c'`, "a#b;c"},
		{"hash in double quotes", `"a # b"`, "a # b"},
		{"tab inside quotes", "'a\tb'", "a\tb"},
		{"multi-line single quotes", "'a\nb'", "a\nb"},
		{"multi-line double quotes", "\"a\nb\"", "a\nb"},
		{"backslash-newline in double quotes joins", "\"a\\\nb\"", "ab"},
		{"backslash-CRLF in double quotes joins", "\"a\\\r\nb\"", "ab"},
		{"backslash-newline unquoted joins", "a\\\nb", "ab"},
		{"backslash-newline in single quotes is kept", "'a\\\nb'", "a\\\nb"},
		{"backslash at the end of the file", "a\\", "a"},
		{"empty run before a word", `''a`, "a"},
		{"UTF-8", `'grüße'`, "grüße"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			atEOF := tt.name == "backslash at the end of the file"
			for _, kw := range []string{"option", "list"} {
				body := "config netfix 'main'\n\t" + kw + " v " + tt.value
				if !atEOF {
					body += "\n\toption after '1'\n"
				}
				u, err := ReadUCI("f", []byte(body), "netfix")
				if err != nil {
					t.Fatalf("%s %s: %v", kw, tt.value, err)
				}
				if diff := cmp.Diff([]string{tt.want}, u.Get("main", "v")); diff != "" {
					t.Errorf("%s v %s (-want +got):\n%s", kw, tt.value, diff)
				}
				if len(u.Problems) != 0 {
					t.Errorf("%s v %s: problems %v", kw, tt.value, u.Problems)
				}
				if got, _ := u.GetLast("main", "after"); !atEOF && got != "1" {
					t.Errorf("%s v %s: the next option reads %q, want \"1\"", kw, tt.value, got)
				}
			}
		})
	}
}

// What libuci refuses is refused with the file and the line to fix.
func TestReadUCIRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body    string
		line    int
		errPart string
	}{
		{"config netfix 'main'\n\topton x 'y'\n", 2, `unknown keyword "opton"`},
		{"config netfix 'main'\r\n\toption heal '1\r\n", 2, "unterminated quoted string"},
		{"config netfix 'main'\n\toption heal '1\n\toption dry_run '0'\n", 2, "unterminated quoted string"},
		{"\n\n\toption heal '1'\n", 3, "before the first config line"},
		{"config netfix 'main'\n\toption heal 1 2\n", 2, "too many arguments"},
		{"config netfix 'ma-in'\n", 1, "invalid character in section name"},
		{"config netfix 'main'\n\toption he.al 1\n", 2, "invalid character in option name"},
		{"config\n", 1, "config needs a section type"},
		{"config 'net fix'\n", 1, "invalid character in section type"},
		{"config netfix main\n\toption\n", 2, "without a name"},
		{"config netfix main\n\toption x \"a\\\n", 2, "unterminated quoted string"},
	}
	for _, tt := range tests {
		_, err := ReadUCI("/etc/config/netfix", []byte(tt.body), "netfix")
		var se *SyntaxError
		if !errors.As(err, &se) || se.Line != tt.line || se.File != "/etc/config/netfix" || !strings.Contains(se.Msg, tt.errPart) {
			t.Errorf("ReadUCI(%q) = %v; want /etc/config/netfix line %d: %s", tt.body, err, tt.line, tt.errPart)
		}
	}
}

func firewallWithList(n int) []byte {
	var b strings.Builder
	b.WriteString("config defaults\n\toption flow_offloading '1'\n\nconfig ipset\n\toption name 'cn'\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "\tlist entry '10.%d.%d.0/24'\n", i/256, i%256)
	}
	return []byte(b.String())
}

// A firewall ipset with 20k entries is read in linear time. Allocations
// stand in for operations (no wall clock): ten times the entries may cost
// at most fifteen times the allocations (go-uci alone: over a hundred).
func TestReadUCILinear(t *testing.T) {
	small, big := firewallWithList(2000), firewallWithList(20000)
	allocs := func(body []byte) float64 {
		return testing.AllocsPerRun(2, func() {
			u, err := ReadUCI("firewall", body, "defaults")
			if err != nil {
				t.Fatal(err)
			}
			if v, _ := u.GetLast("@defaults[0]", "flow_offloading"); v != "1" {
				t.Fatalf("flow_offloading = %q", v)
			}
		})
	}
	a, b := allocs(small), allocs(big)
	if b > 15*a {
		t.Errorf("allocations: %.0f for 2k entries, %.0f for 20k: not linear", a, b)
	}
}

// Netfix's own lists reach go-uci, so they are capped.
func TestReadUCIListCap(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("config netfix 'main'\n")
	for i := 0; i < MaxListEntries+10; i++ {
		fmt.Fprintf(&b, "\tlist ignore_host '10.0.%d.%d'\n", i/256, i%256)
	}
	u, err := ReadUCI("netfix", []byte(b.String()), "netfix")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(u.Get("main", "ignore_host")); n != MaxListEntries || len(u.Problems) != 1 {
		t.Errorf("%d entries kept, problems %v", n, u.Problems)
	}
}

// The table: go-uci alone took 66 / 195 / 666 / 2,968 ms for 1k /
// 2k / 4k / 8k list entries and 13 s for 20k.
func BenchmarkReadUCIFirewall(b *testing.B) {
	for _, n := range []int{1000, 2000, 4000, 8000, 20000} {
		body := firewallWithList(n)
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for i := 0; i < b.N; i++ {
				if _, err := ReadUCI("firewall", body, "defaults"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestQuoteTruncates(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 10<<20)
	if q := Quote(long); len(q) > MaxLogValue+40 || !strings.Contains(q, "10485760 bytes") {
		t.Errorf("Quote of 10 MB = %d bytes: %.80s", len(q), q)
	}
	if q := Quote("br-lan"); q != `"br-lan"` {
		t.Errorf("Quote(br-lan) = %s", q)
	}
}
