//go:build linux && nodbus

package probe

import "github.com/netfix/netfix/src/internal/facts"

// askNetworkd in a build without D-Bus (the OpenWrt packages: OpenWrt has
// no systemd-networkd) says so and asks nothing.
func askNetworkd(names []string) networkdAnswer {
	return networkdAnswer{State: facts.NetworkdNotBuilt}
}
