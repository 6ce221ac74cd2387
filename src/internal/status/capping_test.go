package status

import (
	"fmt"
	"strings"
	"testing"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/smalljson"
)

func TestBuildCapsEveryList(t *testing.T) {
	t.Parallel()
	var s facts.Snapshot
	for i := 0; i < 2000; i++ {
		s.Offload.Tables = append(s.Offload.Tables, fmt.Sprintf("inet %s_%04d", strings.Repeat("t", 200), i))
	}
	for i := 0; i < 20; i++ {
		ft := facts.Flowtable{Family: "inet", Table: "fw4", Name: fmt.Sprintf("ft%d", i)}
		for j := 0; j < 100; j++ {
			ft.Devices = append(ft.Devices, facts.Device{Name: fmt.Sprintf("lan%d", j), Kind: facts.KindBridgePort})
		}
		s.Offload.Flowtables = append(s.Offload.Flowtables, ft)
	}
	var findings []Finding
	for i := 0; i < 60; i++ {
		var ev []Msg
		for j := 0; j < 30; j++ {
			ev = append(ev, M("line %d", j))
		}
		findings = append(findings, NewFinding(fmt.Sprintf("x.%d", i), SeverityWarning, M("title"), nil, ev, ""))
	}

	d := Build("0.1.0", s, findings, Heal{})
	if len(d.Offload.Tables) != MaxTables || len(d.Offload.Flowtables) != MaxFlowtables || len(d.Findings) != MaxFindings {
		t.Errorf("lists: %d tables, %d flowtables, %d findings", len(d.Offload.Tables), len(d.Offload.Flowtables), len(d.Findings))
	}
	for i, ft := range d.Offload.Flowtables {
		if len(ft.Devices) != MaxDevices || d.Truncated[fmt.Sprintf("offload.flowtables[%d].devices", i)] != 100 {
			t.Errorf("flowtable %d: %d devices, total %v", i, len(ft.Devices), d.Truncated)
		}
	}
	for i, f := range d.Findings {
		if len(f.Evidence) != MaxEvidence || len(f.EvidenceMsg) != MaxEvidence || d.Truncated[fmt.Sprintf("findings[%d].evidence", i)] != 30 {
			t.Errorf("finding %d: %d/%d evidence lines", i, len(f.Evidence), len(f.EvidenceMsg))
		}
	}
	for path, want := range map[string]int{"offload.tables": 2000, "offload.flowtables": 20, "findings": 60} {
		if d.Truncated[path] != want {
			t.Errorf("truncated[%s] = %d, want %d", path, d.Truncated[path], want)
		}
	}
	// The snapshot the rules saw is not cut.
	if len(s.Offload.Tables) != 2000 || len(s.Offload.Flowtables[0].Devices) != 100 || len(findings[0].Evidence) != 30 {
		t.Error("Build changed the snapshot or the findings it was given")
	}
	b, _ := smalljson.Marshal(d)
	if len(b) > 256<<10 {
		t.Errorf("capped document is %d bytes, over the plugin's reply cap", len(b))
	}
}

func TestBuildLeavesShortListsAlone(t *testing.T) {
	t.Parallel()
	var s facts.Snapshot
	s.Offload.Tables = []string{"inet fw4"}
	d := Build("0.1.0", s, nil, Heal{})
	if d.Truncated != nil || len(d.Offload.Tables) != 1 {
		t.Errorf("truncated = %v, tables = %v", d.Truncated, d.Offload.Tables)
	}
	if b, _ := smalljson.Marshal(d); strings.Contains(string(b), "truncated") {
		t.Errorf("a document with nothing cut says truncated: %s", b)
	}
}
