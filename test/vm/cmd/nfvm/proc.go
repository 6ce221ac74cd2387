package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

// clkTck is USER_HZ, which is 100 on every Linux architecture netfix runs on.
const clkTck = 100

// cmdProcStat prints a process's resident memory (VmRSS, VmHWM) and its
// user and system CPU time from /proc/PID/status and /proc/PID/stat.
func cmdProcStat(args []string) error {
	fs := flag.NewFlagSet("procstat", flag.ContinueOnError)
	pid := fs.Int("pid", 0, "process id")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", *pid))
	if err != nil {
		return err
	}
	// Field 2 (comm) may hold blanks: split after its closing parenthesis.
	s := string(st)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return fmt.Errorf("odd /proc/%d/stat", *pid)
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state); utime is field 14, stime field 15.
	if len(f) < 13 {
		return fmt.Errorf("short /proc/%d/stat", *pid)
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	stt, _ := strconv.ParseInt(f[12], 10, 64)
	rss, hwm, threads := "0", "0", "0"
	sf, err := os.Open(fmt.Sprintf("/proc/%d/status", *pid))
	if err != nil {
		return err
	}
	defer sf.Close()
	sc := bufio.NewScanner(sf)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		fields := strings.Fields(v)
		if len(fields) == 0 {
			continue
		}
		switch k {
		case "VmRSS":
			rss = fields[0]
		case "VmHWM":
			hwm = fields[0]
		case "Threads":
			threads = fields[0]
		}
	}
	fmt.Printf("rss_kb=%s hwm_kb=%s threads=%s utime_ms=%d stime_ms=%d cpu_ms=%d\n",
		rss, hwm, threads, ut*1000/clkTck, stt*1000/clkTck, (ut+stt)*1000/clkTck)
	return nil
}

// cmdPct reads one number per line and prints nearest-rank percentiles.
func cmdPct(args []string) error {
	fs := flag.NewFlagSet("pct", flag.ContinueOnError)
	prefix := fs.String("prefix", "", "prefix for every key")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var xs []float64
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		t := strings.TrimSpace(sc.Text())
		if t == "" {
			continue
		}
		x, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return fmt.Errorf("not a number: %q", t)
		}
		xs = append(xs, x)
	}
	p := *prefix
	if len(xs) == 0 {
		fmt.Printf("%sn=0\n", p)
		return nil
	}
	sort.Float64s(xs)
	rank := func(q float64) float64 {
		i := int(math.Ceil(q*float64(len(xs)))) - 1
		if i < 0 {
			i = 0
		}
		return xs[i]
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	fmt.Printf("%sn=%d %smin=%g %sp50=%g %sp90=%g %sp99=%g %smax=%g %smean=%.1f\n",
		p, len(xs), p, xs[0], p, rank(0.5), p, rank(0.9), p, rank(0.99), p, xs[len(xs)-1], p, sum/float64(len(xs)))
	return nil
}
