package assess

import (
	"strings"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/diagnose"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/status"
)

func findingIDs(doc status.Document) map[string]status.Finding {
	out := map[string]status.Finding{}
	for _, f := range doc.Findings {
		out[f.ID] = f
	}
	return out
}

// A one-shot check's document from what it learnt of the daemon: nothing
// (no daemon), its healer state (running, or still starting), or silence
// (it holds the socket but did not answer).
func TestCheck(t *testing.T) {
	t.Parallel()
	heal := status.Heal{Running: true, Mode: status.ModeHeal, EventsTotal: 4, Since: "2026-12-07T23:00:00Z"}
	own := facts.MirrorPair{First: "own dump"}
	caught := facts.MirrorPair{First: "caught by the daemon", Second: "udp 172.17.0.2:53 -> 10.0.0.2:40000", RewrittenPort: 40001, SeenAt: "2026-12-07T23:01:00Z"}
	healer := func(mirrors []facts.MirrorPair, starting bool) *Healer {
		h := NewHealer(heal, mirrors, starting)
		return &h
	}
	silence := &facts.HealerSilence{Socket: "/var/run/netfix.sock", WaitS: 2, Error: "read daemon reply to healer: i/o timeout"}
	tests := []struct {
		name        string
		h           *Healer
		silence     *facts.HealerSilence
		wantRunning bool
		wantMirror  string
		want, not   []string // finding IDs present / absent
		wantEv      string   // in the heal.no_answer evidence
	}{
		{name: "no daemon", wantMirror: own.First,
			want: []string{diagnose.IDHealerNotRunning}, not: []string{diagnose.IDHealerNoAnswer}},
		{name: "daemon answered", h: healer([]facts.MirrorPair{caught}, false), wantRunning: true, wantMirror: caught.First,
			not: []string{diagnose.IDHealerNotRunning, diagnose.IDHealerNoAnswer}},
		{name: "daemon answered, caught no mirror", h: healer(nil, false), wantRunning: true,
			not: []string{diagnose.IDHealerNotRunning, diagnose.IDHealerNoAnswer}},
		// Its heal block is real, its lists are not filled yet: the
		// check's own mirrors stay, and the starting mark is the
		// daemon's document's, not this one's.
		{name: "daemon starting", h: healer([]facts.MirrorPair{caught}, true), wantRunning: true, wantMirror: own.First,
			not: []string{diagnose.IDHealerNotRunning, diagnose.IDHealerNoAnswer}},
		{name: "daemon did not answer", silence: silence, wantMirror: own.First,
			want: []string{diagnose.IDHealerNoAnswer}, not: []string{diagnose.IDHealerNotRunning},
			wantEv: "control socket /var/run/netfix.sock: read daemon reply to healer: i/o timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := facts.Snapshot{TakenAt: time.Unix(1e9, 0), Host: "router", HealerExpected: true,
				BridgeNF: facts.BridgeNF{Mirrors: []facts.MirrorPair{own}}}
			doc := Check(s, tt.h, tt.silence)
			if doc.Heal.Running != tt.wantRunning || doc.Heal.Starting || doc.Verdict == status.VerdictUnknown {
				t.Errorf("heal running %v starting %v verdict %s; want running %v, not starting, a verdict of the check's own",
					doc.Heal.Running, doc.Heal.Starting, doc.Verdict, tt.wantRunning)
			}
			if tt.wantRunning && (doc.Heal.EventsTotal != 4 || doc.Heal.Since != heal.Since) {
				t.Errorf("heal = %+v, want the daemon's", doc.Heal)
			}
			var mirror string
			if len(doc.BridgeNF.Mirrors) > 0 {
				m := doc.BridgeNF.Mirrors[0]
				mirror = m.First
				if mirror == caught.First && (m.Second != caught.Second || m.RewrittenPort != caught.RewrittenPort || m.SeenAt != caught.SeenAt) {
					t.Errorf("mirror %+v, want all of %+v", m, caught)
				}
			}
			if mirror != tt.wantMirror || doc.BridgeNF.Mirrors == nil {
				t.Errorf("mirrors %+v, want first %q (and never null)", doc.BridgeNF.Mirrors, tt.wantMirror)
			}
			got := findingIDs(doc)
			for _, id := range tt.want {
				if _, ok := got[id]; !ok {
					t.Errorf("no %s finding in %v", id, doc.Findings)
				}
			}
			for _, id := range tt.not {
				if _, ok := got[id]; ok {
					t.Errorf("finding %s, want none: %+v", id, got[id])
				}
			}
			if tt.wantEv != "" {
				f := got[diagnose.IDHealerNoAnswer]
				if f.Severity != status.SeverityWarning || len(f.Evidence) != 1 || f.Evidence[0] != tt.wantEv ||
					!strings.Contains(f.Title, "did not answer within 2 s") || f.Fix != "journalctl -u netfix" {
					t.Errorf("heal.no_answer = %+v", f)
				}
			}
		})
	}
}

// The daemon's own document while it starts claims nothing, whoever
// assembles it.
func TestStarting(t *testing.T) {
	t.Parallel()
	now := time.Unix(2e9, 0).UTC()
	doc := Starting(Healer{Heal: status.Heal{Running: true, Mode: status.ModeDryRun}, Starting: true}, now)
	if !doc.Heal.Starting || !doc.Heal.Running || doc.Heal.Mode != status.ModeDryRun || doc.Verdict != status.VerdictUnknown ||
		len(doc.Findings) != 0 || !doc.GeneratedAt.Equal(now) {
		t.Errorf("starting document = %+v", doc)
	}
}
