package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ti-mo/conntrack"
)

const (
	ipsOffload   = 1 << 14
	ipsHWOffload = 1 << 15
)

func protoName(p uint8) string {
	switch p {
	case 6:
		return "tcp"
	case 17:
		return "udp"
	case 1:
		return "icmp"
	case 58:
		return "icmpv6"
	}
	return fmt.Sprint(p)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ctLine is the one-line form of an entry that ct-dump writes and ct-diff
// reads: "id=... proto=... osrc=... odst=... ...".
func ctLine(f conntrack.Flow) string {
	o, r := f.TupleOrig, f.TupleReply
	st := uint32(f.Status)
	return fmt.Sprintf("id=%d proto=%s osrc=%s odst=%s osport=%d odport=%d rsrc=%s rdst=%s rsport=%d rdport=%d offload=%d hw_offload=%d opkts=%d rpkts=%d timeout=%d",
		f.ID, protoName(o.Proto.Protocol), o.IP.SourceAddress, o.IP.DestinationAddress,
		o.Proto.SourcePort, o.Proto.DestinationPort, r.IP.SourceAddress, r.IP.DestinationAddress,
		r.Proto.SourcePort, r.Proto.DestinationPort, b2i(st&ipsOffload != 0), b2i(st&ipsHWOffload != 0),
		f.CountersOrig.Packets, f.CountersReply.Packets, f.Timeout)
}

func ctDump() ([]conntrack.Flow, error) {
	c, err := conntrack.Dial(nil)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	_ = c.SetReadBuffer(8 << 20)
	return c.Dump(nil)
}

func cmdCTDump(args []string) error {
	fs := flag.NewFlagSet("ct-dump", flag.ContinueOnError)
	out := fs.String("o", "-", "output file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	flows, err := ctDump()
	if err != nil {
		return err
	}
	var w io.Writer = os.Stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	for _, f := range flows {
		fmt.Fprintln(bw, ctLine(f))
	}
	return bw.Flush()
}

// involves reports whether any address of an entry is one of ips.
func involves(f conntrack.Flow, ips map[netip.Addr]bool) bool {
	for _, a := range []netip.Addr{f.TupleOrig.IP.SourceAddress, f.TupleOrig.IP.DestinationAddress,
		f.TupleReply.IP.SourceAddress, f.TupleReply.IP.DestinationAddress} {
		if ips[a.Unmap()] {
			return true
		}
	}
	return false
}

func parseIPs(s string) (map[netip.Addr]bool, error) {
	m := map[netip.Addr]bool{}
	for _, p := range strings.Split(s, ",") {
		if p == "" {
			continue
		}
		a, err := netip.ParseAddr(p)
		if err != nil {
			return nil, err
		}
		m[a] = true
	}
	return m, nil
}

func cmdCTCount(args []string) error {
	fs := flag.NewFlagSet("ct-count", flag.ContinueOnError)
	ip := fs.String("ip", "", "addresses, comma separated (empty: all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ips, err := parseIPs(*ip)
	if err != nil {
		return err
	}
	flows, err := ctDump()
	if err != nil {
		return err
	}
	n, off, hw := 0, 0, 0
	for _, f := range flows {
		if len(ips) > 0 && !involves(f, ips) {
			continue
		}
		n++
		off += b2i(uint32(f.Status)&ipsOffload != 0)
		hw += b2i(uint32(f.Status)&ipsHWOffload != 0)
	}
	fmt.Printf("count=%d offloaded=%d hw_offloaded=%d total=%d\n", n, off, hw, len(flows))
	return nil
}

// cmdCTWait waits until at least -n entries involving -ip carry the OFFLOAD
// bit.
func cmdCTWait(args []string) error {
	fs := flag.NewFlagSet("ct-wait", flag.ContinueOnError)
	ip := fs.String("ip", "", "addresses, comma separated")
	n := fs.Int("n", 1, "how many offloaded entries")
	timeout := fs.Duration("timeout", 10*time.Second, "give up after")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ips, err := parseIPs(*ip)
	if err != nil {
		return err
	}
	start := time.Now()
	for {
		flows, err := ctDump()
		if err != nil {
			return err
		}
		off := 0
		for _, f := range flows {
			if involves(f, ips) && uint32(f.Status)&ipsOffload != 0 {
				off++
			}
		}
		if off >= *n {
			fmt.Printf("offloaded=%d waited_ms=%d\n", off, time.Since(start).Milliseconds())
			return nil
		}
		if time.Since(start) > *timeout {
			fmt.Printf("offloaded=%d waited_ms=%d\n", off, time.Since(start).Milliseconds())
			return fmt.Errorf("only %d offloaded entries for %s after %s", off, *ip, *timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// cmdCTFill creates -n UDP entries (assured, seen reply, not offloaded: the
// kernel refuses the OFFLOAD bit from user space) from distinct source
// addresses and ports of -src towards -dst, as a loaded router's table.
func cmdCTFill(args []string) error {
	fs := flag.NewFlagSet("ct-fill", flag.ContinueOnError)
	n := fs.Int("n", 1000, "entries to create")
	src := fs.String("src", "10.200.0.1", "first source address (incremented every 50000 ports)")
	dst := fs.String("dst", "192.168.1.100", "destination addresses, comma separated (round robin)")
	dport := fs.Int("dport", 443, "destination port")
	timeout := fs.Uint("timeout", 3600, "entry timeout, seconds")
	workers := fs.Int("workers", 4, "parallel netlink sockets")
	if err := fs.Parse(args); err != nil {
		return err
	}
	base, err := netip.ParseAddr(*src)
	if err != nil {
		return err
	}
	var dsts []netip.Addr
	for _, d := range strings.Split(*dst, ",") {
		a, err := netip.ParseAddr(d)
		if err != nil {
			return err
		}
		dsts = append(dsts, a)
	}
	start := time.Now()
	var created, exists atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c, err := conntrack.Dial(nil)
			if err != nil {
				mu.Lock()
				firstErr = err
				mu.Unlock()
				return
			}
			defer c.Close()
			for i := w; i < *n; i += *workers {
				s := base
				for k := 0; k < i/50000; k++ {
					s = s.Next()
				}
				sport := uint16(10000 + i%50000)
				d := dsts[i%len(dsts)]
				// CONFIRMED must be in the status: the kernel sets it on
				// a new entry before applying CTA_STATUS and refuses
				// (EBUSY) a status that would clear it.
				f := conntrack.NewFlow(17, conntrack.StatusSeenReply|conntrack.StatusAssured|conntrack.StatusConfirmed,
					s, d, sport, uint16(*dport), uint32(*timeout), 0)
				if err := c.Create(f); err != nil {
					if strings.Contains(err.Error(), "exists") {
						exists.Add(1)
						continue
					}
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("entry %d: %w", i, err)
					}
					mu.Unlock()
					return
				}
				created.Add(1)
			}
		}(w)
	}
	wg.Wait()
	fmt.Printf("created=%d existed=%d elapsed_ms=%d\n", created.Load(), exists.Load(), time.Since(start).Milliseconds())
	return firstErr
}

type ctEntry struct {
	id   string
	line string
	ips  []string
}

func readCTFile(path string) (map[string]ctEntry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := map[string]ctEntry{}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" {
			continue
		}
		e := ctEntry{line: line}
		for _, kv := range strings.Fields(line) {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "id":
				e.id = v
			case "osrc", "odst", "rsrc", "rdst":
				e.ips = append(e.ips, v)
			}
		}
		// IDs are unique per entry; key on the tuple too so a recycled
		// ID is not taken for the same entry.
		key := e.id + " " + strings.Join(e.ips, " ")
		m[key] = e
	}
	return m, nil
}

// cmdCTDiff compares two ct-dump files: which entries disappeared, whether
// they involved one of the -watch addresses, which appeared.
func cmdCTDiff(args []string) error {
	fs := flag.NewFlagSet("ct-diff", flag.ContinueOnError)
	a := fs.String("a", "", "dump before")
	b := fs.String("b", "", "dump after")
	watch := fs.String("watch", "", "addresses whose entries may disappear, comma separated")
	ignore := fs.String("ignore", "", "addresses whose entries are not counted at all, comma separated")
	verbose := fs.Bool("v", false, "print every removed entry")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *a == "" || *b == "" {
		return errors.New("-a and -b are required")
	}
	before, err := readCTFile(*a)
	if err != nil {
		return err
	}
	after, err := readCTFile(*b)
	if err != nil {
		return err
	}
	w := map[string]bool{}
	for _, s := range strings.Split(*watch, ",") {
		if s != "" {
			w[s] = true
		}
	}
	ig := map[string]bool{}
	for _, s := range strings.Split(*ignore, ",") {
		if s != "" {
			ig[s] = true
		}
	}
	hit := func(e ctEntry, set map[string]bool) bool {
		for _, ip := range e.ips {
			if set[ip] {
				return true
			}
		}
		return false
	}
	var removedW, removedO, kept, added int
	var lines []string
	for k, e := range before {
		if hit(e, ig) {
			continue
		}
		if _, ok := after[k]; ok {
			kept++
			continue
		}
		if hit(e, w) {
			removedW++
			lines = append(lines, "removed watched "+e.line)
		} else {
			removedO++
			lines = append(lines, "removed other "+e.line)
		}
	}
	for k, e := range after {
		if hit(e, ig) {
			continue
		}
		if _, ok := before[k]; !ok {
			added++
		}
	}
	fmt.Printf("removed_watched=%d removed_other=%d kept=%d added=%d\n", removedW, removedO, kept, added)
	if *verbose {
		sort.Strings(lines)
		for _, l := range lines {
			fmt.Println(l)
		}
	}
	return nil
}
