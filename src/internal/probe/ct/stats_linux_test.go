//go:build linux

package ct

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netfix/netfix/src/internal/facts"
)

func TestCTStatsOfProcColumns(t *testing.T) {
	// Linux >= 5.15 (chaintoolong under the label "chainlength"), two CPUs.
	current := "entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart\n" +
		"00000fce  00000001 00000010 00000000 00000004 00000000 00000000 00000002 00000000 000000c8 000001d8 00000003 00000005  00000000 00000000 00000000 00000007\n" +
		"00000fce  00000002 00000020 00000000 00000001 00000000 00000000 00000001 00000000 00000008 00000002 00000000 00000001  00000000 00000000 00000000 00000001\n"
	// Older kernels: "searched" and "delete_list", no clash or chain counters.
	old := "entries  searched found new invalid ignore delete delete_list insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart\n" +
		"00000010  00000000 00000003 00000000 00000001 00000000 00000000 00000000 00000000 00000002 00000001 00000000 00000000  00000000 00000000 00000000 00000004\n"
	for _, tc := range []struct {
		name    string
		text    string
		want    facts.CTStats
		ok      bool
		entries uint64 // the table's size, once, not once per CPU
		sized   bool
	}{
		{"current kernel", current, facts.CTStats{Found: 0x30, Invalid: 5, InsertFailed: 0xd0, Drop: 0x1da, EarlyDrop: 3, Error: 6, SearchRestart: 8,
			ClashResolve: 3, ChainTooLong: 3, Extended: true}, true, 0xfce, true},
		{"older kernel", old, facts.CTStats{Found: 3, Invalid: 1, InsertFailed: 2, Drop: 1, SearchRestart: 4}, true, 0x10, true},
		{"a counter missing: ask ctnetlink", "entries found invalid insert_failed drop early_drop search_restart\n00000001 1 1 1 1 1 1\n", facts.CTStats{}, false, 1, true},
		{"no entries column", "found new\n00000001 00000002\n", facts.CTStats{}, false, 0, false},
		{"only a header", "entries  clashres found\n", facts.CTStats{}, false, 0, false},
		{"empty", "", facts.CTStats{}, false, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cols, entries, sized := procStatColumns([]byte(tc.text))
			if entries != tc.entries || sized != tc.sized {
				t.Errorf("entries %d (%v), want %d (%v)", entries, sized, tc.entries, tc.sized)
			}
			got, ok := ctStatsOf(cols)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("statistics (-want +got):\n%s", d)
			}
		})
	}
}
