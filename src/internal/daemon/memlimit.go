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

func setMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
