//go:build linux

package ct

import (
	"encoding/binary"
	"os"
	"regexp"
	"strconv"
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

// The kernel's own status words, not the constants the code checks: a
// test built from facts.StatusOffload and facts.StatusHWOffload still
// passes when the two are swapped. Bits of include/uapi/linux/netfilter/
// nf_conntrack_common.h: SEEN_REPLY 1<<1, ASSURED 1<<2, CONFIRMED 1<<3,
// SRC_NAT 1<<4, SRC_NAT_DONE 1<<7, DST_NAT_DONE 1<<8, IPS_OFFLOAD_BIT 14,
// IPS_HW_OFFLOAD_BIT 15. (ctnetlink cannot make such an entry on a kernel
// without a flowtable: it ignores the offload bits userspace asks for.)
func TestOffloadCountsKernelBits(t *testing.T) {
	const (
		ipsOffload   = 1 << 14
		ipsHWOffload = 1 << 15
		// A masqueraded, assured, confirmed entry, as `conntrack -L`
		// lists a LAN host's flow to the internet.
		natted = 1<<1 | 1<<2 | 1<<3 | 1<<4 | 1<<7 | 1<<8
	)
	checkUAPIHeader(t, map[string]int{"IPS_OFFLOAD_BIT": 14, "IPS_HW_OFFLOAD_BIT": 15})
	entries := []struct {
		status uint32
		shows  string // what conntrack -L shows
	}{
		{natted, "[ASSURED]"},
		{natted | ipsOffload, "[OFFLOAD]"},
		{natted | ipsOffload, "[OFFLOAD]"},
		{natted | ipsOffload | ipsHWOffload, "[HW_OFFLOAD]"},
	}
	filter := OffloadFilter()
	if uint32(filter.Status) != ipsOffload {
		t.Errorf("the dump filter's status is %#x, want IPS_OFFLOAD %#x", uint32(filter.Status), ipsOffload)
	}
	var ct facts.Conntrack
	for _, e := range entries {
		st, ok := statusOf(dumpMessage(t, e.status))
		if !ok {
			t.Fatalf("%s entry %#x: no status decoded", e.shows, e.status)
		}
		countOffload(&ct, filter.Status, uint32(st))
	}
	if ct.Offloaded != 3 || ct.HWOffloaded != 1 {
		t.Errorf("[OFFLOAD] %d, [HW_OFFLOAD] %d; want 3 (two [OFFLOAD], one [HW_OFFLOAD], which has both bits) and 1", ct.Offloaded, ct.HWOffloaded)
	}
	if facts.StatusOffload != ipsOffload || facts.StatusHWOffload != ipsHWOffload {
		t.Errorf("facts.StatusOffload %#x, facts.StatusHWOffload %#x; the kernel's are %#x and %#x",
			facts.StatusOffload, facts.StatusHWOffload, ipsOffload, ipsHWOffload)
	}
}

// checkUAPIHeader checks the bit numbers above against the kernel's uapi
// header where the machine has it (linux-libc-dev).
func checkUAPIHeader(t *testing.T, want map[string]int) {
	const path = "/usr/include/linux/netfilter/nf_conntrack_common.h"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Logf("%s not readable (%v): the bit numbers are checked against the literals only", path, err)
		return
	}
	for name, bit := range want {
		m := regexp.MustCompile(`\b` + name + `\s*=\s*(\d+)`).FindSubmatch(b)
		if m == nil {
			t.Errorf("%s does not define %s", path, name)
			continue
		}
		if got, _ := strconv.Atoi(string(m[1])); got != bit {
			t.Errorf("%s: %s = %d, this test assumes %d", path, name, got, bit)
		}
	}
}
