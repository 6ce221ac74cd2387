//go:build linux

// This file loads /etc/config/netfix, at start and on SIGHUP, and keeps
// the daemon safe when the file cannot be read.

package daemon

import (
	"github.com/netfix/netfix/src/internal/config"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/heal"
	"github.com/netfix/netfix/src/internal/status"
)

// loadedConfig is one load of the file as the events loop publishes it
// (Daemon.conf): the configuration in force and how it was loaded. Never
// changed after it is stored.
type loadedConfig struct {
	cfg  config.Config
	load configLoad
}

// configLoad remembers the last configuration that loaded and why the
// current one did not.
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

// loadConfig reads the file and installs what it says (setConfig).
func (e *eventsLoop) loadConfig() {
	cfg, problems, err := config.Load(e.opts.ConfigPath)
	load := e.conf.Load().load
	if err != nil {
		// Never the defaults: they heal, and the file may say heal '0'.
		var how string
		cfg, how = config.Fallback(load.last)
		load.state = facts.HealerConfig{Error: err.Error(), Fallback: how}
	} else {
		good := cfg
		load = configLoad{last: &good}
	}
	if e.opts.ForceDryRun {
		cfg.DryRun = true
	}
	e.setConfig(cfg, load)

	e.log.setLevel(cfg.LogLevel)
	switch {
	case err == nil:
	case load.state.Fallback == facts.FallbackLastGood:
		e.log.Errorf("%v; keeping the configuration last read (mode %s) until it is fixed", err, cfg.Mode())
	default:
		e.log.Errorf("%v; repairing nothing (report only) until it is fixed", err)
	}
	for _, p := range problems {
		e.log.Warnf("%s", p)
	}
}

// setConfig installs a configuration: the limiter starts afresh with its
// repair_burst and repair_window, and the others see it from now on.
func (e *eventsLoop) setConfig(cfg config.Config, load configLoad) {
	e.limiter = heal.NewLimiter(cfg.RepairBurst, cfg.RepairWindow)
	e.conf.Store(&loadedConfig{cfg: cfg, load: load})
}
