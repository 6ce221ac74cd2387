//go:build linux

package ct

import (
	"strings"
	"testing"
)

func TestProcStatColumn(t *testing.T) {
	t.Parallel()
	// Kernels before 5.7 have no clashres column.
	old := strings.NewReader("entries  searched found\n00000010  00000002 0000000a\n00000010  00000001 00000001\n")
	if _, ok := procStatColumn(old, "clashres"); ok {
		t.Error("found a column that is not there")
	}
	cur := strings.NewReader("entries  clashres found new\n00000010  00000002 0000000a 00000000\n00000010  0000000f 00000001 00000000\n")
	if v, ok := procStatColumn(cur, "clashres"); !ok || v != 17 {
		t.Errorf("clash_resolve = %d %v, want 17", v, ok)
	}
}
