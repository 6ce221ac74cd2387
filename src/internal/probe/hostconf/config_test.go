package hostconf

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netfix/netfix/src/internal/facts"
)

func TestNormalizeSysctlKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"net.ipv4.ip_forward":             "net.ipv4.ip_forward",
		"net/ipv4/ip_forward":             "net.ipv4.ip_forward",
		"net/ipv4/conf/eth0.2/forwarding": "net.ipv4.conf.eth0/2.forwarding",
		"net.ipv4.conf.eth0/2.forwarding": "net.ipv4.conf.eth0/2.forwarding",
	} {
		if got := facts.NormalizeSysctlKey(in); got != want {
			t.Errorf("NormalizeSysctlKey(%q) = %q, want %q", in, got, want)
		}
	}
	fam, ifc, leaf, ok := facts.SplitConfKey("net.ipv4.conf.eth0/2.forwarding")
	if !ok || fam != "ipv4" || ifc != "eth0.2" || leaf != "forwarding" {
		t.Errorf("SplitConfKey: %s %s %s %v", fam, ifc, leaf, ok)
	}
	for _, k := range []string{"net.ipv4.conf.eth0.rp_filter", "net.ipv4.conf.eth0.force_forwarding", "kernel.panic"} {
		if facts.IsForwardingKey(k) {
			t.Errorf("IsForwardingKey(%q) = true", k)
		}
	}
	if !facts.IsForwardingKey("net.ipv6.conf.eth0.force_forwarding") {
		t.Error("IPv6 force_forwarding is a forwarding key")
	}
}

func write(t testing.TB, root, rel, body string) {
	t.Helper()
	p := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The order systemd-sysctl applies: union of the directories by file name
// (/etc masks /usr/lib), sorted by name; /etc/sysctl.conf last, read once
// even when Debian links it in as 99-sysctl.conf; a link to /dev/null masks.
func TestReadSysctlDPrecedence(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "usr/lib/sysctl.d/50-default.conf", "# vendor\nnet.ipv4.ip_forward = 0\n")
	write(t, root, "etc/sysctl.d/50-default.conf", "net.ipv4.ip_forward = 1\n")
	write(t, root, "usr/lib/sysctl.d/10-docker.conf", "kernel.x = 1\n-net/ipv4/conf/all/forwarding=1\n")
	write(t, root, "usr/lib/sysctl.d/60-masked.conf", "net.ipv4.ip_forward = 0\n")
	if err := os.Symlink("/dev/null", filepath.Join(root, "etc/sysctl.d/60-masked.conf")); err != nil {
		t.Fatal(err)
	}
	write(t, root, "run/sysctl.d/70-harden.conf", "\n; comment\nnet.ipv4.conf.*.forwarding = 0\n")
	write(t, root, "etc/sysctl.conf", "net.ipv6.conf.all.forwarding=1\n")
	if err := os.Symlink("../sysctl.conf", filepath.Join(root, "etc/sysctl.d/99-sysctl.conf")); err != nil {
		t.Fatal(err)
	}
	got := ReadSysctlD(root)
	type row struct {
		File, Key, Value string
		Line             int
		Overridden       bool
	}
	var rows []row
	for _, l := range got {
		rows = append(rows, row{l.File, l.Key, l.Value, l.Line, l.Overridden})
	}
	want := []row{
		{"/usr/lib/sysctl.d/10-docker.conf", "net.ipv4.conf.all.forwarding", "1", 2, false},
		{"/etc/sysctl.d/50-default.conf", "net.ipv4.ip_forward", "1", 1, false},
		{"/run/sysctl.d/70-harden.conf", "net.ipv4.conf.*.forwarding", "0", 3, false},
		{"/etc/sysctl.d/99-sysctl.conf", "net.ipv6.conf.all.forwarding", "1", 1, false},
	}
	if d := cmp.Diff(want, rows); d != "" {
		t.Fatalf("sysctl lines (-want +got):\n%s", d)
	}
}

func TestReadNetworkFileWithDropins(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "usr/lib/systemd/network/10-eno1.network", "[Match]\nName=eno1\n\n[Network]\nDHCP=yes\nIPv4Forwarding=no\n[DHCPv4]\nIPForward=yes\n")
	write(t, root, "etc/systemd/network/10-eno1.network.d/50-fwd.conf", "[Network]\nIPv4Forwarding=yes\n")
	got := ReadNetworkFile(root, "/usr/lib/systemd/network/10-eno1.network")
	want := []facts.ConfigLine{
		{File: "/usr/lib/systemd/network/10-eno1.network", Line: 6, Key: "IPv4Forwarding", Value: "no"},
		{File: "/etc/systemd/network/10-eno1.network.d/50-fwd.conf", Line: 2, Key: "IPv4Forwarding", Value: "yes"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("keys (-want +got):\n%s", d)
	}
}
