package main

import (
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// cmdTCPOpen is the BitTorrent client of scenario S2: it opens -n TCP
// connections to port -port of the addresses -from .. -from+count-1 (round
// robin), sends one line on each so conntrack sees it ESTABLISHED, and with
// -hold keeps them open, silent, until killed: the host never closes them,
// so no FIN leaves it. It prints "opened=N failed=M" once done opening.
func cmdTCPOpen(args []string) error {
	fs := flag.NewFlagSet("tcp-open", flag.ContinueOnError)
	from := fs.String("from", "", "first destination address")
	count := fs.Int("addrs", 1, "number of consecutive destination addresses")
	port := fs.Int("port", 6881, "destination port")
	n := fs.Int("n", 1, "connections to open")
	timeout := fs.Duration("timeout", 2*time.Second, "connect timeout of each connection")
	parallel := fs.Int("parallel", 16, "connections opened at once")
	hold := fs.Bool("hold", false, "keep the connections open until killed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	first, err := netip.ParseAddr(*from)
	if err != nil {
		return fmt.Errorf("-from: %w", err)
	}
	addrs := make([]netip.Addr, *count)
	a := first
	for i := range addrs {
		addrs[i] = a
		a = a.Next()
	}
	var mu sync.Mutex
	var conns []net.Conn
	failed := 0
	sem := make(chan struct{}, *parallel)
	var wg sync.WaitGroup
	for i := 0; i < *n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			dst := net.JoinHostPort(addrs[i%len(addrs)].String(), strconv.Itoa(*port))
			// No keepalive: its probes would refresh the router's entry
			// (Go turns it on by default), and the client of the report
			// sent nothing either.
			d := net.Dialer{Timeout: *timeout, KeepAlive: -1}
			c, err := d.Dial("tcp", dst)
			if err == nil {
				_, err = c.Write(payload(i, 0))
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed++
				if c != nil {
					c.Close()
				}
				return
			}
			conns = append(conns, c)
		}(i)
	}
	wg.Wait()
	fmt.Printf("opened=%d failed=%d\n", len(conns), failed)
	if !*hold {
		for _, c := range conns {
			c.Close()
		}
		return nil
	}
	_ = os.Stdout.Sync()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	return nil
}
