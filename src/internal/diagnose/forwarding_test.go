package diagnose

import (
	"strings"
	"testing"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/fixtures"
)

func forwardingFindings(s facts.Snapshot) map[string]english {
	out := map[string]english{}
	for _, f := range en(Run(s)) {
		if strings.HasPrefix(f.ID, "forwarding.") {
			out[f.ID] = f
		}
	}
	return out
}

func TestForwardingRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		snap func() facts.Snapshot
		// want maps finding IDs to severities; a missing ID must not fire.
		want map[string]Severity
		// texts must each appear in the finding's title, detail, evidence
		// or fix, keyed by ID.
		texts map[string][]string
		// absent must not appear there.
		absent map[string][]string
	}{
		{
			name: "Docker host healthy; management NIC eno2 off is not flagged",
			snap: fixtures.DockerHost,
			want: map[string]Severity{},
		},
		{
			name: "S3: uplink flipped, InAddrErrors growing, networkd 257 file",
			snap: fixtures.S3,
			want: map[string]Severity{IDForwardingInterface: SeverityCritical},
			texts: map[string][]string{IDForwardingInterface: {
				"Forwarding is off on eno1 since 14:03:12",
				"InAddrErrors +312 in 10 s",
				// networkd 257 writes a link's 0 only for an explicit
				// IPv4Forwarding=no: with the key absent someone else
				// wrote it, and networkd's journal names who once it
				// holds the setting.
				"/etc/systemd/network/10-eno1.network, which does not set forwarding: networkd (systemd 257 here) then leaves the link's forwarding as it finds it, so another process wrote this 0",
				"Add IPv4Forwarding=yes under [Network]",
				"journalctl -u systemd-networkd -g 'Foreign process'",
				"mkdir -p /etc/systemd/network/10-eno1.network.d && printf '[Network]\\nIPv4Forwarding=yes\\n' > /etc/systemd/network/10-eno1.network.d/50-netfix-forwarding.conf && networkctl reload && networkctl reconfigure eno1",
				"eno1 holds the default route",
			}},
			absent: map[string][]string{IDForwardingInterface: {"turns forwarding off at line"}},
		},
		{
			name: "systemd 257 file sets forwarding on, yet 0: a foreign process wrote it, networkd's journal names it",
			snap: func() facts.Snapshot {
				s := fixtures.S3()
				s.Forwarding.Interfaces[1].NetworkKeys = []facts.ConfigLine{{File: "/etc/systemd/network/10-eno1.network", Line: 6, Key: "IPv4Forwarding", Value: "yes"}}
				return s
			},
			want: map[string]Severity{IDForwardingInterface: SeverityCritical},
			texts: map[string][]string{IDForwardingInterface: {
				"which sets forwarding to 1 (/etc/systemd/network/10-eno1.network line 6: IPv4Forwarding=yes): another process wrote this 0 after networkd configured the link",
				"journalctl -u systemd-networkd -g 'Foreign process'",
				"networkctl reconfigure eno1",
			}},
			absent: map[string][]string{IDForwardingInterface: {"turns forwarding off", "mkdir -p"}},
		},
		{
			name: "systemd 257, IPMasquerade=ipv4 implies forwarding: a foreign process wrote the 0",
			snap: func() facts.Snapshot {
				s := fixtures.S3()
				s.Forwarding.Interfaces[1].NetworkKeys = []facts.ConfigLine{{File: "/etc/systemd/network/10-eno1.network", Line: 8, Key: "IPMasquerade", Value: "ipv4"}}
				s.Forwarding.Networkd.Conf = []facts.ConfigLine{{File: "/etc/systemd/networkd.conf", Line: 4, Key: "IPv4Forwarding", Value: "no"}}
				return s
			},
			want: map[string]Severity{IDForwardingInterface: SeverityCritical},
			texts: map[string][]string{IDForwardingInterface: {
				"which sets forwarding to 1 (/etc/systemd/network/10-eno1.network line 8: IPMasquerade=ipv4)",
				"journalctl -u systemd-networkd -g 'Foreign process'",
			}},
			absent: map[string][]string{IDForwardingInterface: {"turns forwarding off for every link"}},
		},
		{
			name: "systemd 257 file silent, a sysctl.d line writes the 0",
			snap: func() facts.Snapshot {
				s := fixtures.S3()
				s.Forwarding.Sysctl = []facts.SysctlLine{{ConfigLine: facts.ConfigLine{File: "/etc/sysctl.d/99-harden.conf", Line: 3, Key: "net.ipv4.conf.eno1.forwarding", Value: "0"}}}
				return s
			},
			want: map[string]Severity{IDForwardingInterface: SeverityCritical},
			texts: map[string][]string{IDForwardingInterface: {
				"/etc/sysctl.d/99-harden.conf line 3 sets net.ipv4.conf.eno1.forwarding to 0",
				"sed -i '3s/=.*/= 1/' /etc/sysctl.d/99-harden.conf",
			}},
			absent: map[string][]string{IDForwardingInterface: {"another process wrote this 0"}},
		},
		{
			name: "uplink off but counters quiet: warning",
			snap: func() facts.Snapshot {
				s := fixtures.S3()
				s.Forwarding.Counters.InAddrErrorsGrowth = 0
				s.Forwarding.Interfaces[1].Since = nil
				return s
			},
			want:  map[string]Severity{IDForwardingInterface: SeverityWarning},
			texts: map[string][]string{IDForwardingInterface: {"Forwarding is off on eno1: packets arriving there", "InAddrErrors: 10312 (+0 in 10 s)"}},
		},
		{
			name: "systemd 252 (< 256): IPForward= is the key",
			snap: func() facts.Snapshot {
				s := fixtures.S3()
				s.Forwarding.Networkd.Version = 252
				return s
			},
			want: map[string]Severity{IDForwardingInterface: SeverityCritical},
			texts: map[string][]string{IDForwardingInterface: {
				"the networkd of systemd 252 never writes per-interface forwarding",
				// Writing ip_forward=1 over 1 changes no interface:
				// networkd < 256 cannot undo it, the sysctl can.
				"sysctl -w net.ipv4.conf.eno1.forwarding=1 && echo 'net.ipv4.conf.eno1.forwarding = 1' >> /etc/sysctl.d/90-netfix-forwarding.conf",
			}},
		},
		{
			name: "systemd 257 file that turns forwarding off explicitly",
			snap: func() facts.Snapshot {
				s := fixtures.S3()
				s.Forwarding.Interfaces[1].NetworkKeys = []facts.ConfigLine{{File: "/etc/systemd/network/10-eno1.network", Line: 7, Key: "IPv4Forwarding", Value: "no"}}
				return s
			},
			want: map[string]Severity{IDForwardingInterface: SeverityCritical},
			texts: map[string][]string{IDForwardingInterface: {
				"/etc/systemd/network/10-eno1.network line 7 turns forwarding off (IPv4Forwarding=no): change that line to IPv4Forwarding=yes (systemd 257 here)",
				"/etc/systemd/network/10-eno1.network line 7: IPv4Forwarding=no",
				"sed -i '7s/.*/IPv4Forwarding=yes/' /etc/systemd/network/10-eno1.network && networkctl reload && networkctl reconfigure eno1",
			}},
			absent: map[string][]string{IDForwardingInterface: {"another process", "Foreign process"}},
		},
		{
			name: "systemd 257, a drop-in of the file turns forwarding off: that drop-in's line is named",
			snap: func() facts.Snapshot {
				s := fixtures.S3()
				s.Forwarding.Interfaces[1].NetworkKeys = []facts.ConfigLine{{File: "/etc/systemd/network/10-eno1.network.d/20-off.conf", Line: 2, Key: "IPv4Forwarding", Value: "false"}}
				return s
			},
			want: map[string]Severity{IDForwardingInterface: SeverityCritical},
			texts: map[string][]string{IDForwardingInterface: {
				"through /etc/systemd/network/10-eno1.network; /etc/systemd/network/10-eno1.network.d/20-off.conf line 2 turns forwarding off (IPv4Forwarding=false)",
				"sed -i '2s/.*/IPv4Forwarding=yes/' /etc/systemd/network/10-eno1.network.d/20-off.conf",
			}},
		},
		{
			name: "systemd 257, a package's file (IPForward=ipv6) turns IPv4 off: overridden by a drop-in",
			snap: func() facts.Snapshot {
				s := fixtures.S3()
				s.Forwarding.Interfaces[1].NetworkFile = "/usr/lib/systemd/network/80-container-host0.network"
				s.Forwarding.Interfaces[1].NetworkKeys = []facts.ConfigLine{{File: "/usr/lib/systemd/network/80-container-host0.network", Line: 11, Key: "IPForward", Value: "ipv6"}}
				return s
			},
			want: map[string]Severity{IDForwardingInterface: SeverityCritical},
			texts: map[string][]string{IDForwardingInterface: {
				"/usr/lib/systemd/network/80-container-host0.network line 11 turns forwarding off (IPForward=ipv6): override it with IPv4Forwarding=yes in a drop-in",
				"mkdir -p /etc/systemd/network/80-container-host0.network.d && printf '[Network]\\nIPv4Forwarding=yes\\n' > /etc/systemd/network/80-container-host0.network.d/50-netfix-forwarding.conf",
			}},
			absent: map[string][]string{IDForwardingInterface: {"sed -i"}},
		},
		{
			name: "systemd 257, networkd.conf turns forwarding off for every link",
			snap: func() facts.Snapshot {
				s := fixtures.S3()
				s.Forwarding.Networkd.Conf = []facts.ConfigLine{{File: "/etc/systemd/networkd.conf", Line: 4, Key: "IPv4Forwarding", Value: "no"}}
				return s
			},
			want: map[string]Severity{IDForwardingInterface: SeverityCritical},
			texts: map[string][]string{IDForwardingInterface: {
				"/etc/systemd/networkd.conf line 4 turns forwarding off for every link",
				"IPv4Forwarding=yes\\n",
			}},
		},
		{
			name: "no networkd: a sysctl.d line is the culprit",
			snap: func() facts.Snapshot {
				s := fixtures.S3()
				s.Forwarding.Interfaces[1].NetworkFile = ""
				s.Forwarding.Networkd = facts.Networkd{State: facts.NetworkdNotRunning}
				s.Forwarding.Sysctl = []facts.SysctlLine{
					{ConfigLine: facts.ConfigLine{File: "/usr/lib/sysctl.d/50-default.conf", Line: 3, Key: "net.ipv4.ip_forward", Value: "1"}},
					{ConfigLine: facts.ConfigLine{File: "/etc/sysctl.d/99-harden.conf", Line: 12, Key: "net.ipv4.conf.*.forwarding", Value: "0"}},
				}
				return s
			},
			want: map[string]Severity{IDForwardingInterface: SeverityCritical},
			texts: map[string][]string{IDForwardingInterface: {
				"systemd-networkd is not running",
				"/etc/sysctl.d/99-harden.conf line 12 sets net.ipv4.conf.*.forwarding to 0",
				"sed -i '12s/=.*/= 1/' /etc/sysctl.d/99-harden.conf && sysctl -w net.ipv4.conf.eno1.forwarding=1",
			}},
		},
		{
			name: "OpenWrt zone network off, nothing explains it: runtime fix persisted in sysctl.d",
			snap: func() facts.Snapshot {
				s := fixtures.DockerHost()
				s.Forwarding.OpenWrt = true
				s.Forwarding.Interfaces = []facts.ForwardingInterface{{Name: "br-lan", IPv4: false, Roles: []string{facts.RoleZone, facts.RoleBridge}}}
				return s
			},
			want: map[string]Severity{IDForwardingInterface: SeverityWarning},
			texts: map[string][]string{IDForwardingInterface: {
				"br-lan is a network of an OpenWrt firewall zone",
				"sysctl -w net.ipv4.conf.br-lan.forwarding=1 && echo 'net.ipv4.conf.br-lan.forwarding = 1' >> /etc/sysctl.d/90-netfix-forwarding.conf && /etc/init.d/sysctl restart",
			}},
		},
		{
			name: "global IPv4 forwarding off: per-interface zeros are not this rule's business",
			snap: func() facts.Snapshot {
				s := fixtures.S3()
				s.Forwarding.IPv4 = false
				return s
			},
			want: map[string]Severity{},
		},
		{
			name: "IPv6-only breakage: routes into docker0, all.forwarding 0, Ip6InAddrErrors growing (systemd 257)",
			snap: func() facts.Snapshot {
				s := fixtures.DockerHost()
				s.Forwarding.Networkd = facts.Networkd{State: facts.NetworkdRunning, Version: 257}
				s.Forwarding.IPv6Signals = []string{"ip -6 route: fd00:d0c::/64 dev docker0", "sysctl: net.ipv6.conf.eno1.forwarding = 1"}
				s.Forwarding.Counters.Ip6InAddrErrorsGrowth = 40
				return s
			},
			want: map[string]Severity{IDForwardingIPv6: SeverityCritical},
			texts: map[string][]string{IDForwardingIPv6: {
				"Ip6InAddrErrors +40 in 10 s",
				"This host routes IPv6: ip -6 route: fd00:d0c::/64 dev docker0",
				"IPv6Forwarding=yes under [Network] in networkd.conf",
				"/etc/systemd/networkd.conf.d/50-netfix-forwarding.conf",
			}},
		},
		{
			name: "IPv6: per-interface force_forwarding (kernel >= 6.17) forwards anyway",
			snap: func() facts.Snapshot {
				s := fixtures.DockerHost()
				s.Forwarding.IPv6Signals = []string{"ip -6 route: fd00:d0c::/64 dev docker0"}
				s.Forwarding.Interfaces[1].ForceForwarding, s.Forwarding.Interfaces[1].ForceForwardingKnown = true, true
				return s
			},
			want: map[string]Severity{},
		},
		{
			name: "IPv6 off without any sign of IPv6 routing: nothing to say",
			snap: fixtures.DockerHost,
			want: map[string]Severity{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := forwardingFindings(tc.snap())
			if len(got) != len(tc.want) {
				t.Errorf("got %d forwarding findings %v, want %v", len(got), keys(got), tc.want)
			}
			for id, sev := range tc.want {
				f, ok := got[id]
				if !ok {
					t.Errorf("%s missing", id)
					continue
				}
				if f.Severity != sev {
					t.Errorf("%s: severity %s, want %s", id, f.Severity, sev)
				}
				all := f.Title + "\n" + f.Detail + "\n" + strings.Join(f.Evidence, "\n") + "\n" + f.Fix
				for _, txt := range tc.texts[id] {
					if !strings.Contains(all, txt) {
						t.Errorf("%s: %q not found in\n%s", id, txt, all)
					}
				}
				for _, txt := range tc.absent[id] {
					if strings.Contains(all, txt) {
						t.Errorf("%s: %q must not be said in\n%s", id, txt, all)
					}
				}
			}
		})
	}
}

