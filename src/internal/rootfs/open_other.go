//go:build !linux

package rootfs

import (
	"io/fs"
	"os"
)

// Off Linux (development builds only) the root is joined, not enforced.
func open(root, rel string) (*os.File, error) {
	return os.OpenFile(Join(root, rel), os.O_RDONLY, 0)
}

func stat(root, rel string) (fs.FileInfo, error) {
	return os.Stat(Join(root, rel))
}

func readDir(root, rel string) ([]Entry, error) {
	ents, err := os.ReadDir(Join(root, rel))
	out := make([]Entry, len(ents))
	for i, e := range ents {
		out[i] = Entry{Name: e.Name(), Dir: e.IsDir()}
	}
	return out, err
}
