//go:build linux

package probe

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/netfix/netfix/src/internal/env"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/probe/ct"
	"github.com/netfix/netfix/src/internal/probe/hostconf"
	"github.com/netfix/netfix/src/internal/probe/links"
	"github.com/netfix/netfix/src/internal/probe/nlsock"
	"github.com/netfix/netfix/src/internal/rootfs"
)

// Options say where to read from.
type Options struct {
	// Env says where files are: every file read (UCI, init scripts) is
	// below its root, resolved inside it. Tests point its root at a
	// fixture tree. Kernel facts always come from the network namespace
	// the process runs in.
	Env env.Env
	// Lenient records a broken firewall config as a fact and goes on; the
	// daemon uses it so a typo in /etc/config/firewall does not stop the
	// healer.
	Lenient bool
	// KnownSupport, when set, is the flowtable support found by an earlier
	// Gather (or kept by an earlier check: Memo.Support): the daemon asks
	// the kernel once instead of adding and deleting a probe table every
	// sweep.
	KnownSupport string
	// ForwardingSample is how long to wait for a second sample of the
	// forwarding drop counters when an interface looks broken; 0 takes
	// one sample (the daemon compares its sweeps instead).
	ForwardingSample time.Duration
	// CTDump says when to dump the conntrack table for the S2 breakdown
	// (CTDumpAuto, CTDumpNever, CTDumpAlways).
	CTDump string
	// CTPrev is the previous statistics sample, for their growth (a
	// one-shot check passes the one the previous check kept on tmpfs:
	// Memo.CTStats, CTStatsCache); nil shows no growth.
	CTPrev *CTSample
	// SampleInterval, when > 0, samples conntrack's counters twice that
	// far apart where the bridge layout can track a connection twice (S4).
	SampleInterval time.Duration
	// OffloadCounts, when set, holds the offload counts of an earlier
	// walk (Dumped, Offloaded, HWOffloaded) and when it was
	// (OffloadCountedAt): Gather reports them instead of walking the table
	// again, unless it dumps the table for the S2 breakdown anyway. The
	// daemon passes them between its refreshes.
	OffloadCounts *facts.Conntrack
	// Session, when set, is what a long-running caller (the daemon's
	// prober) keeps between probes; nil makes this probe's own, dropped
	// at its end.
	Session *Session
}

// Session is what is kept between probes of one long-running caller: the
// ruleset's facts while its generation stands, the parsed firewall and
// network sections while their files stand, and the netlink sockets.
// One goroutine uses a Session at a time (the daemon's prober).
type Session struct {
	NFT     NFTCache
	UCI     UCICache
	Sockets Sockets
}

// Close closes the session's sockets.
func (s *Session) Close() { s.Sockets.Close() }

// Memo is what one probe found that a later one-shot check can start
// from: Gather writes nothing, and the caller that keeps state between
// checks (cli: `netfix check` and the rpcd fallback) stores it and hands
// it back through Options.KnownSupport and Options.CTPrev.
type Memo struct {
	// Support is the flowtable support this probe found, when it was not
	// known before (Options.KnownSupport empty) and is not unknown now;
	// "" otherwise.
	Support string
	// CTStats is the conntrack statistics sample this probe read (nil
	// when it read none), for the next check's growth.
	CTStats *CTSample
}

// Gather reads every fact once. It fails only when the check cannot run
// at all (see the sentinels in errors.go); facts the kernel lacks are
// recorded as values.
func Gather(opts Options) (facts.Snapshot, error) {
	s, _, err := GatherMemo(opts)
	return s, err
}

