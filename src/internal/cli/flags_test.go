package cli

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestFlagSetParses(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		json    bool
		root    string
		sample  time.Duration
		rest    []string
		err     string // in the error and the output; "" none
		help    bool
		printed string // also in the output
	}{
		{args: nil, sample: 3 * time.Second},
		{args: []string{"--json", "-root", "/img", "--sample=0"}, json: true, root: "/img"},
		{args: []string{"-json=false", "--root=/a=b"}, root: "/a=b", sample: 3 * time.Second},
		{args: []string{"-json=1", "x", "--root", "y"}, json: true, sample: 3 * time.Second, rest: []string{"x", "--root", "y"}},
		{args: []string{"--", "--json"}, sample: 3 * time.Second, rest: []string{"--json"}},
		{args: []string{"-", "--json"}, sample: 3 * time.Second, rest: []string{"-", "--json"}},
		{args: []string{"--bogus"}, err: "flag provided but not defined: -bogus", printed: "-sample duration"},
		{args: []string{"--root"}, err: "flag needs an argument: -root"},
		{args: []string{"--sample", "soon"}, err: `invalid value "soon" for flag -sample: parse error`},
		{args: []string{"--json=maybe"}, err: `invalid boolean value "maybe" for -json: parse error`},
		{args: []string{"---json"}, err: "bad flag syntax: ---json"},
		{args: []string{"--help"}, help: true, printed: "(default \"/var/run/netfix.sock\")"},
		{args: []string{"-h"}, help: true, printed: "-root DIR\n    \tread files below DIR"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out strings.Builder
			fs := newFlagSet("check", &out)
			asJSON := fs.Bool("json", false, "print JSON")
			root := fs.String("root", "", "read files below `DIR`")
			fs.String("socket", "/var/run/netfix.sock", "daemon control socket")
			sample := fs.Duration("sample", 3*time.Second, "sample interval")
			err := fs.parse(tc.args)
			switch {
			case tc.help:
				if !errors.Is(err, errHelp) {
					t.Fatalf("err %v, want errHelp", err)
				}
			case tc.err != "":
				if err == nil || err.Error() != tc.err || !strings.Contains(out.String(), tc.err) {
					t.Fatalf("err %v, output %q; want %q in both", err, out.String(), tc.err)
				}
			case err != nil:
				t.Fatalf("unexpected error %v", err)
			default:
				if *asJSON != tc.json || *root != tc.root || *sample != tc.sample {
					t.Fatalf("json %v root %q sample %v; want %v %q %v", *asJSON, *root, *sample, tc.json, tc.root, tc.sample)
				}
				if fs.NArg() != len(tc.rest) {
					t.Fatalf("%d arguments left, want %q", fs.NArg(), tc.rest)
				}
				for i, a := range tc.rest {
					if fs.Arg(i) != a {
						t.Fatalf("argument %d %q, want %q", i, fs.Arg(i), a)
					}
				}
			}
			if !strings.Contains(out.String(), tc.printed) {
				t.Fatalf("output %q lacks %q", out.String(), tc.printed)
			}
		})
	}
}
