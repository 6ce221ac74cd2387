package diagnose

import (
	"strings"
	"testing"

	"github.com/netfix/netfix/src/internal/facts"
)

func TestHealerConfigUnreadable(t *testing.T) {
	t.Parallel()
	const bad = "/etc/config/netfix line 3: unterminated quoted string"
	tests := []struct {
		name      string
		s         facts.Snapshot
		wantTitle string // "" for no finding
		wantFix   string // how the reload is said; "" for any
	}{
		{name: "read fine", s: facts.Snapshot{HealerRunning: true, HealerMode: "heal"}},
		{name: "no daemon", s: facts.Snapshot{HealerConfig: facts.HealerConfig{Error: bad, Fallback: facts.FallbackReportOnly}}},
		{name: "report only", s: facts.Snapshot{HealerRunning: true, HealerMode: "off", HealerConfig: facts.HealerConfig{Error: bad, Fallback: facts.FallbackReportOnly}},
			wantTitle: "repairs nothing until it is fixed"},
		{name: "last good", s: facts.Snapshot{HealerRunning: true, HealerMode: "heal", HealerConfig: facts.HealerConfig{Error: bad, Fallback: facts.FallbackLastGood}},
			wantTitle: "keeps the settings it last read", wantFix: "systemctl reload netfix"},
		{name: "OpenWrt", s: facts.Snapshot{HealerRunning: true, HealerMode: "heal", HealerConfig: facts.HealerConfig{Error: bad, Fallback: facts.FallbackLastGood},
			Forwarding: facts.Forwarding{OpenWrt: true}},
			wantTitle: "keeps the settings it last read", wantFix: "/etc/init.d/netfix reload"},
	}
	for _, tt := range tests {
		got := en(healerConfigUnreadable(tt.s))
		if tt.wantTitle == "" {
			if len(got) != 0 {
				t.Errorf("%s: findings %v, want none", tt.name, got)
			}
			continue
		}
		if len(got) != 1 || got[0].Severity != SeverityWarning || !strings.Contains(got[0].Title, tt.wantTitle) ||
			len(got[0].Evidence) != 1 || !strings.Contains(got[0].Evidence[0], bad) {
			t.Errorf("%s: findings %+v", tt.name, got)
			continue
		}
		if tt.wantFix != "" && !strings.HasSuffix(got[0].Fix, tt.wantFix) {
			t.Errorf("%s: fix %q, want it to end with %q (the service manager of this host)", tt.name, got[0].Fix, tt.wantFix)
		}
	}
}
