//go:build kernel

package daemon_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/assess"
	"github.com/netfix/netfix/src/internal/diagnose"
	"github.com/netfix/netfix/src/internal/ipc"
	"github.com/netfix/netfix/src/internal/status"
)

// `netfix check` asks the daemon for its healer state ("healer"), not its
// document, and puts it into a document of its own probe: the heal block
// is the daemon's, the findings the check's.
func TestCheckTakesTheHealerState(t *testing.T) {
	r := newRig(t)
	r.start()
	if fl := r.rpc("flush", `{"ip":"192.168.1.240","dry_run":true}`); fl["ip"] != "192.168.1.240" {
		t.Fatalf("flush = %v", fl)
	}
	var h assess.Healer
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		h = assess.Healer{}
		if err := ipc.Call(r.socket, ipc.Request{Method: "healer"}, &h, time.Second); err != nil {
			t.Fatalf("healer: %v", err)
		}
		if !h.Starting || time.Now().After(deadline) {
			break
		}
	}
	if !h.Heal.Running || h.Starting || h.Heal.Since == "" || h.Heal.ManualFlushes != 1 || h.Heal.Mode != status.ModeHeal {
		t.Fatalf("healer = %+v, want a running daemon past its first probe with the one manual flush", h)
	}

	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc", "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "etc", "config", "firewall"), []byte("config defaults\n\toption forward 'REJECT'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := r.ns.Command(r.bin, "check", "--json", "--root", root, "--socket", r.socket, "--sample", "0")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var doc status.Document
	if jerr := json.Unmarshal(out, &doc); jerr != nil || doc.Schema == 0 {
		t.Fatalf("netfix check --json: %v %v: %s\nstderr: %s", err, jerr, out, stderr.String())
	}
	if !doc.Heal.Running || doc.Heal.Starting || doc.Heal.Since != h.Heal.Since || doc.Heal.ManualFlushes != 1 ||
		len(doc.Heal.LastEvents) != 1 || doc.Heal.LastEvents[0].Reason != status.ReasonManual {
		t.Errorf("check's heal block = %+v, want the daemon's (since %s, one manual flush)", doc.Heal, h.Heal.Since)
	}
	if doc.Verdict == status.VerdictUnknown || doc.GeneratedAt.IsZero() {
		t.Errorf("check's document: verdict %s generated %s, want the check's own", doc.Verdict, doc.GeneratedAt)
	}
	for _, f := range doc.Findings {
		if f.ID == diagnose.IDHealerNotRunning || f.ID == diagnose.IDHealerNoAnswer {
			t.Errorf("finding %s with the daemon answering: %s", f.ID, f.Title)
		}
	}
}
