package ctusage

import (
	"net/netip"
	"strconv"
)

// Entry is the part of one conntrack entry the breakdown needs, and the
// addresses, status and mark a conntrack stream filters on.
type Entry struct {
	Proto uint8
	// TCPState is the kernel's tcp_conntrack value (see StateEstablished);
	// meaningful for TCP only.
	TCPState uint8
	// OrigSrc and OrigDst are the original-direction addresses; ReplySrc is
	// the reply direction's source, which differs from OrigDst when the
	// entry is destination-NATed (a port forward to a LAN host), and
	// ReplyDst its destination, which differs from OrigSrc when the entry
	// is source-NATed.
	OrigSrc, OrigDst, ReplySrc, ReplyDst netip.Addr
	OrigDstPort                          uint16
	// Mark is the connection mark (0 when the kernel sends none).
	Mark uint32
	// Timeout is the seconds left before the entry expires.
	Timeout uint32
	// DstNAT is the IPS_DST_NAT status bit.
	DstNAT bool
	// Status is the whole status word (IPS_* bits), so a caller that
	// dumps the table for the breakdown can count other bits (OFFLOAD,
	// HW_OFFLOAD) in the same walk.
	Status uint32
}

// Protocol numbers and TCP states (include/uapi/linux/netfilter/
// nf_conntrack_tcp.h) the breakdown names.
const (
	ProtoICMP   = 1
	ProtoTCP    = 6
	ProtoUDP    = 17
	ProtoICMPv6 = 58

	StateEstablished = 3
)

var tcpStates = []string{"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2"}

// StateName is conntrack-tools' name of a TCP state.
func StateName(s uint8) string {
	if int(s) < len(tcpStates) {
		return tcpStates[s]
	}
	return "STATE_" + strconv.Itoa(int(s))
}

// ProtoName names a layer-4 protocol.
func ProtoName(p uint8) string {
	switch p {
	case ProtoTCP:
		return "tcp"
	case ProtoUDP:
		return "udp"
	case ProtoICMP:
		return "icmp"
	case ProtoICMPv6:
		return "icmpv6"
	case 47:
		return "gre"
	case 132:
		return "sctp"
	}
	return "proto " + strconv.Itoa(int(p))
}

// Host is the LAN host an entry belongs to. For a connection a LAN host
// opened, that is the original source, before masquerading (the WAN address
// only appears in the reply tuple). For a port forward the originator is a
// remote peer: the LAN host is where the router sends it, the reply
// direction's source.
func (e Entry) Host() netip.Addr {
	if e.DstNAT && e.ReplySrc.IsValid() {
		return e.ReplySrc
	}
	return e.OrigSrc
}

// Established reports whether e is an ESTABLISHED TCP entry, the only kind
// netfix ever frees.
func (e Entry) Established() bool {
	return e.Proto == ProtoTCP && e.TCPState == StateEstablished
}

// Idle is how long an ESTABLISHED TCP entry has been silent: the kernel
// resets its timer to the established timeout on every packet, so the
// timeout in effect minus the time left is the time since the last packet.
// ok is false when the time left is longer than the timeout in effect: the
// timer was set under a longer timeout (the sysctl was lowered since) or by
// a `ct timeout` policy, and the idle time cannot be told.
func Idle(e Entry, established uint32) (idle uint32, ok bool) {
	if !e.Established() || established == 0 || e.Timeout > established {
		return 0, false
	}
	return established - e.Timeout, true
}
