package ipc

import (
	"io"
	"syscall"
)

func ioLimit(r io.Reader) io.Reader { return io.LimitReader(r, maxRequest) }

func umask(m int) int { return syscall.Umask(m) }
