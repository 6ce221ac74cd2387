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
	return status.Build(version.Version, s, diagnose.Run(s), h)
}
