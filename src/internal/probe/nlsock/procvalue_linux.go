//go:build linux

package nlsock

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// maxProcValue is the longest value ReadProcValue reads: a number or a
// word, as every /proc/sys file the probe reads holds.
const maxProcValue = 64

// ReadProcValue reads a one-value /proc file (a sysctl) with a buffer on
// the stack: open, one read, close. os.ReadFile adds a stat, a second
// read and three allocations, and a sweep of a router reads about forty
// of these (the forwarding switches of each interface, bridge netfilter,
// conntrack's timeouts). Errors are *os.PathError, as os.ReadFile's, so
// errors.Is(err, os.ErrNotExist) still tells a missing sysctl.
func ReadProcValue(path string) (string, error) {
	fd, err := ignoringEINTR(func() (int, error) { return unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0) })
	if err != nil {
		return "", &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	var buf [maxProcValue + 1]byte
	n, err := ignoringEINTR(func() (int, error) { return unix.Read(fd, buf[:]) })
	if err != nil {
		return "", &os.PathError{Op: "read", Path: path, Err: err}
	}
	if n > maxProcValue {
		return "", &os.PathError{Op: "read", Path: path, Err: fmt.Errorf("value longer than %d bytes", maxProcValue)}
	}
	return strings.TrimSpace(string(buf[:n])), nil
}

// ignoringEINTR retries a system call a signal interrupted.
func ignoringEINTR(call func() (int, error)) (int, error) {
	for {
		n, err := call()
		if !errors.Is(err, unix.EINTR) {
			return n, err
		}
	}
}

// ReadUint reads a /proc file holding one decimal number (a sysctl).
func ReadUint(path string) (uint64, error) {
	s, err := ReadProcValue(path)
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	return v, nil
}
