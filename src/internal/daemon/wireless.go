package daemon

import (
	"os"
	"path/filepath"
	"strings"
)

// sysClassNet is where the kernel lists this namespace's interfaces.
const sysClassNet = "/sys/class/net"

// isWireless reports whether the interface name is a Wi-Fi interface (an
// AP radio of a bridge): cfg80211 gives every one a "wireless" directory
// under /sys/class/net/<name>. A port move between such ports is a roam.
// An empty or odd name (the index was not resolved) is not wireless.
func isWireless(sysRoot, name string) bool {
	if name == "" || name == "." || name == ".." || strings.ContainsRune(name, '/') {
		return false
	}
	fi, err := os.Stat(filepath.Join(sysRoot, name, "wireless"))
	return err == nil && fi.IsDir()
}
