package rootfs

import (
	"fmt"
	"os"
	"path/filepath"
)

// WriteState replaces path with data atomically, readable by its owner
// only. A missing directory is created 0700. An existing one must belong
// to this user and be writable by nobody else, or the write is refused:
// whoever can write there can swap the file for a link to anything. The
// temporary file is created O_EXCL under a fresh name, so a link planted
// at a predictable name (state.json.tmp) is never written through; the
// rename replaces path itself, never what a link at path points to.
func WriteState(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	if err := checkStateDir(dir); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("create a temporary file in %s: %w", dir, err)
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr != nil || cerr != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", tmp, firstErr(werr, cerr))
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("replace %s: %w", path, err)
	}
	return nil
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
