package cli

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/env"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/probe"
)

func checkEnv(t *testing.T, root string) (env.Env, string) {
	t.Helper()
	state := filepath.Join(t.TempDir(), "run")
	e, err := env.New(env.Options{Root: root, StateDir: state})
	if err != nil {
		t.Fatal(err)
	}
	return e, state
}

// What one check keeps, the next starts from; a check with --root reads
// the kernel's flowtable answer but writes nothing and reads no sample of
// the host's counters.
func TestCheckStateKeepsForTheNextCheck(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 7, 23, 0, 0, 0, time.UTC)
	memo := probe.Memo{Support: facts.SupportNo, CTStats: &probe.CTSample{At: at, Stats: facts.CTStats{Drop: 7, InsertFailed: 2}}}

	host, state := checkEnv(t, "/")
	if known, prev := checkStart(host); known != "" || prev != nil {
		t.Fatalf("first check: started from %q, %+v; want nothing", known, prev)
	}
	checkKeep(host, memo)
	known, prev := checkStart(host)
	if known != facts.SupportNo || prev == nil || !prev.At.Equal(at) || prev.Stats != memo.CTStats.Stats {
		t.Fatalf("next check started from %q, %+v; want %q, %+v", known, prev, memo.Support, memo.CTStats)
	}
	// A check that learned nothing new about the kernel keeps the answer.
	checkKeep(host, probe.Memo{})
	if known, _ := checkStart(host); known != facts.SupportNo {
		t.Errorf("after a check without a new answer: %q, want %q", known, facts.SupportNo)
	}

	image, imageState := checkEnv(t, t.TempDir())
	checkKeep(image, memo)
	if ents, err := os.ReadDir(imageState); err == nil && len(ents) > 0 {
		t.Errorf("a check with --root wrote %d files into %s", len(ents), imageState)
	}
	// The same state directory as the host's: the kernel's answer is
	// read, the host's counters are not a root's.
	image, err := env.New(env.Options{Root: t.TempDir(), StateDir: state})
	if err != nil {
		t.Fatal(err)
	}
	if known, prev := checkStart(image); known != facts.SupportNo || prev != nil {
		t.Errorf("check with --root started from %q, %+v; want %q and no sample", known, prev, facts.SupportNo)
	}
}

// A cache that does not hold what a check writes is not believed.
func TestCheckStateIgnoresBadCaches(t *testing.T) {
	t.Parallel()
	host, state := checkEnv(t, "/")
	if err := os.MkdirAll(state, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{probe.SupportCache: "maybe\n", probe.CTStatsCache: `{"stats":{"drop":3}}`} {
		if err := os.WriteFile(filepath.Join(state, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if known, prev := checkStart(host); known != "" || prev != nil {
		t.Errorf("started from %q, %+v; want nothing", known, prev)
	}
}
