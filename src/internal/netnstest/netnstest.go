// Package netnstest builds throwaway network namespaces for integration
// tests and removes them when the test ends. Tests that need it skip with a
// reason when not root or when a tool is missing; in CI (CI=true) such a
// skip fails unless CI is known to lack the prerequisite (Skip).
//
// Tests that need root, namespaces or the kernel's netlink live in files
// built with the kernel tag (//go:build kernel): `make unit` (go test
// ./...) runs the pure tests only; `make integration` passes -tags kernel.
package netnstest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vishvananda/netns"
)

// RequireRoot skips t unless the test runs as root with iproute2 (in CI,
// where both are given, it fails instead: see Skip).
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		Skip(t, Root, "integration test: needs root to create network namespaces (run: sudo make test)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		Skip(t, Tool, "integration test: needs iproute2's ip (apt-get install iproute2)")
	}
}

var seq atomic.Int32

// NS is a named network namespace.
type NS struct {
	Name string
	t    testing.TB
}

// New creates a namespace with loopback up; it is deleted, with every link
// in it, when t ends.
func New(t testing.TB, prefix string) *NS {
	t.Helper()
	RequireRoot(t)
	name := fmt.Sprintf("nfx-%s-%d-%d", prefix, os.Getpid(), seq.Add(1))
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v: %s", name, err, out)
	}
	ns := &NS{Name: name, t: t}
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", name).Run() })
	ns.Run("ip", "link", "set", "lo", "up")
	return ns
}

// Run runs a command inside the namespace and fails the test if it fails.
func (ns *NS) Run(args ...string) string {
	ns.t.Helper()
	out, err := ns.Exec(args...)
	if err != nil {
		ns.t.Fatalf("in %s: %s: %v\n%s", ns.Name, strings.Join(args, " "), err, out)
	}
	return out
}

// Exec runs a command inside the namespace and returns its combined output.
func (ns *NS) Exec(args ...string) (string, error) {
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns.Name}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Command returns an unstarted command that runs inside the namespace.
func (ns *NS) Command(args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", ns.Name}, args...)...)
}

// Path is the namespace's bind mount, for libraries that take a netns fd.
func (ns *NS) Path() string { return filepath.Join("/var/run/netns", ns.Name) }

// Main runs a package's tests and then removes the netfix binary that
// BuildNetfix shared between them. Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(netnstest.Main(m)) }
func Main(m *testing.M) int {
	shared = true
	code := m.Run()
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	return code
}

// BuildNetfix compiles the netfix binary and returns its path: once per
// test binary when the package's TestMain uses Main (which removes it at
// the end), else once per test, in the test's own temporary directory.
func BuildNetfix(t testing.TB) string {
	t.Helper()
	if !shared {
		bin, err := build(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return bin
	}
	buildOnce.Do(func() {
		builtDir, buildErr = os.MkdirTemp("", "netfix-bin-")
		if buildErr == nil {
			builtPath, buildErr = build(builtDir)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtPath
}

// Race tells whether BuildNetfix builds with the race detector:
// NETFIX_TEST_RACE=1, as `make integration` (CI) sets it, so the daemon
// the kernel tests exec runs under it. Memory bounds a test asserts on
// such a binary are RaceMemFactor times wider.
func Race() bool { return os.Getenv("NETFIX_TEST_RACE") == "1" }

// RaceMemFactor widens RSS bounds under the race detector, whose shadow
// memory and per-goroutine state cost several times the program's own
// memory (Go's race detector documentation: 5-10x memory).
const RaceMemFactor = 8

func build(dir string) (string, error) {
	bin := filepath.Join(dir, "netfix")
	args := []string{"build", "-o", bin}
	env := "CGO_ENABLED=0"
	if Race() {
		// The race detector needs cgo (and a C compiler: scripts/deps.sh).
		args, env = append(args, "-race"), "CGO_ENABLED=1"
	}
	cmd := exec.Command("go", append(args, "github.com/netfix/netfix/src/cmd/netfix")...)
	cmd.Env = append(os.Environ(), env)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build netfix: %v\n%s", err, out)
	}
	return bin, nil
}

var (
	shared    bool // Main runs the tests
	buildOnce sync.Once
	builtDir  string
	builtPath string
	buildErr  error
)

// Do runs fn on an OS thread switched into the namespace, so the netlink
// sockets fn opens (conntrack, nftables, rtnetlink) live there, and returns
// the thread to the test's namespace afterwards. A thread that cannot go
// back is never reused: it stays locked and the runtime ends it.
func (ns *NS) Do(fn func()) {
	ns.t.Helper()
	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		ns.t.Fatalf("read this thread's network namespace: %v", err)
	}
	defer orig.Close()
	target, err := netns.GetFromPath(ns.Path())
	if err != nil {
		runtime.UnlockOSThread()
		ns.t.Fatalf("open namespace %s: %v", ns.Name, err)
	}
	defer target.Close()
	if err := netns.Set(target); err != nil {
		runtime.UnlockOSThread()
		ns.t.Fatalf("enter namespace %s: %v", ns.Name, err)
	}
	defer func() {
		if err := netns.Set(orig); err != nil {
			// Leave the thread locked: Go ends a goroutine's locked thread
			// when the goroutine exits, so no other test runs in ns.
			ns.t.Errorf("return from namespace %s: %v", ns.Name, err)
			return
		}
		runtime.UnlockOSThread()
	}()
	fn()
}

// Output collects a child process's output while the test reads it: the
// exec package writes from its own goroutine, so every access is locked.
type Output struct {
	mu sync.Mutex
	b  strings.Builder
}

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

// String returns everything written so far.
func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}
