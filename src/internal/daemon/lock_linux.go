//go:build linux

// This file keeps one daemon per control socket: two healers would repair
// twice, and the second, on exit, would delete the first one's socket.

package daemon

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// ErrAlreadyRunning: another daemon holds the socket's lock.
var ErrAlreadyRunning = errors.New("another netfix daemon is already running")

// lockSocket takes an exclusive flock on "<socket>.lock" and records this
// process's pid in it. The lock dies with the process, so a crash leaves
// nothing to clean up; the file itself stays (deleting a lock file races
// with the next daemon opening it). A second daemon gets ErrAlreadyRunning
// and has touched nothing but its own open of the lock file.
func lockSocket(socket string) (*os.File, error) {
	path := socket + ".lock"
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file %s: %w", path, err)
	}
	f := os.NewFile(uintptr(fd), path)
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			holder := "another process"
			if b, rerr := os.ReadFile(path); rerr == nil {
				if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil {
					holder = "pid " + strconv.Itoa(pid)
				}
			}
			return nil, fmt.Errorf("%w on %s (%s holds %s); stop it first (/etc/init.d/netfix stop) or give this one its own --socket",
				ErrAlreadyRunning, socket, holder, path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}
