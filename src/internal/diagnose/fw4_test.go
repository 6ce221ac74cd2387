package diagnose

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/fixtures"
	"github.com/netfix/netfix/src/internal/probe/hostconf"
	"github.com/netfix/netfix/src/internal/status"
)

// fw4Router is a router running one of the real fw4 renders: the firewall
// facts are what netfix reads from the UCI file fw4 rendered from, the
// flowtables what the render loads, the devices the VM's.
func fw4Router(t *testing.T, firewall, render, network string, offloaded, hw int) facts.Snapshot {
	t.Helper()
	uci, err := fixtures.ReadFW4(firewall)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc", "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "etc", "config", "firewall"), []byte(uci), 0o644); err != nil {
		t.Fatal(err)
	}
	fw, err := hostconf.ReadFirewall(root)
	if err != nil {
		t.Fatalf("read %s: %v", firewall, err)
	}
	fw.Path = "/etc/config/firewall"
	s, err := fixtures.FW4Snapshot(fw, render, network, offloaded, hw)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type fw4Want struct {
	id    string
	sev   Severity
	title string
}

// What netfix says about the rulesets the real fw4 (b6e5157) loads, for
// the configurations of shared/platform/fw4. Configuration c on NICs that
// cannot offload is fw4's own fallback (it prints "falling back to
// software offloading" and loads br-lan, wan): never "not reloaded", and
// never "fw4's hardware layout lists the bridge ports". Only where the
// kernel accepts flags offload (csim) is the ports layout live.
func TestRealFW4Renders(t *testing.T) {
	t.Parallel()
	summary := func(mode string) fw4Want {
		return fw4Want{IDSummary, SeverityInfo, "Flow offloading in effect: " + mode + "."}
	}
	daemonDown := func(sev Severity) fw4Want {
		return fw4Want{IDHealerNotRunning, sev, "The netfix daemon is not running: stale offloaded flows are not repaired and this report is a one-shot check."}
	}
	fallback := fw4Want{IDHWFallback, SeverityInfo, "Hardware flow offloading is requested, but lan1, lan2, wan cannot offload in hardware, so fw4 fell back to software offloading."}
	tests := []struct {
		name                      string
		firewall, render, network string
		offloaded, hw             int
		healing                   bool
		want                      []fw4Want
		verdict                   string
	}{
		{"a: no offloading", "firewall.a", "render-a.nft", "network", 0, 0, false,
			[]fw4Want{daemonDown(SeverityInfo), summary("none")}, status.VerdictHealthy},
		{"b: software offloading", "firewall.b", "render-b.nft", "network", 80, 0, false,
			[]fw4Want{daemonDown(SeverityInfo), summary("software")}, status.VerdictHealthy},
		{"c: hardware asked, fw4 fell back (render)", "firewall.c", "render-c.nft", "network", 80, 0, false,
			[]fw4Want{fallback, daemonDown(SeverityInfo), summary("software")}, status.VerdictHealthy},
		{"c: hardware asked, fw4 fell back (as the kernel lists it)", "firewall.c", "live-c.nft", "network", 80, 0, false,
			[]fw4Want{fallback, daemonDown(SeverityInfo), summary("software")}, status.VerdictHealthy},
		{"c: the same with the healer running", "firewall.c", "render-c.nft", "network", 80, 0, true,
			[]fw4Want{fallback, summary("software")}, status.VerdictHealthy},
		{"d: c plus a container bridge without a zone", "firewall.d", "render-d.nft", "network.d", 80, 0, false,
			[]fw4Want{
				{IDHWFallback, SeverityInfo, "Hardware flow offloading is requested, but lan1, lan2, veth137, wan cannot offload in hardware, so fw4 fell back to software offloading."},
				daemonDown(SeverityInfo), summary("software"),
			}, status.VerdictHealthy},
		{"csim: the kernel accepts flags offload: bridge ports live", "firewall.c", "render-csim.nft", "network", 80, 0, false,
			[]fw4Want{
				{IDStaleProne, SeverityCritical, "Flowtable ft lists bridge ports (lan1, lan2): a host that changes MAC or bridge port keeps receiving nothing until its conntrack entry dies."},
				{IDHWIneffective, SeverityWarning, "Hardware flow offloading is configured but not effective: nothing on this router can offload in hardware."},
				daemonDown(SeverityWarning),
				summary("software"),
			}, status.VerdictCritical},
		{"csim with the healer running: the risk is covered", "firewall.c", "render-csim.nft", "network", 80, 0, true,
			[]fw4Want{
				{IDHWIneffective, SeverityWarning, "Hardware flow offloading is configured but not effective: nothing on this router can offload in hardware."},
				{IDStaleProne, SeverityInfo, "Flowtable ft lists bridge ports (lan1, lan2): a host that changes MAC or bridge port keeps receiving nothing until its conntrack entry dies."},
				summary("software"),
			}, status.VerdictWarning},
		{"noubus: fw4 loaded without netifd: no zone devices, no flowtable", "firewall.c", "render-noubus.nft", "network", 0, 0, false,
			[]fw4Want{
				{IDConfigMismatch, SeverityWarning, "Flow offloading is enabled in the firewall config but the live fw4 ruleset has no flowtable."},
				daemonDown(SeverityInfo), summary("none"),
			}, status.VerdictWarning},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := fw4Router(t, tt.firewall, tt.render, tt.network, tt.offloaded, tt.hw)
			if tt.healing {
				s = healing(s)
			}
			fs := en(Run(s))
			var got []fw4Want
			for _, f := range fs {
				got = append(got, fw4Want{f.ID, f.Severity, f.Title})
			}
			if d := cmp.Diff(tt.want, got, cmp.AllowUnexported(fw4Want{})); d != "" {
				t.Errorf("findings (-want +got):\n%s", d)
			}
			if v := verdictOf(fs); v != tt.verdict {
				t.Errorf("verdict = %s, want %s", v, tt.verdict)
			}
			for _, f := range fs {
				for _, ev := range f.Evidence {
					if strings.Contains(ev, "not reloaded") {
						t.Errorf("%s evidence says %q", f.ID, ev)
					}
				}
				if f.ID == IDHWIneffective && strings.Contains(f.Detail, "bridge ports") && !containsLine(f.Evidence, "flags offload") {
					t.Errorf("hw_ineffective speaks of fw4's hardware layout without one live: %q", f.Detail)
				}
			}
		})
	}
}

