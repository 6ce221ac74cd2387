//go:build linux

// This file hands the daemon's state to the metrics package and writes
// the exposition file (option metrics_file): after each sweep, after each
// repair or flush, and once more when the daemon stops. The counters
// themselves are fed where events are recorded (journal.add, fwState.record).

package daemon

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/netfix/netfix/src/internal/assess"
	"github.com/netfix/netfix/src/internal/fix"
	"github.com/netfix/netfix/src/internal/metrics"
	"github.com/netfix/netfix/src/internal/status"
	"github.com/netfix/netfix/src/internal/version"
)

// metricsOut is the state of the metrics file: whether the last write
// failed, so a failing write is logged once per episode, not every sweep.
// The events loop is the only writer (ticks, repairs, flushes), then Run
// once after the loops ended: no lock, and never an older exposition over
// a newer one.
type metricsOut struct {
	failed  bool
	written uint64 // the journal's EventsTotal at the last write
}

// metricsPath is the file to write, or "" for none: the config's
// metrics_file, else the --metrics-file default; a default whose
// directory does not exist is not used (the .deb names node exporter's
// textfile directory, which exists only where node exporter is
// installed).
func (d *Daemon) metricsPath() (path string, fromDefault bool) {
	cfg := d.config()
	switch {
	case cfg.MetricsOff:
		return "", false
	case cfg.MetricsFile != "":
		return cfg.MetricsFile, false
	}
	return d.opts.MetricsFile, true
}

// Metrics returns the current exposition (the control socket's
// "metrics" method, `netfix metrics`).
func (d *Daemon) Metrics() string {
	return string(metrics.Render(d.metricsInput(true)))
}

func (d *Daemon) metricsInput(running bool) metrics.Input {
	h := d.Heal()
	h.Running = running
	v := d.pub.Load()
	s, probed, prone, since := v.snap, v.probed, len(v.prone), d.since
	var doc status.Document
	if probed {
		s.BridgeNF.Mirrors = d.mirrors.recent()
		s.HealerExpected = true
		doc = assess.Document(s, h)
	} else {
		doc = status.Starting(version.Version, time.Now().UTC(), h)
	}
	return metrics.Input{
		Doc: doc, Counters: d.counters, Fixes: d.appliedFixes(),
		Version: version.Version, GoVersion: runtime.Version(),
		StaleProneLinks: prone, Start: since, Now: time.Now(),
	}
}

// appliedFixes reads the fix ledger (a small file, only when metrics are
// written). An unreadable ledger exports no fix; `netfix fix list` says
// what is wrong with it.
func (d *Daemon) appliedFixes() []metrics.Fix {
	path := d.opts.Env.Ledger()
	recs, _, err := (&fix.Ledger{Path: path}).Records()
	if err != nil {
		d.log.Debugf("metrics: %v", err)
		return nil
	}
	var out []metrics.Fix
	for _, r := range recs {
		for _, f := range r.Findings {
			out = append(out, metrics.Fix{Action: r.Action, Finding: f})
		}
	}
	return out
}

// writeMetrics writes the exposition file, if one is configured. running
// is false for the last write at stop, so netfix_healer_running says 0
// while the file outlives the daemon.
func (d *Daemon) writeMetrics(running bool) {
	path, fromDefault := d.metricsPath()
	if path == "" {
		return
	}
	if fromDefault {
		if _, err := os.Stat(filepath.Dir(path)); errors.Is(err, fs.ErrNotExist) {
			return
		}
	}
	total, _ := d.journal.totals()
	data := metrics.Render(d.metricsInput(running))
	d.metricsOut.written = total
	if err := metrics.WriteFile(path, data); err != nil {
		if !d.metricsOut.failed {
			d.log.Warnf("%v; retrying after each sweep (on a Debian host whose node exporter was installed after netfix: systemctl restart netfix)", err)
		}
		d.metricsOut.failed = true
		return
	}
	if d.metricsOut.failed {
		d.log.Infof("metrics file %s written again", path)
	}
	d.metricsOut.failed = false
}

// writeMetricsIfRepaired writes the file when the journal has an event the
// last write did not show: after a repair, not after every neighbour
// message.
func (d *Daemon) writeMetricsIfRepaired() {
	total, _ := d.journal.totals()
	if total != d.metricsOut.written {
		d.writeMetrics(true)
	}
}