// GatherMemo is Gather that also returns what a later one-shot check can
// start from, found before the failure when it fails.
func GatherMemo(opts Options) (facts.Snapshot, Memo, error) {
	root := opts.Env.Root()
	s := facts.Snapshot{TakenAt: time.Now().UTC()}
	s.Host, _ = os.Hostname()
	var memo Memo
	sess := opts.Session
	if sess == nil {
		// This probe's own: sockets opened and closed here, each file
		// read once.
		sess = &Session{}
		sess.UCI.OneProbe()
		defer sess.Close()
	}
	k := sess.Sockets.Take()
	defer k.Done()

	fw, err := hostconf.ReadFirewallCached(root, &sess.UCI)
	if err != nil && !opts.Lenient {
		return s, memo, err
	}
	if !fw.Present && !opts.Lenient && (!opts.Env.IsHost() || opts.Env.OpenWrt()) {
		return s, memo, fmt.Errorf("%w: %s does not exist; OpenWrt always has it: restore it with `cp /rom/etc/config/firewall /etc/config/firewall` or reinstall firewall4", ErrConfig, fw.Path)
	}
	s.Firewall = fw

	// The support probe writes to nftables (a table added and deleted in
	// one batch, about 10 ms of commit). LuCI polls every 5 s and, with the
	// daemon down, each poll is a one-shot check: the caller remembers the
	// answer (Memo.Support) and passes it back (KnownSupport) so a status
	// read never churns the ruleset.
	known := opts.KnownSupport
	nr, err := sess.NFT.Read(known, k)
	if err != nil {
		return s, memo, err
	}
	off, err := nr.Offload, nr.OffloadErr
	if err == nil && known == "" && off.KernelSupport != facts.SupportUnknown {
		memo.Support = off.KernelSupport
	}
	if err != nil {
		if errors.Is(err, ErrNotPermitted) {
			return s, memo, err
		}
		// No nf_tables at all (an iptables-legacy host): a fact, not a
		// reason to stop.
		off.Error = err.Error()
	}
	rt, err := k.Route()
	if err != nil {
		return s, memo, fmt.Errorf("open rtnetlink: %w", err)
	}
	// One listing of the links for every part that needs them (the
	// flowtables' devices, bridges, forwarding), not one each.
	ls, linksErr := rt.LinkList()
	if linksErr != nil {
		k.Fail()
	}
	if len(off.Flowtables) > 0 {
		links.DescribeDevices(rt, ls, off.Flowtables, fw.Mode() == facts.ModeHardware)
	}
	s.Offload = off

	ctc, err := k.Conntrack()
	if err != nil {
		return s, memo, nlsock.Classify("open conntrack netlink socket", err, ErrConntrackMissing)
	}
	s.Conntrack, err = ct.ReadSize(ctc)
	if err != nil {
		k.Fail()
		return s, memo, err
	}
	// The offload counts come from the S2 dump when there is one (one
	// walk of the table, not two), else from earlier counts the caller
	// passed, else from a walk of their own.
	counted, sample := gatherCTTable(k, nr, opts, root, &s)
	memo.CTStats = sample
	if !counted {
		if c := opts.OffloadCounts; c != nil && c.OffloadCountedAt != nil {
			t := &s.Conntrack
			t.Dumped, t.Offloaded, t.HWOffloaded = c.Dumped, c.Offloaded, c.HWOffloaded
			t.OffloadCountedAt, t.Available = c.OffloadCountedAt, true
		} else if err := ct.CountOffloaded(&s.Conntrack); err != nil {
			return s, memo, err
		}
	}
	s.BridgeNF = readBridgeNF(nr, rt, ls, linksErr, ctc, opts.SampleInterval)
	if s.BridgeNF.Error != "" {
		k.Fail() // possibly a ruleset error, but reopening costs little
	}
	s.Forwarding = readForwarding(root, opts.ForwardingSample, &sess.UCI, ls, linksErr)
	s.HealerExpected = rootfs.Exists(root, "etc/init.d/netfix")
	return s, memo, nil
}

// SupportCache is the file in the state directory (env.Env.StatePath)
// where a one-shot check keeps Memo.Support for the next; /var/run is a
// tmpfs, so a reboot (maybe into a kernel with other modules) asks again.
// The answer is about this kernel, not about files, so a check with
// --root (whose kernel facts are this kernel's too) reads it as well; only
// a check without one writes it: nothing is written below or because of
// a root.
const SupportCache = "flowtable-support"
