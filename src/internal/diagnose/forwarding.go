package diagnose

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/shell"
	"github.com/netfix/netfix/src/internal/status"
)

// Finding IDs of the forwarding family (scenario S3).
const (
	IDForwardingInterface = "forwarding.interface_disabled"
	IDForwardingIPv6      = "forwarding.ipv6_disabled"
)

// persistFile is where netfix's fixes persist a forwarding sysctl.
const persistFile = "/etc/sysctl.d/90-netfix-forwarding.conf"

// interfaceDisabled: an interface that carries forwarded traffic has IPv4
// forwarding 0 while the host forwards. The kernel drops every packet that
// arrives there for another host (ip_route_input_slow: !IN_DEV_FORWARD →
// InAddrErrors) before any firewall rule sees it: the S3 Docker host lost
// its containers' replies this way for three days.
func interfaceDisabled(s facts.Snapshot) []Finding {
	fw := s.Forwarding
	var out []Finding
	for _, ifc := range fw.IPv4Off() {
		c := fw.Counters
		growing := c.Sampled && c.InAddrErrorsGrowth > 0
		secs := strconv.FormatFloat(c.IntervalSeconds, 'f', -1, 64)
		var title status.Msg
		sev := SeverityWarning
		switch {
		case growing && ifc.Since != nil:
			sev = SeverityCritical
			title = status.M("Forwarding is off on %s since %s: traffic forwarded through it is being dropped (InAddrErrors +%d in %s s).", ifc.Name, ifc.Since.UTC().Format("15:04:05"), c.InAddrErrorsGrowth, secs)
		case growing:
			sev = SeverityCritical
			title = status.M("Forwarding is off on %s: traffic forwarded through it is being dropped (InAddrErrors +%d in %s s).", ifc.Name, c.InAddrErrorsGrowth, secs)
		case ifc.Since != nil:
			title = status.M("Forwarding is off on %s since %s: packets arriving there for other hosts will be dropped.", ifc.Name, ifc.Since.UTC().Format("15:04:05"))
		default:
			title = status.M("Forwarding is off on %s: packets arriving there for other hosts will be dropped.", ifc.Name)
		}
		detail := []status.Msg{status.M("The kernel forwards an IPv4 packet only when the interface it arrived on has forwarding on, whatever net.ipv4.ip_forward says; it drops the others before any firewall rule and counts them in InAddrErrors, so no DROP counter moves.")}
		ev := []status.Msg{status.M("net.ipv4.ip_forward = 1, net.ipv4.conf.%s.forwarding = 0", dottedName(ifc.Name))}
		ev = append(ev, roleEvidence(ifc)...)
		ev = append(ev, counterEvidence(c)...)
		a := attributeIPv4(fw, ifc)
		detail = append(detail, a.detail...)
		ev = append(ev, a.evidence...)
		out = append(out, newFinding(IDForwardingInterface, sev, title, detail, ev, a.fix))
	}
	return out
}

// ipv6Disabled: routes or per-interface settings say this host routes IPv6
// for hosts behind it, but net.ipv6.conf.all.forwarding, the only switch
// that gates IPv6 forwarding, is 0 (systemd 256's IPv6Forwarding= on one
// link does not forward: systemd issue #33414).
func ipv6Disabled(s facts.Snapshot) []Finding {
	fw := s.Forwarding
	if !fw.IPv6Off() {
		return nil
	}
	c := fw.Counters
	sev := SeverityWarning
	title := status.M("IPv6 forwarding is off (net.ipv6.conf.all.forwarding = 0) although this host routes IPv6 for hosts behind it.")
	if c.Sampled && c.Ip6InAddrErrorsGrowth > 0 {
		sev = SeverityCritical
		title = status.M("IPv6 forwarding is off: IPv6 traffic for hosts behind this one is being dropped (Ip6InAddrErrors +%d in %s s).", c.Ip6InAddrErrorsGrowth, strconv.FormatFloat(c.IntervalSeconds, 'f', -1, 64))
	}
	detail := []status.Msg{
		status.M("For IPv6 only net.ipv6.conf.all.forwarding decides whether packets are forwarded; the per-interface forwarding switch only makes an interface behave as a router, so turning it on for one link forwards nothing."),
		status.M("With forwarding on, the kernel ignores router advertisements on interfaces with accept_ra = 1: set accept_ra = 2 on an uplink that takes its address from SLAAC."),
	}
	var ev []status.Msg
	for _, sig := range fw.IPv6Signals {
		ev = append(ev, status.M("This host routes IPv6: %s", sig))
	}
	ev = append(ev, status.M("net.ipv6.conf.all.forwarding = 0"))
	if c.Sampled {
		ev = append(ev, status.M("Ip6InAddrErrors: %d (+%d in %s s), Ip6OutNoRoutes: %d (+%d)", c.Ip6InAddrErrors, c.Ip6InAddrErrorsGrowth, strconv.FormatFloat(c.IntervalSeconds, 'f', -1, 64), c.Ip6OutNoRoutes, c.Ip6OutNoRoutesGrowth))
	}
	a := attributeIPv6(fw)
	detail = append(detail, a.detail...)
	ev = append(ev, a.evidence...)
	return []Finding{newFinding(IDForwardingIPv6, sev, title, detail, ev, a.fix)}
}

