package hostconf

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ZoneDevices reads the firewall and network files uci accepts: empty
// values, CRLF line endings, and an ipset of 20k entries, which go-uci
// took 13 s to merge (it never sees it now: only zone sections reach it,
// after one linear scan).
func TestZoneDevicesRealUCI(t *testing.T) {
	t.Parallel()
	var fw strings.Builder
	fw.WriteString("config defaults\n\toption syn_flood '1'\n\toption custom ''\n\n")
	fw.WriteString("config zone\n\toption name 'lan'\n\tlist network 'lan'\n\tlist network 'guest'\n\tlist network ''\n\toption log \"\"\n\n")
	fw.WriteString("config zone\n\toption name 'wan'\n\toption network 'wan legacy'\n\n")
	fw.WriteString("config ipset\n\toption name 'cn'\n\toption match 'dest_net'\n")
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&fw, "\tlist entry '10.%d.%d.0/24'\n", i/256, i%256)
	}
	firewall := strings.ReplaceAll(fw.String(), "\n", "\r\n")
	network := strings.ReplaceAll(`config interface 'loopback'
	option device 'lo'

config interface 'lan'
	option device 'br-lan'
	option ipaddr ''

config interface 'guest'
	option type 'bridge'

config interface 'wan'
	option device 'eth0'

config interface 'legacy'
	option ifname 'eth1 eth2'
`, "\n", "\r\n")
	root := t.TempDir()
	write(t, root, "etc/config/firewall", firewall)
	write(t, root, "etc/config/network", network)
	want := map[string]string{"br-lan": "lan", "br-guest": "lan", "eth0": "wan", "eth1": "wan", "eth2": "wan"}
	if d := cmp.Diff(want, ZoneDevices(root, nil)); d != "" {
		t.Errorf("zone devices (-want +got):\n%s", d)
	}
}
