package status

import (
	"time"

	"github.com/netfix/netfix/src/internal/facts"
)

// Build assembles a document from a snapshot and the findings the rules
// drew from it. heal is the daemon's state; pass the zero value (not
// running) from a one-shot check.
func Build(version string, s facts.Snapshot, findings []Finding, heal Heal) Document {
	if findings == nil {
		findings = []Finding{}
	}
	for i := range findings {
		if findings[i].Evidence == nil {
			findings[i].Evidence = []string{}
		}
		if findings[i].DetailMsg == nil {
			findings[i].DetailMsg = []Msg{}
		}
		if findings[i].EvidenceMsg == nil {
			findings[i].EvidenceMsg = []Msg{}
		}
	}
	if heal.LastEvents == nil {
		heal.LastEvents = []Event{}
	}
	if len(heal.LastEvents) > MaxEvents {
		heal.LastEvents = heal.LastEvents[:MaxEvents]
	}
	if heal.TableEvents == nil {
		heal.TableEvents = []Event{}
	}
	if len(heal.TableEvents) > MaxEvents {
		heal.TableEvents = heal.TableEvents[:MaxEvents]
	}
	if heal.ForwardingEvents == nil {
		heal.ForwardingEvents = []ForwardingEvent{}
	}
	if len(heal.ForwardingEvents) > MaxEvents {
		heal.ForwardingEvents = heal.ForwardingEvents[:MaxEvents]
	}
	if heal.Mode == "" {
		heal.Mode = ModeOff
	}
	d := Document{
		Schema:      SchemaVersion,
		Version:     version,
		GeneratedAt: s.TakenAt,
		Host:        s.Host,
		Verdict:     VerdictOf(findings),
		Findings:    findings,
		Firewall:    firewallDoc(s.Firewall),
		Offload:     offloadDoc(s),
		Conntrack:   conntrackDoc(s.Conntrack),
		Heal:        heal,
		Forwarding:  forwardingDoc(s.Forwarding),
		BridgeNF:    bridgeNFDoc(s.BridgeNF),
	}
	capLists(&d)
	return d
}

// Starting is the document of a daemon whose first check is not done yet:
// verdict unknown, no findings and no facts, so nobody reads "healthy"
// before anything was looked at.
func Starting(version string, now time.Time, heal Heal) Document {
	heal.Starting = true
	doc := Build(version, facts.Snapshot{TakenAt: now}, nil, heal)
	doc.Verdict = VerdictUnknown
	return doc
}
