//go:build linux && nodbus

package probe

// askNetworkd in a build without D-Bus (the OpenWrt packages: OpenWrt has
// no systemd-networkd) says so and asks nothing.
func askNetworkd(names []string) networkdAnswer {
	return networkdAnswer{Note: "networkd not asked: this netfix was built without D-Bus support (tag nodbus)"}
}
