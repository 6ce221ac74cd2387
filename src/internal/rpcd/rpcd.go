package rpcd

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/netfix/netfix/src/internal/fix"
	"github.com/netfix/netfix/src/internal/hostaddr"
	"github.com/netfix/netfix/src/internal/ipc"
	"github.com/netfix/netfix/src/internal/smalljson"
	"github.com/netfix/netfix/src/internal/status"
)

// MaxInput bounds what a call reads from stdin. Real arguments are a few
// dozen bytes.
const MaxInput = 64 << 10

// MaxReply bounds a reply, far below the ~1 MiB at which ubusd drops rpcd.
const MaxReply = 256 << 10

// DefaultHistory is the number of events `history` returns without limit.
const DefaultHistory = ipc.DefaultHistory

// Backend does the work of each method. The real one talks to the daemon
// and falls back to a one-shot probe; tests use a fake.
type Backend interface {
	Status() (status.Document, error)
	Check() (status.Document, error)
	History(limit int) ([]status.Event, uint64, error)
	Flush(ip netip.Addr, dryRun bool) (status.Event, error)
	// Fix applies, undoes or confirms the automatic fix of a finding.
	Fix(req FixRequest) (fix.Result, error)
	// Fixes lists the fixes netfix has applied and the newest apply/undo
	// events, from the ledger only (no probe: cheap for every page load).
	Fixes() ([]fix.Record, []fix.Event, error)
}

// FixRequest is one call of `fix`: apply (with a rollback deadline in
// seconds when Rollback > 0), undo, or confirm an apply with rollback.
type FixRequest struct {
	ID       string
	Undo     bool
	DryRun   bool
	Confirm  bool
	Rollback int
}

// argType is the JSON type of an argument.
type argType int

const (
	tString argType = iota
	tBool
	tInt
)

// method describes one ubus method: its arguments and their examples for
// `list`.
type method struct {
	args    map[string]argType
	example map[string]any
}

var methods = map[string]method{
	"status":  {args: map[string]argType{}, example: map[string]any{}},
	"check":   {args: map[string]argType{}, example: map[string]any{}},
	"history": {args: map[string]argType{"limit": tInt}, example: map[string]any{"limit": 32}},
	"flush":   {args: map[string]argType{"ip": tString, "dry_run": tBool}, example: map[string]any{"ip": "192.168.1.2", "dry_run": false}},
	"fixes":   {args: map[string]argType{}, example: map[string]any{}},
	"fix": {args: map[string]argType{"id": tString, "undo": tBool, "dry_run": tBool, "confirm": tBool, "rollback": tInt},
		example: map[string]any{"id": "bridge.nf_call_iptables", "undo": false, "dry_run": false, "confirm": false, "rollback": 90}},
}

