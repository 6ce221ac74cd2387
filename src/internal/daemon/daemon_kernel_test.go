//go:build kernel

package daemon_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/netnstest"
	"github.com/netfix/netfix/src/internal/status"
)

const (
	macA = "02:00:00:00:0a:01"
	macB = "02:00:00:00:0b:02"
	macC = "02:00:00:00:0c:03"
)

type rig struct {
	t      *testing.T
	ns     *netnstest.NS
	dir    string
	bin    string
	cmd    *exec.Cmd
	log    *netnstest.Output
	socket string
}

// newRig builds a router namespace with br-lan and two ports; the host
// kernel has no flowtable, so the daemon tracks and reports changes but
// finds no stale-prone link: what these tests pin is the event pipeline
// from real rtnetlink messages, and that the hosts' real, not offloaded,
// conntrack entries survive it. Deletes are proven in the flowtable VM.
func newRig(t *testing.T) *rig {
	ns := netnstest.New(t, "daemon")
	for _, c := range [][]string{
		{"ip", "link", "add", "br-lan", "type", "bridge"},
		{"ip", "link", "add", "lanport0", "type", "veth", "peer", "name", "lanpeer0"},
		{"ip", "link", "add", "lanport1", "type", "veth", "peer", "name", "lanpeer1"},
		{"ip", "link", "set", "lanport0", "master", "br-lan"},
		{"ip", "link", "set", "lanport1", "master", "br-lan"},
		{"ip", "link", "set", "br-lan", "up"},
		{"ip", "link", "set", "lanport0", "up"},
		{"ip", "link", "set", "lanport1", "up"},
		{"ip", "addr", "add", "192.168.1.1/24", "dev", "br-lan"},
		{"ip", "-6", "addr", "add", "fd00::1/64", "dev", "br-lan", "nodad"},
	} {
		ns.Run(c...)
	}
	dir := t.TempDir()
	cfg := "config netfix 'main'\n\toption log_level 'debug'\n\toption sweep_interval '5'\n"
	if err := os.WriteFile(filepath.Join(dir, "netfix"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, ns: ns, dir: dir, bin: netnstest.BuildNetfix(t), socket: filepath.Join(dir, "netfix.sock")}
	t.Cleanup(r.stop)
	return r
}

func (r *rig) start() {
	r.t.Helper()
	r.log = &netnstest.Output{}
	r.cmd = r.daemonCmd()
	r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.waitLog("watching neighbours")
}

// daemonCmd is the daemon's command line in the rig, not started.
func (r *rig) daemonCmd() *exec.Cmd {
	return r.ns.Command(r.bin, "daemon", "--config", filepath.Join(r.dir, "netfix"), "--socket", r.socket, "--state", filepath.Join(r.dir, "state.json"), "--root", r.dir)
}

func (r *rig) stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			r.t.Errorf("daemon exit after SIGTERM: %v\n%s", err, r.log.String())
		}
	case <-time.After(5 * time.Second):
		_ = r.cmd.Process.Kill()
		r.t.Errorf("daemon did not stop within 5 s of SIGTERM")
	}
	r.cmd = nil
}

func (r *rig) waitLog(sub string) {
	r.t.Helper()
	r.waitLogFor(sub, 5*time.Second)
}

func (r *rig) waitLogFor(sub string, within time.Duration) {
	r.t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if strings.Contains(r.log.String(), sub) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.t.Fatalf("daemon log never said %q:\n%s", sub, r.log.String())
}

// addEntries puts two established TCP entries of ip in the namespace's
// conntrack table (nothing is sent: only the table changes). They are not
// offloaded, so netfix must never delete them.
func (r *rig) addEntries(ip string) {
	r.t.Helper()
	for _, sport := range []string{"40001", "40002"} {
		r.ns.Run("conntrack", "-I", "-p", "tcp", "-s", ip, "-d", "198.51.100.7", "--sport", sport, "--dport", "443",
			"--state", "ESTABLISHED", "--timeout", "600")
	}
}

// entries counts the conntrack entries with ip as original source.
func (r *rig) entries(ip string) int {
	r.t.Helper()
	out := r.ns.Run("conntrack", "-L", "-s", ip)
	return strings.Count(out, "src="+ip+" ")
}

func (r *rig) neigh(ip, mac, nud string) {
	r.ns.Run("ip", "neigh", "replace", ip, "lladdr", mac, "dev", "br-lan", "nud", nud)
}

func (r *rig) rpc(method, stdin string) map[string]any {
	r.t.Helper()
	cmd := r.ns.Command(r.bin, "rpcd", "--socket", r.socket, "call", method)
	cmd.Stdin = strings.NewReader(stdin)
	start := time.Now()
	out, err := cmd.Output()
	if err != nil {
		r.t.Fatalf("rpcd call %s: %v", method, err)
	}
	r.t.Logf("rpcd call %s: %d bytes in %s", method, len(out), time.Since(start).Round(time.Microsecond))
	var reply map[string]any
	if err := json.Unmarshal(out, &reply); err != nil {
		r.t.Fatalf("rpcd call %s: not one JSON object: %v: %s", method, err, out)
	}
	return reply
}

