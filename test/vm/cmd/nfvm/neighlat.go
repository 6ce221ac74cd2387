package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/vishvananda/netlink"
)

// cmdNeighLat measures how long the daemon takes to act on a neighbour's
// MAC change (make bench's repair step, test/bench/conntrack.sh). It sets
// -ip's neighbour on -dev to -mac (NUD_REACHABLE) over rtnetlink, as a
// host that came back with another MAC, and waits for the daemon's log
// line about it: a line of -log, written after the call, that names both
// the address and the new MAC (the repair's decision; "changed MAC A -> B"
// in every build so far). It prints the milliseconds between the netlink
// call and the line, read by polling the file every 200 µs.
//
// With -hup PID it first sends SIGHUP to PID and waits -after: a reload
// starts a full probe, so the neighbour event arrives while the probe runs
// and the figure says how long a repair waits behind it.
//
// It drives the daemon only through what any build of it has (a signal,
// the kernel's neighbour table and the log), so old and new builds are
// measured alike.
func cmdNeighLat(args []string) error {
	fs := flag.NewFlagSet("neigh-lat", flag.ContinueOnError)
	dev := fs.String("dev", "br-lan", "interface of the neighbour")
	ipS := fs.String("ip", "", "neighbour address")
	macS := fs.String("mac", "", "its new MAC")
	logPath := fs.String("log", "", "the daemon's log file (debug level)")
	hup := fs.Int("hup", 0, "send SIGHUP to this PID first")
	after := fs.Duration("after", 50*time.Millisecond, "wait this long after the SIGHUP")
	timeout := fs.Duration("timeout", 60*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ip, err := netip.ParseAddr(*ipS)
	if err != nil {
		return fmt.Errorf("-ip: %w", err)
	}
	mac, err := net.ParseMAC(*macS)
	if err != nil {
		return fmt.Errorf("-mac: %w", err)
	}
	if *logPath == "" {
		return errors.New("usage: nfvm neigh-lat -ip ADDR -mac MAC -log FILE [-dev IF] [-hup PID -after D]")
	}
	link, err := netlink.LinkByName(*dev)
	if err != nil {
		return fmt.Errorf("interface %s: %w", *dev, err)
	}
	st, err := os.Stat(*logPath)
	if err != nil {
		return err
	}
	from := st.Size()
	if *hup > 0 {
		if err := syscall.Kill(*hup, syscall.SIGHUP); err != nil {
			return fmt.Errorf("SIGHUP %d: %w", *hup, err)
		}
		time.Sleep(*after)
	}
	fam := netlink.FAMILY_V4
	if ip.Is6() {
		fam = netlink.FAMILY_V6
	}
	n := &netlink.Neigh{LinkIndex: link.Attrs().Index, Family: fam, State: netlink.NUD_REACHABLE,
		IP: net.IP(ip.AsSlice()), HardwareAddr: mac}
	t0 := time.Now()
	if err := netlink.NeighSet(n); err != nil {
		return fmt.Errorf("set neighbour %s: %w", ip, err)
	}
	want1, want2 := []byte(ip.String()+" "), []byte(strings.ToLower(mac.String()))
	f, err := os.Open(*logPath)
	if err != nil {
		return err
	}
	defer f.Close()
	var buf []byte
	chunk := make([]byte, 64<<10)
	for {
		k, _ := f.ReadAt(chunk, from+int64(len(buf)))
		buf = append(buf, chunk[:k]...)
		for _, line := range bytes.Split(buf, []byte("\n")) {
			if bytes.Contains(line, want1) && bytes.Contains(bytes.ToLower(line), want2) {
				fmt.Printf("latency_ms=%.3f\n", float64(time.Since(t0).Microseconds())/1000)
				return nil
			}
		}
		if time.Since(t0) > *timeout {
			return fmt.Errorf("no log line about %s -> %s within %s", ip, mac, *timeout)
		}
		time.Sleep(200 * time.Microsecond)
	}
}