// attribution says who set forwarding off and the exact fix.
type attribution struct {
	detail   []status.Msg
	evidence []status.Msg
	fix      string
}

// attributeIPv4 names who left ifc's IPv4 forwarding off: its
// systemd-networkd .network file or networkd.conf when networkd wrote the
// 0, a sysctl.d line, or another process at run time (then networkd's
// journal or the daemon's event log says which, and when).
func attributeIPv4(fw facts.Forwarding, ifc facts.ForwardingInterface) attribution {
	var a attribution
	name := ifc.Name
	runtime := fmt.Sprintf("sysctl -w net.ipv4.conf.%s.forwarding=1", shell.Quote(dottedName(name)))
	a.evidence = append(a.evidence, networkdEvidence(fw.Networkd)...)
	v := fw.Networkd.Version
	if ifc.NetworkFile != "" {
		for _, k := range ifc.NetworkKeys {
			a.evidence = append(a.evidence, status.M("%s line %d: %s=%s", k.File, k.Line, k.Key, k.Value))
		}
		if v != 0 && v < facts.SystemdPerLinkForwarding {
			// networkd before 256 only ever writes the global
			// ip_forward=1, and writing 1 over 1 changes no interface:
			// it neither wrote this 0 nor can undo it.
			a.detail = append(a.detail, status.M("%s is managed by systemd-networkd through %s, but the networkd of systemd %s never writes per-interface forwarding (IPv4Forwarding= does from systemd 256): something else wrote this 0.", name, ifc.NetworkFile, versionText(v)))
		} else {
			w := networkdIPv4(ifc.NetworkKeys, fw.Networkd.Conf)
			key, val := networkdKeyFor("ipv4", v)
			dropin := networkdDropin(ifc.NetworkFile, key, val) + " && networkctl reload && networkctl reconfigure " + shell.Quote(name)
			switch {
			case w.state == networkdWritesOff && !w.global:
				// networkd wrote this 0: name the line. An IPv4Forwarding=
				// line of the administrator's (/etc, /run) is changed in
				// place; a package's file, or the deprecated IPForward=
				// (which also says what IPv6 does), is overridden by a
				// drop-in read after it.
				if w.line.Key == key && adminFile(w.line.File) {
					a.detail = append(a.detail, status.M("%s is managed by systemd-networkd through %s; %s line %d turns forwarding off (%s=%s): change that line to %s=%s (systemd %s here), then reload networkd.", name, ifc.NetworkFile, w.line.File, w.line.Line, w.line.Key, w.line.Value, key, val, versionText(v)))
					a.fix = fmt.Sprintf("sed -i %s %s && networkctl reload && networkctl reconfigure %s", shell.Quote(fmt.Sprintf("%ds/.*/%s=%s/", w.line.Line, key, val)), shell.Quote(w.line.File), shell.Quote(name))
					return a
				}
				a.detail = append(a.detail, status.M("%s is managed by systemd-networkd through %s; %s line %d turns forwarding off (%s=%s): override it with %s=%s in a drop-in (systemd %s here), then reload networkd.", name, ifc.NetworkFile, w.line.File, w.line.Line, w.line.Key, w.line.Value, key, val, versionText(v)))
				a.fix = dropin
				return a
			case w.state == networkdWritesOff:
				a.evidence = append(a.evidence, status.M("%s line %d: %s=%s", w.line.File, w.line.Line, w.line.Key, w.line.Value))
				a.detail = append(a.detail, status.M("%s line %d turns forwarding off for every link systemd-networkd manages; %s is managed through %s: add %s=%s under [Network] there (systemd %s here), then reload networkd.", w.line.File, w.line.Line, name, ifc.NetworkFile, key, val, versionText(v)))
				a.fix = dropin
				return a
			}
			// networkd did not write this 0: it wrote 1, or left the
			// link alone. A sysctl.d line may still explain it.
			if _, ok := sysctlCulprit(fw.Sysctl, "ipv4", name); !ok {
				if w.state == networkdWritesOn {
					if w.global {
						a.evidence = append(a.evidence, status.M("%s line %d: %s=%s", w.line.File, w.line.Line, w.line.Key, w.line.Value))
					}
					a.detail = append(a.detail, status.M("%s is managed by systemd-networkd through %s, which sets forwarding to 1 (%s line %d: %s=%s): another process wrote this 0 after networkd configured the link. networkd (systemd %s here) logs which: journalctl -u systemd-networkd -g 'Foreign process'. Stop that writer; networkctl reconfigure %s sets 1 again.", name, ifc.NetworkFile, w.line.File, w.line.Line, w.line.Key, w.line.Value, versionText(v), name))
					a.fix = "networkctl reconfigure " + shell.Quote(name)
					return a
				}
				a.detail = append(a.detail, status.M("%s is managed by systemd-networkd through %s, which does not set forwarding: networkd (systemd %s here) then leaves the link's forwarding as it finds it, so another process wrote this 0. Add %s=%s under [Network]: networkd then sets 1 whenever it configures the link and logs any process that changes it, which journalctl -u systemd-networkd -g 'Foreign process' shows.", name, ifc.NetworkFile, versionText(v), key, val))
				a.fix = dropin
				return a
			}
		}
	}
	if l, ok := sysctlCulprit(fw.Sysctl, "ipv4", name); ok {
		a.evidence = append(a.evidence, status.M("%s line %d: %s = %s", l.File, l.Line, l.Key, l.Value))
		a.detail = append(a.detail, status.M("%s line %d sets %s to 0 at every boot and every sysctl --system: change it to 1.", l.File, l.Line, l.Key))
		a.fix = fmt.Sprintf("sed -i '%ds/=.*/= 1/' %s && %s", l.Line, shell.Quote(l.File), runtime)
		return a
	}
	a.detail = append(a.detail, status.M("No .network file or sysctl.d line explains it: a script or daemon wrote the setting at run time. The netfix daemon records the exact time of every change; with option forwarding_guard '1' it also sets it back."))
	a.fix = persistSysctl(runtime, fmt.Sprintf("net.ipv4.conf.%s.forwarding = 1", dottedName(name)), fw.OpenWrt)
	return a
}

