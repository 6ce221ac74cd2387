//go:build linux

package rootfs

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// resolve is how every path below the root is walked: symlinks, ".." and
// absolute links stay inside the root (RESOLVE_IN_ROOT); /proc-style magic
// links are refused.
const resolve = unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS

func openRoot(root string) (int, error) {
	if root == "" {
		root = "/"
	}
	return unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
}

// open opens rel for reading without blocking: a FIFO opens at once (and
// is then refused as not regular) instead of waiting for a writer.
func open(root, rel string) (*os.File, error) {
	dfd, err := openRoot(root)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: root, Err: err}
	}
	defer unix.Close(dfd)
	fd, err := unix.Openat2(dfd, trimSlash(rel), &unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_NONBLOCK | unix.O_NOCTTY | unix.O_CLOEXEC,
		Resolve: resolve,
	})
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: Join(root, rel), Err: errnoErr(err)}
	}
	return os.NewFile(uintptr(fd), Join(root, rel)), nil
}

func exists(root, rel string) bool {
	dfd, err := openRoot(root)
	if err != nil {
		return false
	}
	defer unix.Close(dfd)
	fd, err := unix.Openat2(dfd, trimSlash(rel), &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: resolve})
	if err != nil {
		return false
	}
	unix.Close(fd)
	return true
}

// errnoErr maps ENOENT to os.ErrNotExist for errors.Is, and says what
// openat2's refusals mean.
func errnoErr(err error) error {
	switch {
	case errors.Is(err, unix.ENOSYS):
		return errors.New("this kernel has no openat2 (Linux 5.6+), which netfix needs to read below a root safely")
	case errors.Is(err, unix.ELOOP), errors.Is(err, unix.EXDEV):
		return errors.New("the path leads through a link netfix does not follow")
	}
	return err
}
