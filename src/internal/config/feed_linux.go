//go:build linux

package config

import (
	"fmt"
	"os"
	"strconv"

	uci "github.com/digineo/go-uci/v2"
	"golang.org/x/sys/unix"
)

// feed parses text with go-uci, which reads configs only from a directory:
// the text goes into an anonymous memory file, read through /proc/self/fd,
// so nothing is written to any file system.
func feed(text string) (uci.Tree, string, error) {
	fd, err := unix.MemfdCreate("netfix-uci", unix.MFD_CLOEXEC)
	if err != nil {
		return feedTempDir(text)
	}
	f := os.NewFile(uintptr(fd), "netfix-uci")
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		return nil, "", fmt.Errorf("write memfd: %w", err)
	}
	name := strconv.Itoa(fd)
	tree := uci.NewTree("/proc/self/fd")
	if err := tree.LoadConfig(name, true); err != nil {
		return feedTempDir(text) // no /proc mounted; a parse error recurs there
	}
	return tree, name, nil
}
