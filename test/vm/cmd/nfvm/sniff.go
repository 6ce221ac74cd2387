package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"net"
	"sort"
	"strings"
	"syscall"
	"time"
)

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// cmdSniff captures frames on one interface (AF_PACKET, both directions) and
// prints the Ethernet destination of every UDP/TCP frame towards -port. It is
// the `tcpdump -e` of the report: it shows which MAC the router writes.
func cmdSniff(args []string) error {
	fs := flag.NewFlagSet("sniff", flag.ContinueOnError)
	ifname := fs.String("i", "", "interface")
	port := fs.Int("port", 51820, "destination port to match")
	max := fs.Int("n", 3, "stop after this many matching frames")
	timeout := fs.Duration("timeout", 2*time.Second, "stop after this long")
	dir := fs.String("dir", "out", "out (transmitted), in (received) or any")
	quiet := fs.Bool("q", false, "print only the summary line")
	dstIP := fs.String("dst", "", "match only this destination address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ifi, err := net.InterfaceByName(*ifname)
	if err != nil {
		return err
	}
	const ethPAll = 0x0003
	fd, err := syscall.Socket(syscall.AF_PACKET, syscall.SOCK_RAW, int(htons(ethPAll)))
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrLinklayer{Protocol: htons(ethPAll), Ifindex: ifi.Index}); err != nil {
		return err
	}
	tv := syscall.NsecToTimeval((100 * time.Millisecond).Nanoseconds())
	if err := syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv); err != nil {
		return err
	}
	deadline := time.Now().Add(*timeout)
	buf := make([]byte, 65536)
	macs := map[string]int{}
	n := 0
	for n < *max && time.Now().Before(deadline) {
		l, from, err := syscall.Recvfrom(fd, buf, 0)
		if err != nil || l < 14 {
			continue
		}
		ll, _ := from.(*syscall.SockaddrLinklayer)
		out := ll != nil && ll.Pkttype == syscall.PACKET_OUTGOING
		if (*dir == "out" && !out) || (*dir == "in" && out) {
			continue
		}
		f := buf[:l]
		dst := net.HardwareAddr(f[0:6]).String()
		src := net.HardwareAddr(f[6:12]).String()
		proto, daddr, dport, ok := l4(f)
		if !ok || int(dport) != *port || (*dstIP != "" && daddr.String() != *dstIP) {
			continue
		}
		n++
		macs[dst]++
		if !*quiet {
			d := "in"
			if out {
				d = "out"
			}
			fmt.Printf("frame t=%d if=%s dir=%s dst=%s src=%s proto=%s dport=%d\n", nowUS(), *ifname, d, dst, src, proto, dport)
		}
	}
	keys := make([]string, 0, len(macs))
	for k := range macs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Printf("sniff_frames=%d dst_macs=%s\n", n, strings.Join(keys, ","))
	return nil
}

// l4 decodes an Ethernet frame far enough to find the transport protocol,
// destination address and port (no VLAN tags, no IPv6 extension headers).
func l4(f []byte) (string, net.IP, uint16, bool) {
	et := binary.BigEndian.Uint16(f[12:14])
	p := f[14:]
	var proto byte
	var daddr net.IP
	switch et {
	case 0x0800:
		if len(p) < 20 {
			return "", nil, 0, false
		}
		ihl := int(p[0]&0x0f) * 4
		proto = p[9]
		daddr = net.IP(append([]byte(nil), p[16:20]...))
		if len(p) < ihl+4 {
			return "", nil, 0, false
		}
		p = p[ihl:]
	case 0x86dd:
		if len(p) < 44 {
			return "", nil, 0, false
		}
		proto = p[6]
		daddr = net.IP(append([]byte(nil), p[24:40]...))
		p = p[40:]
	default:
		return "", nil, 0, false
	}
	switch proto {
	case 17:
		return "udp", daddr, binary.BigEndian.Uint16(p[2:4]), true
	case 6:
		return "tcp", daddr, binary.BigEndian.Uint16(p[2:4]), true
	}
	return "", nil, 0, false
}
