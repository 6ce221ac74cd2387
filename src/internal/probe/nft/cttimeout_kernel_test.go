//go:build linux && kernel

package nft

import (
	"testing"

	"github.com/mdlayher/netlink"
	"github.com/netfix/netfix/src/internal/netnstest"
	"github.com/ti-mo/netfilter"
	"golang.org/x/sys/unix"
)

// TestReadCTTimeoutPolicies: a ct timeout object of the ruleset is found,
// and none is found in a ruleset without one.
func TestReadCTTimeoutPolicies(t *testing.T) {
	ns := netnstest.New(t, "s2ctto")
	var got []string
	var err error
	ns.Do(func() { got, err = ReadCTTimeoutPolicies(nil) })
	if err != nil || len(got) != 0 {
		t.Fatalf("empty ruleset: %v, %v; want none", got, err)
	}
	if out, err := ns.Exec("nft", "add table inet s2t; add ct timeout inet s2t short_tcp { protocol tcp; l3proto ip; policy = { established: 120 }; }"); err != nil {
		netnstest.Skip(t, netnstest.Kernel, "this kernel or nft has no ct timeout objects (CONFIG_NF_CONNTRACK_TIMEOUT, nft_ct): %v: %s", err, out)
	}
	ns.Do(func() { got, err = ReadCTTimeoutPolicies(nil) })
	if err != nil || len(got) != 1 || got[0] != "inet s2t short_tcp" {
		t.Errorf("ReadCTTimeoutPolicies = %v, %v; want [inet s2t short_tcp]", got, err)
	}
}

// TestReadNFCTTimeoutPolicies: a policy made the way iptables' `-j CT
// --timeout` and `nfct add timeout` make them (nfnetlink_cttimeout, not an
// nftables object) is found too.
func TestReadNFCTTimeoutPolicies(t *testing.T) {
	ns := netnstest.New(t, "s2nfct")
	var got []string
	var err error
	ns.Do(func() { err = addNFCTTimeout("nfx_tcp_short", 120) })
	if err != nil {
		netnstest.Skip(t, netnstest.Kernel, "this kernel has no nfnetlink_cttimeout (CONFIG_NF_CT_NETLINK_TIMEOUT): %v", err)
	}
	ns.Do(func() { got, err = ReadCTTimeoutPolicies(nil) })
	if err != nil || len(got) != 1 || got[0] != "cttimeout nfx_tcp_short" {
		t.Errorf("ReadCTTimeoutPolicies = %v, %v; want [cttimeout nfx_tcp_short]", got, err)
	}
}

// addNFCTTimeout creates a TCP timeout policy with an established timeout,
// as `nfct add timeout NAME inet tcp established S` does.
func addNFCTTimeout(name string, established uint32) error {
	c, err := netfilter.Dial(nil)
	if err != nil {
		return err
	}
	defer c.Close()
	const (
		msgNew         = 0 // IPCTNL_MSG_TIMEOUT_NEW
		attrName       = 1 // CTA_TIMEOUT_NAME
		attrL3         = 2 // CTA_TIMEOUT_L3PROTO
		attrL4         = 3 // CTA_TIMEOUT_L4PROTO
		attrData       = 4 // CTA_TIMEOUT_DATA
		tcpEstablished = 3 // CTA_TIMEOUT_TCP_ESTABLISHED
	)
	req, err := netfilter.MarshalNetlink(netfilter.Header{
		SubsystemID: netfilter.NFSubsysCTNetlinkTimeout,
		MessageType: msgNew,
		Family:      netfilter.ProtoUnspec,
		Flags:       netlink.Request | netlink.Create | netlink.Acknowledge,
	}, []netfilter.Attribute{
		{Type: attrName, Data: append([]byte(name), 0)},
		{Type: attrL3, Data: netfilter.Uint16Bytes(unix.AF_INET)},
		{Type: attrL4, Data: []byte{unix.IPPROTO_TCP}},
		{Type: attrData, Nested: true, Children: []netfilter.Attribute{
			{Type: tcpEstablished, Data: netfilter.Uint32Bytes(established)},
		}},
	})
	if err != nil {
		return err
	}
	_, err = c.Query(req)
	return err
}
