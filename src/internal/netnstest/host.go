package netnstest

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Tests leave the host kernel as they found it. Namespaces go with the
// test (New), but a few things the kernel shares between namespaces do
// not: modules, and the neighbour tables' entry counts that gc_thresh3
// bounds host-wide (an `ip neigh replace` in any namespace fails with
// ENOBUFS, "No buffer space available", while a test's deleted entries
// still count).

// LoadModule loads a kernel module for t and, when t loaded it, unloads it
// again when t ends (a module other users hold stays: modprobe -r refuses).
// It reports whether the module is there; built-in modules count.
func LoadModule(t testing.TB, name string) bool {
	t.Helper()
	sys := "/sys/module/" + strings.ReplaceAll(name, "-", "_")
	if _, err := os.Stat(sys); err == nil {
		return true
	}
	if err := exec.Command("modprobe", name).Run(); err != nil {
		return false // built in, or absent: the caller tests the feature
	}
	t.Cleanup(func() {
		if out, err := exec.Command("modprobe", "-r", name).CombinedOutput(); err != nil {
			t.Logf("the test loaded module %s and could not unload it: %v: %s", name, err, strings.TrimSpace(string(out)))
		}
	})
	return true
}

// neighTables are the host-wide neighbour caches: /proc/net/stat/<name>.
var neighTables = []string{"arp_cache", "ndisc_cache"}

// KeepNeighbourTables makes t wait, when it ends and after the namespaces
// it made are gone (call it before New), until the host's neighbour caches
// hold no more entries than before it ran (plus slack for the host's own
// traffic), so the next test can add neighbours. It fails t if they do not
// drain within two minutes.
func KeepNeighbourTables(t testing.TB) {
	t.Helper()
	before := map[string]int{}
	for _, n := range neighTables {
		if v, ok := neighEntries(n); ok {
			before[n] = v
		}
	}
	t.Cleanup(func() {
		const slack = 128
		deadline := time.Now().Add(2 * time.Minute)
		for _, n := range neighTables {
			b, ok := before[n]
			if !ok {
				continue
			}
			for {
				v, _ := neighEntries(n)
				if v <= b+slack {
					break
				}
				if time.Now().After(deadline) {
					t.Errorf("the host's %s holds %d entries 2 minutes after the test, %d before it: the next test's neighbours may fail with ENOBUFS (gc_thresh3)", n, v, b)
					break
				}
				time.Sleep(200 * time.Millisecond)
			}
		}
	})
}

// neighEntries reads the table's entry count: the first column of the
// second line of /proc/net/stat/<table>, in hex (the same on every CPU's
// line).
func neighEntries(table string) (int, bool) {
	b, err := os.ReadFile("/proc/net/stat/" + table)
	if err != nil {
		return 0, false
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 2 {
		return 0, false
	}
	f := strings.Fields(lines[1])
	if len(f) == 0 {
		return 0, false
	}
	v, err := strconv.ParseUint(f[0], 16, 32)
	return int(v), err == nil
}
