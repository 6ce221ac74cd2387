//go:build kernel

package e2e_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Undo removes exactly what apply added. What others put beside netfix's
// rule stays: fw4's own rules in the raw chain netfix adds to, a rule or a
// chain an administrator put into netfix's table after the apply.
func TestS4UndoRemovesOnlyWhatApplyAdded(t *testing.T) {
	cases := []struct {
		name   string
		fw4    bool     // an OpenWrt root: the rule goes into fw4's chain
		before string   // nft commands before the apply
		after  string   // nft commands between apply and undo
		keep   []string // ruleset lines that must survive the undo
	}{
		{
			name:   "fw4's own rule in raw_prerouting",
			fw4:    true,
			before: `add table inet fw4; add chain inet fw4 raw_prerouting { type filter hook prerouting priority raw; }; add rule inet fw4 raw_prerouting iifname "lo" notrack comment "fw4 own"`,
			keep:   []string{`iifname "lo" notrack comment "fw4 own"`},
		},
		{
			name:  "an administrator's rule in netfix's chain",
			after: `add rule inet netfix raw_prerouting iifname "br-main" counter comment "admin rule"`,
			keep:  []string{"table inet netfix {", "chain raw_prerouting {", `comment "admin rule"`},
		},
		{
			name:  "an administrator's chain in netfix's table",
			after: `add chain inet netfix admin`,
			keep:  []string{"table inet netfix {", "chain admin {"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := newS4Lab(t)
			l.host.Run("sysctl", "-qw", "net.ipv4.conf.br-lan137.rp_filter=0")
			args := []string{}
			if tc.fw4 {
				args = append(args, "--root", openWrtRoot(t))
			}
			if tc.before != "" {
				l.host.Run("nft", tc.before)
			}
			if out, code := l.netfix(t, append([]string{"fix", "apply", "bridge.nf_call_iptables"}, args...)...); code != 0 || !strings.Contains(out, "Applied") {
				t.Fatalf("fix apply: %d %s", code, out)
			}
			if tc.after != "" {
				l.host.Run("nft", tc.after)
			}
			withOthers, _ := l.ruleset(t)
			if out, code := l.netfix(t, append([]string{"fix", "undo", "bridge.nf_call_iptables"}, args...)...); code != 0 {
				t.Fatalf("fix undo: %d %s", code, out)
			}
			undone, _ := l.ruleset(t)
			if strings.Contains(undone, `iifname "br-lan137" notrack`) {
				t.Errorf("netfix's notrack rule survived the undo:\n%s", undone)
			}
			for _, k := range tc.keep {
				if !strings.Contains(undone, k) {
					t.Errorf("undo removed %q, which netfix did not add:\n%s", k, lineDiff(withOthers, undone))
				}
			}
		})
	}
}

// openWrtRoot is a root directory that makes netfix take the firewall4
// path: an OpenWrt release file, a firewall config and fw4's include
// directory.
func openWrtRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for p, body := range map[string]string{
		"etc/openwrt_release": "DISTRIB_ID='OpenWrt'\n",
		"etc/config/firewall": "config defaults\n\toption input 'ACCEPT'\n",
	} {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "usr/share/nftables.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	return root
}
