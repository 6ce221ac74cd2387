package ipc

import (
	"bytes"
	"fmt"

	"github.com/netfix/netfix/src/internal/smalljson"
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
func ParseFlag(raw smalljson.RawMessage) (bool, error) {
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

// requestFields is Request without its methods, so UnmarshalJSONValue
// can decode every field (fields added later included) the plain way.
type requestFields Request

// UnmarshalJSONValue (smalljson's hook, see smalljson.Unmarshaler)
// decodes a request with the same argument rules as the rpcd plugin:
// dry_run as true/false/1/0, a limit of 1 to MaxEvents when given (0 and
// 51 are refused, not read as "all"). The two shadow the embedded fields
// of the same JSON name; every other field decodes as is.
func (r *Request) UnmarshalJSONValue(b []byte) error {
	var raw struct {
		requestFields
		Limit  *int32               `json:"limit"`
		DryRun smalljson.RawMessage `json:"dry_run"`
	}
	if err := smalljson.Unmarshal(b, &raw); err != nil {
		return err
	}
	*r = Request(raw.requestFields)
	if raw.Limit != nil {
		if err := CheckLimit(int(*raw.Limit)); err != nil {
			return fmt.Errorf("%s: %w", r.Method, err)
		}
		r.Limit = int(*raw.Limit)
	}
	if raw.DryRun != nil {
		dry, err := ParseFlag(raw.DryRun)
		if err != nil {
			return fmt.Errorf("%s: dry_run %w", r.Method, err)
		}
		r.DryRun = dry
	}
	return nil
}
