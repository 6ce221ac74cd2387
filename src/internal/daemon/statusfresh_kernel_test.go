//go:build kernel

package daemon_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/diagnose"
	"github.com/netfix/netfix/src/internal/ipc"
	"github.com/netfix/netfix/src/internal/netnstest"
	"github.com/netfix/netfix/src/internal/status"
)

// S3 while the daemon's sweeps are an hour apart: forwarded packets are
// dropped on the uplink, and within a few seconds a status read says so
// (CRITICAL, InAddrErrors growing), as `netfix check` does. The status
// document used to carry the counters of the probe that followed the
// flip, +0, until the next sweep: WARNING for up to sweep_interval.
func TestStatusShowsDropsOfTheLastSeconds(t *testing.T) {
	d := netnstest.NewDockerHost(t, "s3fresh")
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "netfix")
	if err := os.WriteFile(cfgPath, []byte("config netfix 'main'\n\toption sweep_interval '3600'\n\toption forwarding_guard '0'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "etc", "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "etc", "config", "firewall"), []byte("config defaults\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, ns: d.Host, dir: dir, bin: netnstest.BuildNetfix(t), socket: filepath.Join(dir, "netfix.sock")}
	t.Cleanup(r.stop)
	r.cmd = r.ns.Command(r.bin, "daemon", "--config", cfgPath, "--socket", r.socket, "--state", filepath.Join(dir, "state.json"), "--root", dir)
	r.log = &netnstest.Output{}
	r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r.waitLog("watching neighbours")
	if !echoes(d, 5) {
		t.Fatal("container traffic does not work before the fault: the test bed is broken")
	}

	d.SetUplinkForwarding(t, false)
	r.waitLog("forwarding ipv4 on " + d.Uplink + ": 1 -> 0")
	// The flip's own probe is done once the finding appears (+0 then).
	read := func() *status.Finding {
		var doc status.Document
		if err := ipc.Call(r.socket, ipc.Request{Method: "status"}, &doc, 5*time.Second); err != nil {
			t.Fatalf("status: %v", err)
		}
		for i := range doc.Findings {
			if doc.Findings[i].ID == diagnose.IDForwardingInterface {
				return &doc.Findings[i]
			}
		}
		return nil
	}
	deadline := time.Now().Add(5 * time.Second)
	for read() == nil {
		if time.Now().After(deadline) {
			t.Fatalf("no %s finding after the flip:\n%s", diagnose.IDForwardingInterface, r.log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Packets dropped from now on: a status read shows them within a few
	// seconds, an hour before the next sweep.
	before := d.InAddrErrors(t)
	start := time.Now()
	var f *status.Finding
	for time.Since(start) < 6*time.Second {
		d.Echo(100 * time.Millisecond)
		if f = read(); f != nil && f.Severity == status.SeverityCritical {
			break
		}
	}
	dropped := d.InAddrErrors(t) - before
	if dropped == 0 {
		t.Fatal("no packet was dropped with the uplink's forwarding off: the test bed is broken")
	}
	if f == nil || f.Severity != status.SeverityCritical || !strings.Contains(f.Title, "InAddrErrors +") {
		got := "no finding"
		if f != nil {
			got = string(f.Severity) + ": " + f.Title + " (" + strings.Join(f.Evidence, "; ") + ")"
		}
		t.Fatalf("%s after %d drops, status says %s; want critical with the InAddrErrors growth", time.Since(start).Round(time.Millisecond), dropped, got)
	}
	t.Logf("after %s (%d packets dropped): %s", time.Since(start).Round(time.Millisecond), dropped, f.Title)
}

// The conntrack table's size and statistics in a status read are those of
// the read, not of the last sweep (an hour old here): the entries a host
// opened since show at once, and the statistics' growth is measured over
// the last seconds, as for the forwarding counters.
func TestStatusShowsConntrackOfTheRead(t *testing.T) {
	r := newRig(t)
	if err := os.WriteFile(filepath.Join(r.dir, "netfix"), []byte("config netfix 'main'\n\toption sweep_interval '3600'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r.start()
	read := func() status.Document {
		var doc status.Document
		if err := ipc.Call(r.socket, ipc.Request{Method: "status"}, &doc, 5*time.Second); err != nil {
			t.Fatalf("status: %v", err)
		}
		if !doc.Conntrack.Available || doc.Conntrack.Table == nil {
			netnstest.Skip(t, netnstest.Kernel, "conntrack not readable in the test namespace: %+v", doc.Conntrack)
		}
		return doc
	}
	before := read().Conntrack.Entries
	first := time.Now()
	const hosts = 10
	for i := 0; i < hosts; i++ {
		r.addEntries(fmt.Sprintf("192.168.1.%d", 100+i)) // two entries each
	}
	time.Sleep(1100 * time.Millisecond) // past windowStep: a sample of its own
	doc := read()
	since := int(time.Since(first).Round(time.Second).Seconds())
	if got, want := doc.Conntrack.Entries, before+2*hosts; got < want {
		t.Errorf("status read %d conntrack entries after %d were added to %d, want at least %d (the last sweep's count)", got, 2*hosts, before, want)
	}
	if tb := doc.Conntrack.Table; tb.Growth == nil || tb.GrowthSeconds < 1 || tb.GrowthSeconds > since+1 {
		t.Errorf("conntrack statistics growth %+v over %d s, want one over the %d s since the previous read", tb.Growth, tb.GrowthSeconds, since)
	}
	t.Logf("entries %d -> %d; statistics growth over %d s: %+v", before, doc.Conntrack.Entries, doc.Conntrack.Table.GrowthSeconds, doc.Conntrack.Table.Growth)
}