// Methods lists the method names, sorted.
func Methods() []string {
	var out []string
	for m := range methods {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// List writes the `list` reply.
func List(w io.Writer) error {
	sig := map[string]map[string]any{}
	for name, m := range methods {
		sig[name] = m.example
	}
	b, err := smalljson.Marshal(sig)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// Call runs one method with the JSON arguments read from in and writes
// exactly one JSON object to w: the result, or {"error": "..."}.
func Call(name string, in io.Reader, w io.Writer, be Backend) error {
	reply, err := call(name, in, be)
	if err != nil {
		reply = errorReply(err)
	}
	b, merr := smalljson.Marshal(reply)
	if merr != nil {
		b, _ = smalljson.Marshal(errorReply(fmt.Errorf("encode reply: %v", merr)))
	}
	if len(b) > MaxReply {
		b, _ = smalljson.Marshal(errorReply(fmt.Errorf("reply of %d bytes exceeds the %d byte cap", len(b), MaxReply)))
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func errorReply(err error) map[string]any {
	reply := map[string]any{"error": err.Error()}
	// A refused fix also carries its sentence as a catalog message, so
	// LuCI shows it in the user's language, and why, for scripts.
	var r *fix.Refused
	if errors.As(err, &r) {
		reply["error_msg"] = r.Msg
		reply["refused"] = r.Reason
	}
	return reply
}

func call(name string, in io.Reader, be Backend) (any, error) {
	m, ok := methods[name]
	if !ok {
		return nil, fmt.Errorf("unknown method %q (methods: %s)", name, strings.Join(Methods(), ", "))
	}
	args, err := readArgs(in, m)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	switch name {
	case "status":
		return be.Status()
	case "check":
		return be.Check()
	case "history":
		limit := DefaultHistory
		if v, ok := args["limit"]; ok {
			limit = v.(int)
			if err := ipc.CheckLimit(limit); err != nil {
				return nil, fmt.Errorf("history: %w", err)
			}
		}
		events, total, err := be.History(limit)
		if err != nil {
			return nil, err
		}
		if events == nil {
			events = []status.Event{}
		}
		return map[string]any{"events": events, "total": total}, nil
	case "flush":
		s, ok := args["ip"]
		if !ok {
			return nil, errors.New("flush: argument ip is required (the host's IPv4 or IPv6 address)")
		}
		ip, err := hostaddr.Parse(s.(string))
		if err != nil {
			return nil, fmt.Errorf("flush: argument ip: %w", err)
		}
		dry, _ := args["dry_run"].(bool)
		ev, err := be.Flush(ip, dry)
		if err != nil {
			return nil, err
		}
		return map[string]any{"ip": ip.String(), "dry_run": ev.DryRun, "deleted": ev.FlowsDeleted, "event": ev}, nil
	case "fix":
		id, _ := args["id"].(string)
		if !validFindingID(id) {
			return nil, fix.BadID(id)
		}
		req := FixRequest{ID: id}
		req.Undo, _ = args["undo"].(bool)
		req.DryRun, _ = args["dry_run"].(bool)
		req.Confirm, _ = args["confirm"].(bool)
		req.Rollback, _ = args["rollback"].(int)
		if req.Confirm && (req.Undo || req.DryRun || req.Rollback != 0) {
			return nil, errors.New("fix: confirm goes alone with id (it keeps an apply with rollback)")
		}
		if req.Rollback != 0 {
			if req.Undo {
				return nil, errors.New("fix: rollback is an argument of an apply, not of undo")
			}
			if err := fix.CheckRollback(time.Duration(req.Rollback) * time.Second); err != nil {
				return nil, err
			}
		}
		return be.Fix(req)
	case "fixes":
		recs, events, err := be.Fixes()
		if err != nil {
			return nil, err
		}
		if recs == nil {
			recs = []fix.Record{}
		}
		if events == nil {
			events = []fix.Event{}
		}
		return map[string]any{"applied": recs, "events": events}, nil
	}
	return nil, fmt.Errorf("method %q has no handler", name)
}

// readArgs decodes and type-checks the argument object. rpcd adds
// ubus_rpc_session for calls made over HTTP; it is accepted and ignored.
// It reads one JSON value and stops: rpcd may keep stdin open after the
// object, and waiting for end of input would hang the call until rpcd's
// timeout. Empty input (end of input before any value) means no arguments.
func readArgs(in io.Reader, m method) (map[string]any, error) {
	limited := &io.LimitedReader{R: in, N: MaxInput + 1}
	var raw map[string]smalljson.RawMessage
	err := smalljson.NewDecoder(limited).Decode(&raw)
	switch {
	case limited.N <= 0:
		return nil, fmt.Errorf("arguments larger than %d bytes", MaxInput)
	case errors.Is(err, io.EOF):
		return map[string]any{}, nil
	case err != nil:
		return nil, fmt.Errorf("arguments are not a JSON object: %v", err)
	case raw == nil:
		return nil, errors.New("arguments are not a JSON object")
	}
	out := map[string]any{}
	for k, v := range raw {
		if k == "ubus_rpc_session" {
			continue
		}
		t, ok := m.args[k]
		if !ok {
			return nil, fmt.Errorf("unknown argument %q", k)
		}
		switch t {
		case tString:
			var s string
			if err := smalljson.Unmarshal(v, &s); err != nil {
				return nil, fmt.Errorf("argument %s must be a string", k)
			}
			out[k] = s
		case tBool:
			b, err := ipc.ParseFlag(v)
			if err != nil {
				return nil, fmt.Errorf("argument %s %w", k, err)
			}
			out[k] = b
		case tInt:
			var n int32
			if err := smalljson.Unmarshal(v, &n); err != nil {
				return nil, fmt.Errorf("argument %s must be a 32-bit integer", k)
			}
			out[k] = int(n)
		}
	}
	return out, nil
}

// validFindingID accepts the shape of finding ids ("family.name": lower
// case letters, digits, '_' and '.'), so nothing else reaches the runner.
func validFindingID(id string) bool {
	if id == "" || len(id) > 64 || !strings.Contains(id, ".") {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
