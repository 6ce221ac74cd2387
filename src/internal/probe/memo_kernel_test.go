//go:build linux && kernel

package probe

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/netfix/netfix/src/internal/env"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/netnstest"
)

// TestGatherWritesNothing: a one-shot probe of this host (no --root, no
// session: what `netfix check` runs) leaves the state directory as it
// found it, and hands what a later check can start from to its caller.
func TestGatherWritesNothing(t *testing.T) {
	netnstest.RequireRoot(t)
	ns := netnstest.New(t, "memo")
	state := filepath.Join(t.TempDir(), "run")
	e, err := env.New(env.Options{Root: "/", StateDir: state})
	if err != nil {
		t.Fatal(err)
	}
	var s facts.Snapshot
	var m Memo
	ns.Do(func() { s, m, err = GatherMemo(Options{Env: e, Lenient: true}) })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(state); !errors.Is(err, fs.ErrNotExist) {
		ents, _ := os.ReadDir(state)
		t.Errorf("the probe wrote into the state directory: %v (%d files)", err, len(ents))
	}
	if m.Support != facts.SupportYes && m.Support != facts.SupportNo {
		t.Errorf("flowtable support to keep: %q, want the kernel's answer", m.Support)
	}
	if s.Conntrack.Table == nil || m.CTStats == nil || m.CTStats.Stats != s.Conntrack.Table.Stats {
		t.Errorf("statistics to keep %+v, the snapshot's %+v", m.CTStats, s.Conntrack.Table)
	}
	// With the answer known, there is nothing new to keep about the
	// kernel, and the growth is measured from the sample passed.
	ns.Do(func() {
		s, m, err = GatherMemo(Options{Env: e, Lenient: true, KnownSupport: m.Support, CTPrev: m.CTStats})
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.Support != "" || s.Conntrack.Table == nil || s.Conntrack.Table.Growth == nil {
		t.Errorf("second probe: support to keep %q (want none), growth %+v (want one)", m.Support, s.Conntrack.Table)
	}
}
