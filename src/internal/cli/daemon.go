package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/netfix/netfix/src/internal/config"
	"github.com/netfix/netfix/src/internal/daemon"
	"github.com/netfix/netfix/src/internal/ipc"
)

// Daemon runs the healer until SIGTERM: `netfix daemon`.
func Daemon(args []string, stderr io.Writer) int {
	// Signals first, before anything that takes time: procd's reload
	// sends SIGHUP right after start, whose default action would kill
	// the daemon; SIGTERM/SIGINT stop it cleanly from the start too.
	// SIGPIPE is ignored so a log reader that goes away (logd restarted,
	// a closed terminal) costs the log lines, not the healer: writes then
	// fail with EPIPE instead.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	fs := newFlagSet("daemon", stderr)
	var o daemon.Options
	fs.StringVar(&o.ConfigPath, "config", config.DefaultPath, "UCI config `file`")
	fs.StringVar(&o.Socket, "socket", ipc.DefaultSocket, "control socket `path` (root only)")
	fs.StringVar(&o.StatePath, "state", daemon.DefaultStatePath, "where the neighbour state survives restarts")
	fs.StringVar(&o.Root, "root", "", "read UCI files below `DIR` for the findings")
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
		fmt.Fprintln(stderr, "netfix daemon: needs root (CAP_NET_ADMIN) to watch netlink and delete conntrack entries; run it as root or via /etc/init.d/netfix")
		return 1
	}
	o.Log = stderr
	o.Reload = hup
	if err := daemon.Run(ctx, o); err != nil {
		fmt.Fprintf(stderr, "netfix daemon: %v\n", err)
		return 1
	}
	return 0
}
