package hostconf

import (
	"strings"

	"github.com/netfix/netfix/src/internal/config"
)

// ZoneDevices maps the networks of OpenWrt's firewall zones to their
// devices (/etc/config/network: `option device`, or `ifname` before 21.02,
// `br-<name>` for an old-style `type bridge`). On a router every zone's
// network carries forwarded traffic. Errors yield what could be read.
//
// The daemon calls this every sweep: both files are read like
// ReadFirewall's (inside the root, regular files, bounded) and only the
// zone and interface sections reach go-uci, so a firewall's big ipsets
// cost one linear scan and empty values or CRLF endings are accepted as
// uci accepts them.
//
// c keeps the parses between the daemon's sweeps while the files are
// unchanged (nil: read afresh).
func ZoneDevices(root string, c *UCICache) map[string]string {
	out := map[string]string{}
	fw, _, err := c.read(root, "etc/config/firewall", firewallSections...)
	if err != nil {
		return out
	}
	nw, _, err := c.read(root, "etc/config/network", "interface")
	if err != nil {
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
