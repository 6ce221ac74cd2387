package heal

import "github.com/netfix/netfix/src/internal/facts"

// ProneLinks returns the names of the L3 links whose neighbours' offloaded
// flows go stale when the neighbour changes. The kernel's flowtable path
// lookup caches the destination MAC and egress port (direct xmit) when the
// route goes through a bridge whose port is in the flowtable, or, with
// `flags offload`, on any listed Ethernet device. With the bridge itself in
// the device list it looks the neighbour up per packet, and nothing goes
// stale: repairs there would only cost the flows a trip through the slow
// path, so the healer leaves them alone.
func ProneLinks(off facts.Offload) map[string]bool {
	prone := map[string]bool{}
	for _, ft := range off.Flowtables {
		if !ft.Referenced {
			continue
		}
		for _, d := range ft.Devices {
			if d.Kind == facts.KindBridgePort && d.Master != "" {
				prone[d.Master] = true
			}
			if ft.HWOffloadFlag && d.Kind != facts.KindMissing {
				prone[d.Name] = true
				if d.Parent != "" {
					prone[d.Parent] = true
				}
			}
		}
	}
	return prone
}
