package fix

import "github.com/netfix/netfix/src/internal/status"

// Offer is one finding present now and the fix it offers.
type Offer struct {
	Finding  string          `json:"finding"`
	Severity status.Severity `json:"severity"`
	Title    string          `json:"title"`
	// Action is the automatic fix's id; empty when the fix is manual.
	Action string            `json:"action,omitempty"`
	Args   map[string]string `json:"args,omitempty"`
	// Fix is the command a person would run.
	Fix string `json:"fix"`
	// Applied is true when netfix has applied this fix (through this
	// finding or one that shares it) and not undone it.
	Applied bool `json:"applied"`
}

// Listing is `netfix fix list`: what can be fixed now, what netfix has
// applied, and the newest apply/undo events.
type Listing struct {
	Offers  []Offer  `json:"offers"`
	Applied []Record `json:"applied"`
	Events  []Event  `json:"events"`
}

// List reads the findings and the ledger. It changes nothing.
func (r *Runner) List() (Listing, error) {
	out := Listing{Offers: []Offer{}, Applied: []Record{}, Events: []Event{}}
	findings, err := r.Findings()
	if err != nil {
		return out, err
	}
	lf, err := r.Ledger.load()
	if err != nil {
		return out, err
	}
	for _, f := range findings {
		if f.Fix == "" && f.FixAction == "" {
			continue
		}
		o := Offer{Finding: f.ID, Severity: f.Severity, Title: f.Title, Action: f.FixAction, Args: f.FixArgs, Fix: f.Fix}
		if f.FixAction != "" {
			_, o.Applied = lf.Records[Key(f.FixAction, f.FixArgs)]
		}
		out.Offers = append(out.Offers, o)
	}
	recs, events, err := r.Ledger.Records()
	if err != nil {
		return out, err
	}
	out.Applied = append(out.Applied, recs...)
	if events != nil {
		out.Events = events
	}
	return out, nil
}
