//go:build linux

package daemon

import (
	"strings"
	"testing"

	"github.com/netfix/netfix/src/internal/ipc"
)

// The socket's flush refuses what the rpcd plugin refuses, before it
// touches conntrack (the Daemon here has no flow table: a refused
// address that got through would panic).
func TestHandleFlushRefusesNonHosts(t *testing.T) {
	t.Parallel()
	d := &Daemon{}
	for _, ip := range []string{"", "0.0.0.0", "::", "224.0.0.1", "ff02::1", "127.0.0.1", "::1", "fe80::1%eth0", "255.255.255.255", "10.0.0.0/8", "host"} {
		_, err := d.handle(ipc.Request{Method: "flush", IP: ip, DryRun: true})
		if err == nil || !strings.Contains(err.Error(), "not a host address") {
			t.Errorf("flush %q: error %v, want a refusal", ip, err)
		}
	}
}
