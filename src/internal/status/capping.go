package status

import "fmt"

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
// the findings before it cuts them, so the caller's list is not changed.
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

	// The offload lists are the document's own (convert.go made them).
	fts := d.Offload.Flowtables[:cut("offload.flowtables", len(d.Offload.Flowtables), MaxFlowtables)]
	for i := range fts {
		fts[i].Devices = fts[i].Devices[:cut(fmt.Sprintf("offload.flowtables[%d].devices", i), len(fts[i].Devices), MaxDevices)]
	}
	d.Offload.Flowtables = fts

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
