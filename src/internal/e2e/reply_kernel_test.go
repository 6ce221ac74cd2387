//go:build kernel

package e2e_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netfix/netfix/src/internal/netnstest"
	"github.com/netfix/netfix/src/internal/rpcd"
	"github.com/netfix/netfix/src/internal/status"
)

// With 2000 real nftables tables (long names, as some firewalls make) the
// check reply is still a status document: lists capped, the full count in
// "truncated", never {"error": "reply … exceeds"}.
func TestCheckReplyWith2000Tables(t *testing.T) {
	ns := netnstest.New(t, "harden-reply")
	var rules strings.Builder
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&rules, "add table inet harden_%s_%04d\n", strings.Repeat("x", 200), i)
	}
	file := filepath.Join(t.TempDir(), "tables.nft")
	if err := os.WriteFile(file, []byte(rules.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ns.Run("nft", "-f", file)

	bin := netnstest.BuildNetfix(t)
	root := t.TempDir()
	cmd := ns.Command(bin, "rpcd", "--socket", filepath.Join(root, "none.sock"), "call", "check")
	cmd.Stdin = strings.NewReader("{}")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("rpcd call check: %v", err)
	}
	var doc status.Document
	if err := json.Unmarshal(out, &doc); err != nil || doc.Schema != status.SchemaVersion {
		t.Fatalf("reply of %d bytes is not a status document (%v): %.300s", len(out), err, out)
	}
	if len(out) > rpcd.MaxReply {
		t.Errorf("reply is %d bytes, over the %d byte cap", len(out), rpcd.MaxReply)
	}
	if len(doc.Offload.Tables) != status.MaxTables || doc.Truncated["offload.tables"] < 2000 {
		t.Errorf("%d tables listed, truncated = %v; want %d listed and the total", len(doc.Offload.Tables), doc.Truncated, status.MaxTables)
	}
	t.Logf("reply with 2000 tables: %d bytes, %d tables listed of %d", len(out), len(doc.Offload.Tables), doc.Truncated["offload.tables"])
}
