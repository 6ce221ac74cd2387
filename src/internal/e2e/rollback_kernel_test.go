//go:build kernel

package e2e_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/netnstest"
)

// An apply with rollback that nobody confirms is undone by netfix itself:
// by the running daemon at the deadline, and by a daemon that was down at
// the deadline as soon as it starts. Without a daemon the apply is
// refused. The test logs the transcript (go test -v) that
// docs/fix-rollback.md shows.
func TestS4UnconfirmedApplyIsRolledBack(t *testing.T) {
	l := newS4Lab(t)
	l.host.Run("sysctl", "-qw", "net.ipv4.conf.br-lan137.rp_filter=0")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "netfix")
	if err := os.WriteFile(cfg, []byte("config netfix 'main'\n\toption enabled '1'\n\toption sweep_interval '30'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sock := l.socket
	var transcript strings.Builder
	run := func(stdin string, args ...string) (string, int) {
		t.Helper()
		full := l.withPaths(args)
		if args[0] == "rpcd" {
			// The plugin's options come before its list/call.
			full = append([]string{"rpcd", "--ledger", l.ledger, "--socket", l.socket}, args[1:]...)
		}
		cmd := l.host.Command(append([]string{netnstest.BuildNetfix(t)}, full...)...)
		if stdin != "" {
			cmd.Stdin = strings.NewReader(stdin)
		}
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		shown := "# netfix " + strings.Join(args, " ")
		if stdin != "" {
			shown = "# echo '" + stdin + "' | netfix " + strings.Join(args, " ")
		}
		transcript.WriteString(time.Now().UTC().Format("15:04:05") + " " + shown + "\n" + string(out))
		return string(out), code
	}
	note := func(s string) { transcript.WriteString(time.Now().UTC().Format("15:04:05") + " " + s + "\n") }
	hasRule := func() bool {
		all, _ := l.ruleset(t)
		return strings.Contains(all, `iifname "br-lan137" notrack`)
	}
	logs := &netnstest.Output{}
	var daemon *exec.Cmd
	start := func() {
		daemon = l.host.Command(netnstest.BuildNetfix(t), "daemon", "--config", cfg, "--socket", sock, "--state", filepath.Join(dir, "state.json"), "--ledger", l.ledger)
		daemon.Stdout, daemon.Stderr = logs, logs
		if err := daemon.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			if _, err := os.Stat(sock); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("daemon did not open %s:\n%s", sock, logs.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
		note("(netfix daemon started)")
	}
	stop := func() {
		_ = daemon.Process.Signal(syscall.SIGTERM)
		_ = daemon.Wait()
		daemon = nil
		note("(netfix daemon stopped)")
	}
	t.Cleanup(func() {
		if daemon != nil {
			stop()
		}
		t.Logf("transcript:\n%s\ndaemon log:\n%s", transcript.String(), logs.String())
	})

	// 1. No daemon: refused, nothing changed.
	out, code := run("", "fix", "apply", "bridge.nf_call_iptables", "--rollback", "10s")
	if code == 0 || !strings.Contains(out, "daemon is not running") || hasRule() {
		t.Fatalf("apply with rollback and no daemon: %d %s", code, out)
	}

	// 2. Through the rpcd plugin (what LuCI calls), nobody confirms: the
	// daemon undoes it at the deadline.
	start()
	out, _ = run(`{"id":"bridge.nf_call_iptables","rollback":10}`, "rpcd", "call", "fix")
	var res struct {
		Changed   bool   `json:"changed"`
		ConfirmBy string `json:"confirm_by"`
		Error     string `json:"error"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || !res.Changed || res.ConfirmBy == "" || !hasRule() {
		t.Fatalf("rpcd fix with rollback: %v %s", err, out)
	}
	run("", "fix", "list")
	waitUntil(t, 20*time.Second, func() bool { return !hasRule() }, "the daemon to undo the unconfirmed fix")
	note("(the notrack rule is gone from the ruleset)")
	out, _ = run("", "fix", "list")
	if !strings.Contains(out, "rollback bridge.nf_call_iptables") {
		t.Errorf("the ledger does not show the rollback:\n%s", out)
	}

	// 3. Confirmed in time: it stays.
	if out, code := run("", "fix", "apply", "bridge.nf_call_iptables", "--rollback", "10s"); code != 0 || !strings.Contains(out, "unless it is kept") && !strings.Contains(out, "unless they are kept") {
		t.Fatalf("apply with rollback: %d %s", code, out)
	}
	if out, code := run("", "fix", "confirm", "bridge.nf_call_iptables"); code != 0 || !strings.Contains(out, "Kept the fix") {
		t.Fatalf("confirm: %d %s", code, out)
	}
	time.Sleep(12 * time.Second)
	if !hasRule() {
		t.Fatal("a confirmed fix was undone")
	}
	note("(12 s later the confirmed rule is still there)")
	run("", "fix", "undo", "bridge.nf_call_iptables")

	// 4. The daemon is down when the deadline passes: it undoes the fix
	// as it starts.
	run("", "fix", "apply", "bridge.nf_call_iptables", "--rollback", "10s")
	stop()
	time.Sleep(11 * time.Second)
	if !hasRule() {
		t.Fatal("the rule vanished without a daemon")
	}
	note("(deadline passed while no daemon ran; the rule is still there)")
	start()
	waitUntil(t, 10*time.Second, func() bool { return !hasRule() }, "the restarted daemon to undo the expired fix")
	note("(the notrack rule is gone from the ruleset)")
	run("", "fix", "list")
}

func waitUntil(t *testing.T, d time.Duration, ok func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
