package daemon

import (
	"os"
	"runtime/debug"
)

// memoryLimit is the Go runtime's soft memory limit for the daemon: the
// last safety net, not the mechanism. Every table the daemon keeps has its
// own bound (heal.MaxHosts neighbours, heal.MaxPorts FDB entries, 50
// events) and every kernel read streams, so a healthy daemon stays far
// below it (under 16 MB). Near the limit the garbage collector runs
// harder, so a leak that escaped those bounds costs CPU before it costs
// the router its RAM. GOMEMLIMIT in the environment (procd: procd_set_param
// env) overrides it.
const memoryLimit = 32 << 20

// gcPercent is the daemon's GOGC. The daemon's live heap is under 1 MiB,
// so with Go's default of 100 the collector waits for its minimum goal,
// 4 MiB, and the garbage of everything in between (a status read leaves
// about 20 KiB: the document, its JSON, the socket's buffers) fills those
// 4 MiB with pages that stay resident: LuCI's poll every 5 s took a
// daemon from 7.4 to 11.2 MiB RSS within a few hundred reads, and it
// stayed there (TestStatusReadsKeepRSSBounded). At 25 the minimum goal is
// 1 MiB: a collection every 50-odd reads, 0.5 ms of CPU each on the test
// machine, and 500 reads add 1.0 MiB (the runtime's span bookkeeping and
// the pages of a smaller heap goal) instead of 3.8. An idle daemon
// allocates little (a pulse per sweep), so it still collects rarely.
// GOGC in the environment overrides it.
const gcPercent = 25

func setMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}
