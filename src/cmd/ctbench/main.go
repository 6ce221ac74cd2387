// Command ctbench measures netfix's full-table conntrack analysis (the S2
// breakdown: one streaming dump aggregated per entry, nothing of the table
// kept) against `conntrack -L > /dev/null` on the same table, at several
// table sizes: wall time and peak RSS of each, as a table. Figures, no
// asserts.
//
//	go build -o build/ctbench ./src/cmd/ctbench && sudo build/ctbench -sizes 10000,100000,250000
//
// It builds a throwaway network namespace (ctbench-<pid>), fills its
// conntrack table over ctnetlink with ESTABLISHED TCP entries of 50 LAN
// hosts, runs each reader -reps times as a child process inside it, and
// deletes the namespace. The host's nf_conntrack_max must allow the largest
// size (it is global); ctbench never changes it. With -buckets router (the
// default) it sizes the kernel's conntrack hash for each table as on a
// router that holds it (the power of two >= the table: one bucket per
// entry of the default nf_conntrack_max since Linux 5.15) and puts the
// host's size back at the end; every walk locks every bucket, and this
// host's 262,144 made a 10k table cost 16 times a router's walk.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mdlayher/netlink"
	"github.com/ti-mo/conntrack"
	"github.com/vishvananda/netns"

	"github.com/netfix/netfix/src/internal/probe/ct"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "analyse" {
		if err := analyse(); err != nil {
			fmt.Fprintln(os.Stderr, "ctbench analyse:", err)
			os.Exit(1)
		}
		return
	}
	sizes := flag.String("sizes", "10000,100000,250000", "table sizes, comma separated")
	reps := flag.Int("reps", 3, "runs of each reader per size (the median is shown)")
	buckets := flag.String("buckets", "router", "conntrack hash size: router (the power of two >= the table, as the kernel sizes it on a router that holds the table) or host (this host's, left alone)")
	flag.Parse()
	if *buckets != "router" && *buckets != "host" {
		fmt.Fprintln(os.Stderr, "ctbench: -buckets is router or host")
		os.Exit(2)
	}
	if err := run(*sizes, *reps, *buckets == "router"); err != nil {
		fmt.Fprintln(os.Stderr, "ctbench:", err)
		os.Exit(1)
	}
}

// analyse is the child: exactly what `netfix check` does for S2 on a table
// (statistics, sysctls, the streaming breakdown), printing a summary so
// the work cannot be skipped.
func analyse() error {
	if path := os.Getenv("CTBENCH_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	c, err := conntrack.Dial(nil)
	if err != nil {
		return err
	}
	defer c.Close()
	t, err := ct.ReadCTTable(c)
	if err != nil {
		return err
	}
	u, reclaimable, err := ct.ReadCTUsage(context.Background(), "/", t.Timeouts.Established, 3600)
	if err != nil {
		return err
	}
	fmt.Printf("dumped=%d established=%d hosts=%d reclaimable=%d top=%s\n", u.Dumped, u.Established, u.HostsTotal, reclaimable, u.Hosts[0].Addr)
	return nil
}

type sample struct {
	wall  time.Duration
	rssKB int64
}

// measure runs one reader. Its peak RSS is the child's own VmHWM, polled
// from /proc every millisecond until it exits: rusage's ru_maxrss would
// also count the memory of this process, which the child shares between
// fork and exec.
func measure(args ...string) (sample, error) {
	cmd := exec.Command(args[0], args[1:]...)
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return sample{}, err
	}
	defer devnull.Close()
	cmd.Stdout = devnull
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return sample{}, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	var peak int64
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			wall := time.Since(start)
			if err != nil {
				return sample{}, fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, stderr.String())
			}
			return sample{wall: wall, rssKB: peak}, nil
		case <-tick.C:
			if kb := vmHWM(status); kb > peak {
				peak = kb
			}
		}
	}
}

// vmHWM reads the peak resident set (kB) of the process's current image.
func vmHWM(path string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return 0
}

func median(s []sample) sample {
	sort.Slice(s, func(i, j int) bool { return s[i].wall < s[j].wall })
	m := s[len(s)/2]
	var rss int64
	for _, x := range s {
		if x.rssKB > rss {
			rss = x.rssKB
		}
	}
	m.rssKB = rss
	return m
}

