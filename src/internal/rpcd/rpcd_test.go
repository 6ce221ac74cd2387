package rpcd

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/netfix/netfix/src/internal/fix"
	"github.com/netfix/netfix/src/internal/fixtures"
	"github.com/netfix/netfix/src/internal/status"
)

var update = flag.Bool("update", false, "rewrite testdata/list.golden.json")

// fake is the backend at the domain boundary; it records flush and fix
// calls.
type fake struct {
	flushed []string
	fixed   []string
	err     error
}

func (f *fake) Status() (status.Document, error) {
	return status.Build("0.1.0", fixtures.S1(), nil, status.Heal{}), f.err
}
func (f *fake) Check() (status.Document, error) { return f.Status() }
func (f *fake) History(limit int) ([]status.Event, uint64, error) {
	ev := fixtures.S1Events(false)
	if limit < len(ev) {
		ev = ev[:limit]
	}
	return ev, 3, f.err
}
func (f *fake) Flush(ip netip.Addr, dry bool) (status.Event, error) {
	f.flushed = append(f.flushed, ip.String())
	return status.Event{IP: ip.String(), Reason: "manual", FlowsDeleted: 2, DryRun: dry}, f.err
}

// Fix answers like the runner: a finding other than the S4 one is refused.
func (f *fake) Fix(req FixRequest) (fix.Result, error) {
	id, undo, dry := req.ID, req.Undo, req.DryRun
	line := fmt.Sprintf("%s undo=%v dry=%v", id, undo, dry)
	if req.Confirm || req.Rollback != 0 {
		line += fmt.Sprintf(" confirm=%v rollback=%d", req.Confirm, req.Rollback)
	}
	f.fixed = append(f.fixed, line)
	if id != "bridge.nf_call_iptables" {
		return fix.Result{}, &fix.Refused{Reason: fix.RefusedNotPresent, Msg: status.M("The finding %s is not present on this machine now; there is nothing to fix.", id)}
	}
	return fix.Result{Finding: id, Op: fix.OpApply, DryRun: dry, Changed: !dry}, f.err
}

func (f *fake) Fixes() ([]fix.Record, []fix.Event, error) {
	return []fix.Record{{Action: "bridge.notrack", Args: map[string]string{"bridge": "br-lan137"}, Findings: []string{"bridge.nf_call_iptables"}}}, nil, f.err
}

func TestListGolden(t *testing.T) {
	var b bytes.Buffer
	if err := List(&b); err != nil {
		t.Fatal(err)
	}
	if *update {
		_ = os.WriteFile("testdata/list.golden.json", b.Bytes(), 0o644)
	}
	want, err := os.ReadFile("testdata/list.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("list = %s, want %s", b.String(), want)
	}
	// rpcd turns a number example of 8, 16 or 64 into int8/16/64.
	var sig map[string]map[string]any
	_ = json.Unmarshal(b.Bytes(), &sig)
	for m, args := range sig {
		for a, v := range args {
			if n, ok := v.(float64); ok && (n == 8 || n == 16 || n == 64) {
				t.Errorf("%s.%s example %v would declare a non-int32 type", m, a, n)
			}
		}
	}
}

