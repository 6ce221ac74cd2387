//go:build linux

package probe

import (
	"time"

	"github.com/vishvananda/netlink"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/probe/hostconf"
	"github.com/netfix/netfix/src/internal/probe/links"
)

// readForwarding reads global and per-interface forwarding, who carries
// forwarded traffic, the drop counters (package links) and the
// configuration that sets forwarding (package hostconf). When some
// interface looks broken it samples the counters a second time after
// sample (0: one sample) and asks systemd-networkd which file manages the
// suspects. Kernel facts come from the current network namespace; files
// from below root, their UCI parses kept in c between probes while the
// files are unchanged (nil: read afresh). ls and linksErr are the probe's
// one listing of the links.
func readForwarding(root string, sample time.Duration, c *hostconf.UCICache, ls []netlink.Link, linksErr error) facts.Forwarding {
	f, ok := links.ReadForwarding(ls, linksErr, func() map[string]string { return hostconf.ZoneDevices(root, c) })
	if !ok {
		return f
	}
	f.OpenWrt = hostconf.IsOpenWrt(root)
	f.Sysctl = hostconf.ReadSysctlD(root)
	if !f.OpenWrt {
		f.Networkd.Conf = hostconf.ReadNetworkdConf(root)
	}

	suspects := f.IPv4Off()
	if f.IPv6Off() {
		for _, i := range f.Interfaces {
			if i.HasRole(facts.RoleUplink) {
				suspects = append(suspects, i)
			}
		}
	}
	f.Networkd.State = facts.NetworkdNotAsked
	if len(suspects) == 0 {
		return f
	}
	if sample > 0 && f.Error == "" {
		time.Sleep(sample)
		if later, err := links.ReadForwardingCounters(); err == nil {
			links.Grow(f.Counters, &later, sample.Seconds())
			f.Counters = later
		}
	}
	if f.OpenWrt {
		return f // no systemd-networkd there
	}
	names := make([]string, len(suspects))
	for i, s := range suspects {
		names[i] = s.Name
	}
	a := hostconf.AskNetworkd(names)
	f.Networkd.State, f.Networkd.Error, f.Networkd.Version = a.State, a.Error, a.Version
	if f.Networkd.Version == 0 {
		f.Networkd.Version = hostconf.SharedLibVersion(root)
	}
	for i := range f.Interfaces {
		if file := a.Files[f.Interfaces[i].Name]; file != "" {
			f.Interfaces[i].NetworkFile = file
			f.Interfaces[i].NetworkKeys = hostconf.ReadNetworkFile(root, file)
		}
	}
	return f
}
