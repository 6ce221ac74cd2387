package diagnose

import (
	"strings"

	"github.com/netfix/netfix/src/internal/status"
)

// english is a finding with its sentences in English, as the document
// renders them: what most tests read. Finding keeps the catalog messages
// (f.Finding.Title).
type english struct {
	Finding
	Title, Detail string
	Evidence      []string
}

func en(fs []Finding) []english {
	out := make([]english, len(fs))
	for i, f := range fs {
		detail := make([]string, len(f.Detail))
		for j, d := range f.Detail {
			detail[j] = d.String()
		}
		ev := make([]string, len(f.Evidence))
		for j, e := range f.Evidence {
			ev[j] = e.String()
		}
		out[i] = english{Finding: f, Title: f.Title.String(), Detail: strings.Join(detail, " "), Evidence: ev}
	}
	return out
}

// verdictOf is the document's verdict for fs: the worst severity.
func verdictOf(fs []english) string {
	var worst Severity
	for _, f := range fs {
		if f.Severity > worst {
			worst = f.Severity
		}
	}
	switch worst {
	case SeverityCritical:
		return status.VerdictCritical
	case SeverityWarning:
		return status.VerdictWarning
	}
	return status.VerdictHealthy
}
