//go:build kernel

package e2e_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/diagnose"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/netnstest"
	"github.com/netfix/netfix/src/internal/report"
	"github.com/netfix/netfix/src/internal/status"
)

// echoes retries a container→upstream echo a few times (the first one
// waits for ARP) and reports whether any came back.
func echoes(d *netnstest.DockerHost, tries int) bool {
	for i := 0; i < tries; i++ {
		if d.Echo(300 * time.Millisecond) {
			return true
		}
	}
	return false
}

// S3 on the host kernel: the uplink of a Docker-style host loses
// per-interface forwarding while net.ipv4.ip_forward stays 1. Replies to
// the container must stop, InAddrErrors must grow, and netfix check must
// name the uplink as critical.
func TestCheckForwardingOffOnUplink(t *testing.T) {
	d := netnstest.NewDockerHost(t, "s3chk")
	// --root keeps the machine's own sysctl.d and networkd files out of
	// the test; a root must hold a firewall config (the OpenWrt check).
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc", "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "etc", "config", "firewall"), []byte("config defaults\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(root, "none.sock")
	if !echoes(d, 5) {
		t.Fatal("container traffic does not work before the fault: the test bed is broken")
	}
	doc, _, stderr := runCheck(t, d.Host, "--root", root, "--socket", sock)
	for _, f := range doc.Findings {
		if strings.HasPrefix(f.ID, "forwarding.") {
			t.Errorf("healthy host: unexpected %s: %s (stderr %s)", f.ID, f.Title, stderr)
		}
	}
	fw := doc.Forwarding
	if !fw.IPv4 {
		t.Errorf("forwarding facts say ip_forward is off: %+v", fw)
	}
	br, ok := fw.Interface(d.Bridge)
	if !ok || !br.HasRole(facts.RoleContainer) || !br.HasRole(facts.RoleBridge) || !br.IPv4 {
		t.Errorf("%s = %+v (listed %v), want a forwarding container bridge with ports", d.Bridge, br, ok)
	}
	if up, ok := fw.Interface(d.Uplink); !ok || !up.HasRole(facts.RoleUplink) {
		t.Errorf("%s = %+v (listed %v), want the uplink", d.Uplink, up, ok)
	}

	before := d.InAddrErrors(t)
	d.SetUplinkForwarding(t, false)
	if echoes(d, 3) {
		t.Fatal("a reply came back with the uplink's forwarding off: the kernel did not drop it")
	}
	if after := d.InAddrErrors(t); after <= before {
		t.Fatalf("InAddrErrors %d -> %d: want growth from the dropped replies", before, after)
	}

	// Keep the container talking while netfix samples the counters.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				d.Echo(100 * time.Millisecond)
			}
		}
	}()
	doc, code, stderr := runCheck(t, d.Host, "--root", root, "--socket", sock)
	close(stop)
	wg.Wait()

	var got *status.Finding
	for i, f := range doc.Findings {
		if f.ID == diagnose.IDForwardingInterface {
			got = &doc.Findings[i]
		}
	}
	if got == nil {
		t.Fatalf("no %s finding; findings %+v; stderr %s", diagnose.IDForwardingInterface, doc.Findings, stderr)
	}
	if got.Severity != status.SeverityCritical || code != 2 {
		t.Errorf("severity %s exit %d, want critical/2: %s", got.Severity, code, got.Title)
	}
	if !strings.Contains(got.Title, "Forwarding is off on "+d.Uplink) || !strings.Contains(got.Title, "InAddrErrors +") {
		t.Errorf("title %q does not name %s and the counter growth", got.Title, d.Uplink)
	}
	if c := doc.Forwarding.Counters; !c.Sampled || c.InAddrErrorsGrowth == 0 {
		t.Errorf("counters %+v: want two samples with growth", c)
	}
	if !strings.Contains(got.Fix, "sysctl -w net.ipv4.conf."+d.Uplink+".forwarding=1") {
		t.Errorf("fix %q lacks the runtime sysctl for %s", got.Fix, d.Uplink)
	}
	var text strings.Builder
	_ = report.Text(&text, doc)
	t.Logf("netfix check with the fault (exit %d):\n%s", code, text.String())

	// The fix's runtime half, exactly as the finding gives it (the
	// persistent half writes /etc/sysctl.d, which a test leaves alone).
	runtime := strings.SplitN(got.Fix, " && ", 2)[0]
	d.Host.Run(strings.Fields(runtime)...)
	if !echoes(d, 5) {
		t.Fatal("traffic did not come back after the fix")
	}
	doc, code, _ = runCheck(t, d.Host, "--root", root, "--socket", sock)
	for _, f := range doc.Findings {
		if strings.HasPrefix(f.ID, "forwarding.") {
			t.Errorf("after the fix: still %s: %s", f.ID, f.Title)
		}
	}
	text.Reset()
	_ = report.Text(&text, doc)
	t.Logf("netfix check after `%s` (exit %d):\n%s", runtime, code, text.String())
}
