//go:build linux

package links

import (
	"strings"

	"github.com/safchain/ethtool"
	"github.com/vishvananda/netlink"

	"github.com/netfix/netfix/src/internal/facts"
)

// hwTCOffload is the ethtool feature string of NETIF_F_HW_TC: the NIC can
// take tc/flowtable rules into hardware.
const hwTCOffload = "hw-tc-offload"

// DescribeDevices fills in what each flowtable device is: its kind, its
// bridge or parent, its driver and whether it can offload in hardware.
// links is the probe's listing of the links (nil: ask h for each device);
// a name it lacks is asked for, since a flowtable may name a device by
// an alternative name (ip link property add altname). With ports, a
// bridge's ports are described too (Device.Ports): the rules need them
// only where UCI asks fw4 for hardware offloading, so other probes skip
// their ethtool requests.
func DescribeDevices(h *netlink.Handle, links []netlink.Link, fts []facts.Flowtable, ports bool) {
	et, etErr := ethtool.NewEthtool()
	if etErr == nil {
		defer et.Close()
	}
	byName := make(map[string]netlink.Link, len(links))
	byIndex := make(map[int]netlink.Link, len(links))
	for _, l := range links {
		byName[l.Attrs().Name], byIndex[l.Attrs().Index] = l, l
	}
	lookup := linkLookup{h: h, byName: byName, byIndex: byIndex, all: links}
	cache := map[string]facts.Device{}
	for i := range fts {
		for j := range fts[i].Devices {
			name := fts[i].Devices[j].Name
			d, ok := cache[name]
			if !ok {
				d = describeDevice(lookup, et, name)
				if ports && d.Kind == facts.KindBridge {
					d.Ports = describePorts(&lookup, et, name)
				}
				cache[name] = d
			}
			fts[i].Devices[j] = d
		}
	}
}

// describePorts describes the ports of bridge br, in link order: fw4
// tries them, not the bridge, when it tests `flags offload`.
func describePorts(k *linkLookup, et *ethtool.Ethtool, br string) []facts.Device {
	b, err := k.name(br)
	if err != nil {
		return nil
	}
	if k.all == nil {
		// Without the probe's listing, list once for every bridge.
		if k.all, err = k.h.LinkList(); err != nil {
			return nil
		}
	}
	var out []facts.Device
	for _, l := range k.all {
		if l.Attrs().MasterIndex == b.Attrs().Index {
			out = append(out, describeDevice(*k, et, l.Attrs().Name))
		}
	}
	return out
}

// linkLookup finds links in a listing first, and asks the kernel for
// what the listing lacks.
type linkLookup struct {
	h       *netlink.Handle
	byName  map[string]netlink.Link
	byIndex map[int]netlink.Link
	// all is the probe's listing (nil until listed: see describePorts).
	all []netlink.Link
}

func (k linkLookup) name(n string) (netlink.Link, error) {
	if l, ok := k.byName[n]; ok {
		return l, nil
	}
	return k.h.LinkByName(n)
}

func (k linkLookup) index(i int) (netlink.Link, error) {
	if l, ok := k.byIndex[i]; ok {
		return l, nil
	}
	return k.h.LinkByIndex(i)
}

func describeDevice(links linkLookup, et *ethtool.Ethtool, name string) facts.Device {
	d := facts.Device{Name: name}
	link, err := links.name(name)
	if err != nil {
		d.Kind = facts.KindMissing
		return d
	}
	attrs := link.Attrs()
	d.LinkType = link.Type()
	if attrs.MasterIndex != 0 {
		if m, err := links.index(attrs.MasterIndex); err == nil && m.Type() == "bridge" {
			d.Master = m.Attrs().Name
		}
	}
	if et != nil {
		if drv, err := et.DriverName(name); err == nil {
			d.Driver = drv
		}
		if feats, err := et.Features(name); err == nil {
			v, known := feats[hwTCOffload]
			d.HWTCOffload, d.HWTCOffloadKnown = v, known
		}
	}
	switch {
	case d.LinkType == "bridge":
		d.Kind = facts.KindBridge
	case d.Master != "":
		d.Kind = facts.KindBridgePort
	case d.LinkType == "vlan":
		d.Kind = facts.KindVLAN
		if p, err := links.index(attrs.ParentIndex); err == nil {
			d.Parent = p.Attrs().Name
		}
	case d.Driver == "dsa" || strings.HasPrefix(d.Driver, "dsa"):
		d.Kind = facts.KindDSAPort
	case d.LinkType == "device":
		d.Kind = facts.KindPhysical
	default:
		d.Kind = facts.KindVirtual
	}
	return d
}
