package status

import "testing"

func TestMsgString(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		msg  Msg
		want string
	}{
		{"plain", M("No problems found."), "No problems found."},
		{"args in order", M("%s is a port of bridge %s", "eth0", "br-lan"), "eth0 is a port of bridge br-lan"},
		{"number and percent", M("%d entries (%s %%)", 7663, "99.8"), "7663 entries (99.8 %)"},
		{"plural one", MN(1, "%d entry", "%d entries", 1), "1 entry"},
		{"plural many", MN(3, "%d entry", "%d entries", 3), "3 entries"},
		{"plural zero", MN(0, "%d entry", "%d entries", 0), "0 entries"},
		{"missing arg renders empty", M("%s and %s", "a"), "a and "},
		{"markup stays text", M("host %s", "<img src=x>"), "host <img src=x>"},
	}
	for _, c := range cases {
		if got := c.msg.String(); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestPlaceholders(t *testing.T) {
	t.Parallel()
	for tmpl, want := range map[string]int{"": 0, "%s": 1, "%d / %d (%s %%)": 3, "100%%": 0, "%x": 0} {
		if got := Placeholders(tmpl); got != want {
			t.Errorf("Placeholders(%q) = %d, want %d", tmpl, got, want)
		}
	}
}

func TestNewFindingRendersEnglish(t *testing.T) {
	t.Parallel()
	f := NewFinding("x.y", SeverityWarning, M("Title %s.", "a"),
		[]Msg{M("One."), M("Two %d.", 2)}, []Msg{M("ev %s", "b")}, "fix")
	if f.Title != "Title a." || f.Detail != "One. Two 2." || len(f.Evidence) != 1 || f.Evidence[0] != "ev b" {
		t.Fatalf("unexpected English rendering: %+v", f)
	}
}
