//go:build linux && kernel

package flows

import (
	"context"
	"encoding/binary"
	"net/netip"
	"runtime"
	"testing"

	"github.com/mdlayher/netlink"
	"github.com/ti-mo/conntrack"
	"github.com/vishvananda/netns"

	"github.com/netfix/netfix/src/internal/ctusage"
	"github.com/netfix/netfix/src/internal/netnstest"
	"github.com/netfix/netfix/src/internal/probe/ct"
)

var (
	target    = netip.MustParseAddr("192.168.1.240")
	bystander = netip.MustParseAddr("192.168.1.24")
	wan       = netip.MustParseAddr("198.51.100.9")
)

// tableNS builds a namespace with n entries of target (half with target
// only in the reply tuple, as DNAT leaves it, half with it as source) and n
// of bystander. It returns the namespace and a conntrack connection inside
// it to inspect the table.
func tableNS(t *testing.T, n int) (netns.NsHandle, *conntrack.Conn) {
	t.Helper()
	ns := netnstest.New(t, "streamflows")
	h, err := netns.GetFromPath(ns.Path())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	c, err := conntrack.Dial(&netlink.Config{NetNS: int(h)})
	if err != nil {
		netnstest.Skip(t, netnstest.Kernel, "needs conntrack netlink (modprobe nf_conntrack_netlink): %v", err)
	}
	t.Cleanup(func() { c.Close() })
	for i := 0; i < n; i++ {
		port := uint16(10000 + i)
		dnat := conntrack.NewFlow(17, 0, wan, netip.MustParseAddr("192.0.2.254"), port, 51820, 600, 0)
		dnat.TupleReply.IP.SourceAddress = target
		snat := conntrack.NewFlow(6, 0, target, wan, port, 443, 600, 0)
		other := conntrack.NewFlow(17, 0, bystander, wan, port, 53, 600, 0)
		for _, f := range []conntrack.Flow{dnat, snat, other} {
			if err := c.Create(f); err != nil {
				t.Fatalf("create conntrack entry %v: %v", f.TupleOrig, err)
			}
		}
	}
	return h, c
}

// within runs fn on a thread switched into h: the Table and its streams
// open their sockets where the calling thread is.
func within(t *testing.T, h netns.NsHandle, fn func()) {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := netns.Get()
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	if err := netns.Set(h); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := netns.Set(orig); err != nil {
			t.Fatalf("return to the original namespace: %v", err)
		}
	}()
	fn()
}

