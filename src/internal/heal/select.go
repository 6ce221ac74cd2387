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
