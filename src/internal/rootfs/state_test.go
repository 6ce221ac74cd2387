//go:build linux

package rootfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A link planted at the old fixed temporary name is never written
// through, and a link at the state path is replaced, not followed.
func TestWriteStateIgnoresPlantedLinks(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	victim := filepath.Join(base, "victim")
	must(t, os.WriteFile(victim, []byte("keep"), 0o644))
	dir := filepath.Join(base, "run")
	must(t, os.Mkdir(dir, 0o700))
	path := filepath.Join(dir, "state.json")
	must(t, os.Symlink(victim, path+".tmp"))
	must(t, WriteState(path, []byte(`{"hosts":[]}`)))
	must(t, os.Remove(path))
	must(t, os.Symlink(victim, path))
	must(t, WriteState(path, []byte(`{"hosts":[1]}`)))

	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Errorf("written through a planted link: victim = %q", b)
	}
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
		t.Errorf("state file = %v, %v; want a regular 0600 file", fi.Mode(), err)
	}
	if b, _ := os.ReadFile(path); string(b) != `{"hosts":[1]}` {
		t.Errorf("state = %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 { // state.json and the untouched planted link
		t.Errorf("directory holds %d entries, want state.json and the planted link", len(entries))
	}
}

func TestWriteStateRefusesOpenDirectories(t *testing.T) {
	t.Parallel()
	for _, mode := range []os.FileMode{0o777, 0o1777, 0o770, 0o720, 0o702} {
		dir := filepath.Join(t.TempDir(), "run")
		must(t, os.Mkdir(dir, 0o700))
		must(t, os.Chmod(dir, mode))
		err := WriteState(filepath.Join(dir, "state.json"), []byte("{}"))
		if err == nil || !strings.Contains(err.Error(), "writable by group or others") {
			t.Errorf("mode %04o: %v, want a refusal", mode, err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("mode %04o: wrote %d files", mode, len(entries))
		}
	}
}

func TestWriteStateCreatesPrivateDirectory(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "var", "run", "netfix")
	must(t, WriteState(filepath.Join(dir, "state.json"), []byte("{}")))
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("state dir = %v, %v; want 0700", fi.Mode(), err)
	}
}
