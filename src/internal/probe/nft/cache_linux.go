//go:build linux

// Package nft reads the nftables ruleset: its flowtables and whether the
// kernel can make them, the rules S4 looks at (DNAT without an input
// interface, notrack ahead of conntrack), the conntrack timeout policies,
// and the ruleset's generation, which Cache keeps the reading by.
package nft

import (
	"encoding/binary"
	"sync"

	"github.com/google/nftables"
	"github.com/mdlayher/netlink"
	"github.com/ti-mo/netfilter"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/probe/nlsock"
)

// Cache carries what one probe read from nftables to the next, with the
// ruleset's generation id (NFT_MSG_GETGEN): every committed change of a
// table, chain, rule, flowtable or object makes a new generation, so while
// the id stands the next probe asks one question instead of listing every
// table and decoding every rule again (on an fw4 ruleset two fifths of a
// daemon sweep's CPU). The daemon keeps one for its probes; a nil cache
// reads afresh every time. Safe for concurrent probes.
type Cache struct {
	mu   sync.Mutex
	kept bool
	gen  uint32
	r    Reading
}

// Reading is what a probe reads from nftables: the flowtables (their
// devices are links, described by every probe), the S4 rule summary and
// the ct timeout objects, each with the error reading it.
type Reading struct {
	Offload     facts.Offload
	OffloadErr  error
	Rules       RuleSummary
	RulesErr    error
	Policies    []string
	PoliciesErr error
}

// Read returns the ruleset's facts: the kept ones while the generation is
// the one they were read at, else fresh ones, kept when every part read
// without an error. The generation is asked before the ruleset is read, so
// a change during the read only makes the next probe read again. known
// is the flowtable support an earlier probe found (SupportYes or
// SupportNo: not asked again); k are the probe's sockets. The error is
// the nftables socket's: the parts' errors are in the Reading.
func (c *Cache) Read(known string, k *nlsock.Sockets) (Reading, error) {
	gen, genOK := uint32(0), false
	if c != nil {
		gen, genOK = rulesetGen(k)
		c.mu.Lock()
		if genOK && c.kept && c.gen == gen {
			r := c.r.clone()
			c.mu.Unlock()
			return r, nil
		}
		c.mu.Unlock()
	}
	// One socket for every request: without AsLasting the library dials
	// a new one per request (per chain's rules), and each dial seeds a
	// math/rand source.
	conn, err := nftables.New(nftables.AsLasting())
	if err != nil {
		return Reading{}, nlsock.Classify("open nftables netlink socket", err, nil)
	}
	defer conn.CloseLasting()
	var r Reading
	// The rules once: for the flowtables' references and for S4.
	chains, err := readRuleChains(conn)
	r.Rules, r.RulesErr = summarize(chains), err
	r.Offload, r.OffloadErr = readFlowtables(conn, known, chains, err)
	r.Policies, r.PoliciesErr = readNFTCTTimeouts(conn)
	if c != nil && genOK && r.OffloadErr == nil && r.RulesErr == nil && r.PoliciesErr == nil {
		c.mu.Lock()
		c.kept, c.gen, c.r = true, gen, r.clone()
		c.mu.Unlock()
	}
	return r, nil
}

// clone copies what a probe changes in its snapshot (links.DescribeDevices
// fills in the flowtables' devices), so the kept reading stays as read.
// The other lists are only read (and appended to only where clipped).
func (r Reading) clone() Reading {
	fts := make([]facts.Flowtable, len(r.Offload.Flowtables))
	for i, ft := range r.Offload.Flowtables {
		ft.Devices = append([]facts.Device(nil), ft.Devices...)
		fts[i] = ft
	}
	r.Offload.Flowtables = fts
	return r
}

// nf_tables' generation request and its id attribute
// (include/uapi/linux/netfilter/nf_tables.h).
const (
	nftMsgGetGen netfilter.MessageType = 16
	nftaGenID                          = 1
)

// rulesetGen asks nf_tables for the ruleset's generation id; false when it
// cannot tell (no nf_tables).
func rulesetGen(k *nlsock.Sockets) (uint32, bool) {
	c, err := k.Netfilter()
	if err != nil {
		return 0, false
	}
	req, err := netfilter.MarshalNetlink(netfilter.Header{
		SubsystemID: netfilter.NFSubsysNFTables,
		MessageType: nftMsgGetGen,
		Family:      netfilter.ProtoUnspec,
		Flags:       netlink.Request,
	}, nil)
	if err != nil {
		return 0, false
	}
	msgs, err := c.Query(req)
	if err != nil {
		if !nlsock.AbsentSubsystem(err) { // no nf_tables: the socket is fine
			k.Fail()
		}
		return 0, false
	}
	for _, m := range msgs {
		_, attrs, err := netfilter.UnmarshalNetlink(m)
		if err != nil {
			continue
		}
		for _, a := range attrs {
			if a.Type == nftaGenID && len(a.Data) == 4 {
				return binary.BigEndian.Uint32(a.Data), true
			}
		}
	}
	return 0, false
}

// RulesetGeneration asks nf_tables for the ruleset's generation through
// socks (nil: a socket of its own); false when nf_tables did not answer.
func RulesetGeneration(socks *nlsock.Sockets) (uint32, bool) {
	k := socks.Take()
	defer k.Done()
	return rulesetGen(k)
}

// Generation is the ruleset generation the kept facts were read at; ok is
// false when nothing is kept (nothing read yet, or the last read failed).
func (c *Cache) Generation() (gen uint32, ok bool) {
	if c == nil {
		return 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen, c.kept
}
