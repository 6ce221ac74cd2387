//go:build linux

package ctreclaim

import (
	"context"
	"errors"
	"fmt"
	"syscall"

	"github.com/mdlayher/netlink"
	"github.com/ti-mo/conntrack"

	"github.com/netfix/netfix/src/internal/ctusage"
	"github.com/netfix/netfix/src/internal/probe/ct"
)

// Options of one pass.
type Options struct {
	// Established is nf_conntrack_tcp_timeout_established in effect.
	Established uint32
	// MinIdle: never an entry that moved within this many seconds.
	MinIdle uint32
	// Need is how many entries to free, oldest first; 0 frees every
	// entry idle for at least MinIdle.
	Need int
	// CapUnknown shortens the remaining time of established entries whose
	// idle time is unknown to Established: what their next packet would
	// give them anyway. None is deleted.
	CapUnknown bool
	DryRun     bool
}

// Free runs one pass in the current network namespace.
func Free(ctx context.Context, o Options) (Result, error) {
	res := Result{DryRun: o.DryRun, Threshold: o.MinIdle}
	if o.Established == 0 {
		return res, errors.New("the established timeout in effect is unknown (nf_conntrack_tcp_timeout_established unreadable): netfix cannot tell idle entries and frees nothing")
	}
	if o.Need > 0 {
		plan := ctusage.NewPlan(o.Established, o.MinIdle)
		if _, err := ct.StreamConntrackRaw(ctx, 0, func(payload []byte) error {
			e, err := ctusage.DecodeEntry(payload)
			if err != nil {
				return err
			}
			plan.Add(e)
			return nil
		}); err != nil {
			return res, fmt.Errorf("read conntrack table to plan: %w", err)
		}
		res.Threshold, _ = plan.Threshold(o.Need)
	}
	var c *conntrack.Conn
	if !o.DryRun {
		var err error
		c, err = conntrack.Dial(&netlink.Config{})
		if err != nil {
			return res, fmt.Errorf("open conntrack netlink socket to delete entries: %w", err)
		}
		defer c.Close()
	}
	var hosts hostCounter
	var firstErr error
	p := ctusage.NewPlan(o.Established, res.Threshold)
	_, err := ct.StreamConntrack(ctx, ct.CTFilter{}, func(f *conntrack.Flow) error {
		e := ct.EntryOf(f)
		if !e.Established() {
			return nil
		}
		if _, ok := ctusage.Idle(e, o.Established); !ok {
			res.Unknown++
			if o.CapUnknown {
				if err := capTimeout(c, f, o.Established); err != nil {
					firstErr = keep(firstErr, err)
				} else {
					res.Capped++
				}
			}
			return nil
		}
		if _, ok := p.Candidate(e); !ok {
			return nil
		}
		if o.Need > 0 && res.Deleted >= o.Need {
			return nil
		}
		if !o.DryRun {
			err := c.Delete(deleteKey(f))
			if errors.Is(err, syscall.ENOENT) {
				return nil // gone on its own meanwhile
			}
			if err != nil {
				firstErr = keep(firstErr, fmt.Errorf("delete conntrack entry %s -> %s: %w", e.OrigSrc, e.OrigDst, err))
				return nil
			}
		}
		res.Deleted++
		hosts.add(e.Host())
		return nil
	})
	res.Hosts = hosts.rows()
	if err != nil {
		return res, fmt.Errorf("read conntrack table: %w", err)
	}
	return res, firstErr
}

// deleteKey names exactly this entry: both tuples, zone and ID (an entry
// replaced since the dump has another ID and is left alone).
func deleteKey(f *conntrack.Flow) conntrack.Flow {
	return conntrack.Flow{ID: f.ID, Zone: f.Zone, TupleOrig: f.TupleOrig, TupleReply: f.TupleReply}
}

func capTimeout(c *conntrack.Conn, f *conntrack.Flow, established uint32) error {
	if c == nil {
		return nil // dry run
	}
	err := c.Update(conntrack.Flow{TupleOrig: f.TupleOrig, TupleReply: f.TupleReply, Zone: f.Zone, Timeout: established})
	if errors.Is(err, syscall.ENOENT) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("shorten the timeout of conntrack entry %s -> %s: %w", f.TupleOrig.IP.SourceAddress, f.TupleOrig.IP.DestinationAddress, err)
	}
	return nil
}

func keep(first, err error) error {
	if first != nil {
		return first
	}
	return err
}
