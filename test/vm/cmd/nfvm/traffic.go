package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

func nowUS() int64 { return time.Now().UnixMicro() }

func cmdNow(args []string) error {
	fmt.Println(nowUS())
	return nil
}

// logFile appends one line per event; every line is written with a single
// write(2) so a concurrent reader never sees half a line.
type logFile struct {
	mu sync.Mutex
	f  *os.File
}

func openLog(path string) (*logFile, error) {
	if path == "" {
		return &logFile{}, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &logFile{f: f}, nil
}

func (l *logFile) printf(format string, a ...any) {
	if l.f == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.f.WriteString(fmt.Sprintf(format, a...))
}

// payload is "NFVM <flow> <seq> <sent_us>\n".
func payload(flow, seq int) []byte {
	return []byte(fmt.Sprintf("NFVM %d %d %d\n", flow, seq, nowUS()))
}

func parsePayload(b []byte) (flow, seq int, ok bool) {
	f := strings.Fields(string(b))
	if len(f) < 4 || f[0] != "NFVM" {
		return 0, 0, false
	}
	flow, err1 := strconv.Atoi(f[1])
	seq, err2 := strconv.Atoi(f[2])
	return flow, seq, err1 == nil && err2 == nil
}

// cmdRecv is the LAN host side of a flow (the WireGuard endpoint of the
// report): it logs "<recv_us> <flow> <seq> <peer>" for every datagram and
// echoes it back, so conntrack sees a reply and the flow gets offloaded.
func cmdRecv(args []string) error {
	fs := flag.NewFlagSet("recv", flag.ContinueOnError)
	proto := fs.String("proto", "udp", "udp or tcp")
	listen := fs.String("listen", ":51820", "listen address")
	logPath := fs.String("log", "", "append one line per received datagram")
	echo := fs.Bool("echo", true, "echo every datagram back to its sender")
	hello := fs.String("hello", "", "send one datagram to each of these addresses (comma separated) from the listening socket at start (udp)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	lg, err := openLog(*logPath)
	if err != nil {
		return err
	}
	switch *proto {
	case "udp":
		pc, err := net.ListenPacket("udp", *listen)
		if err != nil {
			return err
		}
		for _, h := range strings.Split(*hello, ",") {
			if h == "" {
				continue
			}
			if ua, err := net.ResolveUDPAddr("udp", h); err == nil {
				_, _ = pc.WriteTo([]byte("NFVM-HELLO\n"), ua)
			}
		}
		buf := make([]byte, 2048)
		for {
			n, peer, err := pc.ReadFrom(buf)
			if err != nil {
				if errors.Is(err, net.ErrClosed) {
					return nil
				}
				continue
			}
			t := nowUS()
			flow, seq, ok := parsePayload(buf[:n])
			if !ok {
				continue
			}
			lg.printf("%d %d %d %s\n", t, flow, seq, peer)
			if *echo {
				_, _ = pc.WriteTo(buf[:n], peer)
			}
		}
	case "tcp":
		ln, err := net.Listen("tcp", *listen)
		if err != nil {
			return err
		}
		for {
			c, err := ln.Accept()
			if err != nil {
				return err
			}
			go func(c net.Conn) {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadBytes('\n')
					if err != nil {
						return
					}
					t := nowUS()
					flow, seq, ok := parsePayload(line)
					if !ok {
						continue
					}
					lg.printf("%d %d %d %s\n", t, flow, seq, c.RemoteAddr())
					if *echo {
						if _, err := c.Write(line); err != nil {
							return
						}
					}
				}
			}(c)
		}
	default:
		return fmt.Errorf("unknown -proto %q", *proto)
	}
}

// cmdSend is the remote peer: it sends one small datagram (or TCP line) per
// interval on each of -flows sockets and never gives up, like a WireGuard
// peer retrying its handshake. Echoes are logged to -log.
func cmdSend(args []string) error {
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	proto := fs.String("proto", "udp", "udp or tcp")
	to := fs.String("to", "", "destination host:port")
	interval := fs.Duration("interval", 200*time.Millisecond, "time between datagrams")
	flows := fs.Int("flows", 1, "number of flows (source ports)")
	sport := fs.Int("sport", 0, "first source port (0: ephemeral)")
	logPath := fs.String("log", "", "append one line per echo received")
	duration := fs.Duration("duration", 0, "stop after this long (0: never)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == "" {
		return errors.New("-to is required")
	}
	lg, err := openLog(*logPath)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	for i := 0; i < *flows; i++ {
		local := 0
		if *sport != 0 {
			local = *sport + i
		}
		wg.Add(1)
		go func(flow, local int) {
			defer wg.Done()
			if *proto == "tcp" {
				sendTCP(flow, local, *to, *interval, lg)
			} else {
				sendUDP(flow, local, *to, *interval, lg)
			}
		}(i, local)
	}
	if *duration > 0 {
		time.Sleep(*duration)
		return nil
	}
	wg.Wait()
	return nil
}

func sendUDP(flow, local int, to string, interval time.Duration, lg *logFile) {
	for {
		raddr, err := net.ResolveUDPAddr("udp", to)
		if err != nil {
			time.Sleep(interval)
			continue
		}
		var laddr *net.UDPAddr
		if local != 0 {
			laddr = &net.UDPAddr{Port: local}
		}
		c, err := net.DialUDP("udp", laddr, raddr)
		if err != nil {
			time.Sleep(interval)
			continue
		}
		go func() {
			buf := make([]byte, 2048)
			for {
				n, err := c.Read(buf)
				if err != nil {
					if errors.Is(err, net.ErrClosed) {
						return
					}
					// ICMP errors (port unreachable while the host is
					// replaced) surface here: keep reading.
					continue
				}
				if f, seq, ok := parsePayload(buf[:n]); ok {
					lg.printf("%d %d %d echo\n", nowUS(), f, seq)
				}
			}
		}()
		for seq := 0; ; seq++ {
			// Errors (ECONNREFUSED after an ICMP error) are ignored:
			// the socket and its 5-tuple must stay the same.
			_, _ = c.Write(payload(flow, seq))
			time.Sleep(interval)
		}
	}
}

func sendTCP(flow, local int, to string, interval time.Duration, lg *logFile) {
	seq := 0
	for {
		d := net.Dialer{Timeout: 2 * time.Second}
		if local != 0 {
			d.LocalAddr = &net.TCPAddr{Port: local}
		}
		c, err := d.Dial("tcp", to)
		if err != nil {
			time.Sleep(interval)
			continue
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			r := bufio.NewReader(c)
			for {
				line, err := r.ReadBytes('\n')
				if err != nil {
					return
				}
				if f, s, ok := parsePayload(line); ok {
					lg.printf("%d %d %d echo\n", nowUS(), f, s)
				}
			}
		}()
	send:
		for {
			_ = c.SetWriteDeadline(time.Now().Add(30 * time.Second))
			if _, err := c.Write(payload(flow, seq)); err != nil {
				break
			}
			seq++
			select {
			case <-done:
				break send
			case <-time.After(interval):
			}
		}
		c.Close()
		time.Sleep(interval)
	}
}

// readLogTimes returns the receive times (first column) of the lines of a
// log that contain match.
func readLogTimes(path, match string) ([]int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var out []int64
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.Contains(line, match) {
			continue
		}
		if t, err := strconv.ParseInt(f[0], 10, 64); err == nil {
			out = append(out, t)
		}
	}
	return out, nil
}

