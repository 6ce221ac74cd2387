package status

import (
	"strings"
	"time"
)

// SchemaVersion is the "schema" field. Bump it when a field is removed or
// changes meaning; adding fields is compatible.
const SchemaVersion = 1

// Severity of a finding.
type Severity string

// Severities, in increasing order of urgency.
const (
	SeverityOK       Severity = "ok"
	SeverityInfo     Severity = "info"
	SeverityWarning  Severity = "warning"
	SeverityCritical Severity = "critical"
)

// Rank orders severities so the worst one can be picked.
func (s Severity) Rank() int {
	switch s {
	case SeverityInfo:
		return 1
	case SeverityWarning:
		return 2
	case SeverityCritical:
		return 3
	default:
		return 0
	}
}

// Verdicts: the one-word summary of a document.
const (
	VerdictHealthy  = "healthy"
	VerdictWarning  = "warning"
	VerdictCritical = "critical"
	// VerdictUnknown: nothing was checked yet (the daemon is starting).
	VerdictUnknown = "unknown"
)

// Finding is one conclusion of a rule.
type Finding struct {
	// ID is stable across releases (e.g. "offload.hw_ineffective") so
	// scripts and translations can key on it.
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	// Title is the one sentence a person reads first.
	Title string `json:"title"`
	// Detail explains why it matters.
	Detail string `json:"detail"`
	// Evidence lists the facts the rule used, one per line.
	Evidence []string `json:"evidence"`
	// Fix is the exact command (or config line) that repairs it; empty
	// when there is nothing to do.
	Fix string `json:"fix"`
	// FixAction names the automatic fix netfix can apply on request
	// (`netfix fix apply <id>`, ubus `fix`), e.g. "bridge.notrack"; empty
	// when the fix is manual. FixArgs are its arguments for this host.
	FixAction string            `json:"fix_action,omitempty"`
	FixArgs   map[string]string `json:"fix_args,omitempty"`

	// TitleMsg, DetailMsg and EvidenceMsg are the same sentences as
	// catalog keys with parameters (see Msg): Title, Detail and Evidence
	// are their English rendering. DetailMsg holds one message per
	// sentence of Detail; EvidenceMsg one per Evidence line.
	TitleMsg    Msg   `json:"title_msg"`
	DetailMsg   []Msg `json:"detail_msg"`
	EvidenceMsg []Msg `json:"evidence_msg"`

	// FixUCI is the Fix as UCI options, when the fix is a configuration
	// change: the LuCI page stages them through LuCI's uci and applies
	// them with apply-and-rollback instead of showing a shell command.
	FixUCI []UCIChange `json:"fix_uci,omitempty"`
}

// UCIChange sets one UCI option. Section names a named section; an
// anonymous one (firewall's defaults) is Type and Index, as in
// "firewall.@defaults[0]".
type UCIChange struct {
	Config  string `json:"config"`
	Section string `json:"section,omitempty"`
	Type    string `json:"type,omitempty"`
	Index   int    `json:"index"`
	Option  string `json:"option"`
	Value   string `json:"value"`
}

// Document is the status document. Its sections are the explicit wire
// types of this package (schema_*.go), filled from the facts by Build.
type Document struct {
	Schema      int       `json:"schema"`
	Version     string    `json:"version"`
	GeneratedAt time.Time `json:"generated_at"`
	Host        string    `json:"host"`
	// Verdict is healthy, warning or critical: the worst finding; unknown
	// while the daemon's first check is not done (Heal.Starting).
	Verdict  string    `json:"verdict"`
	Findings []Finding `json:"findings"`

	Firewall  Firewall  `json:"firewall"`
	Offload   Offload   `json:"offload"`
	Conntrack Conntrack `json:"conntrack"`
	Heal      Heal      `json:"heal"`

	// Truncated holds, for every list that was cut to its cap (see
	// capping.go), the full count under the list's path, e.g.
	// {"offload.tables": 2000}. Absent when nothing was cut.
	Truncated map[string]int `json:"truncated,omitempty"`
	// Forwarding is per-interface IP forwarding and who set it (S3).
	Forwarding Forwarding `json:"forwarding"`
	// BridgeNF is bridge netfilter and the layout it acts on (S4).
	BridgeNF BridgeNF `json:"bridge_nf"`
}

// Heal is the self-healing daemon's state.
type Heal struct {
	// Running is true when the document came from a live daemon.
	Running bool `json:"running"`
	// Mode is "heal", "dry_run" or "off" (daemon runs but healing is
	// disabled in /etc/config/netfix).
	Mode              string `json:"mode"`
	Since             string `json:"since,omitempty"`
	NeighboursTracked int    `json:"neighbours_tracked"`
	EventsTotal       uint64 `json:"events_total"`
	FlowsDeleted      uint64 `json:"flows_deleted"`
	// Repairs counts the events the daemon decided on by itself (a MAC
	// or port change, the sweep); ManualFlushes the flushes a person asked
	// for (netfix flush, the page's "Repair now"), whatever they deleted.
	// EventsTotal is their sum. Events of the conntrack table are not
	// repairs and count in TableEventsTotal only.
	Repairs       uint64 `json:"repairs"`
	ManualFlushes uint64 `json:"manual_flushes"`
	// LastEvents holds the newest repairs and manual flushes first,
	// capped (see MaxEvents): deletions of a host's stale flows.
	LastEvents []Event `json:"last_events"`
	// TableEvents are the conntrack table's own history (threshold
	// crossings, refused connections, reclaims: IsTableEvent), newest
	// first, capped (see MaxEvents); TableEventsTotal counts them all.
	TableEvents      []Event `json:"table_events"`
	TableEventsTotal uint64  `json:"table_events_total"`
	// Config is set when the daemon could not read /etc/config/netfix and
	// says what it runs with instead.
	Config *HealerConfig `json:"config,omitempty"`
	// ForwardingEvents are the forwarding flips the daemon saw, newest
	// first, capped (see MaxEvents).
	ForwardingEvents []ForwardingEvent `json:"forwarding_events"`
	// Starting: the daemon runs but its first check of the router is not
	// done; the document claims nothing (verdict unknown, no findings).
	Starting bool `json:"starting,omitempty"`
}

