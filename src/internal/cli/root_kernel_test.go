package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

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
