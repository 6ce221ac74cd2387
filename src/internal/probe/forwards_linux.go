//go:build linux

package probe

import (
	"context"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/probe/ct"
	"github.com/netfix/netfix/src/internal/probe/hostconf"
	"github.com/netfix/netfix/src/internal/probe/links"
	"github.com/netfix/netfix/src/internal/probe/nft"
	"github.com/netfix/netfix/src/internal/probe/nlsock"
)

// The names the daemon calls between its full probes, forwarded to the
// source that owns each.

// Sockets are the netlink sockets a Session keeps (nlsock.Sockets).
type Sockets = nlsock.Sockets

// NFTCache keeps the ruleset's reading while its generation stands
// (nft.Cache).
type NFTCache = nft.Cache

// UCICache keeps the UCI sections while their files stand
// (hostconf.UCICache).
type UCICache = hostconf.UCICache

// Pulse is what a sweep reads between full probes (ct.Pulse).
type Pulse = ct.Pulse

// ReadPulse reads the table's size and statistics through socks (nil:
// sockets of its own); see ct.ReadPulse.
func ReadPulse(socks *Sockets, knownMax uint32) Pulse { return ct.ReadPulse(socks, knownMax) }

// RulesetGeneration asks nf_tables for the ruleset's generation through
// socks (nil: a socket of its own); see nft.RulesetGeneration.
func RulesetGeneration(socks *Sockets) (uint32, bool) { return nft.RulesetGeneration(socks) }

// ReadCTUsage streams the whole table through the S2 breakdown; see
// ct.ReadCTUsage.
func ReadCTUsage(ctx context.Context, root string, established, reclaimIdle uint32) (facts.CTUsage, int, error) {
	return ct.ReadCTUsage(ctx, root, established, reclaimIdle)
}

// CountOffloaded walks the table once for its offload counts; see
// ct.CountOffloaded.
func CountOffloaded(c *facts.Conntrack) error { return ct.CountOffloaded(c) }

// ReadForwardingCounters reads the forwarding drop counters alone; see
// links.ReadForwardingCounters.
func ReadForwardingCounters() (facts.ForwardingCounters, error) {
	return links.ReadForwardingCounters()
}
