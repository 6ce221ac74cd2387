package probe

import (
	"os"
	"path/filepath"
	"strings"

	uci "github.com/digineo/go-uci/v2"
)

// zoneDevices maps the networks of OpenWrt's firewall zones to their
// devices (/etc/config/network: `option device`, or `ifname` before 21.02,
// `br-<name>` for an old-style `type bridge`). On a router every zone's
// network carries forwarded traffic. Errors yield what could be read.
func zoneDevices(root string) map[string]string {
	dir := filepath.Join(root, "etc", "config")
	out := map[string]string{}
	if _, err := os.Stat(filepath.Join(dir, "firewall")); err != nil {
		return out
	}
	tree := uci.NewTree(dir)
	if tree.LoadConfig("firewall", false) != nil || tree.LoadConfig("network", false) != nil {
		return out
	}
	zones, _ := tree.GetSections("firewall", "zone")
	for _, z := range zones {
		zname, _ := tree.GetLast("firewall", z, "name")
		nets, _ := tree.Get("firewall", z, "network")
		for _, n := range nets {
			for _, net := range strings.Fields(n) {
				for _, dev := range networkDevices(tree, net) {
					out[dev] = zname
				}
			}
		}
	}
	return out
}

func networkDevices(tree uci.Tree, net string) []string {
	if typ, _ := tree.GetLast("network", net, "type"); typ == "bridge" {
		return []string{"br-" + net}
	}
	if dev, ok := tree.GetLast("network", net, "device"); ok && dev != "" {
		return []string{strings.TrimPrefix(dev, "@")}
	}
	v, _ := tree.Get("network", net, "ifname")
	var out []string
	for _, s := range v {
		out = append(out, strings.Fields(s)...)
	}
	return out
}
