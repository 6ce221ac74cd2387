//go:build kernel

package daemon_test

import (
	"strings"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/ipc"
	"github.com/netfix/netfix/src/internal/status"
)

// The arguments reach the running daemon with one meaning on every path:
// dry_run 1 through ubus is a dry run, and the socket itself refuses what
// the plugin refuses (a client that bypasses rpcd gets no further).
func TestDaemonArgumentsEndToEnd(t *testing.T) {
	r := newRig(t)
	r.start()

	fl := r.rpc("flush", `{"ip":"192.168.1.240","dry_run":1}`)
	ev, _ := fl["event"].(map[string]any)
	if fl["dry_run"] != true || ev["dry_run"] != true {
		t.Errorf(`flush {"dry_run":1} = %v; want a dry run`, fl)
	}

	call := func(req ipc.Request) error {
		return ipc.Call(r.socket, req, nil, 5*time.Second)
	}
	for _, ip := range []string{"0.0.0.0", "::", "224.0.0.1", "ff02::1", "127.0.0.1", "::1", "fe80::1%br-lan", "255.255.255.255", "", "192.168.1.0/24"} {
		if err := call(ipc.Request{Method: "flush", IP: ip, DryRun: true}); err == nil || !strings.Contains(err.Error(), "not a host address") {
			t.Errorf("socket flush %q: %v; want a refusal", ip, err)
		}
	}
	for _, limit := range []int{-1, status.MaxEvents + 1} {
		if err := call(ipc.Request{Method: "history", Limit: limit}); err == nil || !strings.Contains(err.Error(), "limit must be 1 to 50") {
			t.Errorf("socket history limit %d: %v; want a refusal", limit, err)
		}
	}
	var h struct {
		Events []status.Event `json:"events"`
	}
	if err := ipc.Call(r.socket, ipc.Request{Method: "history", Limit: status.MaxEvents}, &h, 5*time.Second); err != nil || len(h.Events) != 1 || !h.Events[0].DryRun {
		t.Errorf("socket history limit 50: %+v, %v; want the one dry-run flush", h, err)
	}
}
