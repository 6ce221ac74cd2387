package cli

import (
	"fmt"
	"path/filepath"

	"github.com/netfix/netfix/src/internal/env"
)

// pathFlags are the options that say where a command reads and writes.
// Each command registers the ones it has; runEnv turns them into the one
// env.Env of the run, which every part below takes its paths from. Nothing
// reads an environment variable for a path: tests and the rpcd plugin's
// callers pass these options.
type pathFlags struct {
	root, socket, state, ledger string
	hasRoot                     bool // the command has --root; else the root is /
}

func (p *pathFlags) rootFlag(fs *flagSet, usage string) {
	p.hasRoot = true
	fs.StringVar(&p.root, "root", "/", usage)
}

func (p *pathFlags) socketFlag(fs *flagSet, usage string) {
	fs.StringVar(&p.socket, "socket", env.Socket, usage)
}

func (p *pathFlags) stateFlag(fs *flagSet) {
	fs.StringVar(&p.state, "state", env.StateDir+"/state.json", "`file` where the neighbour state survives restarts")
}

func (p *pathFlags) ledgerFlag(fs *flagSet) {
	fs.StringVar(&p.ledger, "ledger", "", "fix ledger `file` (default /etc/netfix/fixes.json on OpenWrt, /var/lib/netfix/fixes.json elsewhere, below --root)")
}

// runEnv builds the run's environment. A relative path given as an option
// is taken from the directory the command was typed in, as a shell user
// means it, once, here; below this everything is absolute.
func (p *pathFlags) runEnv() (env.Env, error) {
	o := env.Options{Root: p.root, Socket: p.socket, DaemonState: p.state, Ledger: p.ledger}
	if !p.hasRoot {
		o.Root = "/"
	}
	for _, v := range []*string{&o.Root, &o.Socket, &o.DaemonState, &o.Ledger} {
		if *v == "" || filepath.IsAbs(*v) {
			continue
		}
		abs, err := filepath.Abs(*v)
		if err != nil {
			return env.Env{}, fmt.Errorf("resolve %q: %w", *v, err)
		}
		*v = abs
	}
	return env.New(o)
}
