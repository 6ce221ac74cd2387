//go:build linux && kernel

package links

import (
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/netnstest"
)

// Device description against real links: a bridge, its veth port, a VLAN
// on a veth, a plain veth and a name that does not exist.
func TestDescribeDevicesKernel(t *testing.T) {
	ns := netnstest.New(t, "links")
	for _, c := range [][]string{
		{"ip", "link", "add", "br-lan", "type", "bridge"},
		{"ip", "link", "add", "lanport0", "type", "veth", "peer", "name", "lanpeer0"},
		{"ip", "link", "set", "lanport0", "master", "br-lan"},
		{"ip", "link", "add", "wan0", "type", "veth", "peer", "name", "wanpeer0"},
	} {
		ns.Run(c...)
	}
	// 8021q is optional (this CI kernel lacks it): test VLANs where it is.
	_, vlanErr := ns.Exec("ip", "link", "add", "link", "wan0", "name", "wan0.2", "type", "vlan", "id", "2")
	target, err := netns.GetFromPath(ns.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()

	// ethtool's ioctl socket lives in the namespace of the thread that
	// opens it, so do the whole probe on one thread switched into ns.
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
	fts := []facts.Flowtable{{Devices: []facts.Device{{Name: "br-lan"}, {Name: "lanport0"}, {Name: "wan0.2"}, {Name: "wan0"}, {Name: "gone0"}}}}
	links, err := h.LinkList()
	if err != nil {
		t.Fatal(err)
	}
	// From the probe's listing, and asking the kernel for each device.
	fromKernel := []facts.Flowtable{{Devices: append([]facts.Device(nil), fts[0].Devices...)}}
	DescribeDevices(h, links, fts, true)
	DescribeDevices(h, nil, fromKernel, true)
	if d := cmp.Diff(fromKernel, fts); d != "" {
		t.Errorf("devices described from the link listing differ from those asked one by one (-asked +listed):\n%s", d)
	}

	want := []facts.Device{
		{Name: "br-lan", Kind: facts.KindBridge, LinkType: "bridge", Driver: "bridge", Ports: []facts.Device{
			{Name: "lanport0", Kind: facts.KindBridgePort, LinkType: "veth", Master: "br-lan", Driver: "veth"},
		}},
		{Name: "lanport0", Kind: facts.KindBridgePort, LinkType: "veth", Master: "br-lan", Driver: "veth"},
		{Name: "wan0.2", Kind: facts.KindVLAN, LinkType: "vlan", Parent: "wan0", Driver: "802.1Q VLAN Support"},
		{Name: "wan0", Kind: facts.KindVirtual, LinkType: "veth", Driver: "veth"},
		{Name: "gone0", Kind: facts.KindMissing},
	}
	got := fts[0].Devices
	if vlanErr != nil {
		t.Logf("no 8021q support: VLAN row checks only the missing-device path")
		want[2] = facts.Device{Name: "wan0.2", Kind: facts.KindMissing}
	}
	// Whether a virtual driver lists hw-tc-offload differs between kernel
	// versions; what matters is that none claims it is on.
	for i := range got {
		if got[i].HWTCOffload {
			t.Errorf("%s claims hw-tc-offload", got[i].Name)
		}
		got[i].HWTCOffloadKnown = false
		for j := range got[i].Ports {
			got[i].Ports[j].HWTCOffloadKnown = false
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("devices (-want +got):\n%s", diff)
	}
}
