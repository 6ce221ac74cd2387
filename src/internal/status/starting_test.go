package status

import (
	"strings"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/smalljson"
)

// A starting daemon's document claims nothing: verdict unknown (exit 3),
// no findings, heal.starting set; every other document omits the field.
func TestStartingClaimsNothing(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	doc := Starting("1.0", now, Heal{Running: true, Mode: ModeHeal})
	if doc.Verdict != VerdictUnknown || len(doc.Findings) != 0 || !doc.Heal.Starting || !doc.GeneratedAt.Equal(now) {
		t.Errorf("starting document: verdict %q, %d findings, starting %v, generated_at %s", doc.Verdict, len(doc.Findings), doc.Heal.Starting, doc.GeneratedAt)
	}
	if code := ExitCode(doc.Verdict); code != 3 {
		t.Errorf("exit code while starting = %d, want 3", code)
	}
	b, err := smalljson.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"verdict":"unknown"`) || !strings.Contains(string(b), `"starting":true`) {
		t.Errorf("starting document JSON lacks verdict unknown or starting: %s", b)
	}
	plain, _ := smalljson.Marshal(Build("1.0", facts.Snapshot{TakenAt: now}, nil, Heal{Running: true}))
	if strings.Contains(string(plain), `"starting"`) {
		t.Errorf("a document of a started daemon carries starting: %s", plain)
	}
}
