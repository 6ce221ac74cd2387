package ct

import "testing"

func TestParseRelease(t *testing.T) {
	t.Parallel()
	tests := []struct {
		rel    string
		want   kernelVersion
		ok     bool
		has515 bool
		has58  bool
	}{
		{"6.6.73", kernelVersion{6, 6}, true, true, true},
		{"5.15.167", kernelVersion{5, 15}, true, true, true},
		{"5.10.221-openwrt", kernelVersion{5, 10}, true, false, true},
		{"5.4.284", kernelVersion{5, 4}, true, false, false},
		{"6.18.44-fc-v857", kernelVersion{6, 18}, true, true, true},
		{"4.14", kernelVersion{4, 14}, true, false, false},
		{"", kernelVersion{}, false, false, false},
		{"linux", kernelVersion{}, false, false, false},
		{"6.x", kernelVersion{6, 0}, false, false, false},
	}
	for _, tc := range tests {
		got, ok := parseRelease(tc.rel)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("parseRelease(%q) = %v, %v; want %v, %v", tc.rel, got, ok, tc.want, tc.ok)
			continue
		}
		if ok && (got.atLeast(5, 15) != tc.has515 || got.atLeast(5, 8) != tc.has58) {
			t.Errorf("%q: atLeast(5.15) = %v, atLeast(5.8) = %v; want %v, %v", tc.rel, got.atLeast(5, 15), got.atLeast(5, 8), tc.has515, tc.has58)
		}
	}
}
