//go:build linux && kernel

package rootfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netfix/netfix/src/internal/netnstest"
)

// A state directory another user owns is refused (chown needs root).
func TestWriteStateRefusesForeignOwner(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		netnstest.Skip(t, netnstest.Root, "the foreign-owner case needs root (chown)")
	}
	dir := filepath.Join(t.TempDir(), "run")
	must(t, os.Mkdir(dir, 0o700))
	must(t, os.Chown(dir, 65534, 65534))
	if err := WriteState(filepath.Join(dir, "state.json"), []byte("{}")); err == nil || !strings.Contains(err.Error(), "belongs to uid 65534") {
		t.Errorf("foreign owner: %v, want a refusal", err)
	}
}
