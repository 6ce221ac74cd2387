//go:build unix

package rootfs

import (
	"fmt"
	"os"
	"syscall"
)

// checkStateDir refuses a directory another user or group could write to.
func checkStateDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("%s belongs to uid %d, not to netfix (uid %d): refusing to keep state there; remove it and netfix recreates it", dir, st.Uid, os.Geteuid())
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Errorf("%s is writable by group or others (mode %04o): refusing to keep state there; run chmod go-w %s", dir, perm, dir)
	}
	return nil
}
