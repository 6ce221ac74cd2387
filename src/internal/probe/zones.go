package probe

import (
	"strings"

	"github.com/netfix/netfix/src/internal/config"
	"github.com/netfix/netfix/src/internal/rootfs"
)

// zoneDevices maps the networks of OpenWrt's firewall zones to their
// devices (/etc/config/network: `option device`, or `ifname` before 21.02,
// `br-<name>` for an old-style `type bridge`). On a router every zone's
// network carries forwarded traffic. Errors yield what could be read.
//
// The daemon calls this every sweep: both files are read like
// ReadFirewall's (inside the root, regular files, bounded) and only the
// zone and interface sections reach go-uci, so a firewall's big ipsets
// cost one linear scan and empty values or CRLF endings are accepted as
// uci accepts them.
func zoneDevices(root string) map[string]string {
	out := map[string]string{}
	fw := readUCI(root, "etc/config/firewall", "zone")
	if fw == nil {
		return out
	}
	nw := readUCI(root, "etc/config/network", "interface")
	if nw == nil {
		return out
	}
	for _, z := range fw.Sections("zone") {
		zname, _ := fw.GetLast(z, "name")
		for _, n := range fw.Get(z, "network") {
			for _, net := range strings.Fields(n) {
				for _, dev := range networkDevices(nw, net) {
					out[dev] = zname
				}
			}
		}
	}
	return out
}

// readUCI reads the sections of the given types of the UCI file rel below
// root; nil when it is missing, unreadable or broken.
func readUCI(root, rel string, types ...string) *config.UCI {
	body, err := rootfs.ReadFile(root, rel, rootfs.MaxFile)
	if err != nil {
		return nil
	}
	u, err := config.ReadUCI(rootfs.Join(root, rel), body, types...)
	if err != nil {
		return nil
	}
	return u
}

func networkDevices(u *config.UCI, net string) []string {
	if typ, _ := u.GetLast(net, "type"); typ == "bridge" {
		return []string{"br-" + net}
	}
	if dev, ok := u.GetLast(net, "device"); ok && dev != "" {
		return []string{strings.TrimPrefix(dev, "@")}
	}
	var out []string
	for _, s := range u.Get(net, "ifname") {
		out = append(out, strings.Fields(s)...)
	}
	return out
}
