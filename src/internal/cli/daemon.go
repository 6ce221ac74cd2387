package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/netfix/netfix/src/internal/config"
	"github.com/netfix/netfix/src/internal/daemon"
	"github.com/netfix/netfix/src/internal/sighup"
)

// Daemon runs the healer until SIGTERM: `netfix daemon`. Info and debug
// lines go to stdout, warnings and errors to stderr (see daemon.Stream).
func Daemon(args []string, stdout, stderr io.Writer) int {
	// Signals first, before anything that takes time: procd's reload
	// sends SIGHUP right after start, whose default action would kill
	// the daemon. Package sighup subscribed it in its init already (in
	// the binary); in-process callers (tests) subscribe here. SIGTERM/SIGINT
	// stop it cleanly from the start too. SIGPIPE is ignored so a log
	// reader that goes away (logd restarted, a closed terminal) costs the
	// log lines, not the healer: writes then fail with EPIPE instead.
	hup := sighup.Reloads()
	if hup == nil {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGHUP)
		hup = ch
	}
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	// JOURNAL_STREAM is systemd's word to the service, not a netfix
	// setting: read here, once, like the options.
	journal := os.Getenv("JOURNAL_STREAM")
	out := daemon.Stream{W: stdout, Journal: onJournal(stdout, journal)}
	errOut := daemon.Stream{W: stderr, Journal: onJournal(stderr, journal)}
	failf := func(format string, a ...any) int {
		fmt.Fprint(stderr, fatalLine(errOut.Journal, format, a...))
		return 1
	}

	fs := newFlagSet("daemon", stderr)
	var o daemon.Options
	var paths pathFlags
	fs.StringVar(&o.ConfigPath, "config", config.DefaultPath, "UCI config `file`")
	paths.socketFlag(fs, "control socket `path` (root only)")
	paths.stateFlag(fs)
	paths.rootFlag(fs, "read UCI files below `DIR` for the findings")
	paths.ledgerFlag(fs)
	fs.StringVar(&o.MetricsFile, "metrics-file", "", "write Prometheus metrics to `FILE` when the config's metrics_file is unset and FILE's directory exists")
	fs.BoolVar(&o.ForceDryRun, "dry-run", false, "report what would be deleted, delete nothing (overrides the config)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: netfix daemon [--config FILE] [--socket PATH] [--dry-run]\n\nWatches neighbour and bridge port changes and deletes the offloaded\nconntrack entries they made stale. Run by procd (/etc/init.d/netfix).\n\n")
		fs.PrintDefaults()
	}
	if err := fs.parse(args); err != nil {
		return usageExit(err)
	}
	if os.Geteuid() != 0 {
		return failf("needs root (CAP_NET_ADMIN) to watch netlink and delete conntrack entries; run it as root or via /etc/init.d/netfix")
	}
	e, err := paths.runEnv()
	if err != nil {
		return failf("%v", err)
	}
	if !filepath.IsAbs(o.ConfigPath) {
		// Reloads re-read it: resolve it once, as the user meant it.
		if abs, err := filepath.Abs(o.ConfigPath); err == nil {
			o.ConfigPath = abs
		}
	}
	o.Env = e
	o.Log, o.ErrLog = out, errOut
	o.Reload = hup
	if err := daemon.Run(ctx, o); err != nil {
		return failf("%v", err)
	}
	return 0
}

// fatalLine is the line of an error that stops the daemon: on the journal
// with the error priority (sd-daemon's "<3>").
func fatalLine(journal bool, format string, a ...any) string {
	line := fmt.Sprintf("netfix daemon: "+format+"\n", a...)
	if journal {
		line = "<3>" + line
	}
	return line
}
