package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixtureRoot writes files (path → content) below a fresh directory.
func fixtureRoot(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, body := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// Bad input stops the check with exit 3 and a message that names the file
// and line, before the kernel is touched (so this runs without root).
func TestCheckBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name:  "unterminated quote",
			files: map[string]string{"etc/config/firewall": "config defaults\n\toption input 'ACCEPT'\n\toption flow_offloading '1\n\nconfig zone\n\toption name 'lan'\n"},
			want:  []string{"firewall line 3 (option flow_offloading): unterminated quoted string", "/rom/etc/config/firewall"},
		},
		{
			name:  "garbage keyword",
			files: map[string]string{"etc/config/firewall": "config defaults\n\toptoin flow_offloading '1'\n"},
			want:  []string{"firewall line 2: unknown keyword \"optoin\""},
		},
		{
			name:  "missing firewall config",
			files: map[string]string{"etc/openwrt_release": "DISTRIB_ID='OpenWrt'\n"},
			want:  []string{"firewall does not exist", "cp /rom/etc/config/firewall /etc/config/firewall"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := fixtureRoot(t, tt.files)
			for _, asJSON := range []bool{false, true} {
				var out, errb bytes.Buffer
				args := []string{"--root", root, "--socket", filepath.Join(root, "none.sock")}
				if asJSON {
					args = append(args, "--json")
				}
				code := Check(args, &out, &errb)
				if code != ExitFailed {
					t.Fatalf("exit %d, want %d; stderr: %s", code, ExitFailed, errb.String())
				}
				for _, w := range tt.want {
					if !strings.Contains(errb.String(), w) {
						t.Errorf("stderr lacks %q:\n%s", w, errb.String())
					}
				}
				if asJSON {
					var e struct{ Error string }
					if err := json.Unmarshal(out.Bytes(), &e); err != nil || e.Error == "" {
						t.Errorf("--json must print {\"error\": ...}, got %q (%v)", out.String(), err)
					}
				}
			}
		})
	}
}

func TestCheckUsage(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	if code := Check([]string{"--bogus"}, &out, &errb); code != ExitFailed {
		t.Errorf("unknown flag: exit %d", code)
	}
	if code := Check([]string{"extra"}, &out, &errb); code != ExitFailed {
		t.Errorf("stray argument: exit %d", code)
	}
}
