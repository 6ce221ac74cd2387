//go:build linux

// This file keeps the promise of an apply with rollback (fix.Runner.
// ApplyRollback): when a fix's confirmation deadline passes, the daemon
// undoes it. The deadline is in the fix ledger, so a daemon that was
// restarted in between undoes it at start.

package daemon

import (
	"context"
	"os"
	"time"

	"github.com/netfix/netfix/src/internal/fix"
)

// fixRecheck is how often the daemon looks at the ledger when no deadline
// is known: the apply tells the daemon (fix_watch), so this only covers a
// notice that got lost.
const fixRecheck = time.Minute

// fixRunner is the runner RollbackExpired needs: the actions and the
// ledger, no diagnosis.
func (d *Daemon) fixRunner() (*fix.Runner, error) {
	actions, err := fix.Actions(d.opts.Env)
	if err != nil {
		return nil, err
	}
	return &fix.Runner{Actions: actions, Ledger: &fix.Ledger{Path: d.opts.Env.Ledger()},
		IsRoot: func() bool { return os.Geteuid() == 0 }, Now: time.Now}, nil
}

// watchFixes undoes unconfirmed expired applies at start, at each
// deadline, when kicked (a fix_watch request after an apply with
// rollback), and every fixRecheck.
func (d *Daemon) watchFixes(ctx context.Context, kick <-chan struct{}) {
	r, err := d.fixRunner()
	if err != nil {
		d.log.Warnf("fix rollback watch not started: %v", err)
		return
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-kick:
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
		case <-timer.C:
		}
		done, next, err := r.RollbackExpired()
		for _, res := range done {
			d.log.Warnf("%s %d change(s) removed.", res.Message, len(res.Changes))
			for _, c := range res.Changes {
				d.log.Infof("  rolled back: %s", c.UndoCommand)
			}
		}
		if err != nil {
			d.log.Warnf("fix rollback: %v; undo it by hand with `netfix fix undo` (commands in `netfix fix list`)", err)
		}
		wait := fixRecheck
		if !next.IsZero() {
			if w := time.Until(next); w < wait {
				wait = w
			}
		}
		if wait < 0 {
			wait = 0
		}
		timer.Reset(wait)
	}
}
