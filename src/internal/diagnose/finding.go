package diagnose

import "github.com/netfix/netfix/src/internal/status"

// Finding is one conclusion of a rule, in the rules' own terms: its
// sentences are catalog messages (status.Msg), with no English rendering
// and no JSON shape. assess turns findings into the status document's
// (status.Finding), so a change of the wire format never reaches a rule
// and a rule never writes a wire field by hand.
type Finding struct {
	// ID is stable across releases (e.g. "offload.hw_ineffective").
	ID       string
	Severity Severity
	// Title is the one sentence a person reads first; Detail says why it
	// matters, one message per sentence; Evidence lists the facts the
	// rule used, one message per line.
	Title    status.Msg
	Detail   []status.Msg
	Evidence []status.Msg
	// Fix is the exact command (or config line) that repairs it; empty
	// when there is nothing to do.
	Fix string
	// FixAction names the automatic fix netfix can apply on request,
	// FixArgs its arguments for this host; empty when the fix is manual.
	FixAction string
	FixArgs   map[string]string
	// FixUCI is the Fix as UCI options, when it is a configuration change.
	FixUCI []UCIChange
}

// Severity of a finding; a higher one is more urgent.
type Severity int

// Severities, in increasing order of urgency.
const (
	SeverityInfo Severity = iota + 1
	SeverityWarning
	SeverityCritical
)

// Rank orders severities so the worst one can be picked.
func (s Severity) Rank() int { return int(s) }

// String is the severity's name, as in the status document.
func (s Severity) String() string {
	switch s {
	case SeverityInfo:
		return "info"
	case SeverityWarning:
		return "warning"
	case SeverityCritical:
		return "critical"
	}
	return "ok"
}

// UCIChange sets one UCI option. Section names a named section; an
// anonymous one (firewall's defaults) is Type and Index, as in
// "firewall.@defaults[0]".
type UCIChange struct {
	Config  string
	Section string
	Type    string
	Index   int
	Option  string
	Value   string
}

// newFinding builds a finding from its messages.
func newFinding(id string, sev Severity, title status.Msg, detail, evidence []status.Msg, fix string) Finding {
	return Finding{ID: id, Severity: sev, Title: title, Detail: detail, Evidence: evidence, Fix: fix}
}

// withFixAction marks f's fix as one netfix can apply and undo on request:
// action is a fix action id, args its arguments for this host.
func (f Finding) withFixAction(action string, args map[string]string) Finding {
	f.FixAction = action
	f.FixArgs = args
	return f
}
