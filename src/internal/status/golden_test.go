package status_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netfix/netfix/src/internal/assess"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/fixtures"
	"github.com/netfix/netfix/src/internal/smalljson"
	"github.com/netfix/netfix/src/internal/status"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// These documents are the contract with the rpcd plugin and the LuCI page:
// the LuCI browser test renders exactly these files.
func goldenDocs() map[string]status.Document {
	build := func(s facts.Snapshot, h status.Heal) status.Document {
		s.HealerRunning, s.HealerMode = h.Running, h.Mode
		return status.Build("0.1.0", s, assess.Findings(s), h)
	}
	return map[string]status.Document{
		"doc_healthy.json":     build(fixtures.Software(), fixtures.Heal(status.ModeHeal, fixtures.S1Events(false)[1:2])),
		"doc_s1_healed.json":   build(fixtures.S1(), fixtures.Heal(status.ModeHeal, fixtures.S1Events(false))),
		"doc_s1_critical.json": build(fixtures.S1(), fixtures.Heal(status.ModeDryRun, fixtures.S1Events(true))),
		"doc_daemon_down.json": build(fixtures.S1(), status.Heal{}),
		"doc_s3_critical.json": build(fixtures.S3(), status.Heal{}),
		"doc_s2_critical.json": build(fixtures.S2Daemon(), fixtures.Heal(status.ModeHeal, fixtures.S2Events())),
		"doc_s4_docker.json":   build(fixtures.S4(), status.Heal{}),
	}
}

func TestGolden(t *testing.T) {
	for name, doc := range goldenDocs() {
		t.Run(name, func(t *testing.T) {
			got, err := smalljson.MarshalIndent(doc, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", name)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./src/internal/status -update)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s changed (-want +got); if intended, bump status.SchemaVersion when incompatible and run with -update:\n%s", name, diff)
			}
		})
	}
}

func TestVerdicts(t *testing.T) {
	want := map[string]string{
		"doc_healthy.json":     status.VerdictHealthy,
		"doc_s1_healed.json":   status.VerdictWarning,
		"doc_s1_critical.json": status.VerdictCritical,
		"doc_daemon_down.json": status.VerdictCritical,
		"doc_s3_critical.json": status.VerdictCritical,
		"doc_s2_critical.json": status.VerdictCritical,
		"doc_s4_docker.json":   status.VerdictCritical,
	}
	for name, doc := range goldenDocs() {
		if doc.Verdict != want[name] {
			t.Errorf("%s: verdict %s, want %s", name, doc.Verdict, want[name])
		}
		if doc.Schema != status.SchemaVersion {
			t.Errorf("%s: schema %d", name, doc.Schema)
		}
	}
}

// Lists in the document are capped so an rpcd reply never nears the
// 1 MiB at which ubusd drops rpcd's connection.
func TestEventsCapped(t *testing.T) {
	var many []status.Event
	for i := 0; i < 10*status.MaxEvents; i++ {
		many = append(many, fixtures.S1Events(false)[0])
	}
	doc := status.Build("0.1.0", fixtures.S1(), nil, fixtures.Heal(status.ModeHeal, many))
	if n := len(doc.Heal.LastEvents); n != status.MaxEvents {
		t.Fatalf("last_events has %d entries, want %d", n, status.MaxEvents)
	}
	b, _ := smalljson.Marshal(doc)
	if len(b) > 64<<10 {
		t.Errorf("document is %d bytes; keep it far below 1 MiB", len(b))
	}
	if doc.Findings == nil || doc.Offload.Flowtables == nil {
		t.Error("lists must encode as [], not null, for LuCI")
	}
}
