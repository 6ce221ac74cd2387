//go:build linux

package probe

import (
	"encoding/binary"
	"testing"

	"github.com/mdlayher/netlink"
	"github.com/ti-mo/conntrack"

	"github.com/netfix/netfix/src/internal/facts"
)

// The host kernel has no flowtable, so every kernel test counts 0 and 0:
// here dump messages with each status the kernel sets go through the same
// decoder and count as CountOffloaded's walk (and the S2 breakdown's), so a swapped or lost count
// fails without a flowtable.
func TestOffloadCounts(t *testing.T) {
	const (
		offload   = facts.StatusOffload
		hwOffload = facts.StatusHWOffload
		assured   = uint32(conntrack.StatusAssured | conntrack.StatusConfirmed)
	)
	cases := []struct {
		name     string
		statuses []uint32
		want     uint32 // the dump filter's status
		off, hw  int
	}{
		{name: "software offload only", statuses: []uint32{offload | assured, offload}, want: offload, off: 2},
		{name: "hardware entries are offloaded too", statuses: []uint32{offload | hwOffload | assured, offload}, want: offload, off: 2, hw: 1},
		{name: "a kernel that ignores the filter sends others", statuses: []uint32{assured, offload | assured, hwOffload}, want: offload, off: 1},
		{name: "benchmark build counts every entry", statuses: []uint32{assured, offload}, want: 0, off: 2},
		{name: "empty table", want: offload},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ct facts.Conntrack
			for _, st := range tc.statuses {
				got, ok := statusOf(dumpMessage(t, st))
				if !ok || uint32(got) != st {
					t.Fatalf("statusOf = %#x, %v; want %#x", uint32(got), ok, st)
				}
				countOffload(&ct, conntrack.Status(tc.want), uint32(got))
			}
			if ct.Offloaded != tc.off || ct.HWOffloaded != tc.hw {
				t.Errorf("[OFFLOAD] %d, [HW_OFFLOAD] %d; want %d and %d", ct.Offloaded, ct.HWOffloaded, tc.off, tc.hw)
			}
		})
	}
}

// dumpMessage is the payload of one conntrack dump message: the nfgenmsg
// header, an attribute before CTA_STATUS (as the kernel puts the tuples
// first), then the status, in network byte order.
func dumpMessage(t *testing.T, status uint32) []byte {
	t.Helper()
	ae := netlink.NewAttributeEncoder()
	ae.ByteOrder = binary.BigEndian
	ae.Uint32(ctaMark, 7)
	ae.Uint32(ctaStatus, status)
	b, err := ae.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte{2, 0, 0, 0}, b...)
}