func TestSysctlCulprit(t *testing.T) {
	t.Parallel()
	line := func(key, val string, n int) facts.SysctlLine {
		return facts.SysctlLine{ConfigLine: facts.ConfigLine{File: "f.conf", Line: n, Key: key, Value: val}}
	}
	tests := []struct {
		name     string
		lines    []facts.SysctlLine
		family   string
		iface    string
		wantLine int // 0: no culprit
	}{
		{"interface zero after global one wins", []facts.SysctlLine{line("net.ipv4.ip_forward", "1", 1), line("net.ipv4.conf.eno1.forwarding", "0", 2)}, "ipv4", "eno1", 2},
		{"global one after interface zero restores it", []facts.SysctlLine{line("net.ipv4.conf.eno1.forwarding", "0", 1), line("net.ipv4.ip_forward", "1", 2)}, "ipv4", "eno1", 0},
		{"hardening file: ip_forward = 0 last", []facts.SysctlLine{line("net.ipv4.ip_forward", "1", 1), line("net.ipv4.ip_forward", "0", 9)}, "ipv4", "eno1", 9},
		{"glob matches", []facts.SysctlLine{line("net.ipv4.conf.en*.forwarding", "0", 4)}, "ipv4", "eno1", 4},
		{"another interface does not matter", []facts.SysctlLine{line("net.ipv4.conf.eno2.forwarding", "0", 4)}, "ipv4", "eno1", 0},
		{"default counts (interfaces created after boot)", []facts.SysctlLine{line("net.ipv4.conf.default.forwarding", "0", 5)}, "ipv4", "docker0", 5},
		{"IPv6 per-interface zero gates nothing", []facts.SysctlLine{line("net.ipv6.conf.eno1.forwarding", "0", 3)}, "ipv6", "all", 0},
		{"IPv6 all zero", []facts.SysctlLine{line("net.ipv6.conf.all.forwarding", "1", 1), line("net.ipv6.conf.all.forwarding", "0", 7)}, "ipv6", "all", 7},
		{"IPv4 key does not touch IPv6", []facts.SysctlLine{line("net.ipv4.ip_forward", "0", 1)}, "ipv6", "all", 0},
	}
	for _, tc := range tests {
		l, ok := sysctlCulprit(tc.lines, tc.family, tc.iface)
		if (tc.wantLine != 0) != ok || (ok && l.Line != tc.wantLine) {
			t.Errorf("%s: got line %d (found %v), want %d", tc.name, l.Line, ok, tc.wantLine)
		}
	}
}

