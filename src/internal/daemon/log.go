package daemon

import (
	"fmt"
	"io"
	"sync"

	"github.com/netfix/netfix/src/internal/config"
)

// Stream is one output of the daemon's log.
type Stream struct {
	W io.Writer
	// Journal: W is the stream journald connected the daemon to (the
	// caller checks JOURNAL_STREAM, see cli). Each line then starts with
	// sd-daemon's priority prefix ("<4>" for a warning, sd-daemon(3)),
	// which journald strips and keeps as the line's priority, so
	// `journalctl -u netfix -p warning` shows the warnings and errors.
	Journal bool
}

// logger writes one line per message without timestamps: procd and logd
// add them on OpenWrt, journald elsewhere.
//
// Info and debug lines go to out, warnings and errors to errOut. That is
// what gives them their priority under procd, which has no priority
// prefix: it reads a service's stdout and stderr (procd_set_param stdout 1
// and stderr 1 in /etc/init.d/netfix) and logs each line to syslog as
// LOG_INFO from stdout and LOG_ERR from stderr (openwrt/procd
// service/instance.c, commit 2c1834abae17: instance_stdout calls
// instance_stdio(s, LOG_INFO, …) at lines 744-747, instance_stderr calls
// instance_stdio(s, LOG_ERR, …) at lines 791-794, and instance_stdio
// logs each line with ulog(prio, …) under ident "netfix[pid]" and the
// instance's facility, LOG_DAEMON by default). So in logread info lines
// are daemon.info and warnings and errors daemon.err: procd has no
// warning level for a stream. Under systemd both streams are the journal
// and the prefix gives each line its exact priority.
type logger struct {
	// mu guards level and keeps each line whole on its stream; every
	// goroutine that logs takes it for one write.
	mu          sync.Mutex
	out, errOut Stream
	level       int
}

func newLogger(out, errOut Stream) *logger {
	if errOut.W == nil {
		errOut = out
	}
	return &logger{out: out, errOut: errOut} // errors only until the config sets the level
}

func levelRank(l string) int {
	switch l {
	case config.LevelError:
		return 0
	case config.LevelWarn:
		return 1
	case config.LevelDebug:
		return 3
	default:
		return 2
	}
}

// priority is the syslog priority of a level (sd-daemon's prefixes are
// the same numbers): LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG.
func priority(level string) int {
	switch level {
	case config.LevelError:
		return 3
	case config.LevelWarn:
		return 4
	case config.LevelDebug:
		return 7
	default:
		return 6
	}
}

func (l *logger) setLevel(s string) {
	l.mu.Lock()
	l.level = levelRank(s)
	l.mu.Unlock()
}

func (l *logger) logf(level, format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	rank := levelRank(level)
	if rank > l.level {
		return
	}
	s := l.out
	if rank <= levelRank(config.LevelWarn) {
		s = l.errOut
	}
	fmt.Fprint(s.W, formatLine(s.Journal, level, clipLine(fmt.Sprintf(format, args...))))
}

// formatLine is one log line. The level stays in the text ("warn: …")
// on the journal too: it reads the same in logread, journalctl and a
// terminal, and grep finds it everywhere.
func formatLine(journal bool, level, msg string) string {
	if journal {
		return fmt.Sprintf("<%d>%s: %s\n", priority(level), level, msg)
	}
	return level + ": " + msg + "\n"
}

// maxLogLine bounds one log line: values from files and the network are
// quoted short where they are formatted (config.Quote); this is the
// backstop, so no input can turn into a multi-megabyte line in logd.
const maxLogLine = 2048

func clipLine(s string) string {
	if len(s) <= maxLogLine {
		return s
	}
	return fmt.Sprintf("%s… (%d bytes, cut)", s[:maxLogLine], len(s))
}

func (l *logger) Errorf(f string, a ...any) { l.logf(config.LevelError, f, a...) }
func (l *logger) Warnf(f string, a ...any)  { l.logf(config.LevelWarn, f, a...) }
func (l *logger) Infof(f string, a ...any)  { l.logf(config.LevelInfo, f, a...) }
func (l *logger) Debugf(f string, a ...any) { l.logf(config.LevelDebug, f, a...) }
