package ipc

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/netfix/netfix/src/internal/status"
)

// DefaultHistory is the number of events a history call returns when it
// names no limit.
const DefaultHistory = 20

// CheckLimit is the one rule for a history limit, applied by the rpcd
// method and the control socket alike: 1 to status.MaxEvents (the daemon
// keeps no more).
func CheckLimit(n int) error {
	if n < 1 || n > status.MaxEvents {
		return fmt.Errorf("limit must be 1 to %d, got %d", status.MaxEvents, n)
	}
	return nil
}

// ParseFlag decodes a boolean argument: true/false, or 1/0 as `ubus -S`,
// shells and LuCI's rpc layer send them. Anything else is an error, never
// a silent false: `{"dry_run":1}` must be a dry run.
func ParseFlag(raw json.RawMessage) (bool, error) {
	switch string(bytes.TrimSpace(raw)) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("must be a boolean (true, false, 1 or 0), got %s", truncate(raw, 32))
}

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "…"
}

// UnmarshalJSON decodes a request with the same argument rules as the
// rpcd plugin: dry_run as true/false/1/0, a limit of 1 to MaxEvents when
// given (0 and 51 are refused, not read as "all").
func (r *Request) UnmarshalJSON(b []byte) error {
	var raw struct {
		Method string          `json:"method"`
		Limit  *int32          `json:"limit"`
		IP     string          `json:"ip"`
		DryRun json.RawMessage `json:"dry_run"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*r = Request{Method: raw.Method, IP: raw.IP}
	if raw.Limit != nil {
		if err := CheckLimit(int(*raw.Limit)); err != nil {
			return fmt.Errorf("%s: %w", raw.Method, err)
		}
		r.Limit = int(*raw.Limit)
	}
	if raw.DryRun != nil {
		dry, err := ParseFlag(raw.DryRun)
		if err != nil {
			return fmt.Errorf("%s: dry_run %w", raw.Method, err)
		}
		r.DryRun = dry
	}
	return nil
}
