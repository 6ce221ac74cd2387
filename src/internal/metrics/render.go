package metrics

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/status"
)

// TopHosts is how many conntrack holders are exported (rank 1 to 5).
const TopHosts = 5

// Fix is one applied fix of the ledger and a finding it was applied for.
type Fix struct {
	Action  string
	Finding string
}

// Input is everything one exposition shows.
type Input struct {
	// Doc is the status document: the daemon's live one or a one-shot
	// check's.
	Doc status.Document
	// Counters are the daemon's running totals; nil in a one-shot check
	// (no counter is exported then: there is no process they count for).
	Counters *Counters
	// Fixes are the applied fixes of the ledger.
	Fixes []Fix
	// Version and GoVersion label netfix_build_info.
	Version, GoVersion string
	// StaleProneLinks counts the links whose offloaded flows can go stale
	// (heal.ProneLinks of the document's flowtables).
	StaleProneLinks int
	// Start is when the daemon started; zero in a one-shot check.
	Start time.Time
	// Now stamps netfix_last_update_timestamp_seconds.
	Now time.Time
}

// ContentType is the HTTP content type of the exposition.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Render returns the exposition of in. Families and series come in a
// fixed order, so equal inputs give equal bytes.
func Render(in Input) []byte {
	var w writer
	doc := in.Doc

	w.family("netfix_build_info", "gauge", "A metric with a constant '1' value labeled by the netfix version and the Go version it was built with.")
	w.sample("netfix_build_info", labels{"version", in.Version, "goversion", in.GoVersion}, 1)
	if !in.Start.IsZero() {
		w.family("netfix_start_time_seconds", "gauge", "Start time of the netfix daemon since the Unix epoch in seconds.")
		w.sample("netfix_start_time_seconds", nil, unixSeconds(in.Start))
	}
	w.family("netfix_last_update_timestamp_seconds", "gauge", "When netfix wrote these metrics (after a sweep or a repair), since the Unix epoch in seconds.")
	w.sample("netfix_last_update_timestamp_seconds", nil, unixSeconds(in.Now))

	w.family("netfix_healer_running", "gauge", "1 when the metrics come from a running netfix daemon (the healer), 0 from a one-shot check or a stopped daemon.")
	w.sample("netfix_healer_running", nil, b2f(doc.Heal.Running))
	w.family("netfix_heal_mode", "gauge", "The daemon's heal mode: 1 for the mode in effect (heal, dry_run, off).")
	for _, m := range []string{status.ModeHeal, status.ModeDryRun, status.ModeOff} {
		w.sample("netfix_heal_mode", labels{"mode", m}, b2f(doc.Heal.Mode == m))
	}

	w.family("netfix_verdict", "gauge", "The overall verdict of the last check: 1 for the current one (healthy, warning, critical, unknown).")
	for _, v := range []string{status.VerdictHealthy, status.VerdictWarning, status.VerdictCritical, status.VerdictUnknown} {
		w.sample("netfix_verdict", labels{"verdict", v}, b2f(doc.Verdict == v))
	}
	sevs := []status.Severity{status.SeverityInfo, status.SeverityWarning, status.SeverityCritical}
	w.family("netfix_findings", "gauge", "Number of findings of the last check by severity.")
	for _, s := range sevs {
		n := 0
		for _, f := range doc.Findings {
			if f.Severity == s {
				n++
			}
		}
		w.sample("netfix_findings", labels{"severity", string(s)}, float64(n))
	}
	w.family("netfix_finding_active", "gauge", "1 for each finding of the last check, by finding id (see `netfix check`) and severity.")
	seen := map[string]bool{}
	for _, f := range doc.Findings {
		k := f.ID + "\x00" + string(f.Severity)
		if seen[k] {
			continue // one finding id can be drawn for several tables
		}
		seen[k] = true
		w.sample("netfix_finding_active", labels{"id", f.ID, "severity", string(f.Severity)}, 1)
	}

	w.family("netfix_stale_prone_links", "gauge", "Links whose offloaded flows go stale when a host changes MAC or bridge port (the flowtable caches MACs there); the healer must run while this is above 0.")
	w.sample("netfix_stale_prone_links", nil, float64(in.StaleProneLinks))
	ct := doc.Conntrack
	if ct.Available {
		sw := ct.Offloaded - ct.HWOffloaded
		if sw < 0 {
			sw = 0
		}
		w.family("netfix_offloaded_entries", "gauge", "Conntrack entries the flowtable offloads, by path (software: the flowtable in the kernel; hardware: the NIC or switch).")
		w.sample("netfix_offloaded_entries", labels{"path", "software"}, float64(sw))
		w.sample("netfix_offloaded_entries", labels{"path", "hardware"}, float64(ct.HWOffloaded))
	}
	if ct.Table != nil && ct.Table.Usage != nil && len(ct.Table.Usage.Hosts) > 0 {
		w.family("netfix_conntrack_top_host_entries", "gauge", "Conntrack entries held by the hosts holding the most, rank 1 to 5, from the daemon's last full dump of the table (taken when it fills up).")
		for i, h := range ct.Table.Usage.Hosts {
			if i >= TopHosts {
				break
			}
			w.sample("netfix_conntrack_top_host_entries", labels{"rank", strconv.Itoa(i + 1), "host", h.Addr}, float64(h.Entries))
		}
	}

	fw := doc.Forwarding
	if fw.Error == "" {
		w.family("netfix_forwarding_enabled", "gauge", "IP forwarding per interface that carries forwarded traffic (net.ipv4.conf.<if>.forwarding; for ipv6 net.ipv6.conf.all.forwarding decides), with uplink=\"true\" for the interface of the default route.")
		w.sample("netfix_forwarding_enabled", labels{"interface", "all", "family", "ipv4", "uplink", "false"}, b2f(fw.IPv4))
		if fw.IPv6Present {
			w.sample("netfix_forwarding_enabled", labels{"interface", "all", "family", "ipv6", "uplink", "false"}, b2f(fw.IPv6))
		}
		n := 0
		for _, ifc := range fw.Interfaces {
			if !ifc.Carries() {
				continue
			}
			if n++; n > MaxInterfaces {
				break
			}
			up := strconv.FormatBool(ifc.HasRole(facts.RoleUplink))
			w.sample("netfix_forwarding_enabled", labels{"interface", ifc.Name, "family", "ipv4", "uplink", up}, b2f(ifc.IPv4))
		}
	}

	w.family("netfix_fixes_applied", "gauge", "Fixes netfix applied on request (netfix fix apply) and not undone.")
	actions := map[string]bool{}
	for _, f := range in.Fixes {
		actions[f.Action] = true
	}
	w.sample("netfix_fixes_applied", nil, float64(len(actions)))
	if len(in.Fixes) > 0 {
		w.family("netfix_fix_applied", "gauge", "1 for each applied fix (action) and the finding id it was applied for; with netfix_finding_active of the same id the fix no longer holds.")
		fixes := append([]Fix(nil), in.Fixes...)
		sort.Slice(fixes, func(i, j int) bool {
			if fixes[i].Action != fixes[j].Action {
				return fixes[i].Action < fixes[j].Action
			}
			return fixes[i].Finding < fixes[j].Finding
		})
		for i, f := range fixes {
			if i > 0 && f == fixes[i-1] {
				continue
			}
			w.sample("netfix_fix_applied", labels{"action", f.Action, "id", f.Finding}, 1)
		}
	}

	if in.Counters != nil {
		renderCounters(&w, in.Counters.snapshot())
	}
	return []byte(w.b.String())
}

