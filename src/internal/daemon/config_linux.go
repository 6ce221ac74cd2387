//go:build linux

// This file loads /etc/config/netfix, at start and on SIGHUP, and keeps
// the daemon safe when the file cannot be read.

package daemon

import (
	"github.com/netfix/netfix/src/internal/config"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/status"
)

// configLoad remembers the last configuration that loaded and why the
// current one did not; guarded by Daemon.mu.
type configLoad struct {
	last  *config.Config
	state facts.HealerConfig
}

// status is the status document's heal.config: nil when the file was read.
func (c configLoad) status() *status.HealerConfig {
	if c.state.Error == "" {
		return nil
	}
	return &status.HealerConfig{Error: c.state.Error, Fallback: c.state.Fallback}
}

func (d *Daemon) loadConfig() {
	cfg, problems, err := config.Load(d.opts.ConfigPath)
	d.mu.Lock()
	if err != nil {
		// Never the defaults: they heal, and the file may say heal '0'.
		var how string
		cfg, how = config.Fallback(d.cfgLoad.last)
		d.cfgLoad.state = facts.HealerConfig{Error: err.Error(), Fallback: how}
	} else {
		good := cfg
		d.cfgLoad = configLoad{last: &good}
	}
	d.mu.Unlock()
	if d.opts.ForceDryRun {
		cfg.DryRun = true
	}
	d.setConfig(cfg)

	d.log.setLevel(cfg.LogLevel)
	switch {
	case err == nil:
	case d.cfgLoad.state.Fallback == facts.FallbackLastGood:
		d.log.Errorf("%v; keeping the configuration last read (mode %s) until it is fixed", err, cfg.Mode())
	default:
		d.log.Errorf("%v; repairing nothing (report only) until it is fixed", err)
	}
	for _, p := range problems {
		d.log.Warnf("%s", p)
	}
}
