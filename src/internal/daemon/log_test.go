package daemon

import (
	"bytes"
	"strings"
	"testing"
)

func TestLogLinesAreBounded(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	l := &logger{w: &b, level: levelRank("info")}
	l.Warnf("option %s", strings.Repeat("v", 10<<20))
	l.Infof("short %d", 1)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 2 || len(lines[0]) > maxLogLine+64 || !strings.HasSuffix(lines[0], "(10485767 bytes, cut)") || lines[1] != "info: short 1" {
		t.Errorf("log = %d lines, first %d bytes: %.60s … %s", len(lines), len(lines[0]), lines[0], lines[0][max(0, len(lines[0])-40):])
	}
}
