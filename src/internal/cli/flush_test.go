package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// `netfix flush` refuses what the rpcd plugin and the socket refuse, before
// it asks the daemon or opens conntrack.
func TestFlushRefusesNonHosts(t *testing.T) {
	t.Parallel()
	socket := filepath.Join(t.TempDir(), "none.sock")
	for _, ip := range []string{"", "0.0.0.0", "::", "239.1.2.3", "ff05::2", "127.0.0.1", "::1", "fe80::1%br-lan", "255.255.255.255", "192.168.1.0/24"} {
		var out, errb bytes.Buffer
		code := Flush([]string{"--ip", ip, "--socket", socket, "--dry-run"}, &out, &errb)
		if code != ExitFailed || !strings.Contains(errb.String(), "not a host address") {
			t.Errorf("netfix flush --ip %q: exit %d, stderr %q; want exit %d and a refusal", ip, code, errb.String(), ExitFailed)
		}
	}
}
