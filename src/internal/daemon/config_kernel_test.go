//go:build kernel

package daemon_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/status"
)

// A configuration that cannot be read never switches healing on: at
// start the daemon only reports, after a good load it keeps that one, and
// the status says which, with a finding.
func TestDaemonUnreadableConfigNeverHeals(t *testing.T) {
	r := newRig(t)
	write := func(body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(r.dir, "netfix"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	check := func(mode, fallback string) {
		t.Helper()
		st := r.rpc("status", "{}")
		heal := st["heal"].(map[string]any)
		cfg, _ := heal["config"].(map[string]any)
		gotFallback, _ := cfg["fallback"].(string)
		if heal["mode"] != mode || gotFallback != fallback || hasFinding(st, "heal.config_unreadable") != (fallback != "") {
			t.Errorf("heal = %v; want mode %s, fallback %q and the finding only with a fallback", heal, mode, fallback)
		}
	}
	broken := "config netfix 'main'\n\toption log_level 'debug'\n\toption heal '0\n"
	write(broken)
	r.start()
	r.waitLog("repairing nothing (report only)")
	check(status.ModeOff, facts.FallbackReportOnly)

	write("config netfix 'main'\r\n\toption log_level 'debug'\r\n\toption heal '1'\r\n\toption dry_run '1'\r\n\toption sweep_interval ''\r\n")
	_ = r.cmd.Process.Signal(syscall.SIGHUP)
	r.waitLog("configuration reloaded (mode dry_run)")
	check(status.ModeDryRun, "")

	write(broken)
	_ = r.cmd.Process.Signal(syscall.SIGHUP)
	r.waitLog("keeping the configuration last read (mode dry_run)")
	check(status.ModeDryRun, facts.FallbackLastGood)
}
