package ipc

import (
	"strings"
	"testing"

	"github.com/netfix/netfix/src/internal/smalljson"
)

// The control socket applies the rpcd plugin's argument rules: the same
// limits at both edges and the same booleans.
func TestRequestArguments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Request
		errPart string
	}{
		{in: `{"method":"history"}`, want: Request{Method: "history"}},
		{in: `{"method":"history","limit":1}`, want: Request{Method: "history", Limit: 1}},
		{in: `{"method":"history","limit":50}`, want: Request{Method: "history", Limit: 50}},
		{in: `{"method":"history","limit":0}`, errPart: "limit must be 1 to 50, got 0"},
		{in: `{"method":"history","limit":51}`, errPart: "limit must be 1 to 50, got 51"},
		{in: `{"method":"history","limit":-3}`, errPart: "got -3"},
		{in: `{"method":"history","limit":4294967297}`, errPart: "int32"},
		{in: `{"method":"history","limit":"5"}`, errPart: "string"},
		{in: `{"method":"flush","ip":"10.0.0.2","dry_run":true}`, want: Request{Method: "flush", IP: "10.0.0.2", DryRun: true}},
		{in: `{"method":"flush","ip":"10.0.0.2","dry_run":1}`, want: Request{Method: "flush", IP: "10.0.0.2", DryRun: true}},
		{in: `{"method":"flush","ip":"10.0.0.2","dry_run":0}`, want: Request{Method: "flush", IP: "10.0.0.2"}},
		{in: `{"method":"flush","ip":"10.0.0.2","dry_run":false}`, want: Request{Method: "flush", IP: "10.0.0.2"}},
		{in: `{"method":"flush","ip":"10.0.0.2","dry_run":2}`, errPart: "dry_run must be a boolean"},
		{in: `{"method":"flush","ip":"10.0.0.2","dry_run":"true"}`, errPart: "dry_run must be a boolean"},
		{in: `{"method":"flush","ip":"10.0.0.2","dry_run":null}`, errPart: "dry_run must be a boolean"},
		{in: `{"method":"flush","ip":17}`, errPart: "string"},
	}
	for _, tt := range tests {
		var got Request
		err := smalljson.Unmarshal([]byte(tt.in), &got)
		if tt.errPart != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errPart) {
				t.Errorf("%s: error %v, want one mentioning %q (decoded %+v)", tt.in, err, tt.errPart, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

// A request encoded by Call decodes to the same request on the server.
func TestRequestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, r := range []Request{{Method: "status"}, {Method: "history", Limit: 7}, {Method: "flush", IP: "fd00::2", DryRun: true}} {
		b, _ := smalljson.Marshal(r)
		var got Request
		if err := smalljson.Unmarshal(b, &got); err != nil || got != r {
			t.Errorf("%s -> %+v, %v", b, got, err)
		}
	}
}
