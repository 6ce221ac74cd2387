package diagnose

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/netfix/netfix/src/internal/ctusage"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/status"
)

// Finding IDs of the conntrack family (scenario S2).
const (
	IDConntrackNearFull = "conntrack.near_full"
	IDConntrackDropping = "conntrack.dropping"
)

// SysctlConf is the file the fix persists sysctls in: OpenWrt ships its
// conntrack defaults in /etc/sysctl.d/11-nf-conntrack.conf and reads the
// directory in order, so a later name wins; other distributions read
// /etc/sysctl.d/*.conf the same way.
const SysctlConf = "/etc/sysctl.d/90-netfix-conntrack.conf"

const (
	sysctlEstablished = "net.netfilter.nf_conntrack_tcp_timeout_established"
	sysctlMax         = "net.netfilter.nf_conntrack_max"
)

// conntrackNearFull: the table is at least 75 % full. When it fills, the
// kernel refuses every new connection while old ones keep flowing (S2).
func conntrackNearFull(s facts.Snapshot) []Finding {
	ct := s.Conntrack
	if !ct.Available || ct.Max == 0 || ct.Fill() < ctusage.WarnPct {
		return nil
	}
	sev := SeverityWarning
	if ct.Fill() >= ctusage.CriticalPct {
		sev = SeverityCritical
	}
	a := analyse(ct)
	detail := []status.Msg{
		status.M("When the table is full the kernel drops every packet that would start a new connection: new connections time out and the router's own programs get EPERM from sendto, while flows that already have an entry, such as an old VPN tunnel, keep working."),
	}
	detail = append(detail, a.detail...)
	return []Finding{a.finding(IDConntrackNearFull, sev,
		status.M("The conntrack table is %s%% full (%s of %s entries).", pct(ct.Fill()), ct.Entries, ct.Max),
		detail, a.evidence)}
}

// conntrackDropping: the kernel's refusal counters grew since the previous
// sample: the table already turns connections away.
func conntrackDropping(s facts.Snapshot) []Finding {
	ct := s.Conntrack
	if !ct.Available || ct.Table == nil || ct.Table.Growth == nil || ct.Table.Growth.Refusals() == 0 {
		return nil
	}
	g := ct.Table.Growth
	a := analyse(ct)
	ev := []status.Msg{
		status.M("kernel statistics over the last %s s: drop +%s, insert_failed +%s, early_drop +%s", ct.Table.GrowthSeconds, g.Drop, g.InsertFailed, g.EarlyDrop),
	}
	// The table and its top hosts; conntrack.near_full, when present,
	// carries the rest of the analysis.
	ev = append(ev, a.evidence[:a.short]...)
	detail := []status.Msg{
		status.M("New connections through the router fail, the router's own programs get EPERM from sendto (even ping 127.0.0.1) and the kernel logs \"nf_conntrack: table full, dropping packet\", while flows that already have an entry, such as an old VPN tunnel, keep working: that is why the outage looks partial and random."),
	}
	if ct.Fill() >= ctusage.WarnPct {
		detail = append(detail, status.M("The finding conntrack.near_full says who fills the table and what to change."))
	} else {
		detail = append(detail, a.detail...)
		ev = append(ev, a.evidence[a.short:]...)
	}
	return []Finding{a.finding(IDConntrackDropping, SeverityCritical,
		status.MN(int(g.Refusals()), "The conntrack table is refusing new connections: %s connection was refused in the last %s s.",
			"The conntrack table is refusing new connections: %s connections were refused in the last %s s.", g.Refusals(), ct.Table.GrowthSeconds),
		detail, ev)}
}

// analysis is what both rules say about why the table is full and what to
// change, computed from what was seen.
type analysis struct {
	detail   []status.Msg
	evidence []status.Msg
	fix      string
	// short is how many evidence lines name the table and its top hosts.
	short int
	// args of the automatic fix (ctusage.FreeIdleAction); nil when the
	// fix is manual.
	args map[string]string
}

