//go:build linux

package rootfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// resolve is how every path below the root is walked: symlinks, ".." and
// absolute links stay inside the root (RESOLVE_IN_ROOT); /proc-style magic
// links are refused.
const resolve = unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS

// noOpenat2 is set once the kernel said it has no openat2 (before Linux
// 5.6, e.g. OpenWrt 21.02's 5.4): from then on walk does the same.
var noOpenat2 atomic.Bool

// open opens rel for reading without blocking: a FIFO opens at once (and
// is then refused as not regular) instead of waiting for a writer.
func open(root, rel string) (*os.File, error) {
	fd, err := openIn(root, rel, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, noOpenat2.Load())
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: Join(root, rel), Err: errnoErr(err)}
	}
	return os.NewFile(uintptr(fd), Join(root, rel)), nil
}

func stat(root, rel string) (fs.FileInfo, error) {
	fd, err := openIn(root, rel, unix.O_PATH|unix.O_CLOEXEC, noOpenat2.Load())
	if err != nil {
		return nil, &os.PathError{Op: "stat", Path: Join(root, rel), Err: errnoErr(err)}
	}
	f := os.NewFile(uintptr(fd), Join(root, rel))
	defer f.Close()
	return f.Stat()
}

// readDir lists a directory opened inside the root. Each entry's type
// comes from fstatat on that directory, not from a path: os.ReadDir falls
// back to lstat(dir path + name) where the file system gives no type,
// and that path would be resolved outside the root.
func readDir(root, rel string) ([]Entry, error) {
	fd, err := openIn(root, rel, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NONBLOCK|unix.O_CLOEXEC, noOpenat2.Load())
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: Join(root, rel), Err: errnoErr(err)}
	}
	f := os.NewFile(uintptr(fd), Join(root, rel))
	defer f.Close()
	names, err := f.Readdirnames(MaxDirEntries + 1)
	if err != nil && err != io.EOF {
		return nil, err
	}
	if len(names) > MaxDirEntries {
		return nil, fmt.Errorf("%s: %w (over %d entries)", f.Name(), ErrTooLarge, MaxDirEntries)
	}
	out := make([]Entry, 0, len(names))
	for _, n := range names {
		var st unix.Stat_t
		if unix.Fstatat(fd, n, &st, unix.AT_SYMLINK_NOFOLLOW) != nil {
			continue // removed meanwhile
		}
		out = append(out, Entry{Name: n, Dir: st.Mode&unix.S_IFMT == unix.S_IFDIR})
	}
	return out, nil
}

// openIn opens rel below root with flags, by openat2 or, where the kernel
// lacks it (or useWalk), by walk.
func openIn(root, rel string, flags int, useWalk bool) (int, error) {
	if root == "" {
		root = "/"
	}
	rootfd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	defer unix.Close(rootfd)
	if !useWalk {
		fd, err := unix.Openat2(rootfd, trimSlash(rel), &unix.OpenHow{Flags: uint64(flags), Resolve: resolve})
		if !errors.Is(err, unix.ENOSYS) {
			return fd, err
		}
		noOpenat2.Store(true)
	}
	return walk(rootfd, rel, flags)
}

// maxLinks is the number of symlinks one path may pass through, as in the
// kernel (MAXSYMLINKS).
const maxLinks = 40

// walk resolves rel below rootfd one component at a time, as
// RESOLVE_IN_ROOT does: a symlink's target is resolved from the root when
// absolute and from its directory otherwise, ".." never climbs above the
// root, and every open uses O_NOFOLLOW, so a component swapped for a link
// meanwhile fails instead of being followed.
func walk(rootfd int, rel string, flags int) (int, error) {
	dirs := []int{rootfd} // the directories walked so far; dirs[0] is not ours
	defer func() {
		for _, fd := range dirs[1:] {
			unix.Close(fd)
		}
	}()
	comps := strings.Split(rel, "/")
	links := 0
	for len(comps) > 0 {
		c := comps[0]
		comps = comps[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(dirs) > 1 {
				unix.Close(dirs[len(dirs)-1])
				dirs = dirs[:len(dirs)-1]
			}
			continue
		}
		cur := dirs[len(dirs)-1]
		var st unix.Stat_t
		if err := unix.Fstatat(cur, c, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return -1, err
		}
		if st.Mode&unix.S_IFMT == unix.S_IFLNK {
			if links++; links > maxLinks {
				return -1, unix.ELOOP
			}
			target, err := readlinkat(cur, c)
			if err != nil {
				return -1, err
			}
			if strings.HasPrefix(target, "/") {
				for _, fd := range dirs[1:] {
					unix.Close(fd)
				}
				dirs = dirs[:1]
			}
			comps = append(strings.Split(target, "/"), comps...)
			continue
		}
		if !hasMore(comps) {
			return unix.Openat(cur, c, flags|unix.O_NOFOLLOW, 0)
		}
		fd, err := unix.Openat(cur, c, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return -1, err
		}
		dirs = append(dirs, fd)
	}
	return unix.Openat(dirs[len(dirs)-1], ".", flags, 0)
}

// hasMore reports whether comps still names a component to walk into.
func hasMore(comps []string) bool {
	for _, c := range comps {
		if c != "" && c != "." {
			return true
		}
	}
	return false
}

func readlinkat(dirfd int, name string) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(dirfd, name, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// errnoErr says what a refusal means; ENOENT stays itself, so
// errors.Is(err, fs.ErrNotExist) holds.
func errnoErr(err error) error {
	if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.EXDEV) {
		return errors.New("the path leads through a link netfix does not follow")
	}
	return err
}
