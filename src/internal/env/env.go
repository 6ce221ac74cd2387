// Package env is where one run of netfix reads and writes: the root of the
// system it looks at, its state directory, the fix ledger, the daemon's
// control socket and fw4's include directory.
//
// main builds one Env from a command's options and hands it down; no
// package below reads an environment variable for a path or joins one from
// an empty root. An Env can only hold absolute paths: New refuses an empty
// or relative one, and the zero Env is the running system's defaults. So a
// command typed in /root (an ssh shell's directory on a router) reads and
// writes exactly what the same command typed anywhere else does.
package env

import (
	"fmt"
	"path/filepath"
	"sync"

	"github.com/netfix/netfix/src/internal/rootfs"
)

// Defaults of the running system.
const (
	// Socket is where the daemon listens. /var/run is a tmpfs on OpenWrt,
	// so a stale socket never survives a reboot.
	Socket = "/var/run/netfix.sock"
	// StateDir holds the daemon's neighbour state and the one-shot
	// checks' caches. It lives on /var/run, a tmpfs: it survives a daemon
	// restart but not a reboot, after which no offloaded flow exists and
	// the kernel may be another.
	StateDir = "/var/run/netfix"
	// fw4Includes is fw4's include directory below the root: fw4 copies
	// the files of its chain-pre, chain-post, table-pre … subdirectories
	// into its table on every reload.
	fw4Includes = "usr/share/nftables.d"
)

// Options are what a command's flags say; "" takes the default.
type Options struct {
	// Root is the system looked at: UCI files, init scripts, the fix
	// ledger and fw4's includes are below it. "/" is the running system;
	// tests and offline images give another absolute directory.
	Root string
	// Socket is the daemon's control socket (default Socket). It is not
	// below Root: the daemon that heals is this machine's.
	Socket string
	// StateDir is the directory of runtime state (default StateDir), not
	// below Root for the same reason.
	StateDir string
	// DaemonState is the file that keeps the daemon's neighbour state
	// (default StateDir/state.json).
	DaemonState string
	// Ledger is the fix ledger (default: see Env.Ledger).
	Ledger string
}

// Env is the paths of one run, all absolute. The zero Env is the running
// system's defaults (Host).
type Env struct {
	root, socket, stateDir, daemonState, ledger, includeDir string
	openWrt                                                 bool
}

// New checks o and fills in the defaults. Every path must be absolute: a
// relative one would name a different file in every directory the command
// is typed in.
func New(o Options) (Env, error) {
	if o.Root == "" {
		return Env{}, fmt.Errorf("the root directory is empty: give an absolute directory, / for this system")
	}
	for _, p := range []struct{ name, v string }{
		{"root directory", o.Root}, {"control socket", o.Socket}, {"state directory", o.StateDir},
		{"daemon state file", o.DaemonState}, {"fix ledger", o.Ledger},
	} {
		if p.v != "" && !filepath.IsAbs(p.v) {
			return Env{}, fmt.Errorf("the %s %q is a relative path: give an absolute one, so the command means the same file from any directory", p.name, p.v)
		}
	}
	e := Env{
		root:        filepath.Clean(o.Root),
		socket:      pick(o.Socket, Socket),
		stateDir:    pick(o.StateDir, StateDir),
		daemonState: o.DaemonState,
		ledger:      o.Ledger,
	}
	if e.daemonState == "" {
		e.daemonState = filepath.Join(e.stateDir, "state.json")
	}
	e.openWrt = rootfs.Exists(e.root, "etc/openwrt_release")
	e.includeDir = rootfs.Join(e.root, fw4Includes)
	if e.ledger == "" {
		// The ledger must live where the fixes live: a fix that survives
		// a reboot (an fw4 include) needs a ledger that does too. On
		// OpenWrt /var is a tmpfs and /etc the persistent overlay;
		// elsewhere /var/lib/netfix is the systemd unit's StateDirectory.
		if e.openWrt {
			e.ledger = rootfs.Join(e.root, "etc/netfix/fixes.json")
		} else {
			e.ledger = rootfs.Join(e.root, "var/lib/netfix/fixes.json")
		}
	}
	return e, nil
}

func pick(v, def string) string {
	if v == "" {
		return def
	}
	return filepath.Clean(v)
}

var host = sync.OnceValue(func() Env {
	e, _ := New(Options{Root: "/"}) // "/" is absolute: New cannot fail
	return e
})

// Host is the running system's defaults: root /.
func Host() Env { return host() }

func (e Env) get() Env {
	if e.root == "" {
		return host()
	}
	return e
}

// Root is the root directory, absolute ("/" for the running system).
func (e Env) Root() string { return e.get().root }

// IsHost reports whether the root is the running system's, as opposed to
// a test tree or an offline image: only then does a check keep caches about
// the files it read.
func (e Env) IsHost() bool { return e.get().root == "/" }

// Path is rel below the root, absolute.
func (e Env) Path(rel string) string { return rootfs.Join(e.get().root, rel) }

// OpenWrt reports whether the root holds an OpenWrt (or ImmortalWrt)
// system: /etc/openwrt_release below the root, resolved inside it.
func (e Env) OpenWrt() bool { return e.get().openWrt }

// Socket is the daemon's control socket.
func (e Env) Socket() string { return e.get().socket }

// StateDir is the directory of runtime state and caches.
func (e Env) StateDir() string { return e.get().stateDir }

// StatePath is name in the state directory.
func (e Env) StatePath(name string) string { return filepath.Join(e.get().stateDir, name) }

// DaemonState is the daemon's neighbour state file.
func (e Env) DaemonState() string { return e.get().daemonState }

// Ledger is the fix ledger: /etc/netfix/fixes.json on OpenWrt and
// /var/lib/netfix/fixes.json elsewhere, below the root, unless set.
func (e Env) Ledger() string { return e.get().ledger }

// IncludeDir is fw4's include directory below the root
// (/usr/share/nftables.d).
func (e Env) IncludeDir() string { return e.get().includeDir }
