//go:build kernel

package daemon_test

import (
	"github.com/netfix/netfix/src/internal/netnstest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/ipc"
	"github.com/netfix/netfix/src/internal/status"
)

// rssKiB is a process's resident set (VmRSS) in KiB.
func rssKiB(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatalf("read the daemon's memory: %v", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				t.Fatalf("VmRSS line %q: %v", l, err)
			}
			return n
		}
	}
	t.Fatalf("no VmRSS in /proc/%d/status", pid)
	return 0
}

// statusGrowthKiB bounds what several hundred status reads may add to the
// daemon's resident memory once the first reads have paged in the code
// and built the caches they use (the message catalog, JSON field tables):
// the garbage of a read must not pile up to the Go runtime's default
// 4 MiB heap goal and stay resident there (memlimit.go).
const statusGrowthKiB = 1536

// Status reads, as LuCI makes every 5 s, leave the daemon's RSS where
// the first few left it, give or take the runtime's bookkeeping: before the
// daemon bounded its heap goal, 500 reads took it from 7.4 to 11.2 MiB
// (+3.8 MiB) and it stayed there; with it, +1.0 MiB.
func TestStatusReadsKeepRSSBounded(t *testing.T) {
	r := newRig(t)
	r.start()
	pid := r.cmd.Process.Pid // ip netns exec execs netfix in place
	call := func(n int) {
		for i := 0; i < n; i++ {
			var doc status.Document
			if err := ipc.Call(r.socket, ipc.Request{Method: "status"}, &doc, 5*time.Second); err != nil {
				t.Fatalf("status read %d: %v", i, err)
			}
		}
	}
	call(20)
	time.Sleep(200 * time.Millisecond)
	warm := rssKiB(t, pid)
	const n = 500
	call(n)
	time.Sleep(200 * time.Millisecond)
	after := rssKiB(t, pid)
	t.Logf("daemon RSS after 20 status reads %d KiB, after %d more %d KiB (%+d KiB)", warm, n, after, after-warm)
	bound := statusGrowthKiB
	if netnstest.Race() {
		// The race detector keeps shadow memory for every allocation
		// (5-10x, Go's documentation); bounds_kernel_test.go relaxes its
		// RSS bound by the same factor.
		bound *= 8
	}
	if after-warm > bound {
		t.Errorf("%d status reads grew the daemon's RSS by %d KiB (from %d to %d KiB), want at most %d KiB (race build: %v)", n, after-warm, warm, after, bound, netnstest.Race())
	}
}
