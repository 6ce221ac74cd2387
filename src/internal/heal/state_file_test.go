//go:build linux

package heal

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A planted state file that is a FIFO or a link to /dev/zero neither hangs
// the daemon nor fills its memory: it is refused and the daemon starts
// without saved state.
func TestLoadStateRefusesSpecialFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero.json")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fifo, zero} {
		if _, err := LoadState(p); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("LoadState(%s) = %v, want a refusal", filepath.Base(p), err)
		}
	}
	if s, err := LoadState(filepath.Join(dir, "missing.json")); err != nil || len(s.Hosts) != 0 {
		t.Errorf("missing state = %+v, %v", s, err)
	}
}

func TestSaveStateRoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "run", "state.json")
	want := State{Hosts: []Host{}, Ports: []PortEntry{{Bridge: 3, MAC: "02:00:00:00:00:01", Port: 4}}}
	if err := SaveState(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := LoadState(path)
	if err != nil || len(got.Ports) != 1 || got.Ports[0] != want.Ports[0] {
		t.Errorf("LoadState = %+v, %v", got, err)
	}
}