// finding builds a conntrack finding with a's fix.
func (a analysis) finding(id string, sev Severity, title status.Msg, detail, evidence []status.Msg) Finding {
	f := newFinding(id, sev, title, detail, evidence, a.fix)
	if a.args != nil {
		f = f.withFixAction(ctusage.FreeIdleAction, a.args)
	}
	return f
}

func analyse(ct facts.Conntrack) analysis {
	var a analysis
	ev := &a.evidence
	t := ct.Table
	if t == nil {
		*ev = append(*ev, status.M("conntrack: %s of %s entries (%s%%)", ct.Entries, ct.Max, pct(ct.Fill())))
		a.short = len(*ev)
		return a
	}
	*ev = append(*ev, status.M("conntrack: %s of %s entries (%s%%), %s hash buckets", ct.Entries, ct.Max, pct(ct.Fill()), t.Buckets))
	u := t.Usage
	a.short = len(*ev)
	if u == nil {
		if t.UsageError != "" {
			*ev = append(*ev, status.M("the table could not be read entry by entry: %s", t.UsageError))
		}
		if m, ok := ctusage.LargerMax(ct.Entries, ct.Max, t.MemTotal); ok {
			a.fix = sysctlFix(sysctlMax, m)
		}
		return a
	}
	est := t.Timeouts.Established
	for i, h := range u.Hosts {
		if i == 3 {
			break
		}
		*ev = append(*ev, status.M("%s holds %s entries (%s%% of the table), %s ESTABLISHED, %s of them idle for over an hour",
			hostLabel(h), h.Entries, pct(share(h.Entries, u.Dumped)), h.Established, h.IdleAtLeast(3600)))
	}
	a.short = len(*ev)
	if len(u.Ports) > 0 {
		var ports []string
		for i, p := range u.Ports {
			if i == 5 {
				break
			}
			ports = append(ports, p.Key+" "+strconv.Itoa(p.Count))
		}
		*ev = append(*ev, status.M("busiest destination ports: %s", strings.Join(ports, ", ")))
	}
	*ev = append(*ev, status.M("idle time of an ESTABLISHED entry = the established timeout in effect (%s s) minus its remaining timeout, from one dump; the kernel resets the timer on every packet, so packet accounting is not needed", est))
	if u.IdleUnknown > 0 {
		*ev = append(*ev, status.MN(u.IdleUnknown,
			"%s ESTABLISHED entry has more time left than the established timeout in effect (the sysctl was lowered since its last packet, or a ct timeout policy applies): its idle time is unknown and netfix leaves it alone",
			"%s ESTABLISHED entries have more time left than the established timeout in effect (the sysctl was lowered since their last packet, or a ct timeout policy applies): their idle time is unknown and netfix leaves them alone",
			u.IdleUnknown))
	}
	*ev = append(*ev, status.M("timeouts: established %s s, UDP %s s (stream %s s); nf_conntrack_tcp_loose %s, nf_conntrack_acct %s",
		est, t.Timeouts.UDP, t.Timeouts.UDPStream, onOff(t.Timeouts.Loose), onOff(t.Timeouts.Acct)))

	T, freed, idleOK := ctusage.ChooseTimeout(*u, ct.Entries, ct.Max, est)
	if pol := t.Timeouts.Policies; len(pol) > 0 {
		*ev = append(*ev, status.M("ct timeout policies exist (%s): an entry under one of them keeps that policy's timeouts, so its idle time cannot be told from the established timeout; netfix frees nothing by idle time here", strings.Join(pol, ", ")))
		idleOK = false
	} else if t.Timeouts.PoliciesError != "" {
		*ev = append(*ev, status.M("ct timeout policies could not be listed (%s): an entry under one would keep that policy's timeouts, so netfix frees nothing by idle time until it can list them", t.Timeouts.PoliciesError))
		idleOK = false
	}
	if idleOK {
		a.detail = append(a.detail,
			status.M("Most of the table is ESTABLISHED TCP connections that have been silent for a long time: their peers vanished without closing them, and each entry stays for the established timeout after its last packet."),
			status.M("Lowering nf_conntrack_tcp_timeout_established frees nothing by itself, because each entry's expiry was fixed by its last packet; netfix fix apply conntrack.near_full deletes the ESTABLISHED entries already idle longer than T, and only those."),
			status.M("A timeout below the TCP keepalive (7200 s) cuts idle SSH sessions that send no keepalives: that is why OpenWrt uses 7440 s."),
		)
		*ev = append(*ev, status.M("with T = %s s, %s of %s entries (%s%%) are idle longer than T", T, freed, u.Dumped, pct(share(freed, u.Dumped))))
		a.fix = "netfix fix apply " + IDConntrackNearFull
		a.args = map[string]string{"idle_s": strconv.Itoa(int(T))}
		if est > T {
			a.fix += "; " + sysctlFix(sysctlEstablished, T)
		}
	} else if !t.Timeouts.IdleUntold() && u.IdleUnknown > 0 && u.IdleUnknown >= ctusage.NeedToFree(ct.Entries, ct.Max, ctusage.WarnPct) {
		a.detail = append(a.detail,
			status.M("Most entries got their timers under a longer established timeout than the one in effect now, so they stay until those old timers run out."),
			status.M("netfix fix apply conntrack.near_full shortens their remaining time to the established timeout in effect, which is what their next packet would give them anyway; it deletes none of them, because their idle time is unknown."))
		a.fix = "netfix fix apply " + IDConntrackNearFull
		a.args = map[string]string{"cap_unknown": "1"}
	} else {
		if len(t.Timeouts.Policies) > 0 {
			a.detail = append(a.detail, status.M("With ct timeout policies in the ruleset netfix cannot tell idle entries from live ones, so the safe fix is a larger table."))
		} else if t.Timeouts.PoliciesError != "" {
			a.detail = append(a.detail, status.M("Without the list of ct timeout policies netfix cannot tell idle entries from live ones, so the safe fix is a larger table."))
		} else {
			a.detail = append(a.detail, status.M("Most entries are in active use, so a shorter timeout would free little: the table is too small for this traffic."))
		}
		if m, ok := ctusage.LargerMax(ct.Entries, ct.Max, t.MemTotal); ok {
			a.detail = append(a.detail, status.M("At about 300 bytes an entry, %s entries cost %s MB of the router's %s MB of memory.", m, m*ctusage.BytesPerEntry>>20, t.MemTotal>>20))
			a.fix = sysctlFix(sysctlMax, m)
		} else {
			a.detail = append(a.detail, status.M("This router has no memory for a larger table: find the host that opens so many connections and limit it."))
		}
	}
	if r := t.Reclaim; r != nil && !t.Timeouts.IdleUntold() {
		if r.Enabled {
			*ev = append(*ev, status.M("reclaim is on: while the table is at least 90%% full the daemon deletes ESTABLISHED entries idle longer than %s s, oldest first, until it is under 75%%", r.IdleSeconds))
		} else {
			*ev = append(*ev, status.M("reclaim is off (dry run): with reclaim_idle %s s it would free %s entries; enable it with option conntrack_reclaim '1' in /etc/config/netfix", r.IdleSeconds, r.Reclaimable))
		}
	}
	return a
}

// sysctlFix sets a sysctl now and keeps it across reboots.
func sysctlFix(key string, v uint32) string {
	return fmt.Sprintf("sysctl -w %s=%d; echo '%s=%d' >> %s", key, v, key, v, SysctlConf)
}

// hostLabel is "nas (192.168.1.50)" or the bare address.
func hostLabel(h facts.CTHost) string {
	if h.Name != "" {
		return h.Name + " (" + h.Addr + ")"
	}
	return h.Addr
}

func share(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return float64(n) * 100 / float64(total)
}

// pct renders a percentage with one decimal, floored, so 89.99 never shows
// as the 90 that would mean critical.
func pct(p float64) string {
	return strconv.FormatFloat(float64(int(p*10))/10, 'f', 1, 64)
}

// onOff renders a boolean sysctl the way it is written.
func onOff(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
