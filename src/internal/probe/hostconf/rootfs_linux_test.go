//go:build linux

package hostconf

import (
	"net/netip"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/netfix/netfix/src/internal/probe/ct"
)

// hostileImage is a root whose files lead out of it, block or never end,
// next to a directory outside it holding what a reader that follows those
// links would find.
func hostileImage(t *testing.T) (root string) {
	t.Helper()
	root, outside := t.TempDir(), t.TempDir()
	write(t, outside, "sysctl.d/10-outside.conf", "net.ipv4.ip_forward = 0\n")
	write(t, outside, "network", "config interface 'lan'\n\toption device 'eth9'\n")
	write(t, outside, "dhcp.leases", "9999999999 02:00:00:00:00:0a 192.0.2.10 outside-host *\n")
	write(t, outside, "10-eno1.network", "[Network]\nIPv4Forwarding=no\n")
	write(t, outside, "dropins/50-out.conf", "[Network]\nIPv4Forwarding=no\n")
	write(t, outside, "systemd/libsystemd-shared-999.so", "")

	write(t, root, "etc/config/firewall", "config zone\n\toption name 'lan'\n\tlist network 'lan'\n")
	write(t, root, "usr/lib/sysctl.d/50-inside.conf", "net.ipv4.ip_forward = 1\n")
	write(t, root, "usr/lib/sysctl.d/60-masked.conf", "net.ipv4.ip_forward = 0\n")
	for p, target := range map[string]string{
		"etc/sysctl.d":                                       filepath.Join(outside, "sysctl.d"),
		"run/sysctl.d/60-masked.conf":                        "/dev/null",
		"run/sysctl.d/70-zero.conf":                          "/dev/zero",
		"etc/config/network":                                 filepath.Join(outside, "network"),
		"tmp/dhcp.leases":                                    filepath.Join(outside, "dhcp.leases"),
		"etc/systemd/network/10-eno1.network":                filepath.Join(outside, "10-eno1.network"),
		"run/systemd/network/10-eno1.network.d":              filepath.Join(outside, "dropins"),
		"etc/systemd/network/10-eno1.network.d/60-zero.conf": "/dev/zero",
		"usr/lib/systemd":                                    filepath.Join(outside, "systemd"),
	} {
		must(t, os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755))
		must(t, os.Symlink(target, filepath.Join(root, p)))
	}
	must(t, syscall.Mkfifo(filepath.Join(root, "usr/lib/sysctl.d/80-fifo.conf"), 0o600))
	return root
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The readers S2 and S3 added resolve every path inside the root: links
// out of it lead nowhere, a FIFO is not waited on, /dev/zero not read.
func TestReadersStayInRoot(t *testing.T) {
	t.Parallel()
	root := hostileImage(t)

	var files []string
	for _, l := range ReadSysctlD(root) {
		files = append(files, l.File)
	}
	if len(files) != 1 || files[0] != "/usr/lib/sysctl.d/50-inside.conf" {
		t.Errorf("sysctl files read = %q, want only /usr/lib/sysctl.d/50-inside.conf", files)
	}
	if keys := ReadNetworkFile(root, "/etc/systemd/network/10-eno1.network"); len(keys) != 0 {
		t.Errorf("network keys = %+v, want none (file and drop-ins lead out of the root)", keys)
	}
	if z := ZoneDevices(root, nil); len(z) != 0 {
		t.Errorf("zone devices = %v, want none (the network file leads out of the root)", z)
	}
	if v := SharedLibVersion(root); v != 0 {
		t.Errorf("systemd version = %d, want 0 (usr/lib/systemd leads out of the root)", v)
	}
	for name, plant := range map[string]func(p string) error{
		"link out":     func(string) error { return nil }, // as hostileImage made it
		"FIFO":         func(p string) error { os.Remove(p); return syscall.Mkfifo(p, 0o600) },
		"link to zero": func(p string) error { os.Remove(p); return os.Symlink("/dev/zero", p) },
	} {
		must(t, plant(filepath.Join(root, "tmp/dhcp.leases")))
		if n := ct.ReadNames(root).Of(netip.MustParseAddr("192.0.2.10")); n != "" {
			t.Errorf("%s: 192.0.2.10 is named %q", name, n)
		}
	}
}
