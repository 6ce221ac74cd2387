//go:build !linux

package rootfs

import (
	"os"
	"path/filepath"
)

// Off Linux (development builds only) the root is joined, not enforced.
func open(root, rel string) (*os.File, error) {
	return os.OpenFile(filepath.Join(root, rel), os.O_RDONLY, 0)
}

func exists(root, rel string) bool {
	_, err := os.Lstat(filepath.Join(root, rel))
	return err == nil
}
