package status

import (
	"fmt"

	"github.com/netfix/netfix/src/internal/facts"
)

// Caps on every list a document carries from the machine, so that a reply
// stays far below the ~1 MiB at which ubusd drops rpcd (and below the
// plugin's MaxReply) however many tables, devices or findings the router
// has. A capped list keeps its first entries (findings: the worst) and the
// full count goes into Document.Truncated.
const (
	MaxTables     = 100 // nftables tables (names up to 256 bytes each)
	MaxFlowtables = 16
	MaxDevices    = 64 // devices of one flowtable
	MaxFindings   = 50
	MaxEvidence   = 20 // evidence lines of one finding
)

// capLists cuts every list of d to its cap and records each full count in
// d.Truncated under the list's path (e.g. "offload.tables"). It copies
// before it cuts, so the snapshot the lists came from is not changed.
func capLists(d *Document) {
	cut := func(path string, n, max int) int {
		if n <= max {
			return n
		}
		if d.Truncated == nil {
			d.Truncated = map[string]int{}
		}
		d.Truncated[path] = n
		return max
	}
	d.Offload.Tables = d.Offload.Tables[:cut("offload.tables", len(d.Offload.Tables), MaxTables)]

	fts := d.Offload.Flowtables[:cut("offload.flowtables", len(d.Offload.Flowtables), MaxFlowtables)]
	d.Offload.Flowtables = make([]facts.Flowtable, len(fts))
	for i, ft := range fts {
		ft.Devices = ft.Devices[:cut(fmt.Sprintf("offload.flowtables[%d].devices", i), len(ft.Devices), MaxDevices)]
		d.Offload.Flowtables[i] = ft
	}

	fs := d.Findings[:cut("findings", len(d.Findings), MaxFindings)]
	d.Findings = make([]Finding, len(fs))
	for i, f := range fs {
		n := cut(fmt.Sprintf("findings[%d].evidence", i), len(f.Evidence), MaxEvidence)
		f.Evidence = f.Evidence[:n]
		if len(f.EvidenceMsg) > n {
			f.EvidenceMsg = f.EvidenceMsg[:n]
		}
		d.Findings[i] = f
	}
}