func renderCounters(w *writer, c *Counters) {
	reasons := append(append([]string(nil), repairReasons...), "other")
	w.family("netfix_repairs_total", "counter", "Repairs of stale offloaded flows (a host's MAC or bridge port changed, reconcile at start) and manual flushes, by reason and result.")
	for _, r := range reasons {
		for _, res := range results {
			v, ok := c.repairs[repairKey{r, res}]
			if r == "other" && !ok {
				continue
			}
			w.sample("netfix_repairs_total", labels{"reason", r, "result", res}, float64(v))
		}
	}
	w.family("netfix_flows_deleted_total", "counter", "Conntrack entries netfix deleted, by reason (repairs, manual flushes, conntrack_reclaim).")
	for _, r := range append(reasons, "conntrack_reclaim") {
		v, ok := c.flows[r]
		if r == "other" && !ok {
			continue
		}
		w.sample("netfix_flows_deleted_total", labels{"reason", r}, float64(v))
	}
	w.family("netfix_conntrack_events_total", "counter", "Conntrack table events: the table crossed 75 %/90 % (conntrack_full), the kernel refused connections (conntrack_dropping), idle entries were reclaimed (conntrack_reclaim).")
	for _, r := range conntrackReasons {
		w.sample("netfix_conntrack_events_total", labels{"reason", r}, float64(c.ctEvents[r]))
	}

	const h = "netfix_repair_duration_seconds"
	w.family(h, "histogram", "Time from the netlink event (or the flush request) to the last conntrack delete of a repair.")
	var cum uint64
	for i, b := range Buckets {
		if c.latency.counts != nil {
			cum += c.latency.counts[i]
		}
		w.sample(h+"_bucket", labels{"le", formatFloat(b)}, float64(cum))
	}
	w.sample(h+"_bucket", labels{"le", "+Inf"}, float64(c.latency.count))
	w.sample(h+"_sum", nil, c.latency.sum)
	w.sample(h+"_count", nil, float64(c.latency.count))

	w.family("netfix_forwarding_changes_total", "counter", "Flips of a forwarding switch the daemon saw (netconf events), by interface (\"all\" is the global switch) and family.")
	keys := make([]fwKey, 0, len(c.fw))
	for k := range c.fw {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].iface != keys[j].iface {
			return keys[i].iface < keys[j].iface
		}
		return keys[i].family < keys[j].family
	})
	for _, k := range keys {
		w.sample("netfix_forwarding_changes_total", labels{"interface", k.iface, "family", k.family}, float64(c.fw[k]))
	}
}

