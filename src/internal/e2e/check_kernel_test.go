//go:build kernel

package e2e_test

import (
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mdlayher/netlink"
	"github.com/ti-mo/conntrack"
	"github.com/vishvananda/netns"

	"github.com/netfix/netfix/src/internal/diagnose"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/netnstest"
	"github.com/netfix/netfix/src/internal/status"
)

const hwFirewall = `config defaults
	option input 'REJECT'
	option forward 'REJECT'
	option flow_offloading '1'
	option flow_offloading_hw '1'

config zone
	option name 'lan'
	list network 'lan'
`

// router builds the S1 shape on the host kernel: br-lan with a veth port,
// a WAN veth, fw4's table with a forward chain, and conntrack entries made
// through ctnetlink. No rule uses ct, so the kernel tracks no traffic of its
// own in the namespace and the test knows the exact entry count. The host kernel has no flowtables, so the probe must
// report that as a fact.
func router(t *testing.T) (*netnstest.NS, string) {
	ns := netnstest.New(t, "check")
	for _, c := range [][]string{
		{"ip", "link", "add", "br-lan", "type", "bridge"},
		{"ip", "link", "add", "lanport0", "type", "veth", "peer", "name", "lanpeer0"},
		{"ip", "link", "set", "lanport0", "master", "br-lan"},
		{"ip", "link", "add", "wan0", "type", "veth", "peer", "name", "wanpeer0"},
		{"ip", "link", "set", "br-lan", "up"},
		{"ip", "link", "set", "lanport0", "up"},
		{"ip", "link", "set", "wan0", "up"},
		{"nft", "add table inet fw4; add chain inet fw4 forward { type filter hook forward priority filter; }; add rule inet fw4 forward meta l4proto udp counter; add table ip nat"},
	} {
		ns.Run(c...)
	}
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc", "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "etc", "config", "firewall"), []byte(hwFirewall), 0o644); err != nil {
		t.Fatal(err)
	}
	return ns, root
}

// addFlows creates n UDP conntrack entries in ns through the library.
func addFlows(t *testing.T, ns *netnstest.NS, n int) {
	h, err := netns.GetFromPath(ns.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	c, err := conntrack.Dial(&netlink.Config{NetNS: int(h)})
	if err != nil {
		t.Fatalf("dial conntrack in %s: %v", ns.Name, err)
	}
	defer c.Close()
	for i := 0; i < n; i++ {
		f := conntrack.NewFlow(17, 0, netip.MustParseAddr("203.0.113.7"), netip.AddrFrom4([4]byte{192, 168, 1, byte(10 + i)}), 51820, uint16(40000+i), 120, 0)
		if err := c.Create(f); err != nil {
			t.Fatalf("create conntrack entry %d: %v", i, err)
		}
	}
}

func runCheck(t *testing.T, ns *netnstest.NS, args ...string) (status.Document, int, string) {
	bin := netnstest.BuildNetfix(t)
	cmd := ns.Command(append([]string{bin, "check", "--json"}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var doc status.Document
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("netfix check --json printed no document (%v): %s\nstderr: %s", err, out, stderr.String())
	}
	return doc, code, stderr.String()
}

func TestCheckLiveKernel(t *testing.T) {
	ns, root := router(t)
	addFlows(t, ns, 5)
	doc, code, stderr := runCheck(t, ns, "--root", root, "--socket", filepath.Join(root, "none.sock"))

	if !doc.Firewall.Present || !doc.Firewall.FlowOffloading || !doc.Firewall.FlowOffloadingHW {
		t.Errorf("firewall facts = %+v, want hardware offloading from the fixture", doc.Firewall)
	}
	for _, tbl := range []string{"inet fw4", "ip nat"} {
		if !slices.Contains(doc.Offload.Tables, tbl) {
			t.Errorf("tables %v lack %q", doc.Offload.Tables, tbl)
		}
	}
	ct := doc.Conntrack
	if !ct.Available || ct.Dumped != 5 || ct.Entries != 5 || ct.Offloaded != 0 || ct.HWOffloaded != 0 {
		t.Errorf("conntrack facts = %+v, want 5 entries, none offloaded", ct)
	}
	// Both kernels give a fact and a warning, never an error: without
	// flowtable support (no CONFIG_NF_FLOW_TABLE, like this host's) the
	// config cannot take effect; with it, fw4 has no flowtable yet.
	wantSupport, wantFinding := facts.SupportNo, diagnose.IDKernelUnsupported
	if _, err := os.Stat("/sys/module/nf_flow_table"); err == nil {
		wantSupport, wantFinding = facts.SupportYes, diagnose.IDConfigMismatch
	}
	if doc.Offload.KernelSupport != wantSupport || doc.Offload.Error != "" {
		t.Errorf("offload = %+v, want kernel_support %s and no error", doc.Offload, wantSupport)
	}
	if code != 1 || doc.Verdict != status.VerdictWarning {
		t.Errorf("exit %d verdict %s, want 1/warning; stderr %s", code, doc.Verdict, stderr)
	}
	found := false
	for _, f := range doc.Findings {
		if f.ID == wantFinding {
			found = true
		}
	}
	if !found {
		t.Errorf("findings %+v lack %s", doc.Findings, wantFinding)
	}
	// The support probe adds and deletes its table in one transaction.
	if out := ns.Run("nft", "list", "tables"); strings.Contains(out, "netfix_probe") {
		t.Errorf("probe table left behind:\n%s", out)
	}
	// --root reads an image: nothing is written below it (the support
	// answer is about this kernel and is not cached with --root).
	var written []string
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && p != filepath.Join(root, "etc", "config", "firewall") {
			written = append(written, p)
		}
		return nil
	})
	if len(written) != 0 {
		t.Errorf("check --root wrote below the root: %v", written)
	}
}

func TestCheckNotRoot(t *testing.T) {
	ns, root := router(t)
	for _, d := range []string{root, filepath.Dir(root)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := exec.LookPath("setpriv"); err != nil {
		netnstest.Skip(t, netnstest.Tool, "needs setpriv (util-linux) to drop root")
	}
	bin := netnstest.BuildNetfix(t)
	if err := os.Chmod(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := ns.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", bin, "check", "--root", root, "--socket", filepath.Join(root, "none.sock"))
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("want exit 3, got %v: %s", err, out)
	}
	if !strings.Contains(string(out), "needs root") || strings.Contains(string(out), "panic") {
		t.Errorf("message should say root is needed:\n%s", out)
	}
}
