//go:build linux

package probe

import (
	"bytes"
	"errors"
	"fmt"
	"syscall"

	"github.com/google/nftables"
	"github.com/mdlayher/netlink"
	"github.com/ti-mo/netfilter"
)

// ReadCTTimeoutPolicies lists the conntrack timeout policies: nftables
// `ct timeout` objects ("inet fw4 name") and nfnetlink_cttimeout objects
// ("cttimeout name"), which iptables' `-j CT --timeout NAME` and
// `nfct add timeout` create. An entry a rule assigns to one of them gets
// that policy's timeouts instead of the sysctls, so its idle time cannot
// be told from nf_conntrack_tcp_timeout_established: where any exists,
// netfix says so and frees nothing by idle time. An error means the
// policies are unknown, and callers must then free nothing either.
// conn nil opens its own socket.
func ReadCTTimeoutPolicies(conn *nftables.Conn) ([]string, error) {
	out, err := readNFTCTTimeouts(conn)
	if err != nil {
		return out, err
	}
	k := (*Sockets)(nil).take()
	defer k.done()
	more, err := readNFCTTimeouts(k)
	return append(out, more...), err
}

func readNFTCTTimeouts(conn *nftables.Conn) ([]string, error) {
	if conn == nil {
		c, err := nftables.New()
		if err != nil {
			return nil, classify("open nftables netlink socket", err, nil)
		}
		defer c.CloseLasting()
		conn = c
	}
	tables, err := conn.ListTables()
	if err != nil {
		if absentSubsystem(err) {
			return nil, nil // no nf_tables in this kernel: no nft policies either
		}
		return nil, classify("list nftables tables", err, nil)
	}
	var out []string
	for _, t := range tables {
		objs, err := conn.GetNamedObjects(t)
		if err != nil {
			return out, fmt.Errorf("list objects of table %s %s: %w", familyName(t.Family), t.Name, err)
		}
		for _, o := range objs {
			if n, ok := o.(*nftables.NamedObj); ok && n.Type == nftables.ObjTypeCtTimeout {
				out = append(out, familyName(t.Family)+" "+t.Name+" "+n.Name)
			}
		}
	}
	return out, nil
}

// nfnetlink_cttimeout's dump request and the one attribute netfix reads
// (include/uapi/linux/netfilter/nfnetlink_cttimeout.h).
const (
	ipctnlMsgTimeoutGet netfilter.MessageType = 1
	ctaTimeoutName                            = 1
)

func readNFCTTimeouts(k *Sockets) ([]string, error) {
	c, err := k.netfilter()
	if err != nil {
		if absentSubsystem(err) {
			return nil, nil
		}
		return nil, classify("open netfilter netlink socket", err, nil)
	}
	req, err := netfilter.MarshalNetlink(netfilter.Header{
		SubsystemID: netfilter.NFSubsysCTNetlinkTimeout,
		MessageType: ipctnlMsgTimeoutGet,
		Family:      netfilter.ProtoUnspec,
		Flags:       netlink.Request | netlink.Dump,
	}, nil)
	if err != nil {
		return nil, err
	}
	msgs, err := c.Query(req)
	if err != nil {
		// A kernel without nfnetlink_cttimeout (OpenWrt ships it only
		// with kmod-nf-conntrack-timeout) has no such policies.
		if absentSubsystem(err) {
			return nil, nil
		}
		k.fail()
		return nil, classify("list conntrack timeout policies (nfnetlink_cttimeout)", err, nil)
	}
	var out []string
	for _, m := range msgs {
		_, attrs, err := netfilter.UnmarshalNetlink(m)
		if err != nil {
			return out, fmt.Errorf("decode a conntrack timeout policy: %w", err)
		}
		for _, a := range attrs {
			if a.Type == ctaTimeoutName {
				out = append(out, "cttimeout "+string(bytes.TrimRight(a.Data, "\x00")))
			}
		}
	}
	return out, nil
}

// absentSubsystem: the kernel lacks the netlink family or nfnetlink
// subsystem asked for (nfnetlink answers EINVAL for a subsystem no module
// registered, socket() EPROTONOSUPPORT for no nfnetlink at all).
func absentSubsystem(err error) bool {
	return errors.Is(err, syscall.EPROTONOSUPPORT) || errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.EINVAL)
}
