package diagnose

import (
	"strings"
	"testing"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/fixtures"
)

// A daemon that holds its socket but did not answer is never "not
// running": its own finding says it did not answer, with the error and
// where its log is, and the stale-flow risk neither counts as covered nor
// tells a person to start it.
func TestHealerNoAnswer(t *testing.T) {
	t.Parallel()
	silent := func(s facts.Snapshot) facts.Snapshot {
		s.HealerSilence = &facts.HealerSilence{Socket: "/var/run/netfix.sock", WaitS: 2, Error: "read daemon reply to healer: i/o timeout"}
		return s
	}
	host := func(openwrt bool, s facts.Snapshot) facts.Snapshot {
		s.Forwarding.OpenWrt = openwrt
		return s
	}
	tests := []struct {
		name     string
		snap     facts.Snapshot
		want     map[string]Severity // the healer's findings and stale_prone
		wantLog  string              // heal.no_answer's fix
		staleFix string              // in stale_prone's fix; "" for none
		noStart  bool                // stale_prone's fix must not start the daemon
		cover    string              // in stale_prone's evidence
	}{
		{name: "S1, daemon down", snap: fixtures.S1(),
			want:     map[string]Severity{IDHealerNotRunning: SeverityWarning, IDStaleProne: SeverityCritical},
			staleFix: "/etc/init.d/netfix start", cover: "not running"},
		{name: "S1 layout on Debian, daemon did not answer", snap: host(false, silent(fixtures.S1())),
			want:    map[string]Severity{IDHealerNoAnswer: SeverityWarning, IDStaleProne: SeverityCritical},
			wantLog: "journalctl -u netfix", noStart: true, cover: "did not answer"},
		{name: "S1 on OpenWrt, daemon did not answer", snap: host(true, silent(fixtures.S1())),
			want:    map[string]Severity{IDHealerNoAnswer: SeverityWarning, IDStaleProne: SeverityCritical},
			wantLog: "logread -e netfix", noStart: true, cover: "did not answer"},
		// Not installed (no init script), yet something holds the socket:
		// still said, since a daemon is there.
		{name: "not expected, did not answer", snap: func() facts.Snapshot {
			s := host(false, silent(fixtures.Software()))
			s.HealerExpected = false
			return s
		}(), want: map[string]Severity{IDHealerNoAnswer: SeverityWarning}, wantLog: "journalctl -u netfix"},
		{name: "running daemon", snap: healing(fixtures.Software()), want: map[string]Severity{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := map[string]Severity{}
			byID := map[string]english{}
			for _, f := range en(Run(tt.snap)) {
				switch f.ID {
				case IDHealerNotRunning, IDHealerNoAnswer, IDStaleProne:
					got[f.ID] = f.Severity
					byID[f.ID] = f
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("findings %v, want %v", got, tt.want)
			}
			for id, sev := range tt.want {
				if got[id] != sev {
					t.Errorf("%s: severity %q, want %q", id, got[id], sev)
				}
			}
			if f, ok := byID[IDHealerNoAnswer]; ok {
				if f.Fix != tt.wantLog || !strings.Contains(f.Title, "runs but did not answer within 2 s") ||
					len(f.Evidence) != 1 || f.Evidence[0] != "control socket /var/run/netfix.sock: read daemon reply to healer: i/o timeout" ||
					len(f.Finding.Evidence) != 1 || f.Finding.Evidence[0].ID != "control socket %s: %s" {
					t.Errorf("heal.no_answer = %+v", f)
				}
			}
			if f, ok := byID[IDStaleProne]; ok {
				if tt.staleFix != "" && !strings.Contains(f.Fix, tt.staleFix) {
					t.Errorf("stale_prone fix %q lacks %q", f.Fix, tt.staleFix)
				}
				if tt.noStart && strings.Contains(f.Fix, fixStartHealer) {
					t.Errorf("stale_prone fix %q starts a daemon that runs", f.Fix)
				}
				if !containsLine(f.Evidence, tt.cover) {
					t.Errorf("stale_prone evidence lacks %q:\n%s", tt.cover, strings.Join(f.Evidence, "\n"))
				}
			}
		})
	}
}
