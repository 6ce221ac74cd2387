package config

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The shipped file documents every option with its default; parsing it
// must give exactly Default(), so the docs cannot drift from the code.
func TestShippedConfigIsDefault(t *testing.T) {
	t.Parallel()
	cfg, problems, err := Load(filepath.Join("..", "..", "..", "files", "etc", "config", "netfix"))
	if err != nil || len(problems) != 0 {
		t.Fatalf("shipped config: %v %v", err, problems)
	}
	if diff := cmp.Diff(Default(), cfg, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("shipped config differs from Default() (-default +shipped):\n%s", diff)
	}
	body, _ := os.ReadFile(filepath.Join("..", "..", "..", "files", "etc", "config", "netfix"))
	for _, opt := range []string{"enabled", "heal", "dry_run", "log_level", "sweep_interval", "repair_burst", "ignore_interface", "ignore_host", "metrics_file"} {
		if !strings.Contains(string(body), " "+opt+" ") {
			t.Errorf("shipped config does not document %s", opt)
		}
	}
}

func write(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "netfix")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		body     string
		mutate   func(*Config)
		problems []string
		err      string
	}{
		{
			name: "everything set",
			body: "config netfix 'main'\n\toption heal '1'\n\toption dry_run 'yes'\n\toption log_level 'debug'\n\toption sweep_interval '10'\n\tlist ignore_interface 'br-guest'\n\tlist ignore_host '192.168.1.2'\n\tlist ignore_host 'fd00::/64'\n",
			mutate: func(c *Config) {
				c.DryRun, c.LogLevel, c.SweepInterval = true, LevelDebug, 10*time.Second
				c.IgnoreInterfaces = []string{"br-guest"}
				c.IgnoreHosts = []netip.Prefix{netip.MustParsePrefix("192.168.1.2/32"), netip.MustParsePrefix("fd00::/64")}
			},
		},
		{
			name:   "bad values keep defaults and name line and option",
			body:   "config netfix 'main'\n\toption heal 'maybe'\n\toption sweep_interval 'soon'\n\toption log_level 'loud'\n\tlist ignore_host 'router.lan'\n\toption enabled '0'\n",
			mutate: func(c *Config) { c.Enabled = false },
			problems: []string{
				`line 2 (option heal): "maybe" is not a boolean`,
				`line 3 (option sweep_interval): "soon" is not a number of seconds`,
				`line 4 (option log_level): "loud" is not one of`,
				`line 5 (option ignore_host): "router.lan" is not an IP address`,
			},
		},
		{
			name:   "metrics file",
			body:   "config netfix 'main'\n\toption metrics_file '/var/lib/prometheus/node-exporter/netfix.prom'\n",
			mutate: func(c *Config) { c.MetricsFile = "/var/lib/prometheus/node-exporter/netfix.prom" },
		},
		{
			name:   "metrics file off",
			body:   "config netfix 'main'\n\toption metrics_file 'off'\n",
			mutate: func(c *Config) { c.MetricsOff = true },
		},
		{
			name:     "metrics file relative: no file, and why",
			body:     "config netfix 'main'\n\toption metrics_file 'netfix.prom'\n",
			mutate:   func(c *Config) { c.MetricsOff = true },
			problems: []string{`line 2 (option metrics_file): "netfix.prom" is not an absolute file path`},
		},
		{
			name: "syntax error: defaults and an error naming the line",
			body: "config netfix 'main'\n\toption heal '1\n\toption dry_run '0'\n",
			err:  "line 2 (option heal): unterminated quoted string",
		},
		{
			name:   "what uci accepts: CRLF, empty values, '' and \"\"",
			body:   "config netfix 'main'\r\n\toption heal '0'\r\n\toption dry_run ''\r\n\toption log_level \"\"\r\n\tlist ignore_host ''\r\n\tlist ignore_interface 'br-guest'\r\n",
			mutate: func(c *Config) { c.Heal = false; c.IgnoreInterfaces = []string{"br-guest"} },
		},
		{
			name:     "a 4 MB value is quoted short",
			body:     "config netfix 'main'\n\toption log_level '" + strings.Repeat("x", 4<<20) + "'\n",
			problems: []string{`line 2 (option log_level): "` + strings.Repeat("x", MaxLogValue) + `"… (4194304 bytes) is not one of`},
		},
		{
			name: "a 10 MB file is refused in one short sentence",
			body: "config netfix 'main'\n\toption log_level '" + strings.Repeat("x", 10<<20) + "'\n",
			err:  "file too large (10485802 bytes, the limit is 8388608)",
		},
		{
			name: "broken line in CRLF file: file and line",
			body: "config netfix 'main'\r\n\toption heal '0'\r\n\tbogus\r\n",
			err:  "netfix line 3: unknown keyword \"bogus\"",
		},
		{
			name:     "no netfix section",
			body:     "config other 'x'\n",
			problems: []string{"no `config netfix 'main'` section"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, problems, err := Load(write(t, tt.body))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				if diff := cmp.Diff(Default(), cfg, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
					t.Errorf("a broken file must give the defaults:\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := Default()
			if tt.mutate != nil {
				tt.mutate(&want)
			}
			if diff := cmp.Diff(want, cfg, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
			if len(problems) != len(tt.problems) {
				t.Fatalf("problems = %v, want %d", problems, len(tt.problems))
			}
			for i, p := range problems {
				if !strings.Contains(p.String(), tt.problems[i]) {
					t.Errorf("problem %d = %q, want it to contain %q", i, p, tt.problems[i])
				}
			}
		})
	}
}

func TestMissingFileIsDefault(t *testing.T) {
	t.Parallel()
	cfg, problems, err := Load(filepath.Join(t.TempDir(), "netfix"))
	if err != nil || problems != nil || cfg.Mode() != "heal" {
		t.Errorf("missing file: %+v %v %v", cfg, problems, err)
	}
}

func TestIgnored(t *testing.T) {
	t.Parallel()
	c := Default()
	c.IgnoreInterfaces = []string{"br-guest"}
	c.IgnoreHosts = []netip.Prefix{netip.MustParsePrefix("192.168.1.2/32"), netip.MustParsePrefix("fd00::/64")}
	for _, tt := range []struct {
		iface string
		ip    string
		want  bool
	}{
		{"br-guest", "10.0.0.1", true},
		{"br-lan", "192.168.1.2", true},
		{"br-lan", "::ffff:192.168.1.2", true},
		{"br-lan", "fd00::9", true},
		{"br-lan", "192.168.1.3", false},
	} {
		if got := c.Ignored(tt.iface, netip.MustParseAddr(tt.ip)); got != tt.want {
			t.Errorf("Ignored(%s, %s) = %v", tt.iface, tt.ip, got)
		}
	}
}

// A bad list entry is reported on its own line, not on the list's last.
func TestListEntryLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want []string // problems, in order
	}{
		{
			name: "bad first of three ignore_host entries",
			body: "config netfix 'main'\n\toption heal '1'\n\tlist ignore_host '300.1.1.1'\n\tlist ignore_host '10.0.0.1'\n\n\t# more\n\tlist ignore_host '10.0.0.2'\n",
			want: []string{`line 3 (option ignore_host): "300.1.1.1" is not an IP address`},
		},
		{
			name: "two bad entries, each on its line",
			body: "config netfix 'main'\n\tlist ignore_host 'a'\n\tlist ignore_host '10.0.0.1'\n\tlist ignore_host 'b'\n\tlist ignore_host '10.0.0.2'\n",
			want: []string{
				`line 2 (option ignore_host): "a" is not an IP address`,
				`line 4 (option ignore_host): "b" is not an IP address`,
			},
		},
		{
			name: "an empty entry before does not shift the lines",
			body: "config netfix 'main'\n\tlist ignore_interface ''\n\tlist ignore_interface 'a b'\n\tlist ignore_interface 'br-lan'\n",
			want: []string{`line 3 (option ignore_interface): "a b" is not an interface name`},
		},
		{
			name: "option then list: the option's value keeps its line",
			body: "config netfix 'main'\n\toption ignore_host 'x'\n\tlist ignore_host '10.0.0.1'\n",
			want: []string{`line 2 (option ignore_host): "x" is not an IP address`},
		},
		{
			name: "entries of one line split by ';' and a multi-line entry",
			body: "config netfix 'main'\n\tlist ignore_host '10.0.0.1'; list ignore_host 'y'\n\tlist ignore_host 'z\n'\n\tlist ignore_host '10.0.0.3'\n",
			want: []string{
				`line 2 (option ignore_host): "y" is not an IP address`,
				`line 3 (option ignore_host): "z\n" is not an IP address`,
			},
		},
		{
			name: "list reopened in a repeated section",
			body: "config netfix 'main'\n\tlist ignore_host 'q'\nconfig netfix 'main'\n\tlist ignore_host '10.0.0.1'\n",
			want: []string{`line 2 (option ignore_host): "q" is not an IP address`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, problems, err := Load(write(t, tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if len(problems) != len(tt.want) {
				t.Fatalf("problems = %v, want %q", problems, tt.want)
			}
			for i, p := range problems {
				if !strings.Contains(p.String(), tt.want[i]) {
					t.Errorf("problem %d = %q, want it to contain %q", i, p, tt.want[i])
				}
			}
		})
	}
}
