// Package rootfs reads files below a root directory without ever leaving
// it, and writes netfix's own state files without writing through a link
// someone planted.
//
// `netfix check --root DIR` reads an offline image that may hold anything:
// symlinks to / or to /dev/zero, FIFOs, huge files. Every read resolves the
// path as if DIR were / (an absolute link in the image points into the
// image, as it would on the router), opens without blocking, accepts
// regular files only and reads at most a bound.
package rootfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
)

// MaxFile bounds a read. Real UCI files are kilobytes; a firewall with a
// 100k-entry ipset is about 3 MB.
const MaxFile = 8 << 20

// MaxDirEntries bounds a directory listing (ReadDir): configuration
// directories hold tens of files, /usr/lib a few hundred; an image's
// directory of millions of names must not fill the memory.
const MaxDirEntries = 1 << 14

// ErrNotRegular: the path is a FIFO, device, directory or socket.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge: the file is larger than the read allows.
var ErrTooLarge = errors.New("file too large")

// ReadFile reads rel below root ("" or "/" for the live system) with at
// most max bytes. A missing file is os.ErrNotExist.
func ReadFile(root, rel string, max int64) ([]byte, error) {
	f, err := open(root, rel)
	if err != nil {
		return nil, err
	}
	return readOpen(f, max)
}

// readOpen reads f, a regular file of at most max bytes, and closes it.
func readOpen(f *os.File, max int64) ([]byte, error) {
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w (%s)", f.Name(), ErrNotRegular, fi.Mode().Type())
	}
	if fi.Size() > max {
		return nil, fmt.Errorf("%s: %w (%d bytes, the limit is %d)", f.Name(), ErrTooLarge, fi.Size(), max)
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", f.Name(), err)
	}
	if int64(len(b)) > max { // grew while read
		return nil, fmt.Errorf("%s: %w (over %d bytes)", f.Name(), ErrTooLarge, max)
	}
	return b, nil
}

// Exists reports whether rel exists below root, resolved like ReadFile.
func Exists(root, rel string) bool {
	_, err := stat(root, rel)
	return err == nil
}

// Stat describes what rel below root resolves to, links followed inside
// the root. os.SameFile compares two results (a file linked in under a
// second name). A link whose target is missing below the root, such as
// a link to /dev/null in an image without /dev, is fs.ErrNotExist.
func Stat(root, rel string) (fs.FileInfo, error) {
	return stat(root, rel)
}

// Entry is one name in a directory. Dir is the entry's own type: a link
// to a directory is not Dir.
type Entry struct {
	Name string
	Dir  bool
}

// ReadDir lists the directory rel below root, resolved like ReadFile, in
// sorted order. A missing directory is fs.ErrNotExist; one of more than
// MaxDirEntries names is ErrTooLarge.
func ReadDir(root, rel string) ([]Entry, error) {
	ents, err := readDir(root, rel)
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name < ents[j].Name })
	return ents, err
}

// Join is the path a message shows for rel below root.
func Join(root, rel string) string {
	if root == "" || root == "/" {
		return "/" + trimSlash(rel)
	}
	return trimRight(root) + "/" + trimSlash(rel)
}

func trimSlash(s string) string {
	for len(s) > 0 && s[0] == '/' {
		s = s[1:]
	}
	return s
}

func trimRight(s string) string {
	for len(s) > 1 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}