// labels are name, value pairs in order.
type labels []string

type writer struct {
	b strings.Builder
}

func (w *writer) family(name, typ, help string) {
	w.b.WriteString("# HELP ")
	w.b.WriteString(name)
	w.b.WriteByte(' ')
	w.b.WriteString(escapeHelp(help))
	w.b.WriteString("\n# TYPE ")
	w.b.WriteString(name)
	w.b.WriteByte(' ')
	w.b.WriteString(typ)
	w.b.WriteByte('\n')
}

func (w *writer) sample(name string, l labels, v float64) {
	w.b.WriteString(name)
	if len(l) > 0 {
		w.b.WriteByte('{')
		for i := 0; i+1 < len(l); i += 2 {
			if i > 0 {
				w.b.WriteByte(',')
			}
			w.b.WriteString(l[i])
			w.b.WriteString(`="`)
			w.b.WriteString(escapeLabel(l[i+1]))
			w.b.WriteByte('"')
		}
		w.b.WriteByte('}')
	}
	w.b.WriteByte(' ')
	w.b.WriteString(formatFloat(v))
	w.b.WriteByte('\n')
}

// escapeHelp escapes a HELP text: backslash and line feed.
func escapeHelp(s string) string { return escape(s, false) }

// escapeLabel escapes a label value: backslash, double quote, line feed.
// Interface and host names come from the system, so they are escaped,
// never trusted.
func escapeLabel(s string) string { return escape(s, true) }

// escape is a loop rather than strings.NewReplacer, which costs the
// router binary 11 KB.
func escape(s string, quote bool) string {
	if !strings.ContainsAny(s, "\\\n\"") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '"' && quote:
			b.WriteString(`\"`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func unixSeconds(t time.Time) float64 {
	return float64(t.UnixNano()/1e6) / 1e3
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
