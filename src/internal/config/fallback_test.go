package config

import (
	"testing"

	"github.com/netfix/netfix/src/internal/facts"
)

func TestFallback(t *testing.T) {
	t.Parallel()
	cfg, how := Fallback(nil)
	if cfg.Heal || cfg.Mode() != "off" || how != facts.FallbackReportOnly {
		t.Errorf("no config loaded yet: %+v %s; want report-only", cfg, how)
	}
	last := Default()
	last.Heal, last.DryRun, last.RepairBurst = true, true, 3
	cfg, how = Fallback(&last)
	if cfg.Mode() != "dry_run" || cfg.RepairBurst != 3 || how != facts.FallbackLastGood {
		t.Errorf("after a good load: %+v %s; want the last good config", cfg, how)
	}
	off := Default()
	off.Heal = false
	if cfg, _ := Fallback(&off); cfg.Heal {
		t.Error("a last good config with heal '0' must stay off")
	}
}