// cmdFirst waits up to -wait for a receive logged at or after -after and
// prints its time and its delay after -after.
func cmdFirst(args []string) error {
	fs := flag.NewFlagSet("first", flag.ContinueOnError)
	logPath := fs.String("log", "", "receive log")
	after := fs.Int64("after", 0, "unix microseconds")
	wait := fs.Duration("wait", 0, "how long to wait for it")
	match := fs.String("match", "", "only lines containing this (e.g. the peer address)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	deadline := time.Now().Add(*wait)
	for {
		ts, err := readLogTimes(*logPath, *match)
		if err != nil {
			return err
		}
		for _, t := range ts {
			if t >= *after {
				fmt.Printf("first_us=%d delay_ms=%d\n", t, (t-*after)/1000)
				return nil
			}
		}
		if time.Now().After(deadline) {
			fmt.Println("first_us=-1 delay_ms=-1")
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cmdStats prints how many receives a log has in [from, to) and the largest
// gap between consecutive receives, the window's edges included.
func cmdStats(args []string) error {
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	logPath := fs.String("log", "", "receive log")
	from := fs.Int64("from", 0, "window start, unix microseconds")
	to := fs.Int64("to", 0, "window end, unix microseconds (0: now)")
	match := fs.String("match", "", "only lines containing this (e.g. the peer address)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == 0 {
		*to = nowUS()
	}
	ts, err := readLogTimes(*logPath, *match)
	if err != nil {
		return err
	}
	count := 0
	prev := *from
	var maxGap int64
	// The largest gap's edges: the last receive before it (the window start
	// if none) and the first after it (-1 when the gap runs to the window's
	// end: nothing came back).
	gapStart, gapEnd := *from, int64(-1)
	for _, t := range ts {
		if t < *from || t >= *to {
			continue
		}
		count++
		if t-prev > maxGap {
			maxGap = t - prev
			gapStart, gapEnd = prev, t
		}
		prev = t
	}
	if *to-prev > maxGap {
		maxGap = *to - prev
		gapStart, gapEnd = prev, -1
	}
	fmt.Printf("count=%d maxgap_ms=%d window_ms=%d gap_start_us=%d gap_end_us=%d\n", count, maxGap/1000, (*to-*from)/1000, gapStart, gapEnd)
	return nil
}

// cmdStamp copies standard input to standard output, each line prefixed
// with the unix microseconds it was read at: a timeline of a monitor's
// notifications (bridge monitor fdb, iw event) next to the receive logs.
func cmdStamp(args []string) error {
	fs := flag.NewFlagSet("stamp", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	r := bufio.NewReader(os.Stdin)
	for {
		line, err := r.ReadString('\n')
		if line != "" {
			if _, werr := fmt.Fprintf(os.Stdout, "%d %s", nowUS(), strings.TrimRight(line, "\n")+"\n"); werr != nil {
				return werr
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

func cmdWaitFile(args []string) error {
	fs := flag.NewFlagSet("wait-file", flag.ContinueOnError)
	path := fs.String("f", "", "file")
	s := fs.String("s", "", "string to wait for")
	timeout := fs.Duration("timeout", 10*time.Second, "give up after")
	if err := fs.Parse(args); err != nil {
		return err
	}
	deadline := time.Now().Add(*timeout)
	for {
		b, _ := os.ReadFile(*path)
		if strings.Contains(string(b), *s) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%q not in %s after %s", *s, *path, *timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
