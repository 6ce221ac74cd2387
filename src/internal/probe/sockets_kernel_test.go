//go:build linux && kernel

package probe

import (
	"os"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/netnstest"
)

// The daemon's probes reuse their netlink sockets; a one-shot probe
// closes its own; a probe a request failed in closes the kept ones, and
// the next opens new ones.
func TestProbeKeepsItsSockets(t *testing.T) {
	netnstest.RequireRoot(t)
	ns := netnstest.New(t, "socks")
	root := sweepRoot(t, 0)
	openFDs := func() int {
		t.Helper()
		fds, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(fds)
	}
	ns.Do(func() {
		counted := time.Now()
		opts := Options{Env: testEnv(t, root), Lenient: true, CTDump: CTDumpNever, CTPrev: &CTSample{},
			OffloadCounts: &facts.Conntrack{OffloadCountedAt: &counted}}
		gather := func() {
			t.Helper()
			if _, err := Gather(opts); err != nil {
				t.Fatal(err)
			}
		}
		none := openFDs()
		gather()
		if n := openFDs(); n != none {
			t.Errorf("a probe without kept sockets left %d descriptors open", n-none)
		}

		opts.Session = &Session{}
		k := &opts.Session.Sockets
		gather()
		kept := openFDs()
		o := k.Held()
		if kept-none != 3 || o.CT == nil || o.NF == nil || o.RT == nil {
			t.Fatalf("after a probe with kept sockets: %d more descriptors (want 3), conntrack %v, nfnetlink %v, rtnetlink %v", kept-none, o.CT != nil, o.NF != nil, o.RT != nil)
		}
		for i := 0; i < 3; i++ {
			gather()
		}
		if n, again := openFDs(), k.Held(); n != kept || again != o {
			t.Errorf("three more probes: %d descriptors (want %d), same sockets: %v %v %v", n, kept, again.CT == o.CT, again.NF == o.NF, again.RT == o.RT)
		}

		// A request failed: the probe's end closes the set, the next
		// probe opens new sockets.
		k.Take().Fail()
		k.Done()
		if n, left := openFDs(), k.Held(); n != none || left.CT != nil || left.NF != nil || left.RT != nil {
			t.Errorf("after a failed request: %d descriptors open (want %d), sockets left: %v %v %v", n, none, left.CT != nil, left.NF != nil, left.RT != nil)
		}
		gather()
		if n := openFDs(); n != kept {
			t.Errorf("the probe after a failure: %d descriptors, want %d", n, kept)
		}
		k.Close()
		if n := openFDs(); n != none {
			t.Errorf("after Close: %d descriptors, want %d", n, none)
		}
	})
}
