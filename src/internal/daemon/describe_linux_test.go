//go:build linux

package daemon

import (
	"testing"

	"github.com/netfix/netfix/src/internal/heal"
	"github.com/netfix/netfix/src/internal/status"
)

// A port move between Wi-Fi interfaces reads as a roam and names them; one
// between wired ports keeps the bridge-port wording.
func TestDescribePortMove(t *testing.T) {
	move := status.Event{IP: "192.168.1.241", NewMAC: "02:00:00:00:02:00", Interface: "br-lan",
		Reason: heal.ReasonPortMove, OldPort: "wlan0", NewPort: "wlan1"}
	tests := []struct {
		roam bool
		want string
	}{
		{true, "192.168.1.241 (02:00:00:00:02:00) on br-lan roamed from wlan0 to wlan1"},
		{false, "192.168.1.241 (02:00:00:00:02:00) on br-lan moved from port wlan0 to wlan1"},
	}
	for _, tt := range tests {
		e := move
		e.Roam = tt.roam
		if got := describe(e); got != tt.want {
			t.Errorf("describe(roam=%v) = %q, want %q", tt.roam, got, tt.want)
		}
	}
}
