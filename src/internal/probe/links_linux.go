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
func describeDevices(h *netlink.Handle, fts []facts.Flowtable) {
	et, etErr := ethtool.NewEthtool()
	if etErr == nil {
		defer et.Close()
	}
	cache := map[string]facts.Device{}
	for i := range fts {
		for j := range fts[i].Devices {
			name := fts[i].Devices[j].Name
			d, ok := cache[name]
			if !ok {
				d = describeDevice(h, et, name)
				cache[name] = d
			}
			fts[i].Devices[j] = d
		}
	}
}

func describeDevice(h *netlink.Handle, et *ethtool.Ethtool, name string) facts.Device {
	d := facts.Device{Name: name}
	link, err := h.LinkByName(name)
	if err != nil {
		d.Kind = facts.KindMissing
		return d
	}
	attrs := link.Attrs()
	d.LinkType = link.Type()
	if attrs.MasterIndex != 0 {
		if m, err := h.LinkByIndex(attrs.MasterIndex); err == nil && m.Type() == "bridge" {
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
		if p, err := h.LinkByIndex(attrs.ParentIndex); err == nil {
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
