package hostconf

import (
	"strings"

	"github.com/netfix/netfix/src/internal/rootfs"
)

// NetworkdAnswer is what systemd-networkd said: which .network file
// manages each link (by name), systemd's major version, or a note saying
// why it was not asked.
type NetworkdAnswer struct {
	State   string // a facts.Networkd* state
	Error   string
	Version int
	Files   map[string]string
}

// SharedLibVersion reads systemd's major version from the name of
// libsystemd-shared-<version>.so, which every systemd daemon links to, in
// usr/lib/systemd, lib/systemd or usr/lib/*/systemd (Debian's multiarch)
// below root, listed inside it (rootfs); 0 when it is not found.
func SharedLibVersion(root string) int {
	dirs := []string{"usr/lib/systemd", "lib/systemd"}
	if ents, err := rootfs.ReadDir(root, "usr/lib"); err == nil {
		for _, e := range ents {
			dirs = append(dirs, "usr/lib/"+e.Name+"/systemd")
		}
	}
	for _, d := range dirs {
		ents, _ := rootfs.ReadDir(root, d)
		for _, e := range ents {
			v, ok := strings.CutPrefix(e.Name, "libsystemd-shared-")
			if !ok || !strings.HasSuffix(v, ".so") {
				continue
			}
			if n := leadingInt(v); n > 0 {
				return n
			}
		}
	}
	return 0
}

// leadingInt is the number s starts with (0 if none): "252.38-1" → 252.
func leadingInt(s string) int {
	n := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