// Only a real change counts: NUD churn with the same MAC logs nothing,
// a new MAC and a bridge-port move are each recognised once.
func TestDaemonSeesOnlyRealChanges(t *testing.T) {
	r := newRig(t)
	r.neigh("192.168.1.240", macA, "reachable")
	r.neigh("192.168.1.57", macC, "reachable")
	r.neigh("fd00::240", macA, "reachable")
	r.addEntries("192.168.1.240")
	r.addEntries("192.168.1.57")
	r.start()

	for _, nud := range []string{"stale", "delay", "probe", "reachable", "stale"} {
		r.neigh("192.168.1.240", macA, nud)
		r.neigh("192.168.1.57", macC, nud)
	}
	r.neigh("192.168.1.240", macB, "reachable")
	r.waitLog("192.168.1.240 on br-lan changed MAC " + macA + " -> " + macB)
	r.neigh("fd00::240", macB, "reachable")
	r.waitLog("fd00::240 on br-lan changed MAC " + macA + " -> " + macB)

	r.ns.Run("bridge", "fdb", "replace", macC, "dev", "lanport0", "master", "static")
	r.ns.Run("bridge", "fdb", "replace", macC, "dev", "lanport0", "master", "static")
	r.ns.Run("bridge", "fdb", "replace", macC, "dev", "lanport1", "master", "static")
	r.waitLog("192.168.1.57 (" + macC + ") on br-lan moved from port lanport0 to lanport1")

	logs := r.log.String()
	if n := strings.Count(logs, "changed MAC"); n != 2 {
		t.Errorf("%d MAC changes logged, want 2:\n%s", n, logs)
	}
	if n := strings.Count(logs, "moved from port"); n != 1 {
		t.Errorf("%d port moves logged, want 1:\n%s", n, logs)
	}
	if strings.Contains(logs, "192.168.1.57 on br-lan changed") {
		t.Errorf("bystander reported as changed:\n%s", logs)
	}
	// No flowtable on this kernel: each of the three changes is judged
	// not stale-prone, and the hosts' entries, none offloaded, all stay.
	if n := strings.Count(logs, "not stale-prone"); n != 3 || strings.Contains(logs, "deleted") {
		t.Errorf("want 3 changes judged not stale-prone and nothing deleted, got %d:\n%s", n, logs)
	}
	for _, ip := range []string{"192.168.1.240", "192.168.1.57"} {
		if n := r.entries(ip); n != 2 {
			t.Errorf("%d conntrack entries of %s left, want its 2 (not offloaded, never netfix's to delete)", n, ip)
		}
	}

	st := r.rpc("status", `{"ubus_rpc_session":"00000000000000000000000000000000"}`)
	heal := st["heal"].(map[string]any)
	if heal["running"] != true || heal["mode"] != status.ModeHeal || heal["neighbours_tracked"].(float64) < 3 {
		t.Errorf("heal = %v", heal)
	}
}

// A host that changes while the daemon is down is found at start from the
// saved state (reconcile), and SIGHUP reloads the configuration.
func TestDaemonReconcileAndReload(t *testing.T) {
	r := newRig(t)
	r.neigh("192.168.1.240", macA, "reachable")
	r.start()
	r.stop()
	if _, err := os.Stat(filepath.Join(r.dir, "state.json")); err != nil {
		t.Fatalf("no state saved on SIGTERM: %v", err)
	}
	r.neigh("192.168.1.240", macB, "reachable")
	r.start()
	r.waitLog("192.168.1.240 on br-lan changed MAC " + macA + " -> " + macB + " (reconcile)")

	cfg := "config netfix 'main'\n\toption log_level 'debug'\n\toption dry_run '1'\n\toption sweep_interval 'soon'\n"
	if err := os.WriteFile(filepath.Join(r.dir, "netfix"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = r.cmd.Process.Signal(syscall.SIGHUP)
	r.waitLog("configuration reloaded (mode dry_run)")
	r.waitLog(`line 4 (option sweep_interval): "soon" is not a number`)
}

// The rpcd plugin end to end through the built binary, with the daemon up
// and down.
func TestRpcdPluginDaemonUpAndDown(t *testing.T) {
	r := newRig(t)
	// Daemon down: a one-shot check that says so.
	down := r.rpc("status", "{}")
	if down["heal"].(map[string]any)["running"] != false || !hasFinding(down, "heal.not_running") {
		t.Errorf("daemon down: %v", down)
	}
	if h := r.rpc("history", `{"limit":5}`); fmt.Sprint(h["events"]) != "[]" {
		t.Errorf("history without daemon = %v", h)
	}
	r.addEntries("192.168.1.240")
	r.start()
	up := r.rpc("status", "{}")
	if up["heal"].(map[string]any)["running"] != true || hasFinding(up, "heal.not_running") {
		t.Errorf("daemon up: %v", up)
	}
	fl := r.rpc("flush", `{"ip":"192.168.1.240","dry_run":false}`)
	if fl["deleted"] != float64(0) || fl["ip"] != "192.168.1.240" {
		t.Errorf("flush = %v", fl)
	}
	if n := r.entries("192.168.1.240"); n != 2 {
		t.Errorf("flush left %d of the host's 2 entries: it deleted entries that were not offloaded", n)
	}
	h := r.rpc("history", `{"limit":5,"ubus_rpc_session":"x"}`)
	evs := h["events"].([]any)
	if len(evs) != 1 || evs[0].(map[string]any)["reason"] != "manual" {
		t.Errorf("history = %v", h)
	}
	if e := r.rpc("flush", `{"ip":"not-an-ip"}`); !strings.Contains(fmt.Sprint(e["error"]), "not an IPv4 or IPv6 address") {
		t.Errorf("bad ip: %v", e)
	}
	if e := r.rpc("check", `{"bogus":1}`); !strings.Contains(fmt.Sprint(e["error"]), `unknown argument "bogus"`) {
		t.Errorf("unknown argument: %v", e)
	}
}

func hasFinding(doc map[string]any, id string) bool {
	fs, _ := doc["findings"].([]any)
	for _, f := range fs {
		if f.(map[string]any)["id"] == id {
			return true
		}
	}
	return false
}
