package report

import (
	"fmt"
	"strings"

	"github.com/netfix/netfix/src/internal/status"
)

// conntrackEventLine renders a conntrack table event on one line.
func conntrackEventLine(e status.Event) string {
	c := e.Conntrack
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d of %d entries", e.Time.Format("15:04:05"), e.Reason, c.Entries, c.Max)
	if c.Refused > 0 {
		fmt.Fprintf(&b, ", %d new connection%s refused", c.Refused, plural(int(c.Refused)))
	}
	if e.Reason == "conntrack_reclaim" {
		fmt.Fprintf(&b, ", deleted %d ESTABLISHED entr%s idle longer than %d s in %.1f ms", e.FlowsDeleted, pluralY(e.FlowsDeleted), c.IdleS, float64(e.LatencyUS)/1000)
	}
	if len(c.Hosts) > 0 {
		b.WriteString(" (")
		for i, h := range c.Hosts {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(hostLabel(h.Host, h.Name) + " " + fmt.Sprint(h.Count))
		}
		b.WriteString(")")
	}
	if e.Error != "" {
		b.WriteString(" (error: " + e.Error + ")")
	}
	return b.String()
}

// conntrackSection is the table summary under the findings of `netfix
// check`: fill, refusals, who holds the entries, how long they are idle.
func conntrackSection(b *strings.Builder, ct status.Conntrack) {
	t := ct.Table
	if !ct.Available || t == nil || ct.Max == 0 {
		return
	}
	fmt.Fprintf(b, "\nconntrack: %d of %d entries (%.1f%%)", ct.Entries, ct.Max, ct.Fill())
	if g := t.Growth; g != nil && t.GrowthSeconds > 0 {
		fmt.Fprintf(b, "; in the last %d s drop +%d, insert_failed +%d, early_drop +%d", t.GrowthSeconds, g.Drop, g.InsertFailed, g.EarlyDrop)
	}
	if t.Timeouts.Read {
		fmt.Fprintf(b, "; established timeout %d s", t.Timeouts.Established)
	}
	b.WriteString("\n")
	u := t.Usage
	if u == nil {
		return
	}
	if len(u.Hosts) > 0 {
		fmt.Fprintf(b, "  %-36s %8s %6s %12s %12s\n", "host", "entries", "share", "established", "idle > 1 h")
	}
	for _, h := range u.Hosts {
		// Tenths, floored, as the findings show them.
		share := 0
		if u.Dumped > 0 {
			share = h.Entries * 1000 / u.Dumped
		}
		fmt.Fprintf(b, "  %-36s %8d %3d.%d%% %12d %12d\n", hostLabel(h.Addr, h.Name), h.Entries, share/10, share%10, h.Established, h.IdleAtLeast(3600))
	}
	if u.Established > 0 {
		labels := []string{"<1m", "1-10m", "10m-1h", "1h-2h4m", "2h4m-6h", "6h-1d", ">1d"}
		b.WriteString("  idle ESTABLISHED entries:")
		for i, n := range u.Idle {
			if i < len(labels) {
				fmt.Fprintf(b, " %s %d", labels[i], n)
			}
		}
		if u.IdleUnknown > 0 {
			fmt.Fprintf(b, ", unknown %d", u.IdleUnknown)
		}
		b.WriteString("\n")
	}
}

func hostLabel(addr, name string) string {
	if name != "" {
		return name + " (" + addr + ")"
	}
	return addr
}

func pluralY(n int) string {
	if n == 1 {
		return "y"
	}
	return "ies"
}
