package daemon

import (
	"bytes"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/netfix/netfix/src/internal/config"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/flows"
	"github.com/netfix/netfix/src/internal/heal"
)

// The decision path of the daemon, from a netlink neighbour or FDB message
// to the conntrack delete and its event, against a fake flow table: every
// option a router owner sets must change what is deleted.

const (
	brLan = 10 // ifindex of br-lan
	lan1  = 11 // its ports
	lan2  = 12

	macA = "02:00:00:00:0a:01"
	macB = "02:00:00:00:0b:02"
	macC = "02:00:00:00:0c:03"
)

var (
	target    = netip.MustParseAddr("192.168.1.10")
	bystander = netip.MustParseAddr("192.168.1.20")
	remote    = netip.MustParseAddr("198.51.100.7")
)

func neigh(ip netip.Addr, mac string) netlink.Neigh {
	hw, _ := net.ParseMAC(mac)
	return netlink.Neigh{Family: unix.AF_INET, LinkIndex: brLan, IP: ip.AsSlice(), HardwareAddr: hw, State: netlink.NUD_REACHABLE}
}

func fdb(mac string, port int) netlink.Neigh {
	hw, _ := net.ParseMAC(mac)
	return netlink.Neigh{Family: unix.AF_BRIDGE, MasterIndex: brLan, LinkIndex: port, HardwareAddr: hw, Flags: netlink.NTF_MASTER}
}

// snapshot has one referenced flowtable; with the bridge's ports listed the
// kernel caches MACs behind br-lan (stale-prone), with the bridge itself
// listed it looks neighbours up per packet (not stale-prone).
func snapshot(bridgeListed bool) facts.Snapshot {
	devs := []facts.Device{
		{Name: "lan1", Kind: facts.KindBridgePort, Master: "br-lan"},
		{Name: "lan2", Kind: facts.KindBridgePort, Master: "br-lan"},
	}
	if bridgeListed {
		devs = []facts.Device{{Name: "br-lan", Kind: facts.KindBridge}}
	}
	return facts.Snapshot{Offload: facts.Offload{Flowtables: []facts.Flowtable{{
		Table: "fw4", Family: "inet", Name: "ft", Referenced: true, Devices: devs,
	}}}}
}

type wantEvent struct {
	reason      string
	dryRun      bool
	deleted     int
	rateLimited bool
}

