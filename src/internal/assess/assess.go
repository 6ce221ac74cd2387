// Package assess is the one place the status document is assembled: the
// facts a probe read, the healer's state, the rules' findings. `netfix
// check`, the daemon's status reads and the rpcd plugin all come here, so
// a document means the same whoever made it.
package assess

import (
	"github.com/netfix/netfix/src/internal/diagnose"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/status"
	"github.com/netfix/netfix/src/internal/version"
)

// Document runs the rules over s with the healer's state h and builds the
// document. h is the zero value where no daemon runs.
func Document(s facts.Snapshot, h status.Heal) status.Document {
	s.HealerRunning = h.Running
	s.HealerMode = h.Mode
	if h.Config != nil {
		s.HealerConfig = facts.HealerConfig{Error: h.Config.Error, Fallback: h.Config.Fallback}
	}
	s.Forwarding = status.ForwardingSince(s.Forwarding, h.ForwardingEvents)
	return status.Build(version.Version, s, Findings(s), h)
}

// Findings runs the rules over s and gives their findings as the
// document's: the English sentences rendered from the catalog messages,
// severities and UCI changes in their wire form.
func Findings(s facts.Snapshot) []status.Finding {
	fs := diagnose.Run(s)
	if fs == nil {
		return nil
	}
	out := make([]status.Finding, len(fs))
	for i, f := range fs {
		w := status.NewFinding(f.ID, severity(f.Severity), f.Title, f.Detail, f.Evidence, f.Fix).WithFixAction(f.FixAction, f.FixArgs)
		for _, c := range f.FixUCI {
			w.FixUCI = append(w.FixUCI, status.UCIChange{Config: c.Config, Section: c.Section, Type: c.Type, Index: c.Index, Option: c.Option, Value: c.Value})
		}
		out[i] = w
	}
	return out
}

// severity is a rule's severity as the document says it.
func severity(s diagnose.Severity) status.Severity {
	switch s {
	case diagnose.SeverityCritical:
		return status.SeverityCritical
	case diagnose.SeverityWarning:
		return status.SeverityWarning
	case diagnose.SeverityInfo:
		return status.SeverityInfo
	}
	return status.SeverityOK
}
