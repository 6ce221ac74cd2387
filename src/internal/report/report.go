// Package report renders a status document for people: a one-line
// verdict, then each finding with its evidence and the exact fix.
package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/netfix/netfix/src/internal/status"
)

// Text writes the human report of doc to w. Info findings are shown after
// the problems so the verdict and the fix are what a person reads first.
func Text(w io.Writer, doc status.Document) error {
	var b strings.Builder
	fmt.Fprintf(&b, "netfix %s on %s, %s\n", doc.Version, doc.Host, doc.GeneratedAt.Format("2006-01-02 15:04:05 MST"))
	b.WriteString(Verdict(doc) + "\n")
	for i, f := range doc.Findings {
		b.WriteString("\n")
		fmt.Fprintf(&b, "[%s] %s\n", strings.ToUpper(string(f.Severity)), f.Title)
		fmt.Fprintf(&b, "  id: %s\n", f.ID)
		if f.Detail != "" {
			fmt.Fprintf(&b, "  why: %s\n", f.Detail)
		}
		if len(f.Evidence) > 0 {
			b.WriteString("  evidence:\n")
			for _, e := range f.Evidence {
				fmt.Fprintf(&b, "    - %s\n", e)
			}
			if n := doc.Truncated[fmt.Sprintf("findings[%d].evidence", i)]; n > len(f.Evidence) {
				fmt.Fprintf(&b, "    … %d more not shown\n", n-len(f.Evidence))
			}
		}
		if f.Fix != "" {
			fmt.Fprintf(&b, "  fix: %s\n", f.Fix)
		}
	}
	if n := doc.Truncated["findings"]; n > len(doc.Findings) {
		fmt.Fprintf(&b, "\n… %d more findings not shown\n", n-len(doc.Findings))
	}
	conntrackSection(&b, doc.Conntrack)
	if h := doc.Heal; h.Running {
		fmt.Fprintf(&b, "\nhealer: running (%s), %d neighbours tracked, %d repairs, %d flows deleted\n", h.Mode, h.NeighboursTracked, h.EventsTotal, h.FlowsDeleted)
		for _, e := range h.LastEvents {
			b.WriteString("  " + EventLine(e) + "\n")
		}
		if len(h.TableEvents) > 0 {
			fmt.Fprintf(&b, "conntrack table events: %d\n", h.TableEventsTotal)
		}
		for _, e := range h.TableEvents {
			b.WriteString("  " + EventLine(e) + "\n")
		}
		for _, e := range h.ForwardingEvents {
			b.WriteString("  " + ForwardingEventLine(e) + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Verdict is the one line a person reads first.
func Verdict(doc status.Document) string {
	var problems int
	for _, f := range doc.Findings {
		if f.Severity.Rank() >= status.SeverityWarning.Rank() {
			problems++
		}
	}
	switch doc.Verdict {
	case status.VerdictHealthy:
		return "HEALTHY: no problem found."
	case status.VerdictUnknown:
		return "UNKNOWN: the daemon is starting and has not checked this router yet; ask again in a moment."
	default:
		worst := ""
		if len(doc.Findings) > 0 {
			worst = doc.Findings[0].Title
		}
		return fmt.Sprintf("%s (%d problem%s): %s", strings.ToUpper(doc.Verdict), problems, plural(problems), worst)
	}
}

// EventLine renders one heal event on one line.
func EventLine(e status.Event) string {
	if e.Conntrack != nil {
		return conntrackEventLine(e)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", e.Time.Format("15:04:05"), e.Reason, e.IP)
	if e.Interface != "" {
		b.WriteString(" on " + e.Interface)
	}
	switch {
	case e.OldMAC != "" && e.NewMAC != "" && e.OldMAC != e.NewMAC:
		b.WriteString(": " + e.OldMAC + " -> " + e.NewMAC)
	case e.Roam:
		b.WriteString(": roamed from " + e.OldPort + " to " + e.NewPort)
	case e.OldPort != "" || e.NewPort != "":
		b.WriteString(": port " + e.OldPort + " -> " + e.NewPort)
	}
	verb := "deleted"
	if e.DryRun {
		verb = "would delete"
	}
	fmt.Fprintf(&b, ", %s %d offloaded flow%s in %.1f ms", verb, e.FlowsDeleted, plural(e.FlowsDeleted), float64(e.LatencyUS)/1000)
	if e.Error != "" {
		b.WriteString(" (error: " + e.Error + ")")
	}
	return b.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// ForwardingEventLine renders one event for the log, with the time to the
// millisecond: the moment a container host lost its replies.
func ForwardingEventLine(e status.ForwardingEvent) string {
	line := fmt.Sprintf("%s forwarding %s on %s: %d -> %d", e.Time.UTC().Format("15:04:05.000"), e.Family, e.Interface, b2i(e.Old), b2i(e.New))
	switch {
	case e.Restored:
		line += ", restored to 1 by forwarding_guard"
	case e.Error != "":
		line += " (restore failed: " + e.Error + ")"
	}
	return line
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
