package daemon

import (
	"fmt"
	"io"
	"sync"

	"github.com/netfix/netfix/src/internal/config"
)

// logger writes one line per message without timestamps: procd and logd
// add them on OpenWrt, journald elsewhere.
type logger struct {
	mu    sync.Mutex
	w     io.Writer
	level int
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

func (l *logger) setLevel(s string) {
	l.mu.Lock()
	l.level = levelRank(s)
	l.mu.Unlock()
}

func (l *logger) logf(level, format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if levelRank(level) > l.level {
		return
	}
	fmt.Fprintf(l.w, "%s: %s\n", level, clipLine(fmt.Sprintf(format, args...)))
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