func TestDecisionPath(t *testing.T) {
	t.Parallel()
	type flush struct{ dryRun bool }
	cases := []struct {
		name         string
		cfg          func(*config.Config)
		bridgeListed bool
		// steps follow the learning of target (macA on lan1) and the
		// bystander; before each one the target has two offloaded
		// entries again (its clients reconnect and get offloaded).
		steps []netlink.Neigh
		flush *flush // instead of steps: the flush method for target
		// wantDeleted counts the target's entries deleted; the
		// bystander's and non-offloaded entries must never go.
		wantDeleted int
		wantEvents  []wantEvent // oldest first
	}{
		{
			name:        "actually repairs a MAC change",
			steps:       []netlink.Neigh{neigh(target, macB)},
			wantDeleted: 2,
			wantEvents:  []wantEvent{{reason: heal.ReasonMACChange, deleted: 2}},
		},
		{
			name:        "actually repairs a port move",
			steps:       []netlink.Neigh{fdb(macA, lan2)},
			wantDeleted: 2,
			wantEvents:  []wantEvent{{reason: heal.ReasonPortMove, deleted: 2}},
		},
		{
			name:  "heal 0 only reports",
			cfg:   func(c *config.Config) { c.Heal = false },
			steps: []netlink.Neigh{neigh(target, macB), fdb(macA, lan2)},
		},
		{
			name:       "dry_run 1 deletes nothing",
			cfg:        func(c *config.Config) { c.DryRun = true },
			steps:      []netlink.Neigh{neigh(target, macB)},
			wantEvents: []wantEvent{{reason: heal.ReasonMACChange, dryRun: true, deleted: 2}},
		},
		{
			name:  "ignore_host is never repaired",
			cfg:   func(c *config.Config) { c.IgnoreHosts = []netip.Prefix{netip.MustParsePrefix("192.168.1.8/29")} },
			steps: []netlink.Neigh{neigh(target, macB), fdb(macA, lan2)},
		},
		{
			name:  "ignore_interface is never repaired",
			cfg:   func(c *config.Config) { c.IgnoreInterfaces = []string{"br-lan"} },
			steps: []netlink.Neigh{neigh(target, macB), fdb(macA, lan2)},
		},
		{
			name:         "a link that is not stale-prone is left alone",
			bridgeListed: true,
			steps:        []netlink.Neigh{neigh(target, macB), fdb(macA, lan2)},
		},
		{
			name:        "repair_burst bounds repairs per host",
			cfg:         func(c *config.Config) { c.RepairBurst = 2 },
			steps:       []netlink.Neigh{neigh(target, macB), neigh(target, macA), neigh(target, macB)},
			wantDeleted: 4,
			wantEvents: []wantEvent{
				{reason: heal.ReasonMACChange, deleted: 2},
				{reason: heal.ReasonMACChange, deleted: 2},
				{reason: heal.ReasonMACChange, rateLimited: true},
			},
		},
		{
			name:        "flush deletes",
			flush:       &flush{dryRun: false},
			wantDeleted: 2,
			wantEvents:  []wantEvent{{reason: heal.ReasonManual, deleted: 2}},
		},
		{
			name:       "flush asked for a dry run deletes nothing",
			flush:      &flush{dryRun: true},
			wantEvents: []wantEvent{{reason: heal.ReasonManual, dryRun: true, deleted: 2}},
		},
		{
			name:       "flush through the daemon honours the configured dry run",
			cfg:        func(c *config.Config) { c.DryRun = true },
			flush:      &flush{dryRun: false},
			wantEvents: []wantEvent{{reason: heal.ReasonManual, dryRun: true, deleted: 2}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var log bytes.Buffer
			// The events loop's part, driven directly: no loop runs.
			d := newDaemon(Options{Log: Stream{W: &log}}).ev
			d.log.setLevel(config.LevelDebug)
			cfg := config.Default()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			d.setConfig(cfg, configLoad{})
			table := &flows.Fake{}
			d.table = table
			d.pr.publish(snapshot(tc.bridgeListed), time.Now())
			d.names = map[int]string{brLan: "br-lan", lan1: "lan1", lan2: "lan2"}

			// Entries that must survive whatever happens to target.
			keep := map[uint32]bool{
				table.Add(bystander, remote, true):  true,
				table.Add(target, remote, false):    true,
				table.Add(remote, bystander, false): true,
			}
			ours := map[uint32]bool{}
			offload := func() {
				ours[table.Add(target, remote, true)] = true
				ours[table.Add(remote, target, true)] = true
			}
			at := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
			for _, n := range []netlink.Neigh{neigh(target, macA), neigh(bystander, macC), fdb(macA, lan1), fdb(macC, lan1)} {
				if c := d.observe(n, false, at); c != 0 {
					t.Fatalf("learning %v reported %d changes", n, c)
				}
			}
			if tc.flush != nil {
				offload()
				if _, err := d.flush(target, tc.flush.dryRun); err != nil {
					t.Fatalf("Flush: %v", err)
				}
			}
			for i, n := range tc.steps {
				offload()
				d.observe(n, false, at.Add(time.Duration(i)*time.Second))
			}

			deleted := 0
			for _, id := range table.Deleted() {
				switch {
				case keep[id]:
					t.Errorf("entry %d deleted: it is not the target's offloaded entry", id)
				case ours[id]:
					deleted++
				}
			}
			if deleted != tc.wantDeleted {
				t.Errorf("deleted %d of the target's entries, want %d\nlog:\n%s", deleted, tc.wantDeleted, log.String())
			}
			events, _ := d.journal.last(0)
			if len(events) != len(tc.wantEvents) {
				t.Fatalf("%d events, want %d: %+v\nlog:\n%s", len(events), len(tc.wantEvents), events, log.String())
			}
			for i, w := range tc.wantEvents {
				e := events[len(events)-1-i] // the journal is newest first
				limited := strings.Contains(e.Error, "rate limited")
				if e.Reason != w.reason || e.DryRun != w.dryRun || e.FlowsDeleted != w.deleted || limited != w.rateLimited || e.IP != target.String() {
					t.Errorf("event %d = %+v, want %+v", i, e, w)
				}
			}
		})
	}
}
