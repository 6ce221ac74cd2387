package diagnose

import (
	"encoding/json"
	"path"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/fixtures"
	"github.com/netfix/netfix/src/internal/shell/shelltest"
)

// Every command a finding offers for copying keeps a hostile interface or
// file name one argument when a real sh runs it (shelltest records what
// each program would get; nothing runs). A bridge named q';id;' must not
// make the copied fix run id.
func TestFixCommandsQuoteNames(t *testing.T) {
	t.Parallel()
	for _, name := range shelltest.Hostile {
		if name == "" {
			continue // no interface has no name
		}
		dot := dottedName(name)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// S3, the three attributions of an interface with forwarding off.
			ifc := facts.ForwardingInterface{Name: name}
			for _, openwrt := range []bool{false, true} {
				want := []shelltest.Call{
					{Name: "sysctl", Args: []string{"-w", "net.ipv4.conf." + dot + ".forwarding=1"}},
					{Name: "echo", Args: []string{"net.ipv4.conf." + dot + ".forwarding = 1"}},
				}
				if openwrt {
					want = append(want, shelltest.Call{Name: "/etc/init.d/sysctl", Args: []string{"restart"}})
				}
				run(t, "no culprit", attributeIPv4(facts.Forwarding{OpenWrt: openwrt}, ifc).fix, want)
			}
			file := "/etc/sysctl.d/" + name + ".conf"
			fw := facts.Forwarding{Sysctl: []facts.SysctlLine{{ConfigLine: facts.ConfigLine{File: file, Line: 3, Key: "net.ipv4.conf." + dot + ".forwarding", Value: "0"}}}}
			run(t, "sysctl.d line", attributeIPv4(fw, ifc).fix, []shelltest.Call{
				{Name: "sed", Args: []string{"-i", "3s/=.*/= 1/", file}},
				{Name: "sysctl", Args: []string{"-w", "net.ipv4.conf." + dot + ".forwarding=1"}},
			})
			nf := ifc
			nf.NetworkFile = "/etc/systemd/network/" + name + ".network"
			fw = facts.Forwarding{Networkd: facts.Networkd{State: facts.NetworkdRunning, Version: 257}}
			run(t, ".network file", attributeIPv4(fw, nf).fix, []shelltest.Call{
				{Name: "mkdir", Args: []string{"-p", nf.NetworkFile + ".d"}},
				{Name: "printf", Args: []string{`[Network]\nIPv4Forwarding=yes\n`}},
				{Name: "networkctl", Args: []string{"reload"}},
				{Name: "networkctl", Args: []string{"reconfigure", name}},
			})

			// S4, through the rules: the notrack fix, on a Docker host and
			// on OpenWrt, and the rp_filter alternative in the detail.
			snap := renameBridge(t, fixtures.S4(), "br-lan137", name)
			inc := NotrackInclude(name)
			for _, fw4 := range []bool{false, true} {
				snap.Firewall.Present = fw4
				fixes, alt := map[string]string{}, ""
				for _, f := range en(Run(snap)) {
					fixes[f.ID] = f.Fix
					for _, d := range f.Finding.Detail {
						s := d.String()
						if i := strings.Index(s, ", or an address"); strings.HasPrefix(s, "Alternative: sysctl -w") && i > 0 {
							alt = strings.TrimPrefix(s[:i], "Alternative: ")
						} else if strings.HasPrefix(s, "Alternative: sysctl -w net.ipv4.conf.all.rp_filter") {
							t.Errorf("rp_filter alternative %q: where does the command end?", s)
						}
					}
				}
				want := []shelltest.Call{{Name: "nft", Args: []string{`add table inet netfix; add chain inet netfix raw_prerouting { type filter hook prerouting priority raw; }; add rule inet netfix raw_prerouting iifname "` + name + `" notrack`}}}
				if fw4 {
					want = []shelltest.Call{
						{Name: "mkdir", Args: []string{"-p", path.Dir(inc)}},
						{Name: "echo", Args: []string{`iifname "` + name + `" notrack`}},
						{Name: "fw4", Args: []string{"reload"}},
					}
				}
				for _, id := range []string{"bridge.nf_call_iptables", "bridge.rp_filter_ipless", "conntrack.double_tracking"} {
					if _, ok := fixes[id]; !ok {
						t.Fatalf("no %s finding for bridge %q (findings %v)", id, name, fixes)
					}
					run(t, id, fixes[id], want)
				}
				run(t, "rp_filter alternative", alt, []shelltest.Call{
					{Name: "sysctl", Args: []string{"-w", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf." + dot + ".rp_filter=0"}},
				})
			}
		})
	}
}

func run(t *testing.T, what, cmd string, want []shelltest.Call) {
	t.Helper()
	if diff := cmp.Diff(want, shelltest.Run(t, cmd)); diff != "" {
		t.Errorf("%s: sh -c %q calls (-want +got):\n%s", what, cmd, diff)
	}
}

// renameBridge gives the bridge from another name everywhere in s.
func renameBridge(t *testing.T, s facts.Snapshot, from, to string) facts.Snapshot {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := json.Marshal(to)
	b = []byte(strings.ReplaceAll(string(b), from, string(q[1:len(q)-1])))
	var out facts.Snapshot
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
