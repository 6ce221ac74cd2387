//go:build linux && nodbus

package hostconf

import "github.com/netfix/netfix/src/internal/facts"

// AskNetworkd in a build without D-Bus (the OpenWrt packages: OpenWrt has
// no systemd-networkd) says so and asks nothing.
func AskNetworkd(names []string) NetworkdAnswer {
	return NetworkdAnswer{State: facts.NetworkdNotBuilt}
}
