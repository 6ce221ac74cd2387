//go:build kernel

package daemon_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/diagnose"
	"github.com/netfix/netfix/src/internal/netnstest"
	"github.com/netfix/netfix/src/internal/status"
)

// waitLogWithin polls the daemon's log for a line matching re, for at most
// d: the promise is an event "within a second" of the flip.
func waitLogWithin(r *rig, re *regexp.Regexp, d time.Duration) string {
	deadline := time.Now().Add(d)
	for {
		if m := re.FindString(r.log.String()); m != "" {
			return m
		}
		if time.Now().After(deadline) {
			return ""
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func echoes(d *netnstest.DockerHost, tries int) bool {
	for i := 0; i < tries; i++ {
		if d.Echo(300 * time.Millisecond) {
			return true
		}
	}
	return false
}

// S3 with the daemon: a flip of the uplink's forwarding is an event with
// its time and old/new value; the one-shot check then says since when;
// with forwarding_guard on, the daemon sets it back and traffic returns
// by itself.
func TestDaemonForwardingFlipAndGuard(t *testing.T) {
	d := netnstest.NewDockerHost(t, "s3dmn")
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "netfix")
	writeCfg := func(guard string) {
		cfg := "config netfix 'main'\n\toption sweep_interval '5'\n\toption forwarding_guard '" + guard + "'\n"
		if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeCfg("0")
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

	// 1. The flip is an event with its time, within a second.
	flipped := time.Now().UTC()
	d.SetUplinkForwarding(t, false)
	re := regexp.MustCompile(`(\d\d:\d\d:\d\d\.\d{3}) forwarding ipv4 on ` + d.Uplink + `: 1 -> 0`)
	line := waitLogWithin(r, re, time.Second)
	if line == "" {
		t.Fatalf("no forwarding event within a second of the flip:\n%s", r.log.String())
	}
	at, err := time.Parse("15:04:05.000", re.FindStringSubmatch(line)[1])
	if err != nil {
		t.Fatal(err)
	}
	stamp := time.Date(flipped.Year(), flipped.Month(), flipped.Day(), at.Hour(), at.Minute(), at.Second(), at.Nanosecond(), time.UTC)
	if skew := stamp.Sub(flipped); skew < -time.Second || skew > time.Second {
		t.Errorf("event stamped %s, the flip was at %s", stamp.Format("15:04:05.000"), flipped.Format("15:04:05.000"))
	}
	t.Logf("daemon log: %s", lastLine(r.log.String(), line))
	if echoes(d, 2) {
		t.Fatal("replies still arrive with the uplink's forwarding off and the guard off")
	}

	// 2. The one-shot check asks the daemon and says since when.
	cmd := d.Host.Command(r.bin, "check", "--json", "--root", dir, "--socket", r.socket)
	out, _ := cmd.Output()
	var doc status.Document
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("netfix check --json: %v: %s", err, out)
	}
	var title string
	for _, f := range doc.Findings {
		if f.ID == diagnose.IDForwardingInterface {
			title = f.Title
		}
	}
	if want := "Forwarding is off on " + d.Uplink + " since " + stamp.Format("15:04:05"); !strings.HasPrefix(title, want) {
		t.Errorf("check title %q, want it to start with %q", title, want)
	}
	if len(doc.Heal.ForwardingEvents) == 0 || doc.Heal.ForwardingEvents[0].Interface != d.Uplink || !doc.Heal.ForwardingEvents[0].Old || doc.Heal.ForwardingEvents[0].New {
		t.Errorf("forwarding events %+v: want %s 1 -> 0 first", doc.Heal.ForwardingEvents, d.Uplink)
	}

	// 3. With the guard on, the next flip is undone and traffic returns.
	writeCfg("1")
	if err := r.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	r.waitLog("configuration reloaded")
	d.SetUplinkForwarding(t, true)
	r.waitLog("forwarding ipv4 on " + d.Uplink + ": 0 -> 1")
	d.SetUplinkForwarding(t, false)
	r.waitLog("restored to 1 by forwarding_guard")
	if v := d.UplinkForwarding(t); v != "1" {
		t.Errorf("net.ipv4.conf.%s.forwarding = %s after the guard, want 1", d.Uplink, v)
	}
	if !echoes(d, 5) {
		t.Fatalf("traffic did not come back with the guard on:\n%s", r.log.String())
	}
}

func lastLine(log, sub string) string {
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return sub
}
