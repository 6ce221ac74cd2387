package heal

import (
	"net/netip"

	"github.com/ti-mo/conntrack"
)

// Involves reports whether ip is an endpoint of f in either direction. With
// NAT the LAN address appears only in one tuple (DNAT: reply source; SNAT:
// original source), so both are checked.
func Involves(f *conntrack.Flow, ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, a := range []netip.Addr{
		f.TupleOrig.IP.SourceAddress, f.TupleOrig.IP.DestinationAddress,
		f.TupleReply.IP.SourceAddress, f.TupleReply.IP.DestinationAddress,
	} {
		if a.Unmap() == ip {
			return true
		}
	}
	return false
}

// DeleteKey is the part of f a delete request needs: both tuples identify
// the entry and the ID makes the kernel refuse if the tuple now belongs to
// a newer entry than the one that was selected.
func DeleteKey(f conntrack.Flow) conntrack.Flow {
	return conntrack.Flow{ID: f.ID, Zone: f.Zone, TupleOrig: f.TupleOrig, TupleReply: f.TupleReply}
}