// count returns how many entries involve ip.
func count(t *testing.T, c *conntrack.Conn, ip netip.Addr) int {
	t.Helper()
	fl, err := c.Dump(nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range fl {
		for _, a := range []netip.Addr{f.TupleOrig.IP.SourceAddress, f.TupleOrig.IP.DestinationAddress, f.TupleReply.IP.SourceAddress, f.TupleReply.IP.DestinationAddress} {
			if a == ip {
				n++
				break
			}
		}
	}
	return n
}

// With the real filter nothing is deleted on a kernel that cannot
// offload; with a filter that matches every entry (what the flowtable
// marks on a router), exactly the host's entries go, in both tuple
// directions, and the bystander's stay.
func TestDeleteOffloadedKernel(t *testing.T) {
	const n = 400 // 1200 entries: several datagrams, deletes between them
	tests := []struct {
		name       string
		everyEntry bool
		dryRun     bool
		allow      func() bool
		want       Pass
		wantGone   int
	}{
		{name: "real filter, nothing offloaded", want: Pass{}},
		{name: "every entry", everyEntry: true, want: Pass{Matched: 2 * n, Deleted: 2 * n}, wantGone: 2 * n},
		{name: "dry run", everyEntry: true, dryRun: true, want: Pass{Matched: 2 * n, Deleted: 2 * n}},
		{name: "allowed", everyEntry: true, allow: func() bool { return true }, want: Pass{Matched: 2 * n, Deleted: 2 * n}, wantGone: 2 * n},
		{name: "refused", everyEntry: true, allow: func() bool { return false }, want: Pass{Matched: 1, Refused: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, c := tableNS(t, n)
			var got Pass
			var err error
			within(t, h, func() {
				tb, oerr := Open()
				if oerr != nil {
					t.Fatal(oerr)
				}
				defer tb.Close()
				if tc.everyEntry {
					tb.offloaded = ct.CTFilter{}
				}
				got, err = tb.DeleteOffloaded(target, tc.dryRun, tc.allow)
			})
			if err != nil {
				t.Fatalf("DeleteOffloaded: %v", err)
			}
			if got != tc.want {
				t.Errorf("pass = %+v, want %+v", got, tc.want)
			}
			if left := count(t, c, target); left != 2*n-tc.wantGone {
				t.Errorf("%d entries of %s left, want %d", left, target, 2*n-tc.wantGone)
			}
			if left := count(t, c, bystander); left != n {
				t.Errorf("%d entries of the bystander %s left, want all %d", left, bystander, n)
			}
		})
	}
}

// IPv6 entries are deleted too: the request's family comes from the entry.
func TestDeleteOffloadedIPv6Kernel(t *testing.T) {
	h, c := tableNS(t, 0)
	v6, other := netip.MustParseAddr("fd00::240"), netip.MustParseAddr("fd00::24")
	peer := netip.MustParseAddr("2001:db8::9")
	for i := 0; i < 50; i++ {
		for _, f := range []conntrack.Flow{
			conntrack.NewFlow(6, 0, v6, peer, uint16(20000+i), 443, 600, 0),
			conntrack.NewFlow(6, 0, other, peer, uint16(20000+i), 443, 600, 0),
		} {
			if err := c.Create(f); err != nil {
				t.Fatalf("create conntrack entry %v: %v", f.TupleOrig, err)
			}
		}
	}
	var got Pass
	var err error
	within(t, h, func() {
		tb, oerr := Open()
		if oerr != nil {
			t.Fatal(oerr)
		}
		defer tb.Close()
		tb.offloaded = ct.CTFilter{}
		got, err = tb.DeleteOffloaded(v6, false, nil)
	})
	if err != nil || got != (Pass{Matched: 50, Deleted: 50}) {
		t.Errorf("DeleteOffloaded(%s) = %+v, %v; want 50 matched and deleted", v6, got, err)
	}
	if left := count(t, c, v6); left != 0 {
		t.Errorf("%d entries of %s left, want 0", left, v6)
	}
	if left := count(t, c, other); left != 50 {
		t.Errorf("%d entries of the bystander %s left, want 50", left, other)
	}
}

// Flush reports the deletes as a manual event; a second flush finds
// nothing.
func TestFlushKernel(t *testing.T) {
	h, c := tableNS(t, 50)
	within(t, h, func() {
		tb, err := Open()
		if err != nil {
			t.Fatal(err)
		}
		defer tb.Close()
		tb.offloaded = ct.CTFilter{}
		for i, want := range []int{100, 0} {
			ev, err := tb.Flush(netip.MustParseAddr("::ffff:192.168.1.240"), false)
			if err != nil {
				t.Fatalf("flush %d: %v", i, err)
			}
			if ev.FlowsDeleted != want || ev.IP != target.String() || ev.Error != "" {
				t.Errorf("flush %d: event %+v, want %d deleted for %s", i, ev, want, target)
			}
		}
	})
	if left := count(t, c, bystander); left != 50 {
		t.Errorf("%d bystander entries left, want 50", left)
	}
}

// A delete names the entry by its ID: an entry deleted after the dump is
// not counted, and an entry whose ID is not the one the dump saw is left
// alone. (A newer entry with the same tuple gets another ID unless the
// kernel reuses the memory of the old one: the ID hashes the address.)
func TestDeleterKernel(t *testing.T) {
	h, c := tableNS(t, 3)
	type seen struct {
		e     ctusage.Entry
		id    uint32
		attrs []byte
	}
	var got []seen
	within(t, h, func() {
		_, err := ct.StreamConntrackEntries(context.Background(), ct.CTFilter{Addr: bystander, AddrField: ct.OrigSource}, func(e *ctusage.Entry, attrs []byte) error {
			got = append(got, seen{*e, idOf(t, attrs), append([]byte(nil), attrs...)})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	if len(got) != 3 {
		t.Fatalf("streamed %d bystander entries, want 3", len(got))
	}
	// Entry 0: gone before the delete. Entry 1: the dump saw another ID.
	// Entry 2: still there as it was.
	all, err := c.Dump(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range all {
		if f.ID == got[0].id {
			if err := c.Delete(conntrack.Flow{ID: f.ID, Zone: f.Zone, TupleOrig: f.TupleOrig, TupleReply: f.TupleReply}); err != nil {
				t.Fatal(err)
			}
		}
	}
	got[1].attrs = withID(t, got[1].attrs, got[1].id+1)
	within(t, h, func() {
		tb, err := Open()
		if err != nil {
			t.Fatal(err)
		}
		defer tb.Close()
		d := newDeleter(tb.nl)
		for _, s := range got {
			if err := d.add(&s.e, s.attrs); err != nil {
				t.Fatal(err)
			}
		}
		if err := d.wait(); err != nil {
			t.Fatal(err)
		}
		if d.deleted != 1 || d.failed() != nil {
			t.Errorf("deleted %d (err %v), want only the entry that was still there", d.deleted, d.failed())
		}
	})
	fl, err := c.Dump(nil)
	if err != nil {
		t.Fatal(err)
	}
	var left []uint32
	for _, f := range fl {
		if f.TupleOrig.IP.SourceAddress == bystander {
			left = append(left, f.ID)
		}
	}
	if len(left) != 1 || left[0] != got[1].id {
		t.Errorf("bystander entries left: IDs %v, want only %d (its delete named another ID)", left, got[1].id)
	}
}

// idOf returns the CTA_ID in attrs.
func idOf(t *testing.T, attrs []byte) uint32 {
	t.Helper()
	ad, err := netlink.NewAttributeDecoder(attrs)
	if err != nil {
		t.Fatal(err)
	}
	for ad.Next() {
		if ad.Type() == ctaID {
			return binary.BigEndian.Uint32(ad.Bytes())
		}
	}
	t.Fatal("entry without CTA_ID")
	return 0
}

// withID returns attrs with CTA_ID replaced by id.
func withID(t *testing.T, attrs []byte, id uint32) []byte {
	t.Helper()
	ad, err := netlink.NewAttributeDecoder(attrs)
	if err != nil {
		t.Fatal(err)
	}
	ae := netlink.NewAttributeEncoder()
	for ad.Next() {
		if ad.Type() == ctaID {
			ae.Bytes(ctaID, binary.BigEndian.AppendUint32(nil, id))
			continue
		}
		ae.Bytes(ad.Type()|ad.TypeFlags(), ad.Bytes())
	}
	b, err := ae.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
