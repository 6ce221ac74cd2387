//go:build linux

package fix

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/netfix/netfix/src/internal/ctreclaim"
	"github.com/netfix/netfix/src/internal/ctusage"
	"github.com/netfix/netfix/src/internal/probe/ct"
	"github.com/netfix/netfix/src/internal/probe/nft"
)

// ConntrackIdleID is the fix of conntrack.near_full and conntrack.dropping:
// free the table of ESTABLISHED TCP entries silent for longer than
// args["idle_s"] seconds. Lowering nf_conntrack_tcp_timeout_established
// alone frees nothing (each entry's expiry was fixed by its last packet),
// and conntrack-tools' `conntrack -U --timeout` stops with ENOBUFS after a
// few hundred entries; this does the same over ctnetlink, one entry at a
// time, for the idle ones only.
//
// With args["cap_unknown"] = "1" it also shortens the remaining time of
// established entries whose idle time is unknown (they got their timer
// under a longer timeout than the one in effect) to the timeout in effect:
// what their next packet would give them anyway. It deletes none of those.
const ConntrackIdleID = ctusage.FreeIdleAction

// conntrackIdle is the action. Deleting an entry cannot be undone, and
// need not be: it belonged to a connection silent for longer than the
// threshold, and the next packet of a live one re-creates it
// (nf_conntrack_tcp_loose).
type conntrackIdle struct{}

func (conntrackIdle) ID() string { return ConntrackIdleID }

func (a conntrackIdle) options(args map[string]string, dryRun bool) (ctreclaim.Options, error) {
	to := ct.ReadCTTimeouts()
	if !to.Read {
		return ctreclaim.Options{}, fmt.Errorf("read nf_conntrack_tcp_timeout_established: conntrack is not loaded in this namespace")
	}
	pol, err := nft.ReadCTTimeoutPolicies(nil)
	if err != nil {
		return ctreclaim.Options{}, fmt.Errorf("look for ct timeout policies before freeing conntrack entries: %w", err)
	}
	if len(pol) > 0 {
		return ctreclaim.Options{}, fmt.Errorf("ct timeout policies exist (%v): entries under them keep their own timeouts, so netfix cannot tell which are idle and frees nothing", pol)
	}
	o := ctreclaim.Options{Established: to.Established, CapUnknown: args["cap_unknown"] == "1", DryRun: dryRun}
	if s := args["idle_s"]; s != "" {
		v, err := strconv.ParseUint(s, 10, 32)
		if err != nil || v < 60 {
			return o, fmt.Errorf("idle_s %q: want a number of seconds, at least 60", s)
		}
		o.MinIdle = uint32(v)
	} else {
		// No idle threshold: delete nothing, only cap the unknown ones.
		o.MinIdle = to.Established + 1
	}
	return o, nil
}

func (a conntrackIdle) run(args map[string]string, dryRun bool) ([]Change, error) {
	o, err := a.options(args, dryRun)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := ctreclaim.Free(ctx, o)
	var out []Change
	for _, h := range res.Hosts {
		out = append(out, Change{
			Object:      fmt.Sprintf("conntrack: %d ESTABLISHED entries of %s idle longer than %d s", h.Count, h.Host, o.MinIdle),
			Command:     fmt.Sprintf("delete the %d ESTABLISHED entries of %s idle longer than %d s", h.Count, h.Host, o.MinIdle),
			UndoCommand: "nothing to restore: the next packet of a live connection re-creates its entry",
			Data:        map[string]string{"host": h.Host, "count": strconv.Itoa(h.Count)},
		})
	}
	if res.Capped > 0 {
		out = append(out, Change{
			Object:      fmt.Sprintf("conntrack: %d ESTABLISHED entries with more time left than %d s", res.Capped, o.Established),
			Command:     fmt.Sprintf("shorten their remaining time to %d s", o.Established),
			UndoCommand: "nothing to restore: any packet resets the timer",
			Data:        map[string]string{"count": strconv.Itoa(res.Capped)},
		})
	}
	return out, err
}

// Plan counts what apply would delete now; none once it is done.
func (a conntrackIdle) Plan(args map[string]string) ([]Change, error) {
	return a.run(args, true)
}

// Apply deletes the idle entries, counting per host what it deleted (the
// plan's counts may have moved since).
func (a conntrackIdle) Apply(args map[string]string, _ []Change) ([]Change, error) {
	return a.run(args, false)
}

// Undo has nothing to put back (see conntrackIdle).
func (conntrackIdle) Undo([]Change) ([]Change, error) { return nil, nil }
