package netnstest

import (
	"fmt"
	"os"
	"testing"
)

// Prereq names what a test needs from the machine it runs on. A kernel
// test that cannot run says which prerequisite is missing through Skip, so
// CI can tell a machine that lacks it from a guard that silently stopped
// running.
type Prereq string

const (
	// Root: root and iproute2, to create network namespaces. CI runs as
	// root (make test).
	Root Prereq = "root"
	// Tool: a program scripts/deps.sh installs (nft, conntrack, iptables,
	// tcpdump, setpriv, systemd-networkd, dbus-daemon, ...).
	Tool Prereq = "tool"
	// Kernel: a kernel feature or module the host kernel of CI has
	// (conntrack netlink, ct timeout objects, br_netfilter in a namespace).
	Kernel Prereq = "kernel feature"
	// Long: a test too long for -short; absent only when the run asked
	// for -short.
	Long Prereq = "long run"
	// Flowtable: nf_flow_table offload. The host kernel of CI has none;
	// test/vm runs the flowtable scenarios in a VM with Debian's kernel.
	Flowtable Prereq = "flowtable"
)

// absentOnCI is the fixed list of prerequisites CI is known not to have.
// A skip for any other prerequisite fails the test when CI=true: on CI it
// would hide a guard.
var absentOnCI = map[Prereq]bool{
	Flowtable: true,
}

// InCI tells whether the tests run in CI (CI=true, as CI services set it).
func InCI() bool { return os.Getenv("CI") == "true" }

// Skip skips t because the machine lacks p, saying why in the message. In
// CI the skip is a failure unless p is a prerequisite CI is known not to
// have (or, for Long, the run asked for -short): a skipped test there
// passes without guarding anything.
func Skip(t testing.TB, p Prereq, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if InCI() && !absent(p) {
		t.Fatalf("skip not allowed in CI (CI=true): needs %s: %s; CI must provide it (scripts/deps.sh installs tools and loads modules), or the prerequisite must be listed in netnstest's absentOnCI with a reason", p, msg)
	}
	t.Skipf("needs %s: %s", p, msg)
}

func absent(p Prereq) bool {
	if p == Long {
		return testing.Short()
	}
	return absentOnCI[p]
}
