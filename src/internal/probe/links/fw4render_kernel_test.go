//go:build linux && kernel

package links

import (
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"github.com/netfix/netfix/src/internal/config"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/fixtures"
	"github.com/netfix/netfix/src/internal/netnstest"
)

// The devices of fw4's real renders, described by the probe from real
// links: the links of the renders' /etc/config/network (bridges of veth
// ports, veth NICs, as in the VM that made them) built in a namespace.
// The diagnose tests of the renders use fixtures.VMDevices; this checks
// that description against the kernel's (the host kernel has no
// flowtables, so the flowtables themselves come from the render text).
func TestFW4RenderDevicesKernel(t *testing.T) {
	for _, tc := range []struct{ render, network string }{
		{"render-c.nft", "network"},
		{"live-c.nft", "network"},
		{"render-csim.nft", "network"},
		{"render-d.nft", "network.d"},
	} {
		t.Run(tc.render, func(t *testing.T) {
			nw, err := fixtures.ReadFW4(tc.network)
			if err != nil {
				t.Fatal(err)
			}
			text, err := fixtures.ReadFW4(tc.render)
			if err != nil {
				t.Fatal(err)
			}
			ns := netnstest.New(t, "fw4dev")
			buildNetwork(t, ns, nw)

			live, err := fixtures.ParseRuleset(text)
			if err != nil {
				t.Fatal(err)
			}
			want, err := fixtures.ParseRuleset(text)
			if err != nil {
				t.Fatal(err)
			}
			if err := fixtures.VMDevices(&want, nw); err != nil {
				t.Fatal(err)
			}
			describeIn(t, ns, live.Flowtables)
			got := live.Flowtables
			// Whether veth and bridge report hw-tc-offload at all differs
			// between kernel versions (6.1: off, fixed); none may say on.
			for i := range got {
				for j := range got[i].Devices {
					d := &got[i].Devices[j]
					normalizeHWTC(t, d)
					for k := range d.Ports {
						normalizeHWTC(t, &d.Ports[k])
					}
				}
			}
			if d := cmp.Diff(want.Flowtables, got); d != "" {
				t.Errorf("fixtures.VMDevices differs from the probe's description (-fixture +probe):\n%s", d)
			}
		})
	}
}

func normalizeHWTC(t *testing.T, d *facts.Device) {
	if d.HWTCOffload {
		t.Errorf("%s claims hw-tc-offload", d.Name)
	}
	d.HWTCOffloadKnown = true
}

// buildNetwork makes the devices of an /etc/config/network: each bridge
// with its ports, and every other device named by an interface as a veth.
func buildNetwork(t *testing.T, ns *netnstest.NS, network string) {
	u, err := config.ReadUCI("network", []byte(network), "device", "interface")
	if err != nil {
		t.Fatal(err)
	}
	made := map[string]bool{"lo": true}
	veth := func(name string) {
		if made[name] {
			return
		}
		made[name] = true
		ns.Run("ip", "link", "add", name, "type", "veth", "peer", "name", "p-"+name)
	}
	for _, s := range u.Sections("device") {
		if typ, _ := u.GetLast(s, "type"); typ != "bridge" {
			continue
		}
		br, _ := u.GetLast(s, "name")
		made[br] = true
		ns.Run("ip", "link", "add", br, "type", "bridge")
		for _, p := range u.Get(s, "ports") {
			veth(p)
			ns.Run("ip", "link", "set", p, "master", br)
		}
	}
	for _, s := range u.Sections("interface") {
		if dev, ok := u.GetLast(s, "device"); ok {
			veth(dev)
		}
	}
}

// describeIn describes fts's devices from inside ns, with the probe's
// link listing, as probe.Gather does.
func describeIn(t *testing.T, ns *netnstest.NS, fts []facts.Flowtable) {
	target, err := netns.GetFromPath(ns.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := netns.Get()
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	if err := netns.Set(target); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = netns.Set(orig) }()
	h, err := netlink.NewHandle()
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	links, err := h.LinkList()
	if err != nil {
		t.Fatal(err)
	}
	DescribeDevices(h, links, fts, true)
}
