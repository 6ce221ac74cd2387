//go:build linux

// This file serves the control socket: the live status document, the
// heal history and the flush method. Its handlers run on ipc.Serve's
// per-connection goroutines and answer from what the loops published
// (the prober's snapshot, the journal, the configuration, live counters):
// they never probe and never take a lock held across a probe or a delete
// pass; what needs a loop is asked for with a timeout.

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
	conf := d.conf.Load()
	return status.Heal{
		Running: true, Mode: conf.cfg.Mode(), Since: d.since.Format(time.RFC3339),
		NeighboursTracked: int(d.tracked.Load()), EventsTotal: total, FlowsDeleted: deleted, LastEvents: events,
		Repairs: repairs, ManualFlushes: manual,
		TableEvents: table, TableEventsTotal: tableTotal,
		Config:           conf.load.status(),
		ForwardingEvents: d.fw.Events(),
	}
}

// Status is the live document: the findings of the last sweep with the
// live healer state.
func (d *Daemon) Status() status.Document {
	h := d.Heal()
	v := d.pub.Load()
	if v.probed {
		// The prober decides whether this read wants a fresher snapshot
		// (an old one, a ruleset changed since), on its own goroutine:
		// from the next read on (prober.readWantsProbe).
		d.kick(wantRead)
	}
	s := v.snap // a copy: the published one stays as it was
	s.BridgeNF.Mirrors = d.mirrors.recent()
	if !v.probed {
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

// checkWait bounds the check method's wait for a fresh probe, under the
// rpcd plugin's 3 s (a probe of a huge conntrack table can take longer).
const checkWait = 2500 * time.Millisecond

// handle answers control-socket requests.
func (d *Daemon) handle(req ipc.Request) (any, error) {
	switch req.Method {
	case "status":
		return d.Status(), nil
	case "check":
		// A fresh probe, from the prober; after checkWait the answer is
		// what is published then.
		d.awaitProbe(checkWait)
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
		return d.Flush(ip, req.DryRun) // the events loop writes the metrics after it
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
