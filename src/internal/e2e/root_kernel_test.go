//go:build kernel

package e2e_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/netnstest"
)

// `netfix check --root DIR` reads an untrusted image: it never follows a
// link out of DIR, never waits on a FIFO, never reads a device, and never
// writes below DIR or through a link in it.
func TestCheckRootIsConfined(t *testing.T) {
	ns, _ := router(t)
	bin := netnstest.BuildNetfix(t)
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret")
	if err := os.WriteFile(secret, []byte("config defaults\n\toption outside_token '1'\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	elsewhere := t.TempDir()

	tests := []struct {
		name    string
		plant   func(fw string) error // plants etc/config/firewall
		errPart string
	}{
		{name: "link out of the root", plant: func(fw string) error { return os.Symlink(secret, fw) }, errPart: "does not exist"},
		{name: "relative link out", plant: func(fw string) error { return os.Symlink("../../../../"+filepath.Base(outside)+"/secret", fw) }, errPart: "does not exist"},
		{name: "FIFO", plant: func(fw string) error { return syscall.Mkfifo(fw, 0o600) }, errPart: "not a regular file"},
		{name: "link to /dev/zero", plant: func(fw string) error { return os.Symlink("/dev/zero", fw) }, errPart: "does not exist"},
		{name: "device node", plant: func(fw string) error { return syscall.Mknod(fw, syscall.S_IFCHR|0o600, 1<<8|5) }, errPart: "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			if err := os.MkdirAll(filepath.Join(root, "etc", "config"), 0o755); err != nil {
				t.Fatal(err)
			}
			// A planted var/ pointing elsewhere must not receive the cache.
			if err := os.Symlink(elsewhere, filepath.Join(root, "var")); err != nil {
				t.Fatal(err)
			}
			if err := tt.plant(filepath.Join(root, "etc", "config", "firewall")); err != nil {
				t.Fatal(err)
			}
			cmd := ns.Command(bin, "check", "--json", "--root", root, "--socket", filepath.Join(root, "none.sock"))
			out, err := cmd.CombinedOutput()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != 3 || !strings.Contains(string(out), tt.errPart) {
				t.Errorf("exit %v, output %s; want exit 3 saying %q", err, out, tt.errPart)
			}
			if strings.Contains(string(out), "outside_token") {
				t.Errorf("printed a file from outside the root:\n%s", out)
			}
			if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
				t.Errorf("wrote through the planted var link: %v", entries)
			}
		})
	}
}

// The readers S2 and S3 added follow the same rules as the firewall's:
// dnsmasq's leases (host names of the conntrack breakdown), the network
// file (firewall zones) and the sysctl.d directories are all resolved
// inside DIR. Each case plants one hostile dhcp.leases next to a network
// file and a sysctl.d directory that link out of DIR; the regular case
// shows that each reader is reached at all.
func TestCheckRootReadersAreConfined(t *testing.T) {
	outside := t.TempDir()
	put := func(root, rel, body string) {
		t.Helper()
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, p string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	// What a reader that follows links out of DIR would find.
	put(outside, "dhcp.leases", "9999999999 02:00:00:00:00:0a 203.0.113.7 outside-host *\n")
	put(outside, "network", "config interface 'lan'\n\toption device 'wanpeer0'\n")
	put(outside, "sysctl.d/10-outside.conf", "net.ipv4.ip_forward = 0\n")

	tests := []struct {
		name     string
		plant    func(leases string)
		wantName string // the name the breakdown gives 203.0.113.7, the host of addFlows' entry
		regular  bool   // the network file is in the image, not a link out
	}{
		{name: "regular", plant: func(l string) {
			put(filepath.Dir(l), "dhcp.leases", "9999999999 02:00:00:00:00:0a 203.0.113.7 inside-host *\n")
		}, wantName: "inside-host", regular: true},
		{name: "FIFO", plant: func(l string) {
			must(t, os.MkdirAll(filepath.Dir(l), 0o755))
			must(t, syscall.Mkfifo(l, 0o600))
		}},
		{name: "link to /dev/zero", plant: func(l string) { link("/dev/zero", l) }},
		{name: "link out of the root", plant: func(l string) { link(filepath.Join(outside, "dhcp.leases"), l) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns, root := router(t)
			addFlows(t, ns, 1)
			tt.plant(filepath.Join(root, "tmp", "dhcp.leases"))
			if tt.regular {
				put(root, "etc/config/network", "config interface 'lan'\n\toption device 'wanpeer0'\n")
			} else {
				link(filepath.Join(outside, "network"), filepath.Join(root, "etc", "config", "network"))
			}
			link(filepath.Join(outside, "sysctl.d"), filepath.Join(root, "etc", "sysctl.d"))
			// A link to /dev/null masks the vendor file of that name, also
			// in an image without /dev.
			put(root, "usr/lib/sysctl.d/60-masked.conf", "net.ipv4.ip_forward = 0\n")
			link("/dev/null", filepath.Join(root, "run", "sysctl.d", "60-masked.conf"))
			put(root, "usr/lib/sysctl.d/50-inside.conf", "net.ipv4.ip_forward = 1\n")

			doc, _, stderr := runCheck(t, ns, "--root", root, "--socket", filepath.Join(root, "none.sock"))

			var names []string
			if tb := doc.Conntrack.Table; tb == nil || tb.Usage == nil {
				t.Errorf("no conntrack breakdown (%+v); stderr %s", tb, stderr)
			} else {
				for _, h := range tb.Usage.Hosts {
					if h.Addr == "203.0.113.7" {
						names = append(names, h.Name)
					}
				}
				if len(names) != 1 || names[0] != tt.wantName {
					t.Errorf("names of 203.0.113.7 = %q, want [%q] (hosts %+v)", names, tt.wantName, tb.Usage.Hosts)
				}
			}
			var zoned []string
			for _, i := range doc.Forwarding.Interfaces {
				for _, r := range i.Roles {
					if r == facts.RoleZone {
						zoned = append(zoned, i.Name)
					}
				}
			}
			if want := map[bool]string{true: "wanpeer0"}[tt.regular]; strings.Join(zoned, " ") != want {
				t.Errorf("interfaces of a firewall zone = %q, want %q (never the network file outside the root)", zoned, want)
			}
			var files []string
			for _, l := range doc.Forwarding.Sysctl {
				files = append(files, l.File)
			}
			if want := []string{"/usr/lib/sysctl.d/50-inside.conf"}; strings.Join(files, " ") != want[0] {
				t.Errorf("sysctl files read = %q, want %q (not the directory outside, not the masked file)", files, want)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
