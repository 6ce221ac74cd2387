package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netfix/netfix/src/internal/assess"
	"github.com/netfix/netfix/src/internal/fixtures"
	"github.com/netfix/netfix/src/internal/status"
)

var update = flag.Bool("update", false, "rewrite testdata/*.txt")

func TestTextGolden(t *testing.T) {
	cases := map[string]status.Document{
		"s1.txt":        status.Build("0.1.0", fixtures.S1(), assess.Findings(fixtures.S1()), status.Heal{}),
		"s2.txt":        status.Build("0.1.0", fixtures.S2(), assess.Findings(fixtures.S2()), status.Heal{}),
		"s2_daemon.txt": status.Build("0.1.0", fixtures.S2Daemon(), assess.Findings(fixtures.S2Daemon()), fixtures.Heal(status.ModeHeal, fixtures.S2Events())),
		"s1_healed.txt": status.Build("0.1.0", fixtures.S1(), assess.Findings(fixtures.S1()), fixtures.Heal(status.ModeHeal, fixtures.S1Events(false))),
	}
	for name, doc := range cases {
		var b bytes.Buffer
		if err := Text(&b, doc); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", name)
		if *update {
			_ = os.MkdirAll("testdata", 0o755)
			_ = os.WriteFile(path, b.Bytes(), 0o644)
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), b.String()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

func TestVerdictLine(t *testing.T) {
	doc := status.Build("0.1.0", fixtures.S1(), assess.Findings(fixtures.S1()), status.Heal{})
	v := Verdict(doc)
	if !strings.HasPrefix(v, "CRITICAL (3 problems): Flowtable ft lists bridge ports") {
		t.Errorf("verdict line = %q", v)
	}
}

func roamed(e status.Event) status.Event {
	e.Roam = true
	return e
}

func TestEventLine(t *testing.T) {
	tests := []struct {
		e    status.Event
		want string
	}{
		{fixtures.S1Events(false)[0], "13:14:12 mac_change 192.168.1.240 on br-lan: b6:01:52:44:16:fa -> 3a:ea:10:f9:a1:2e, deleted 1 offloaded flow in 0.4 ms"},
		{fixtures.S1Events(true)[1], "12:36:12 port_move 192.168.1.57 on br-lan: port wlan0 -> wlan1, would delete 3 offloaded flows in 0.7 ms"},
		{roamed(fixtures.S1Events(false)[1]), "12:36:12 port_move 192.168.1.57 on br-lan: roamed from wlan0 to wlan1, deleted 3 offloaded flows in 0.7 ms"},
	}
	for _, tt := range tests {
		if got := EventLine(tt.e); got != tt.want {
			t.Errorf("EventLine = %q\nwant        %q", got, tt.want)
		}
	}
}

// A capped document says in the text report how much it does not show.
func TestTextSaysWhatWasCut(t *testing.T) {
	t.Parallel()
	var ev []status.Msg
	for i := 0; i < status.MaxEvidence+5; i++ {
		ev = append(ev, status.M("line %d", i))
	}
	var findings []status.Finding
	for i := 0; i < status.MaxFindings+3; i++ {
		findings = append(findings, status.NewFinding("x", status.SeverityInfo, status.M("title"), nil, ev, ""))
	}
	var b bytes.Buffer
	if err := Text(&b, status.Build("0.1.0", fixtures.S1(), findings, status.Heal{})); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "… 5 more not shown") || !strings.Contains(b.String(), "… 3 more findings not shown") {
		t.Errorf("report does not say what was cut:\n%.2000s", b.String())
	}
}
