package probe

import "github.com/netfix/netfix/src/internal/facts"

// tallyOffload counts one dumped entry into ct by its status bits. An entry
// carrying every bit of want (the dump filter's status: IPS_OFFLOAD, or
// nothing in a benchmark build) is offloaded, [OFFLOAD]; one that also
// carries IPS_HW_OFFLOAD is in hardware too, [HW_OFFLOAD]. The report's
// verdict (software against hardware offload) rests on these two counts.
func tallyOffload(ct *facts.Conntrack, status, want uint32) {
	if status&want != want {
		return
	}
	ct.Offloaded++
	if status&facts.StatusHWOffload != 0 {
		ct.HWOffloaded++
	}
}
