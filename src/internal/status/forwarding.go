package status

import (
	"time"

	"github.com/netfix/netfix/src/internal/facts"
)

// ForwardingEvent is one change of a forwarding switch the daemon saw in
// a netconf notification.
type ForwardingEvent struct {
	Time time.Time `json:"time"`
	// Family is "ipv4" or "ipv6".
	Family string `json:"family"`
	// Interface is the link's name, or "all" / "default" for the global
	// switches.
	Interface string `json:"interface"`
	Old       bool   `json:"old"`
	New       bool   `json:"new"`
	// Restored is true when the forwarding guard set it back to 1;
	// Error says why a restore failed.
	Restored bool   `json:"restored"`
	Error    string `json:"error,omitempty"`
}

// ForwardingSince marks each interface whose IPv4 forwarding is off with
// the time the newest event switched it off, so a finding can say "since
// 14:03:12". events are newest first.
func ForwardingSince(f facts.Forwarding, events []ForwardingEvent) facts.Forwarding {
	out := f
	out.Interfaces = append([]facts.ForwardingInterface(nil), f.Interfaces...)
	for i, ifc := range out.Interfaces {
		if ifc.IPv4 {
			continue
		}
		for _, e := range events {
			if e.Family == "ipv4" && e.Interface == ifc.Name && !e.New {
				t := e.Time
				out.Interfaces[i].Since = &t
				break
			}
		}
	}
	return out
}