func TestCall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		method  string
		stdin   string
		wantErr string // substring of the {"error"} reply; "" for success
		check   func(t *testing.T, reply map[string]any, be *fake)
	}{
		{name: "status, empty stdin", method: "status", stdin: "", check: func(t *testing.T, r map[string]any, _ *fake) {
			if r["schema"] != float64(1) || r["verdict"] == nil {
				t.Errorf("not a status document: %v", r)
			}
		}},
		{name: "status with session", method: "status", stdin: `{"ubus_rpc_session":"0123456789abcdef0123456789abcdef"}`},
		{name: "check", method: "check", stdin: `{}`},
		{name: "history default", method: "history", stdin: `{}`, check: func(t *testing.T, r map[string]any, _ *fake) {
			if len(r["events"].([]any)) != 3 || r["total"] != float64(3) {
				t.Errorf("history = %v", r)
			}
		}},
		{name: "history limit", method: "history", stdin: `{"limit":1,"ubus_rpc_session":"x"}`, check: func(t *testing.T, r map[string]any, _ *fake) {
			if len(r["events"].([]any)) != 1 {
				t.Errorf("history = %v", r)
			}
		}},
		{name: "history limit 0 refused", method: "history", stdin: `{"limit":0}`, wantErr: "limit must be 1 to 50, got 0"},
		{name: "history limit 51 refused", method: "history", stdin: `{"limit":51}`, wantErr: "limit must be 1 to 50, got 51"},
		{name: "history limit -1 refused", method: "history", stdin: `{"limit":-1}`, wantErr: "limit must be 1 to 50, got -1"},
		{name: "history limit 50 accepted", method: "history", stdin: `{"limit":50}`, check: func(t *testing.T, r map[string]any, _ *fake) {
			if len(r["events"].([]any)) != 3 {
				t.Errorf("history = %v", r)
			}
		}},
		{name: "history limit fraction", method: "history", stdin: `{"limit":1.5}`, wantErr: "32-bit integer"},
		{name: "history limit bool", method: "history", stdin: `{"limit":true}`, wantErr: "32-bit integer"},
		{name: "history limit wrong type", method: "history", stdin: `{"limit":"ten"}`, wantErr: "limit must be a 32-bit integer"},
		{name: "history limit too big for int32", method: "history", stdin: `{"limit":99999999999}`, wantErr: "32-bit integer"},
		{name: "flush", method: "flush", stdin: `{"ip":"192.168.1.240","dry_run":true}`, check: func(t *testing.T, r map[string]any, be *fake) {
			if r["deleted"] != float64(2) || r["dry_run"] != true || len(be.flushed) != 1 {
				t.Errorf("flush = %v %v", r, be.flushed)
			}
		}},
		{name: "flush v4-mapped is normalised", method: "flush", stdin: `{"ip":"::ffff:192.168.1.240"}`, check: func(t *testing.T, r map[string]any, be *fake) {
			if be.flushed[0] != "192.168.1.240" {
				t.Errorf("flushed %v", be.flushed)
			}
		}},
		{name: "flush dry_run 1 is a dry run", method: "flush", stdin: `{"ip":"fd00::240","dry_run":1}`, check: wantDry(true)},
		{name: "flush dry_run 0 deletes", method: "flush", stdin: `{"ip":"fd00::240","dry_run":0}`, check: wantDry(false)},
		{name: "flush dry_run false deletes", method: "flush", stdin: `{"ip":"fd00::240","dry_run":false}`, check: wantDry(false)},
		{name: "flush without dry_run deletes", method: "flush", stdin: `{"ip":"fd00::240"}`, check: wantDry(false)},
		{name: "flush dry_run 2 refused", method: "flush", stdin: `{"ip":"fd00::240","dry_run":2}`, wantErr: "dry_run must be a boolean"},
		{name: "flush dry_run \"1\" refused", method: "flush", stdin: `{"ip":"fd00::240","dry_run":"1"}`, wantErr: "dry_run must be a boolean"},
		{name: "flush dry_run null refused", method: "flush", stdin: `{"ip":"fd00::240","dry_run":null}`, wantErr: "dry_run must be a boolean"},
		{name: "flush refuses ::", method: "flush", stdin: `{"ip":"::"}`, wantErr: "unspecified"},
		{name: "flush refuses multicast", method: "flush", stdin: `{"ip":"224.0.0.251"}`, wantErr: "multicast"},
		{name: "flush refuses v6 multicast", method: "flush", stdin: `{"ip":"ff02::1"}`, wantErr: "multicast"},
		{name: "flush refuses loopback", method: "flush", stdin: `{"ip":"127.0.0.1"}`, wantErr: "loopback"},
		{name: "flush refuses v6 loopback", method: "flush", stdin: `{"ip":"::1"}`, wantErr: "loopback"},
		{name: "flush refuses zoned link-local", method: "flush", stdin: `{"ip":"fe80::1%br-lan"}`, wantErr: "zone"},
		{name: "flush refuses broadcast", method: "flush", stdin: `{"ip":"255.255.255.255"}`, wantErr: "broadcast"},
		{name: "flush refuses empty ip", method: "flush", stdin: `{"ip":""}`, wantErr: "empty"},
		{name: "flush missing ip", method: "flush", stdin: `{}`, wantErr: "ip is required"},
		{name: "flush bad ip", method: "flush", stdin: `{"ip":"192.168.1.300"}`, wantErr: "not an IPv4 or IPv6 address"},
		{name: "flush refuses a prefix", method: "flush", stdin: `{"ip":"192.168.1.0/24"}`, wantErr: "not an IPv4 or IPv6 address"},
		{name: "flush refuses 0.0.0.0", method: "flush", stdin: `{"ip":"0.0.0.0"}`, wantErr: "not a host address"},
		{name: "flush ip wrong type", method: "flush", stdin: `{"ip":17}`, wantErr: "ip must be a string"},
		{name: "flush dry_run wrong type", method: "flush", stdin: `{"ip":"10.0.0.1","dry_run":"yes"}`, wantErr: "dry_run must be a boolean"},
		{name: "fix apply", method: "fix", stdin: `{"id":"bridge.nf_call_iptables","undo":false,"dry_run":false}`, check: func(t *testing.T, r map[string]any, be *fake) {
			if r["changed"] != true || len(be.fixed) != 1 || be.fixed[0] != "bridge.nf_call_iptables undo=false dry=false" {
				t.Errorf("fix = %v %v", r, be.fixed)
			}
		}},
		{name: "fix undo dry run", method: "fix", stdin: `{"id":"bridge.nf_call_iptables","undo":1,"dry_run":true}`, check: func(t *testing.T, r map[string]any, be *fake) {
			if be.fixed[0] != "bridge.nf_call_iptables undo=true dry=true" {
				t.Errorf("fix = %v", be.fixed)
			}
		}},
		{name: "fix refused carries its catalog message", method: "fix", stdin: `{"id":"offload.hw_ineffective"}`, wantErr: "is not present", check: func(t *testing.T, r map[string]any, _ *fake) {
			m, _ := r["error_msg"].(map[string]any)
			if r["refused"] != fix.RefusedNotPresent || m["id"] != "The finding %s is not present on this machine now; there is nothing to fix." {
				t.Errorf("refusal = %v", r)
			}
		}},
		{name: "fixes", method: "fixes", stdin: `{}`, check: func(t *testing.T, r map[string]any, _ *fake) {
			applied, _ := r["applied"].([]any)
			events, _ := r["events"].([]any)
			if len(applied) != 1 || events == nil {
				t.Errorf("fixes = %v", r)
			}
		}},
		{name: "fix missing id", method: "fix", stdin: `{"undo":true}`, wantErr: "is not a finding id"},
		{name: "fix id with shell characters", method: "fix", stdin: `{"id":"bridge.x; reboot"}`, wantErr: "is not a finding id", check: func(t *testing.T, r map[string]any, _ *fake) {
			// refused as a catalog message, so LuCI says it in zh_Hans too
			m, _ := r["error_msg"].(map[string]any)
			if r["refused"] != fix.RefusedBadID || m["id"] != "%s is not a finding id; finding ids look like bridge.nf_call_iptables." {
				t.Errorf("malformed id refusal = %v", r)
			}
		}},
		{name: "fix apply with rollback", method: "fix", stdin: `{"id":"bridge.nf_call_iptables","rollback":90}`, check: func(t *testing.T, r map[string]any, be *fake) {
			if len(be.fixed) != 1 || be.fixed[0] != "bridge.nf_call_iptables undo=false dry=false confirm=false rollback=90" {
				t.Errorf("fix = %v", be.fixed)
			}
		}},
		{name: "fix confirm", method: "fix", stdin: `{"id":"bridge.nf_call_iptables","confirm":true}`, check: func(t *testing.T, r map[string]any, be *fake) {
			if len(be.fixed) != 1 || be.fixed[0] != "bridge.nf_call_iptables undo=false dry=false confirm=true rollback=0" {
				t.Errorf("fix = %v", be.fixed)
			}
		}},
		{name: "fix rollback too short", method: "fix", stdin: `{"id":"bridge.nf_call_iptables","rollback":2}`, wantErr: "between 10 and 3600 seconds"},
		{name: "fix undo with rollback", method: "fix", stdin: `{"id":"bridge.nf_call_iptables","undo":true,"rollback":90}`, wantErr: "not of undo"},
		{name: "fix confirm with undo", method: "fix", stdin: `{"id":"bridge.nf_call_iptables","undo":true,"confirm":true}`, wantErr: "confirm goes alone"},
		{name: "fix id wrong type", method: "fix", stdin: `{"id":5}`, wantErr: "id must be a string"},
		{name: "unknown argument", method: "status", stdin: `{"verbose":true}`, wantErr: `unknown argument "verbose"`},
		{name: "malformed JSON", method: "flush", stdin: `{"ip":`, wantErr: "not a JSON object"},
		{name: "JSON array", method: "status", stdin: `[1,2]`, wantErr: "not a JSON object"},
		{name: "JSON null", method: "status", stdin: `null`, wantErr: "not a JSON object"},
		{name: "oversized input", method: "status", stdin: `{"ubus_rpc_session":"` + strings.Repeat("a", MaxInput) + `"}`, wantErr: "larger than"},
		{name: "unknown method", method: "reboot", stdin: `{}`, wantErr: `unknown method "reboot"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			be := &fake{}
			var out bytes.Buffer
			if err := Call(tt.method, strings.NewReader(tt.stdin), &out, be); err != nil {
				t.Fatal(err)
			}
			if bytes.Count(out.Bytes(), []byte("\n")) != 1 {
				t.Errorf("reply must be one line with one object: %q", out.String())
			}
			var reply map[string]any
			if err := json.Unmarshal(out.Bytes(), &reply); err != nil {
				t.Fatalf("reply is not a JSON object: %v: %s", err, out.String())
			}
			msg, isErr := reply["error"].(string)
			switch {
			case tt.wantErr == "" && isErr:
				t.Fatalf("unexpected error reply %q", msg)
			case tt.wantErr != "" && !strings.Contains(msg, tt.wantErr):
				t.Fatalf("error reply %q, want it to contain %q", msg, tt.wantErr)
			}
			if tt.wantErr != "" && tt.method == "fix" && len(be.fixed) > 0 && !strings.Contains(msg, "is not present") {
				t.Errorf("a rejected fix call must not reach the backend, got %v", be.fixed)
			}
			if tt.wantErr != "" && len(be.flushed) != 0 {
				t.Errorf("a rejected call must not flush, flushed %v", be.flushed)
			}
			if tt.check != nil {
				tt.check(t, reply, be)
			}
		})
	}
}

func wantDry(want bool) func(*testing.T, map[string]any, *fake) {
	return func(t *testing.T, r map[string]any, be *fake) {
		if r["dry_run"] != want || len(be.flushed) != 1 {
			t.Errorf("flush reply = %v (flushed %v), want dry_run %v", r, be.flushed, want)
		}
	}
}

// rpcd may keep the plugin's stdin open after the argument object: the
// call must answer after one complete JSON value, not wait for the end.
func TestCallDoesNotWaitForEndOfInput(t *testing.T) {
	t.Parallel()
	r, w := io.Pipe()
	defer w.Close()
	go func() { _, _ = w.Write([]byte(`{"ip":"192.168.1.240","dry_run":1}`)) }()
	var out bytes.Buffer
	be := &fake{}
	if err := Call("flush", r, &out, be); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"dry_run":true`) || len(be.flushed) != 1 {
		t.Errorf("reply = %s", out.String())
	}
}

func TestBackendErrorBecomesErrorObject(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	_ = Call("status", strings.NewReader("{}"), &out, &fake{err: errors.New("conntrack netlink interface not available")})
	if !strings.Contains(out.String(), `"error":"conntrack netlink interface not available"`) {
		t.Errorf("reply = %s", out.String())
	}
}
