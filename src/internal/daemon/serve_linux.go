//go:build linux

// This file serves the control socket: the live status document, the
// heal history and the flush method.

package daemon

import (
	"fmt"
	"time"

	"github.com/netfix/netfix/src/internal/assess"
	"github.com/netfix/netfix/src/internal/hostaddr"
	"github.com/netfix/netfix/src/internal/ipc"
	"github.com/netfix/netfix/src/internal/status"
	"github.com/netfix/netfix/src/internal/version"
)

// Heal returns the live healer state for the status document.
func (d *Daemon) Heal() status.Heal {
	events, total := d.journal.last(status.MaxEvents)
	_, deleted := d.journal.totals()
	repairs, manual := d.journal.split()
	table, tableTotal := d.journal.tableEvents()
	d.mu.Lock()
	defer d.mu.Unlock()
	return status.Heal{
		Running: true, Mode: d.cfg.Mode(), Since: d.since.Format(time.RFC3339),
		NeighboursTracked: d.tracker.Len(), EventsTotal: total, FlowsDeleted: deleted, LastEvents: events,
		Repairs: repairs, ManualFlushes: manual,
		TableEvents: table, TableEventsTotal: tableTotal,
		Config:           d.cfgLoad.status(),
		ForwardingEvents: d.fw.Events(),
	}
}

// Status is the live document: the findings of the last sweep with the
// live healer state.
func (d *Daemon) Status() status.Document {
	h := d.Heal()
	d.mu.Lock()
	s, probed := d.snap, d.probed
	stale := probed && time.Since(s.TakenAt) >= d.cfg.SweepInterval
	d.mu.Unlock()
	switch {
	case stale:
		// The sweeps probe fully only every fullProbeEvery while nothing
		// they watch changes: someone reading the status gets facts at
		// most a sweep interval old from the next read on.
		d.refreshInBackground()
	case probed:
		// And a ruleset changed since: from the next read on too.
		inBackground(&d.checkingRuleset, d.refreshIfRulesetMoved)
	}
	s.BridgeNF.Mirrors = d.mirrors.recent()
	if !probed {
		// The socket opens before the first probe (a second daemon must
		// find it taken); until the probe is done it claims nothing.
		return status.Starting(version.Version, time.Now().UTC(), h)
	}
	// The counters of the last seconds, not of the last sweep: a sweep
	// may be up to an hour old (sampleWindow).
	now := time.Now()
	if s.Forwarding.Error == "" {
		if c, ok := d.liveCounters(now); ok {
			s.Forwarding.Counters = c
		}
	}
	d.liveConntrack(&s.Conntrack, now)
	s.HealerExpected = true
	return assess.Document(s, h)
}

// handle answers control-socket requests.
func (d *Daemon) handle(req ipc.Request) (any, error) {
	switch req.Method {
	case "status":
		return d.Status(), nil
	case "check":
		d.refreshSnapshot()
		return d.Status(), nil
	case "healer":
		return d.healerState(), nil
	case "history":
		if req.Limit == 0 {
			req.Limit = ipc.DefaultHistory // ipc.Request refuses an explicit 0
		}
		events, total := d.journal.last(req.Limit)
		return map[string]any{"events": events, "total": total}, nil
	case "flush":
		ip, err := hostaddr.Parse(req.IP)
		if err != nil {
			return nil, fmt.Errorf("flush: %w", err)
		}
		ev, err := d.Flush(ip, req.DryRun)
		if err == nil {
			d.writeMetrics(true)
		}
		return ev, err
	case "metrics":
		return d.Metrics(), nil
	case "fix_watch":
		// An apply with rollback asks first (is a daemon there to undo
		// it?) and after (a new deadline is in the ledger).
		select {
		case d.fixKick <- struct{}{}:
		default:
		}
		return map[string]any{"watching": true}, nil
	default:
		return nil, fmt.Errorf("unknown method %q", req.Method)
	}
}
