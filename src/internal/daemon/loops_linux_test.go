package daemon

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/flows"
	"github.com/netfix/netfix/src/internal/heal"
	"github.com/netfix/netfix/src/internal/probe"
	"github.com/netfix/netfix/src/internal/status"
)

// lockedBuffer is a log both loops write while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A neighbour change on a stale-prone link is repaired while the prober is
// still inside a full probe: the reload (SIGHUP) asks for that probe, as
// it did when it ran on the loop that repairs, where the change waited
// until the probe returned. The probe here is held until the repair is
// seen, so the test asserts the order, not a time.
func TestRepairDoesNotWaitForAProbe(t *testing.T) {
	t.Parallel()
	log := &lockedBuffer{}
	cfgPath := filepath.Join(t.TempDir(), "netfix")
	if err := os.WriteFile(cfgPath, []byte("config netfix 'main'\n\toption log_level 'debug'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := newDaemon(Options{ConfigPath: cfgPath, Log: Stream{W: log}})
	d.ev.loadConfig()
	table := &flows.Fake{}
	d.ev.table = table
	d.ev.names = map[int]string{brLan: "br-lan", lan1: "lan1", lan2: "lan2"}

	// The first probe returns at once (br-lan stale-prone); the next one
	// is held until released.
	entered, release := make(chan struct{}), make(chan struct{})
	var probes int
	d.pr.gather = func(probe.Options) (facts.Snapshot, error) {
		probes++ // one goroutine at a time (the prober's)
		if probes == 2 {
			close(entered)
			<-release
		}
		s := snapshot(false)
		s.TakenAt = time.Now()
		return s, nil
	}

	ctx, cancel := context.WithCancel(context.Background())
	d.stop = ctx.Done()
	var wg sync.WaitGroup
	first := d.pub.Load()
	wg.Add(1)
	go func() { defer wg.Done(); _ = d.pr.run(ctx) }()
	select {
	case <-first.replaced:
	case <-time.After(10 * time.Second):
		t.Fatal("no first probe published within 10 s")
	}

	updates := make(chan stamped, 16)
	sub := &subscription{updates: updates, done: make(chan struct{})}
	hup := make(chan os.Signal, 1)
	loopErr := make(chan error, 1)
	wg.Add(1)
	go func() { defer wg.Done(); loopErr <- d.ev.loop(ctx, &sub, hup, d.pub.Load()) }()
	released := false
	defer func() {
		if !released {
			close(release)
		}
		cancel()
		wg.Wait()
	}()

	hup <- os.Interrupt // any signal: the loop reads the channel
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatalf("the reload asked for no probe within 10 s:\n%s", log.String())
	}

	// The prober is inside its probe now. Learn target behind lan1, then
	// its MAC changes: a repair of its offloaded entries.
	offloaded := table.Add(target, remote, true)
	at := time.Now()
	for _, n := range []netlink.Neigh{neigh(target, macA), fdb(macA, lan1), neigh(target, macB)} {
		updates <- stamped{u: netlink.NeighUpdate{Type: unix.RTM_NEWNEIGH, Neigh: n}, at: at}
	}
	var ev status.Event
	deadline := time.Now().Add(10 * time.Second)
	for {
		if events, _ := d.journal.last(0); len(events) > 0 {
			ev = events[0]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no repair within 10 s while the prober was busy: the change waited for the probe\n%s", log.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Still inside the probe: release was never closed.
	select {
	case <-d.pub.Load().replaced:
		t.Fatal("a snapshot was published while the probe was held")
	default:
	}
	if ev.Reason != heal.ReasonMACChange || ev.FlowsDeleted != 1 || len(table.Deleted()) != 1 || table.Deleted()[0] != offloaded {
		t.Fatalf("repair event %+v, deleted %v; want the mac_change of %s with its one offloaded entry\n%s", ev, table.Deleted(), target, log.String())
	}
	t.Logf("repaired with the prober busy: latency %d µs", ev.LatencyUS)

	// The held probe ends and is published; the loops stop and return.
	close(release)
	released = true
	cancel()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the loops did not return within 10 s of the end of their context")
	}
	if err := <-loopErr; err != nil {
		t.Fatalf("events loop: %v", err)
	}
}

// Parked changes are decided by the first answer about the layout that
// came after they were parked; later ones ask again.
func TestDecideParked(t *testing.T) {
	t.Parallel()
	d := newDaemon(Options{Log: Stream{W: &bytes.Buffer{}}}).ev
	d.table = &flows.Fake{}
	d.names = map[int]string{brLan: "br-lan"}
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 3; i++ {
		d.park(heal.Change{Reason: heal.ReasonMACChange, LinkIndex: brLan, IP: target}, t0, t0.Add(time.Duration(i)*time.Second))
	}
	if d.want.Load()&wantLayout == 0 {
		t.Fatal("parking asked the prober nothing")
	}
	d.want.Store(0)
	d.decideParked(t0.Add(time.Second))
	if len(d.parked) != 1 || !d.parked[0].parkedAt.Equal(t0.Add(2*time.Second)) {
		t.Fatalf("left parked %+v, want only the one parked after the answer", d.parked)
	}
	if d.want.Load()&wantLayout == 0 {
		t.Error("the change left parked did not ask again")
	}
	for i := len(d.parked); i < maxParked+5; i++ {
		d.park(heal.Change{Reason: heal.ReasonMACChange, LinkIndex: brLan, IP: target}, t0, t0.Add(time.Hour))
	}
	if len(d.parked) != maxParked {
		t.Errorf("%d changes parked, want at most %d", len(d.parked), maxParked)
	}
}

// A manual flush asked for while the first probe is still running is
// answered: it needs no flowtable layout, and the events loop serves
// flushes while it waits for that probe (the probe is held until the
// flush has returned, so the test asserts the order, not a time).
func TestFlushBeforeFirstProbe(t *testing.T) {
	t.Parallel()
	cfgPath := filepath.Join(t.TempDir(), "netfix")
	if err := os.WriteFile(cfgPath, []byte("config netfix 'main'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := newDaemon(Options{ConfigPath: cfgPath, Log: Stream{W: &lockedBuffer{}}})
	d.ev.loadConfig()
	table := &flows.Fake{}
	d.ev.table = table
	offloaded := table.Add(target, remote, true)

	entered, release := make(chan struct{}), make(chan struct{})
	d.pr.gather = func(probe.Options) (facts.Snapshot, error) {
		close(entered)
		<-release
		return snapshot(false), nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	d.stop = ctx.Done()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = d.pr.run(ctx) }()
	go func() { defer wg.Done(); _ = d.ev.run(ctx, make(chan os.Signal)) }()
	released := false
	defer func() {
		if !released {
			close(release)
		}
		cancel()
		wg.Wait()
	}()
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the first probe did not start within 10 s")
	}

	ev, err := d.Flush(target, false)
	if err != nil {
		t.Fatalf("flush during the first probe: %v", err)
	}
	if ev.FlowsDeleted != 1 || len(table.Deleted()) != 1 || table.Deleted()[0] != offloaded {
		t.Fatalf("flush event %+v, deleted %v; want %s's one offloaded entry", ev, table.Deleted(), target)
	}
	if d.pub.Load().probed {
		t.Fatal("the first probe was published before the flush returned")
	}
	close(release)
	released = true
}
