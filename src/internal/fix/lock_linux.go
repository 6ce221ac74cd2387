package fix

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lock serialises fix operations of concurrent callers (CLI, rpcd, LuCI)
// with an exclusive flock beside the ledger; the kernel drops it when the
// process dies, so a crash never leaves a stale lock.
func (l *Ledger) lock() (unlock func(), err error) {
	if err := l.absolute(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(l.Path), 0o700); err != nil {
		return nil, fmt.Errorf("create fix ledger directory: %w", err)
	}
	f, err := os.OpenFile(l.Path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open fix lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
