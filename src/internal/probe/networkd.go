package probe

import (
	"path/filepath"
	"strings"
)

// networkdAnswer is what systemd-networkd said: which .network file
// manages each link (by name), systemd's major version, or a note saying
// why it was not asked.
type networkdAnswer struct {
	State   string // a facts.Networkd* state
	Error   string
	Version int
	Files   map[string]string
}

// sharedLibVersion reads systemd's major version from the name of
// libsystemd-shared-<version>.so, which every systemd daemon links to; 0
// when it is not found.
func sharedLibVersion(root string) int {
	for _, pat := range []string{"usr/lib/systemd/libsystemd-shared-*.so", "lib/systemd/libsystemd-shared-*.so", "usr/lib/*/systemd/libsystemd-shared-*.so"} {
		m, _ := filepath.Glob(filepath.Join(root, pat))
		for _, p := range m {
			v := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), "libsystemd-shared-"), ".so")
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
