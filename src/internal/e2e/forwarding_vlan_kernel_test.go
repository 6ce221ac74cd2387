//go:build kernel

package e2e_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netfix/netfix/src/internal/diagnose"
	"github.com/netfix/netfix/src/internal/netnstest"
	"github.com/netfix/netfix/src/internal/shell/shelltest"
)

// A VLAN uplink (lan0.2) with forwarding off: the S3 fix names its key in
// sysctl's dotted notation, where the '.' of the name is written '/'
// (net.ipv4.conf.lan0/2.forwarding), while the kernel's file is
// /proc/sys/net/ipv4/conf/lan0.2/forwarding. The fix's own sysctl command
// and its sysctl.d line, run by the real sysctl(8) in the namespace, must
// turn that file to 1; written with a '.', sysctl would look for
// conf/lan0/2/forwarding and fail.
func TestForwardingFixOnVLANInterface(t *testing.T) {
	ns := netnstest.New(t, "s3vlan")
	ns.Run("ip", "link", "add", "lan0", "type", "veth", "peer", "name", "lanpeer0")
	if out, err := ns.Exec("ip", "link", "add", "link", "lan0", "name", "lan0.2", "type", "vlan", "id", "2"); err != nil {
		// What matters is the '.' in the name: without 8021q (this
		// kernel may lack it) a veth gets the VLAN's name.
		t.Logf("no VLAN device (%v: %s): lan0.2 is a veth", err, strings.TrimSpace(out))
		ns.Run("ip", "link", "add", "lan0.2", "type", "veth", "peer", "name", "lanpeer2")
		ns.Run("ip", "link", "set", "lanpeer2", "up")
	}
	for _, c := range [][]string{
		{"ip", "link", "set", "lan0", "up"},
		{"ip", "link", "set", "lanpeer0", "up"},
		{"ip", "link", "set", "lan0.2", "up"},
		{"ip", "addr", "add", "10.98.0.2/24", "dev", "lan0.2"},
		{"ip", "route", "add", "default", "via", "10.98.0.1"},
		{"sysctl", "-qw", "net.ipv4.ip_forward=1"},
		{"sysctl", "-qw", "net.ipv4.conf.lan0/2.forwarding=0"},
	} {
		ns.Run(c...)
	}
	const file = "/proc/sys/net/ipv4/conf/lan0.2/forwarding"
	forwarding := func() string { return strings.TrimSpace(ns.Run("cat", file)) }
	if got := forwarding(); got != "0" {
		t.Fatalf("%s = %s after sysctl -w net.ipv4.conf.lan0/2.forwarding=0: the test bed is broken", file, got)
	}
	// --root keeps this machine's sysctl.d and networkd files out; a root
	// must hold a firewall config (as TestCheckForwardingOffOnUplink).
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc", "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "etc", "config", "firewall"), []byte("config defaults\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	doc, _, stderr := runCheck(t, ns, "--root", root, "--socket", filepath.Join(root, "none.sock"), "--sample", "0")
	if ifc, ok := doc.Forwarding.Interface("lan0.2"); !ok || ifc.IPv4 {
		t.Fatalf("probe: lan0.2 = %+v (listed %v), want it listed with forwarding off; stderr %s", ifc, ok, stderr)
	}
	fix := ""
	for _, f := range doc.Findings {
		if f.ID == diagnose.IDForwardingInterface && strings.Contains(f.Title, "lan0.2") {
			fix = f.Fix
		}
	}
	if fix == "" {
		t.Fatalf("no %s finding for lan0.2: %+v", diagnose.IDForwardingInterface, doc.Findings)
	}
	// What the fix would run, recorded by a real sh (nothing runs there).
	var sysctlArgs []string
	var confLine string
	for _, c := range shelltest.Run(t, fix) {
		switch c.Name {
		case "sysctl":
			sysctlArgs = c.Args
		case "echo":
			confLine = strings.Join(c.Args, " ")
		}
	}
	want := []string{"-w", "net.ipv4.conf.lan0/2.forwarding=1"}
	if strings.Join(sysctlArgs, " ") != strings.Join(want, " ") || confLine != "net.ipv4.conf.lan0/2.forwarding = 1" {
		t.Errorf("fix %q runs sysctl %q and writes %q; want sysctl %q and the line net.ipv4.conf.lan0/2.forwarding = 1", fix, sysctlArgs, confLine, want)
	}

	// The command, by the real sysctl in the namespace.
	if out, err := ns.Exec(append([]string{"sysctl"}, sysctlArgs...)...); err != nil || forwarding() != "1" {
		t.Errorf("sysctl %s: %v %s; %s = %s, want 1", strings.Join(sysctlArgs, " "), err, out, file, forwarding())
	}
	// The sysctl.d line, as sysctl -p reads it at boot.
	ns.Run("sysctl", "-qw", "net.ipv4.conf.lan0/2.forwarding=0")
	conf := filepath.Join(t.TempDir(), "90-netfix-forwarding.conf")
	if err := os.WriteFile(conf, []byte(confLine+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := ns.Exec("sysctl", "-p", conf); err != nil || forwarding() != "1" {
		t.Errorf("sysctl -p with %q: %v %s; %s = %s, want 1", confLine, err, out, file, forwarding())
	}
}