// attributeIPv6 names what leaves net.ipv6.conf.all.forwarding at 0.
func attributeIPv6(fw facts.Forwarding) attribution {
	var a attribution
	runtime := "sysctl -w net.ipv6.conf.all.forwarding=1"
	a.evidence = append(a.evidence, networkdEvidence(fw.Networkd)...)
	if l, ok := sysctlCulprit(fw.Sysctl, "ipv6", "all"); ok {
		a.evidence = append(a.evidence, status.M("%s line %d: %s = %s", l.File, l.Line, l.Key, l.Value))
		a.detail = append(a.detail, status.M("%s line %d sets %s to 0 at every boot and every sysctl --system: change it to 1.", l.File, l.Line, l.Key))
		a.fix = fmt.Sprintf("sed -i '%ds/=.*/= 1/' %s && %s", l.Line, shell.Quote(l.File), runtime)
		return a
	}
	for _, c := range fw.Networkd.Conf {
		a.evidence = append(a.evidence, status.M("%s line %d: %s=%s", c.File, c.Line, c.Key, c.Value))
	}
	if fw.Networkd.State == facts.NetworkdRunning {
		if fw.Networkd.Version == 0 || fw.Networkd.Version >= facts.SystemdPerLinkForwarding {
			a.detail = append(a.detail, status.M("systemd-networkd (systemd %s here) sets IPv6 forwarding for all interfaces from IPv6Forwarding= in networkd.conf, not from the per-link key: add IPv6Forwarding=yes under [Network] in networkd.conf, then restart networkd.", versionText(fw.Networkd.Version)))
			a.fix = "mkdir -p /etc/systemd/networkd.conf.d && printf '[Network]\\nIPv6Forwarding=yes\\n' > /etc/systemd/networkd.conf.d/50-netfix-forwarding.conf && systemctl restart systemd-networkd"
			return a
		}
		a.detail = append(a.detail, status.M("systemd-networkd (systemd %s here) turns IPv6 forwarding on for all interfaces when one .network file has IPForward=ipv6 or IPForward=yes: add it under [Network] in the uplink's file, then reload networkd.", versionText(fw.Networkd.Version)))
	}
	a.fix = persistSysctl(runtime, "net.ipv6.conf.all.forwarding = 1", fw.OpenWrt)
	return a
}