// The fallback finding's evidence: UCI's line, the live layout, and each
// device fw4 tried flags offload on (00-hwprobe.txt: lan1, lan2, wan, the
// ports of br-lan in its place) with its hw-tc-offload; its fix turns the
// option off, as a command and as the UCI change LuCI applies.
func TestFW4FallbackEvidence(t *testing.T) {
	t.Parallel()
	for _, render := range []string{"render-c.nft", "live-c.nft"} {
		s := fw4Router(t, "firewall.c", render, "network", 80, 0)
		var f *english
		fs := en(Run(s))
		for i := range fs {
			if fs[i].ID == IDHWFallback {
				f = &fs[i]
			}
		}
		if f == nil {
			t.Fatalf("%s: no %s finding", render, IDHWFallback)
		}
		want := []string{
			"/etc/config/firewall: defaults flow_offloading='1', flow_offloading_hw='1'",
			"flowtable inet fw4 ft devices = { br-lan, wan }",
			"lan1 (veth): hw-tc-offload off",
			"lan2 (veth): hw-tc-offload off",
			"wan (veth): hw-tc-offload off",
			"conntrack: 80 entries [OFFLOAD], 0 [HW_OFFLOAD]",
		}
		if d := cmp.Diff(want, f.Evidence); d != "" {
			t.Errorf("%s: evidence (-want +got):\n%s", render, d)
		}
		if f.Fix != fixSoftwareOffload {
			t.Errorf("%s: fix = %q", render, f.Fix)
		}
		if !reflect.DeepEqual(f.FixUCI, softwareOffloadUCI) {
			t.Errorf("%s: fix_uci = %+v", render, f.FixUCI)
		}
		if !strings.Contains(f.Detail, "falling back to software offloading") || !strings.Contains(f.Detail, "Nothing breaks") {
			t.Errorf("%s: detail does not say what fw4 did and what it costs:\n%s", render, f.Detail)
		}
	}
}

// Only when every device fw4 would try offers hw-tc-offload is the
// software layout not what fw4 loads now: then the ruleset really is
// older than the config (render c's layout, with capable NICs).
func TestFW4SoftwareLayoutOnCapableNICsIsStale(t *testing.T) {
	t.Parallel()
	s := fw4Router(t, "firewall.c", "render-c.nft", "network", 80, 0)
	for i := range s.Offload.Flowtables[0].Devices {
		d := &s.Offload.Flowtables[0].Devices[i]
		d.HWTCOffload = true
		for j := range d.Ports {
			d.Ports[j].HWTCOffload = true
		}
	}
	var ids []string
	for _, f := range en(Run(s)) {
		ids = append(ids, f.ID)
		if f.ID == IDConfigMismatch && !strings.Contains(f.Title, "the firewall was not reloaded") {
			t.Errorf("config_mismatch title = %q", f.Title)
		}
	}
	if d := cmp.Diff([]string{IDConfigMismatch, IDHealerNotRunning, IDSummary}, ids); d != "" {
		t.Errorf("findings (-want +got):\n%s", d)
	}
}

// The render parser reads what the renders say (a guard for the tests
// above: a parser that lost the devices would make them vacuous).
func TestParseRuleset(t *testing.T) {
	t.Parallel()
	tests := []struct {
		render string
		want   []facts.Flowtable
	}{
		{"render-a.nft", []facts.Flowtable{}},
		{"render-noubus.nft", []facts.Flowtable{}},
		{"render-b.nft", []facts.Flowtable{{Table: "fw4", Family: "inet", Name: "ft", Hook: "ingress", Counter: true, Referenced: true,
			Devices: []facts.Device{{Name: "br-lan"}, {Name: "wan"}}}}},
		{"render-c.nft", []facts.Flowtable{{Table: "fw4", Family: "inet", Name: "ft", Hook: "ingress", Counter: true, Referenced: true,
			Devices: []facts.Device{{Name: "br-lan"}, {Name: "wan"}}}}},
		{"live-c.nft", []facts.Flowtable{{Table: "fw4", Family: "inet", Name: "ft", Hook: "ingress", Counter: true, Referenced: true,
			Devices: []facts.Device{{Name: "br-lan"}, {Name: "wan"}}}}},
		{"render-csim.nft", []facts.Flowtable{{Table: "fw4", Family: "inet", Name: "ft", Hook: "ingress", Counter: true, Referenced: true, HWOffloadFlag: true,
			Devices: []facts.Device{{Name: "lan1"}, {Name: "lan2"}, {Name: "wan"}}}}},
	}
	for _, tt := range tests {
		text, err := fixtures.ReadFW4(tt.render)
		if err != nil {
			t.Fatal(err)
		}
		off, err := fixtures.ParseRuleset(text)
		if err != nil {
			t.Fatalf("%s: %v", tt.render, err)
		}
		if d := cmp.Diff(tt.want, off.Flowtables); d != "" {
			t.Errorf("%s: flowtables (-want +got):\n%s", tt.render, d)
		}
		if !off.HasTable("inet", "fw4") {
			t.Errorf("%s: tables = %v", tt.render, off.Tables)
		}
	}
}
