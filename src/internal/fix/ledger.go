package fix

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/netfix/netfix/src/internal/smalljson"
	"github.com/netfix/netfix/src/internal/status"
)

// MaxLedgerEvents bounds the event list kept in the ledger file; older
// events are dropped first.
const MaxLedgerEvents = status.MaxEvents

// Record is one fix netfix has applied and not undone: the action, the
// arguments it ran with, the findings that asked for it and exactly the
// changes it made.
type Record struct {
	Action   string            `json:"action"`
	Args     map[string]string `json:"args,omitempty"`
	Findings []string          `json:"findings"`
	Changes  []Change          `json:"changes"`
	Applied  time.Time         `json:"applied"`
	// ConfirmBy is set while an apply with rollback waits for its
	// confirmation: past it, netfix undoes the record (RollbackExpired).
	ConfirmBy *time.Time `json:"confirm_by,omitempty"`
}

// Key identifies a record: one action with one set of arguments. Findings
// that share a fix (the three of a bridge-netfilter layout share one
// notrack rule) share its record, so undo through any of them removes it.
func Key(action string, args map[string]string) string {
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(action)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%q", k, args[k])
	}
	return b.String()
}

// Event is one apply or undo, kept newest first.
type Event struct {
	Time    time.Time `json:"time"`
	Finding string    `json:"finding"`
	Action  string    `json:"action"`
	// Op is "apply", "undo", "confirm" or "rollback" (an apply netfix
	// undid by itself because nobody confirmed it in time).
	Op string `json:"op"`
	// Changes are the commands of what was added (apply) or removed (undo).
	Changes []string `json:"changes"`
	Error   string   `json:"error,omitempty"`
}

// ledgerFile is the on-disk form.
type ledgerFile struct {
	Records map[string]Record `json:"records"`
	Events  []Event           `json:"events"`
}

// Ledger is the file that remembers applied fixes. It must live where the
// fixes live: a fix that survives a reboot (an fw4 include) needs a ledger
// that does too, so undo still finds it (env.Env.Ledger says where). Path
// is absolute.
type Ledger struct {
	Path string
}

// absolute refuses a relative ledger path: it would be another file in
// every directory a command is typed in.
func (l *Ledger) absolute() error {
	if !filepath.IsAbs(l.Path) {
		return fmt.Errorf("fix ledger path %q is not absolute (a netfix bug: paths come from env.Env)", l.Path)
	}
	return nil
}

// load reads the ledger; a missing file is an empty ledger.
func (l *Ledger) load() (ledgerFile, error) {
	lf := ledgerFile{Records: map[string]Record{}}
	if err := l.absolute(); err != nil {
		return lf, err
	}
	data, err := os.ReadFile(l.Path)
	if errors.Is(err, os.ErrNotExist) {
		return lf, nil
	}
	if err != nil {
		return lf, fmt.Errorf("read fix ledger %s: %w", l.Path, err)
	}
	if err := smalljson.Unmarshal(data, &lf); err != nil {
		return lf, fmt.Errorf("fix ledger %s is damaged (%v): move it aside and undo by hand with the commands of `netfix fix list`", l.Path, err)
	}
	if lf.Records == nil {
		lf.Records = map[string]Record{}
	}
	return lf, nil
}

// save writes the ledger atomically (temp file and rename) so a crash
// never leaves half a record.
func (l *Ledger) save(lf ledgerFile) error {
	if len(lf.Events) > MaxLedgerEvents {
		lf.Events = lf.Events[:MaxLedgerEvents]
	}
	if err := l.absolute(); err != nil {
		return err
	}
	data, err := smalljson.MarshalIndent(lf, "", "  ")
	if err != nil {
		return fmt.Errorf("encode fix ledger: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(l.Path), 0o700); err != nil {
		return fmt.Errorf("create fix ledger directory: %w", err)
	}
	tmp := l.Path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("write fix ledger %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, l.Path); err != nil {
		return fmt.Errorf("replace fix ledger %s: %w", l.Path, err)
	}
	return nil
}

// Records returns the applied fixes, sorted by key, and the newest events.
func (l *Ledger) Records() ([]Record, []Event, error) {
	lf, err := l.load()
	if err != nil {
		return nil, nil, err
	}
	keys := make([]string, 0, len(lf.Records))
	for k := range lf.Records {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]Record, 0, len(keys))
	for _, k := range keys {
		out = append(out, lf.Records[k])
	}
	return out, lf.Events, nil
}

func sortedStrings(s []string) []string {
	sort.Strings(s)
	return s
}
