//go:build linux

package nft

import (
	"bytes"
	"fmt"

	"github.com/google/nftables"
	"github.com/mdlayher/netlink"
	"github.com/ti-mo/netfilter"

	"github.com/netfix/netfix/src/internal/probe/nlsock"
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
	k := (*nlsock.Sockets)(nil).Take()
	defer k.Done()
	more, err := ReadNFCTTimeouts(k)
	return append(out, more...), err
}

func readNFTCTTimeouts(conn *nftables.Conn) ([]string, error) {
	if conn == nil {
		c, err := nftables.New()
		if err != nil {
			return nil, nlsock.Classify("open nftables netlink socket", err, nil)
		}
		defer c.CloseLasting()
		conn = c
	}
	tables, err := conn.ListTables()
	if err != nil {
		if nlsock.AbsentSubsystem(err) {
			return nil, nil // no nf_tables in this kernel: no nft policies either
		}
		return nil, nlsock.Classify("list nftables tables", err, nil)
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

// ReadNFCTTimeouts lists the nfnetlink_cttimeout policies through k's
// nfnetlink socket: ReadCTTimeoutPolicies without the nftables objects,
// for a probe that read those with the ruleset (Reading.Policies).
func ReadNFCTTimeouts(k *nlsock.Sockets) ([]string, error) {
	c, err := k.Netfilter()
	if err != nil {
		if nlsock.AbsentSubsystem(err) {
			return nil, nil
		}
		return nil, nlsock.Classify("open netfilter netlink socket", err, nil)
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
		if nlsock.AbsentSubsystem(err) {
			return nil, nil
		}
		k.Fail()
		return nil, nlsock.Classify("list conntrack timeout policies (nfnetlink_cttimeout)", err, nil)
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
