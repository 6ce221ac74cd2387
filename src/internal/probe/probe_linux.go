//go:build linux

package probe

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/netfix/netfix/src/internal/env"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/rootfs"
)

// Options say where to read from.
type Options struct {
	// Env says where files are: every file read (UCI, init scripts) is
	// below its root, resolved inside it; the caches of one-shot checks
	// are in its state directory. Tests point its root at a fixture tree.
	// Kernel facts always come from the network namespace the process
	// runs in.
	Env env.Env
	// Lenient records a broken firewall config as a fact and goes on; the
	// daemon uses it so a typo in /etc/config/firewall does not stop the
	// healer.
	Lenient bool
	// KnownSupport, when set, is the flowtable support found by an earlier
	// Gather: the daemon asks the kernel once instead of adding and
	// deleting a probe table every sweep.
	KnownSupport string
	// ForwardingSample is how long to wait for a second sample of the
	// forwarding drop counters when an interface looks broken; 0 takes
	// one sample (the daemon compares its sweeps instead).
	ForwardingSample time.Duration
	// CTDump says when to dump the conntrack table for the S2 breakdown
	// (CTDumpAuto, CTDumpNever, CTDumpAlways).
	CTDump string
	// CTPrev is the previous statistics sample, for their growth; nil uses
	// the one the previous check kept on tmpfs (CTStatsCache).
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

// Gather reads every fact once. It fails only when the check cannot run
// at all (see the sentinels in errors.go); facts the kernel lacks are
// recorded as values.
func Gather(opts Options) (facts.Snapshot, error) {
	root := opts.Env.Root()
	s := facts.Snapshot{TakenAt: time.Now().UTC()}
	s.Host, _ = os.Hostname()
	sess := opts.Session
	if sess == nil {
		// This probe's own: sockets opened and closed here, each file
		// read once.
		sess = &Session{UCI: UCICache{once: true}}
		defer sess.Close()
	}
	k := sess.Sockets.take()
	defer k.done()

	fw, err := readFirewall(root, &sess.UCI)
	if err != nil && !opts.Lenient {
		return s, err
	}
	if !fw.Present && !opts.Lenient && (!opts.Env.IsHost() || opts.Env.OpenWrt()) {
		return s, fmt.Errorf("%w: %s does not exist; OpenWrt always has it: restore it with `cp /rom/etc/config/firewall /etc/config/firewall` or reinstall firewall4", ErrConfig, fw.Path)
	}
	s.Firewall = fw

	// The support probe writes to nftables (a table added and deleted in
	// one batch, about 10 ms of commit). LuCI polls every 5 s and, with the
	// daemon down, each poll is a one-shot check: remember the answer on
	// tmpfs so a status read never churns the ruleset. The answer is about
	// this kernel, not about files, so a check with --root (whose kernel
	// facts are this kernel's too) reads it as well; only a check without
	// one writes it: nothing is written below or because of a root.
	known := opts.KnownSupport
	if known == "" {
		known = readSupportCache(opts.Env.StatePath(SupportCache))
	}
	nr, err := sess.NFT.read(known, k)
	if err != nil {
		return s, err
	}
	off, err := nr.off, nr.offErr
	if err == nil && known == "" && opts.Env.IsHost() && off.KernelSupport != facts.SupportUnknown {
		writeSupportCache(opts.Env.StatePath(SupportCache), off.KernelSupport)
	}
	if err != nil {
		if errors.Is(err, ErrNotPermitted) {
			return s, err
		}
		// No nf_tables at all (an iptables-legacy host): a fact, not a
		// reason to stop.
		off.Error = err.Error()
	}
	rt, err := k.route()
	if err != nil {
		return s, fmt.Errorf("open rtnetlink: %w", err)
	}
	// One listing of the links for every part that needs them (the
	// flowtables' devices, bridges, forwarding), not one each.
	links, linksErr := rt.LinkList()
	if linksErr != nil {
		k.fail()
	}
	if len(off.Flowtables) > 0 {
		describeDevices(rt, links, off.Flowtables, fw.Mode() == facts.ModeHardware)
	}
	s.Offload = off

	ctc, err := k.conntrack()
	if err != nil {
		return s, classify("open conntrack netlink socket", err, ErrConntrackMissing)
	}
	s.Conntrack, err = readConntrackSize(ctc)
	if err != nil {
		k.fail()
		return s, err
	}
	// The offload counts come from the S2 dump when there is one (one
	// walk of the table, not two), else from earlier counts the caller
	// passed, else from a walk of their own.
	if !gatherCTTable(k, nr, opts, root, &s) {
		if c := opts.OffloadCounts; c != nil && c.OffloadCountedAt != nil {
			ct := &s.Conntrack
			ct.Dumped, ct.Offloaded, ct.HWOffloaded = c.Dumped, c.Offloaded, c.HWOffloaded
			ct.OffloadCountedAt, ct.Available = c.OffloadCountedAt, true
		} else if err := CountOffloaded(&s.Conntrack); err != nil {
			return s, err
		}
	}
	s.BridgeNF = readBridgeNF(nr, rt, links, linksErr, ctc, opts.SampleInterval)
	if s.BridgeNF.Error != "" {
		k.fail() // possibly a ruleset error, but reopening costs little
	}
	s.Forwarding = readForwarding(root, opts.ForwardingSample, &sess.UCI, links, linksErr)
	s.HealerExpected = rootfs.Exists(root, "etc/init.d/netfix")
	return s, nil
}

// SupportCache is the file in the state directory (env.Env.StatePath)
// where the answer of the flowtable support probe is kept; /var/run is a
// tmpfs, so a reboot (maybe into a kernel with other modules) asks again.
const SupportCache = "flowtable-support"

func readSupportCache(path string) string {
	b, err := rootfs.ReadFile("", path, 64)
	if err != nil {
		return ""
	}
	switch v := strings.TrimSpace(string(b)); v {
	case facts.SupportYes, facts.SupportNo:
		return v
	}
	return ""
}

// writeSupportCache is best effort: without it the next check probes again.
// It writes like the daemon's state (rootfs.WriteState): never through a
// planted link, never into a directory others can write.
func writeSupportCache(path, v string) {
	_ = rootfs.WriteState(path, []byte(v+"\n"))
}

// IsOpenWrt reports whether root holds an OpenWrt (or ImmortalWrt) system.
func IsOpenWrt(root string) bool {
	return rootfs.Exists(root, "etc/openwrt_release")
}
