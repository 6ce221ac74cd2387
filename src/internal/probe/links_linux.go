//go:build linux

package probe

import (
	"strings"

	"github.com/safchain/ethtool"
	"github.com/vishvananda/netlink"

	"github.com/netfix/netfix/src/internal/facts"
)

// hwTCOffload is the ethtool feature string of NETIF_F_HW_TC: the NIC can
// take tc/flowtable rules into hardware.
const hwTCOffload = "hw-tc-offload"

// describeDevices fills in what each flowtable device is: its kind, its
// bridge or parent, its driver and whether it can offload in hardware.
// links is the probe's listing of the links (nil: ask h for each device);
// a name it lacks is asked for, since a flowtable may name a device by
// an alternative name (ip link property add altname).
func describeDevices(h *netlink.Handle, links []netlink.Link, fts []facts.Flowtable) {
	et, etErr := ethtool.NewEthtool()
	if etErr == nil {
		defer et.Close()
	}
	byName := make(map[string]netlink.Link, len(links))
	byIndex := make(map[int]netlink.Link, len(links))
	for _, l := range links {
		byName[l.Attrs().Name], byIndex[l.Attrs().Index] = l, l
	}
	lookup := linkLookup{h: h, byName: byName, byIndex: byIndex}
	cache := map[string]facts.Device{}
	for i := range fts {
		for j := range fts[i].Devices {
			name := fts[i].Devices[j].Name
			d, ok := cache[name]
			if !ok {
				d = describeDevice(lookup, et, name)
				cache[name] = d
			}
			fts[i].Devices[j] = d
		}
	}
}

// linkLookup finds links in a listing first, and asks the kernel for
// what the listing lacks.
type linkLookup struct {
	h       *netlink.Handle
	byName  map[string]netlink.Link
	byIndex map[int]netlink.Link
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