// Heal modes.
const (
	ModeHeal   = "heal"
	ModeDryRun = "dry_run"
	ModeOff    = "off"
)

// MaxEvents caps every event list in a document so a reply stays far below
// the 1 MiB at which ubusd drops rpcd's connection.
const MaxEvents = 50

// Event is one repair (or, in dry-run mode, one repair that was not done).
type Event struct {
	Time      time.Time `json:"time"`
	Interface string    `json:"interface"`
	IP        string    `json:"ip"`
	// Reason is "mac_change", "port_move", "neighbour_failed",
	// "reconcile" or "manual".
	Reason  string `json:"reason"`
	OldMAC  string `json:"old_mac,omitempty"`
	NewMAC  string `json:"new_mac,omitempty"`
	OldPort string `json:"old_port,omitempty"`
	NewPort string `json:"new_port,omitempty"`
	// Roam is set on a port move where one of the ports is a Wi-Fi
	// interface: a station roamed between radios or access points.
	Roam bool `json:"roam,omitempty"`
	// FlowsDeleted is how many offloaded entries were deleted; in dry run
	// the number that would have been.
	FlowsDeleted int  `json:"flows_deleted"`
	DryRun       bool `json:"dry_run"`
	// LatencyUS is microseconds from the netlink event to the last delete.
	LatencyUS int64 `json:"latency_us"`
	// Error is set when a delete failed.
	Error string `json:"error,omitempty"`
	// Conntrack is set on the events of the conntrack table (reasons
	// conntrack_full, conntrack_dropping, conntrack_reclaim).
	Conntrack *ConntrackEvent `json:"conntrack,omitempty"`
}

// ConntrackEvent is one threshold crossing, drop burst or reclaim of the
// conntrack table.
type ConntrackEvent struct {
	Entries uint32 `json:"entries"`
	Max     uint32 `json:"max"`
	// Refused is how many new connections the kernel refused since the
	// previous sample (drop + insert_failed + early_drop).
	Refused uint64 `json:"refused"`
	// Hosts are who held (crossing) or lost (reclaim) the most entries,
	// at most 10, as "10.16.1.23" with Count.
	Hosts []ConntrackHostCount `json:"hosts,omitempty"`
	// IdleS is the idle threshold of a reclaim.
	IdleS uint32 `json:"idle_s,omitempty"`
}

// ConntrackHostCount is one host of a conntrack event.
type ConntrackHostCount struct {
	Host  string `json:"host"`
	Name  string `json:"name,omitempty"`
	Count int    `json:"count"`
}

// ReasonManual is the Reason of a flush a person asked for.
const ReasonManual = "manual"

// RateLimitedPrefix starts the Error of a repair the rate limit refused
// (repair_burst): metrics count those apart from failed deletes.
const RateLimitedPrefix = "rate limited"

// IsTableEvent reports whether e is an event of the conntrack table
// (conntrack_full, conntrack_dropping, conntrack_reclaim) rather than a
// repair of a host's stale flows.
func IsTableEvent(e Event) bool {
	return e.Conntrack != nil || strings.HasPrefix(e.Reason, "conntrack_")
}

// Count adds one event to the running totals of h: a table event to
// TableEventsTotal only, a repair or manual flush to EventsTotal and the
// flows deleted.
func (h *Heal) Count(e Event) {
	if IsTableEvent(e) {
		h.TableEventsTotal++
		return
	}
	h.EventsTotal++
	if e.Reason == ReasonManual {
		h.ManualFlushes++
	} else {
		h.Repairs++
	}
	if !e.DryRun {
		h.FlowsDeleted += uint64(e.FlowsDeleted)
	}
}

// VerdictOf returns the verdict for a list of findings.
func VerdictOf(fs []Finding) string {
	worst := SeverityOK
	for _, f := range fs {
		if f.Severity.Rank() > worst.Rank() {
			worst = f.Severity
		}
	}
	switch worst {
	case SeverityCritical:
		return VerdictCritical
	case SeverityWarning:
		return VerdictWarning
	default:
		return VerdictHealthy
	}
}

// ExitCode maps a verdict to `netfix check`'s exit status: 0 healthy,
// 1 warnings, 2 critical, 3 unknown (nothing checked yet). 3 is also the
// caller's when the check could not run.
func ExitCode(verdict string) int {
	switch verdict {
	case VerdictCritical:
		return 2
	case VerdictWarning:
		return 1
	case VerdictUnknown:
		return 3
	default:
		return 0
	}
}