func run(sizeList string, reps int, routerHash bool) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("needs root (a network namespace and ctnetlink writes)")
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if _, err := exec.LookPath("conntrack"); err != nil {
		return fmt.Errorf("conntrack-tools missing (apt-get install conntrack): %w", err)
	}
	name := fmt.Sprintf("ctbench-%d", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		return fmt.Errorf("ip netns add: %v: %s", err, out)
	}
	defer exec.Command("ip", "netns", "del", name).Run()
	h, err := netns.GetFromName(name)
	if err != nil {
		return err
	}
	defer h.Close()
	c, err := conntrack.Dial(&netlink.Config{NetNS: int(h)})
	if err != nil {
		return fmt.Errorf("conntrack netlink in the namespace: %w", err)
	}
	defer c.Close()
	if routerHash {
		orig, err := os.ReadFile(hashSize)
		if err != nil {
			return fmt.Errorf("read the conntrack hash size: %w", err)
		}
		defer func() { _ = writeHashSize(strings.TrimSpace(string(orig))) }()
	}

	// The readers start from a thread switched into the namespace (a
	// forked process inherits its thread's namespaces), not through `ip
	// netns exec`: its 4.5 ms here (a mount namespace, /sys remounted) was
	// on both sides of every ratio and pulled it towards 1.
	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		return err
	}
	defer orig.Close()
	if err := netns.Set(h); err != nil {
		return fmt.Errorf("enter the namespace: %w", err)
	}
	defer func() {
		if netns.Set(orig) == nil {
			runtime.UnlockOSThread()
		}
	}()

	fmt.Printf("%-8s %8s %14s %14s %8s %16s %16s\n", "entries", "buckets", "netfix (ms)", "conntrack -L", "ratio", "netfix RSS (MB)", "conntrack RSS")
	filled := 0
	for _, f := range strings.Split(sizeList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("size %q: %w", f, err)
		}
		if routerHash {
			nb := 1024
			for nb < n {
				nb *= 2
			}
			if err := writeHashSize(strconv.Itoa(nb)); err != nil {
				return err
			}
		}
		nb, _ := readHashSize()
		for ; filled < n; filled++ {
			if err := c.Create(entry(filled)); err != nil {
				return fmt.Errorf("create entry %d (is nf_conntrack_max at least %d?): %w", filled, n, err)
			}
		}
		var nf, ct []sample
		for r := 0; r < reps; r++ {
			s, err := measure(self, "analyse")
			if err != nil {
				return err
			}
			nf = append(nf, s)
			s, err = measure("conntrack", "-L")
			if err != nil {
				return err
			}
			ct = append(ct, s)
		}
		a, b := median(nf), median(ct)
		fmt.Printf("%-8d %8s %14.1f %14.1f %7.2fx %16.1f %16.1f\n", n, nb,
			float64(a.wall.Microseconds())/1000, float64(b.wall.Microseconds())/1000,
			float64(a.wall)/float64(b.wall), float64(a.rssKB)/1024, float64(b.rssKB)/1024)
	}
	return nil
}

// hashSize is the kernel's conntrack hash size, global and writable only
// from the first network namespace.
const hashSize = "/proc/sys/net/netfilter/nf_conntrack_buckets"

// writeHashSize and readHashSize run on a goroutine of their own: the
// calling one is locked to a thread in the benchmark's namespace, where
// the file is read-only.
func writeHashSize(v string) error {
	errc := make(chan error, 1)
	go func() { errc <- os.WriteFile(hashSize, []byte(v), 0) }()
	if err := <-errc; err != nil {
		return fmt.Errorf("set the conntrack hash size to %s: %w", v, err)
	}
	return nil
}

func readHashSize() (string, error) {
	type result struct {
		b   []byte
		err error
	}
	rc := make(chan result, 1)
	go func() { b, err := os.ReadFile(hashSize); rc <- result{b, err} }()
	r := <-rc
	return strings.TrimSpace(string(r.b)), r.err
}

// entry i: an ESTABLISHED TCP entry of one of 50 LAN hosts to a peer,
// silent between 0 and 5 days (its time left spread over the kernel's
// 432000 s).
func entry(i int) conntrack.Flow {
	src := netip.AddrFrom4([4]byte{192, 168, 1, byte(10 + i%50)})
	dst := netip.AddrFrom4([4]byte{203, byte(i >> 16), byte(i >> 8), byte(i)})
	timeout := uint32(60 + (i*7919)%431900)
	f := conntrack.NewFlow(6, conntrack.StatusConfirmed|conntrack.StatusAssured|conntrack.StatusSeenReply,
		src, dst, uint16(1024+i%60000), 6881, timeout, 0)
	f.ProtoInfo.TCP = &conntrack.ProtoInfoTCP{State: 3}
	return f
}
