//go:build linux && kernel

package hostconf

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/netfix/netfix/src/internal/netnstest"
)

// A sysctl.d link to /dev/null masks the file of that name whether the
// image has a /dev/null device or no /dev at all.
func TestSysctlDevNullMasksInRoot(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "usr/lib/sysctl.d/60-masked.conf", "net.ipv4.ip_forward = 0\n")
	must(t, os.MkdirAll(filepath.Join(root, "etc/sysctl.d"), 0o755))
	must(t, os.Symlink("/dev/null", filepath.Join(root, "etc/sysctl.d/60-masked.conf")))
	must(t, os.MkdirAll(filepath.Join(root, "dev"), 0o755))
	if err := syscall.Mknod(filepath.Join(root, "dev/null"), syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		netnstest.Skip(t, netnstest.Root, "mknod dev/null: %v (needs root)", err)
	}
	if got := ReadSysctlD(root); len(got) != 0 {
		t.Errorf("sysctl lines = %+v, want none: the link to /dev/null masks the vendor file", got)
	}
}
