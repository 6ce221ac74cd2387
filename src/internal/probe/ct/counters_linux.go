//go:build linux

package ct

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ti-mo/conntrack"

	"github.com/netfix/netfix/src/internal/facts"
)

// SampleCounters reads conntrack's counters, waits, and reads them again.
func SampleCounters(ctc *conntrack.Conn, wait time.Duration) (facts.CounterSample, error) {
	var cs facts.CounterSample
	first, err := ReadCounters(ctc)
	if err != nil {
		return cs, err
	}
	start := time.Now()
	time.Sleep(wait)
	second, err := ReadCounters(ctc)
	if err != nil {
		return cs, err
	}
	return facts.CounterSample{Sampled: true, First: first, Second: second, IntervalMS: time.Since(start).Milliseconds()}, nil
}

// ReadCounters sums conntrack's per-CPU statistics. ti-mo/conntrack has
// no clash_resolve (kernel 5.7+), so that one comes from
// /proc/net/stat/nf_conntrack when it has the column.
func ReadCounters(ctc *conntrack.Conn) (facts.CTCounters, error) {
	var c facts.CTCounters
	stats, err := ctc.Stats()
	if err != nil {
		return c, fmt.Errorf("read conntrack statistics: %w", err)
	}
	for _, s := range stats {
		c.Found += uint64(s.Found)
		c.Invalid += uint64(s.Invalid)
		c.InsertFailed += uint64(s.InsertFailed)
	}
	if f, err := os.Open("/proc/net/stat/nf_conntrack"); err == nil {
		// The proc file calls it "clashres" (ctnetlink: CTA_STATS_CLASH_RESOLVE).
		c.ClashResolve, c.HasClashResolve = procStatColumn(f, "clashres")
		f.Close()
	}
	return c, nil
}

// procStatColumn sums one column of /proc/net/stat/nf_conntrack: a header
// line of names, then one line of hexadecimal values per CPU.
func procStatColumn(f io.Reader, name string) (uint64, bool) {
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return 0, false
	}
	col := -1
	for i, h := range strings.Fields(sc.Text()) {
		if h == name {
			col = i
		}
	}
	if col < 0 {
		return 0, false
	}
	var sum uint64
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if col < len(fields) {
			v, err := strconv.ParseUint(fields[col], 16, 64)
			if err == nil {
				sum += v
			}
		}
	}
	return sum, true
}