// What networkd >= 256 writes to a link's IPv4 forwarding, and which line
// decides it (networkd-sysctl.c, link_get_ip_forwarding): the file's key,
// else IPMasquerade=, else networkd.conf, else nothing.
func TestNetworkdIPv4(t *testing.T) {
	t.Parallel()
	k := func(line int, key, val string) facts.ConfigLine {
		return facts.ConfigLine{File: "/etc/systemd/network/10-eno1.network", Line: line, Key: key, Value: val}
	}
	c := func(line int, val string) facts.ConfigLine {
		return facts.ConfigLine{File: "/etc/systemd/networkd.conf", Line: line, Key: "IPv4Forwarding", Value: val}
	}
	tests := []struct {
		name       string
		keys, conf []facts.ConfigLine
		want       int
		wantLine   int
		wantGlobal bool
	}{
		{"nothing set: networkd leaves the link alone", nil, nil, networkdKeeps, 0, false},
		{"IPv4Forwarding=no", []facts.ConfigLine{k(7, "IPv4Forwarding", "no")}, nil, networkdWritesOff, 7, false},
		{"IPv4Forwarding=yes", []facts.ConfigLine{k(7, "IPv4Forwarding", "yes")}, nil, networkdWritesOn, 7, false},
		{"a later yes (drop-in) wins", []facts.ConfigLine{k(7, "IPv4Forwarding", "no"), k(2, "IPv4Forwarding", "yes")}, nil, networkdWritesOn, 2, false},
		{"an unparsable value is ignored: the earlier one stands", []facts.ConfigLine{k(7, "IPv4Forwarding", "off"), k(8, "IPv4Forwarding", "maybe")}, nil, networkdWritesOff, 7, false},
		{"IPForward=ipv6 (deprecated) turns IPv4 off", []facts.ConfigLine{k(5, "IPForward", "ipv6")}, nil, networkdWritesOff, 5, false},
		{"IPForward=no", []facts.ConfigLine{k(5, "IPForward", "no")}, nil, networkdWritesOff, 5, false},
		{"IPForward=yes", []facts.ConfigLine{k(5, "IPForward", "yes")}, nil, networkdWritesOn, 5, false},
		{"IPForward=ipv4", []facts.ConfigLine{k(5, "IPForward", "ipv4")}, nil, networkdWritesOn, 5, false},
		{"IPv6Forwarding does not decide IPv4", []facts.ConfigLine{k(5, "IPv6Forwarding", "no")}, nil, networkdKeeps, 0, false},
		{"IPMasquerade=ipv4 implies forwarding", []facts.ConfigLine{k(9, "IPMasquerade", "ipv4")}, nil, networkdWritesOn, 9, false},
		{"IPMasquerade=both implies forwarding", []facts.ConfigLine{k(9, "IPMasquerade", "both")}, nil, networkdWritesOn, 9, false},
		{"IPMasquerade=ipv6 says nothing of IPv4", []facts.ConfigLine{k(9, "IPMasquerade", "ipv6")}, nil, networkdKeeps, 0, false},
		{"an explicit no beats IPMasquerade", []facts.ConfigLine{k(9, "IPMasquerade", "ipv4"), k(10, "IPv4Forwarding", "no")}, nil, networkdWritesOff, 10, false},
		{"networkd.conf no, file silent", nil, []facts.ConfigLine{c(4, "no")}, networkdWritesOff, 4, true},
		{"networkd.conf yes, file silent", nil, []facts.ConfigLine{c(4, "yes")}, networkdWritesOn, 4, true},
		{"the file's yes beats networkd.conf's no", []facts.ConfigLine{k(7, "IPv4Forwarding", "yes")}, []facts.ConfigLine{c(4, "no")}, networkdWritesOn, 7, false},
		{"IPMasquerade beats networkd.conf's no", []facts.ConfigLine{k(9, "IPMasquerade", "yes")}, []facts.ConfigLine{c(4, "no")}, networkdWritesOn, 9, false},
	}
	for _, tc := range tests {
		w := networkdIPv4(tc.keys, tc.conf)
		if w.state != tc.want || w.line.Line != tc.wantLine || w.global != tc.wantGlobal {
			t.Errorf("%s: got state %d line %d global %v, want %d line %d global %v", tc.name, w.state, w.line.Line, w.global, tc.want, tc.wantLine, tc.wantGlobal)
		}
	}
}