// networkdEvidence says what systemd-networkd answered, or why it was not
// asked.
func networkdEvidence(n facts.Networkd) []status.Msg {
	switch n.State {
	case facts.NetworkdRunning:
		return []status.Msg{status.M("systemd-networkd is running (systemd %s)", versionText(n.Version))}
	case facts.NetworkdNotRunning:
		return []status.Msg{status.M("systemd-networkd is not running (nothing owns org.freedesktop.network1 on the system D-Bus)")}
	case facts.NetworkdNoBus:
		return []status.Msg{status.M("systemd-networkd not asked: no system D-Bus on this host")}
	case facts.NetworkdBusError, facts.NetworkdTimeout:
		return []status.Msg{status.M("systemd-networkd not asked: the system D-Bus failed (%s)", n.Error)}
	case facts.NetworkdNotBuilt:
		return []status.Msg{status.M("systemd-networkd not asked: this netfix is built without D-Bus support")}
	}
	return nil
}

func roleEvidence(ifc facts.ForwardingInterface) []status.Msg {
	var out []status.Msg
	for _, r := range ifc.Roles {
		switch r {
		case facts.RoleUplink:
			out = append(out, status.M("%s holds the default route: replies to the hosts behind this one arrive there", ifc.Name))
		case facts.RoleBridge:
			out = append(out, status.M("%s is a bridge with ports: its hosts' traffic is routed through it", ifc.Name))
		case facts.RoleContainer:
			out = append(out, status.M("%s is a container or VM bridge", ifc.Name))
		case facts.RoleVeth:
			out = append(out, status.M("%s is a routed veth towards a container", ifc.Name))
		case facts.RoleZone:
			out = append(out, status.M("%s is a network of an OpenWrt firewall zone", ifc.Name))
		case facts.RoleIPv6Route:
			out = append(out, status.M("a global IPv6 route points into %s", ifc.Name))
		}
	}
	return out
}

func counterEvidence(c facts.ForwardingCounters) []status.Msg {
	if !c.Sampled {
		return []status.Msg{status.M("InAddrErrors: %d (one sample)", c.InAddrErrors)}
	}
	return []status.Msg{status.M("InAddrErrors: %d (+%d in %s s)", c.InAddrErrors, c.InAddrErrorsGrowth, strconv.FormatFloat(c.IntervalSeconds, 'f', -1, 64))}
}

// adminFile reports whether a systemd configuration file is the
// administrator's to edit (/etc, /run), not a package's (/usr/lib, /lib).
func adminFile(path string) bool {
	return strings.HasPrefix(path, "/etc/") || strings.HasPrefix(path, "/run/")
}

// networkdDropin writes key=value into a drop-in of the .network file:
// it overrides the file and its other drop-ins (a later [Network] key
// wins), survives package upgrades of files under /usr/lib, and undoing
// it is deleting one file.
func networkdDropin(networkFile, key, val string) string {
	dir := shell.Quote(filepath.Join("/etc/systemd/network", filepath.Base(networkFile)+".d"))
	return fmt.Sprintf("mkdir -p %s && printf %s > %s/50-netfix-forwarding.conf", dir, shell.Quote("[Network]\\n"+key+"="+val+"\\n"), dir)
}

// persistSysctl sets a key now and keeps it across reboots in a sysctl.d
// file of its own (systemd-sysctl on Debian, /etc/init.d/sysctl on
// OpenWrt; both read /etc/sysctl.d).
func persistSysctl(runtime, line string, openwrt bool) string {
	fix := fmt.Sprintf("%s && echo %s >> %s", runtime, shell.Quote(line), persistFile)
	if openwrt {
		fix += " && /etc/init.d/sysctl restart"
	}
	return fix
}

func versionText(v int) string {
	if v == 0 {
		return "?"
	}
	return strconv.Itoa(v)
}

// dottedName writes an interface name as sysctl(8) does inside a dotted
// key: eth0.2 becomes eth0/2.
func dottedName(n string) string { return strings.ReplaceAll(n, ".", "/") }
