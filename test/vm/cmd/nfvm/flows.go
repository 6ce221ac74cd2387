package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"time"
)

// cmdFlows keeps many UDP flows alive with few resources, for a "real
// router" table of thousands of offloaded entries: every round it opens
// one socket per source port in turn, sends -count datagrams and closes it
// again (the conntrack entry outlives the socket), then sleeps until the
// next round. Round one creates the entries, its second datagram makes the
// flowtable offload each; a round every -every (below the flowtable's 30 s
// UDP timeout) keeps them offloaded. Nothing is echoed: the receiver drops
// them (see bench.sh), so no ICMP comes back.
func cmdFlows(args []string) error {
	fs := flag.NewFlagSet("flows", flag.ContinueOnError)
	to := fs.String("to", "", "destination host:port")
	sport := fs.Int("sport", 20000, "first source port")
	n := fs.Int("n", 1000, "flows (source ports sport .. sport+n-1)")
	count := fs.Int("count", 2, "datagrams per flow and round")
	every := fs.Duration("every", 20*time.Second, "time from the start of one round to the next")
	rounds := fs.Int("rounds", 0, "stop after this many rounds (0: never)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	raddr, err := net.ResolveUDPAddr("udp", *to)
	if err != nil {
		return fmt.Errorf("-to: %w", err)
	}
	if *sport < 1 || *sport+*n > 65536 {
		return errors.New("source ports out of range")
	}
	payload := []byte("netfix-vm flows")
	for r := 1; *rounds == 0 || r <= *rounds; r++ {
		start := time.Now()
		sent := 0
		for p := *sport; p < *sport+*n; p++ {
			c, err := net.ListenUDP("udp", &net.UDPAddr{Port: p})
			if err != nil {
				continue // port busy: one flow fewer this round
			}
			for i := 0; i < *count; i++ {
				if _, err := c.WriteToUDP(payload, raddr); err == nil {
					sent++
				}
			}
			c.Close()
		}
		fmt.Printf("round=%d datagrams=%d elapsed_ms=%d\n", r, sent, time.Since(start).Milliseconds())
		time.Sleep(time.Until(start.Add(*every)))
	}
	return nil
}
