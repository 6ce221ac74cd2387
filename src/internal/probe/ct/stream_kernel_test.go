//go:build linux && kernel

package ct

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/ctusage"
	"github.com/netfix/netfix/src/internal/facts"

	"github.com/mdlayher/netlink"
	"github.com/ti-mo/conntrack"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/netfix/netfix/src/internal/netnstest"
)

var src4 = netip.MustParseAddr("10.0.0.1")

// dst4 is the destination of ctTable's entry i.
func dst4(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}) }

// ctTable fills a fresh namespace with n IPv4 UDP entries (every third
// one ASSURED, every fourth one marked 0x10) and 10 IPv6 entries, and
// returns it.
func ctTable(t *testing.T, n int) *netnstest.NS {
	t.Helper()
	ns := netnstest.New(t, "stream")
	h, err := netns.GetFromPath(ns.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	c, err := conntrack.Dial(&netlink.Config{NetNS: int(h)})
	if err != nil {
		netnstest.Skip(t, netnstest.Kernel, "needs conntrack netlink (modprobe nf_conntrack_netlink): %v", err)
	}
	defer c.Close()
	for i := 0; i < n; i++ {
		var st conntrack.Status
		if i%3 == 0 {
			// The kernel refuses status changes on a new entry unless
			// it is created as confirmed (conntrack -I does the same).
			st = conntrack.StatusConfirmed | conntrack.StatusAssured | conntrack.StatusSeenReply
		}
		var mark uint32
		if i%4 == 0 {
			mark = 0x10
		}
		f := conntrack.NewFlow(17, st, src4, dst4(i), uint16(1024+i%60000), 53, 600, mark)
		if err := c.Create(f); err != nil {
			t.Fatalf("create conntrack entry %d: %v", i, err)
		}
	}
	for i := 0; i < 10; i++ {
		dst := netip.AddrFrom16([16]byte{0xfd, 15: byte(i + 2)})
		f := conntrack.NewFlow(17, 0, netip.MustParseAddr("fd00::1"), dst, 5000, 53, 600, 0)
		if err := c.Create(f); err != nil {
			t.Fatalf("create IPv6 conntrack entry %d: %v", i, err)
		}
	}
	return ns
}

func TestStreamConntrackFilters(t *testing.T) {
	const n = 3000 // about 15 datagrams: the stream must span batches
	ns := ctTable(t, n)
	var assured, marked int
	for i := 0; i < n; i++ {
		if i%3 == 0 {
			assured++
		}
		if i%4 == 0 {
			marked++
		}
	}
	tests := []struct {
		name   string
		filter CTFilter
		want   int
	}{
		{"everything", CTFilter{}, n + 10},
		{"IPv4", CTFilter{Family: unix.AF_INET}, n},
		{"IPv6", CTFilter{Family: unix.AF_INET6}, 10},
		{"status bits", CTFilter{Status: conntrack.StatusAssured}, assured},
		{"mark", CTFilter{Mark: 0x10, MarkMask: 0xff}, marked},
		{"status and mark", CTFilter{Status: conntrack.StatusAssured, Mark: 0x10, MarkMask: 0xffffffff}, (n + 11) / 12},
		{"original source", CTFilter{Addr: src4, AddrField: OrigSource}, n},
		{"reply destination", CTFilter{Addr: src4, AddrField: ReplyDestination}, n},
		{"original source not as destination", CTFilter{Addr: src4, AddrField: OrigDestination}, 0},
		{"original destination", CTFilter{Addr: dst4(5), AddrField: OrigDestination}, 1},
		{"reply source", CTFilter{Addr: dst4(300), AddrField: ReplySource}, 1},
		{"v4-mapped reply source", CTFilter{Addr: netip.AddrFrom16(dst4(7).As16()), AddrField: ReplySource}, 1},
		{"any address, each entry once", CTFilter{Addr: src4, AddrField: AnyAddress}, n},
		{"any address: a destination", CTFilter{Addr: dst4(5), AddrField: AnyAddress}, 1},
		{"any address: IPv6", CTFilter{Addr: netip.MustParseAddr("fd00::1"), AddrField: AnyAddress}, 10},
		{"endpoint: original source", CTFilter{Addr: src4, AddrField: Endpoint}, n},
		{"endpoint: reply source", CTFilter{Addr: dst4(9), AddrField: Endpoint}, 1},
		{"endpoint: IPv6", CTFilter{Addr: netip.AddrFrom16([16]byte{0xfd, 15: 5}), AddrField: Endpoint}, 1},
		// The kernel's IPv6 address filter is inverted: filtered here.
		{"IPv6 source", CTFilter{Addr: netip.MustParseAddr("fd00::1"), AddrField: OrigSource}, 10},
		{"IPv6 destination", CTFilter{Addr: netip.AddrFrom16([16]byte{0xfd, 15: 5}), AddrField: OrigDestination}, 1},
		{"reply source and status", CTFilter{Addr: dst4(3), AddrField: ReplySource, Status: conntrack.StatusAssured}, 1},
		{"reply source, status not set", CTFilter{Addr: dst4(4), AddrField: ReplySource, Status: conntrack.StatusAssured}, 0},
	}
	for _, tc := range tests {
		// inKernel false is the path of kernels that refuse the filter.
		for _, inKernel := range []bool{true, false} {
			name := tc.name + map[bool]string{true: " in the kernel", false: " here"}[inKernel]
			t.Run(name, func(t *testing.T) {
				var seen int
				var bad []string
				var st CTStats
				var err error
				ns.Do(func() {
					st, err = streamOnce(context.Background(), tc.filter, inKernel, func(e *ctusage.Entry, m netlink.Message) error {
						seen++
						// ti-mo decodes the same message independently.
						var ev conntrack.Event
						if err := ev.Unmarshal(m); err != nil {
							return err
						}
						if f := ev.Flow; !matchFlow(tc.filter, f) || EntryOf(f) != *e {
							bad = append(bad, fmt.Sprintf("%s (read as %+v)", f.TupleOrig, *e))
						}
						return nil
					}, nil)
				})
				if err != nil {
					t.Fatalf("stream: %v", err)
				}
				if seen != tc.want || st.Flows != tc.want {
					t.Errorf("callback saw %d entries, stats say %d, want %d", seen, st.Flows, tc.want)
				}
				if len(bad) > 0 {
					t.Errorf("entries that do not match the filter were handed on: %v", bad)
				}
				wantSent := n + 10 // the family is filtered in the kernel both ways
				switch {
				case inKernel && (!tc.filter.Addr.IsValid() || kernelAddrFilter(tc.filter)):
					wantSent = tc.want
				case tc.filter.family() == unix.AF_INET:
					wantSent = n
				case tc.filter.family() == unix.AF_INET6:
					wantSent = 10
				}
				if st.Messages != wantSent {
					t.Errorf("%d entries crossed netlink, want %d", st.Messages, wantSent)
				}
				if !inKernel {
					return
				}
				if !kernelApplies(tc.filter, kernelRelease()) {
					t.Logf("the kernel does not apply the whole filter: counted by decoding")
				}
				var cnt CTStats
				ns.Do(func() { cnt, err = CountConntrack(context.Background(), tc.filter) })
				if err != nil || cnt.Flows != tc.want {
					t.Errorf("CountConntrack = %+v, %v; want %d", cnt, err, tc.want)
				}
			})
		}
	}
}

// matchFlow is CTFilter.match on a flow ti-mo decoded.
func matchFlow(cf CTFilter, f *conntrack.Flow) bool {
	fam := uint8(unix.AF_INET6)
	if f.TupleOrig.IP.SourceAddress.Is4() {
		fam = unix.AF_INET
	}
	if want := cf.family(); want != 0 && fam != want {
		return false
	}
	if cf.Addr.IsValid() {
		addrs := []netip.Addr{f.TupleOrig.IP.SourceAddress, f.TupleOrig.IP.DestinationAddress, f.TupleReply.IP.SourceAddress, f.TupleReply.IP.DestinationAddress}
		found := false
		for _, field := range cf.AddrField.fields() {
			found = found || addrs[field].Unmap() == cf.Addr.Unmap()
		}
		if !found {
			return false
		}
	}
	return f.Status&cf.Status == cf.Status && f.Mark&cf.MarkMask == cf.Mark&cf.MarkMask
}

// A callback error stops the dump and comes back unchanged; a cancelled
// context stops it too.
func TestStreamConntrackStops(t *testing.T) {
	ns := ctTable(t, 500)
	errEnough := errors.New("enough")
	before := runtime.NumGoroutine()
	ns.Do(func() {
		seen := 0
		st, err := StreamConntrack(context.Background(), CTFilter{}, func(*conntrack.Flow) error {
			seen++
			if seen == 7 {
				return errEnough
			}
			return nil
		})
		if !errors.Is(err, errEnough) || seen != 7 || st.Flows != 7 {
			t.Errorf("stop after 7: err %v, saw %d, stats %+v", err, seen, st)
		}

		ctx, cancel := context.WithCancel(context.Background())
		seen = 0
		_, err = StreamConntrack(ctx, CTFilter{}, func(*conntrack.Flow) error {
			seen++
			cancel()
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled stream: err %v after %d entries, want context.Canceled", err, seen)
		}
	})
	// The read-ahead goroutine of a stopped dump ends with its socket.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after two stopped dumps, %d before: a reader was left behind", n, before)
	}
}

// The heap does not grow with the table: 40k entries (about 60 MB as a
// []conntrack.Flow with their messages) stream in a few MB.
func TestStreamConntrackMemoryFlat(t *testing.T) {
	if testing.Short() {
		netnstest.Skip(t, netnstest.Long, "fills a 40k-entry table; skipped with -short")
	}
	const n = 40000
	ns := ctTable(t, n)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, ms.HeapInuse
	seen := 0
	ns.Do(func() {
		_, err := StreamConntrack(context.Background(), CTFilter{}, func(*conntrack.Flow) error {
			seen++
			if seen%2000 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("stream: %v", err)
		}
	})
	if seen != n+10 {
		t.Fatalf("saw %d entries, want %d", seen, n+10)
	}
	// Garbage between two collections is bounded by GOGC, not by n.
	if grow := peak - base; grow > 16<<20 {
		t.Errorf("heap grew by %d bytes while streaming %d entries; want it independent of the table size", grow, seen)
	}
	t.Logf("heap in use: %d before, %d peak while streaming %d entries", base, peak, seen)
}

// CountOffloaded's count: one raw stream, each entry's status read from
// its attributes, gives the same count as decoding every entry.
func TestStatusOfCountsLikeDecoding(t *testing.T) {
	const n = 900
	ns := ctTable(t, n)
	filter := CTFilter{Status: conntrack.StatusAssured}
	for _, inKernel := range []bool{true, false} {
		var counted, decoded int
		ns.Do(func() {
			_, err := streamOnce(context.Background(), filter, inKernel, nil, func(p []byte) error {
				if st, ok := statusOf(p); ok && st&filter.Status == filter.Status {
					counted++
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = StreamConntrack(context.Background(), filter, func(*conntrack.Flow) error {
				decoded++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
		if counted != n/3 || decoded != n/3 {
			t.Errorf("filtered in the kernel %v: %d counted from the status attribute, %d decoded, want %d", inKernel, counted, decoded, n/3)
		}
	}
}

// The S2 breakdown's full walk counts the offload filter's entries like
// the kernel-filtered walk it replaces in a check that dumps the table
// (ASSURED stands in for OFFLOAD, which user space cannot set).
func TestUsageWalkCountsLikeFilteredWalk(t *testing.T) {
	const n = 900
	ns := ctTable(t, n)
	filter := CTFilter{Status: conntrack.StatusAssured}
	var filtered int
	var ct facts.Conntrack
	var u facts.CTUsage
	ns.Do(func() {
		_, err := StreamConntrack(context.Background(), filter, func(*conntrack.Flow) error {
			filtered++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		u, _, err = readCTUsage(context.Background(), t.TempDir(), 7440, 0, &ct, filter.Status)
		if err != nil {
			t.Fatal(err)
		}
	})
	// ctTable adds 10 IPv6 entries beside the n.
	if filtered != n/3 || ct.Offloaded != n/3 || ct.HWOffloaded != 0 || u.Dumped != n+10 {
		t.Errorf("filtered walk %d; breakdown walk counted %+v of %d entries; want %d of %d", filtered, ct, u.Dumped, n/3, n+10)
	}
}
