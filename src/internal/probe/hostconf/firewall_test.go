package hostconf

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func firewallRoot(t *testing.T, body string) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "etc", "config")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "firewall"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// Firewall files that uci accepts are read; only a broken line is an
// error, and it names the file and line.
func TestReadFirewall(t *testing.T) {
	t.Parallel()
	var ipset strings.Builder
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&ipset, "\tlist entry '10.%d.%d.0/24'\n", i/256, i%256)
	}
	tests := []struct {
		name       string
		body       string
		sw, hw     bool
		errPart    string
		errPresent bool
	}{
		{name: "CRLF", body: "config defaults\r\n\toption flow_offloading '1'\r\n\toption flow_offloading_hw '1'\r\n", sw: true, hw: true},
		{name: "empty values", body: "config defaults\n\toption flow_offloading '1'\n\toption flow_offloading_hw ''\n\tlist network ''\n\toption input \"\"\n", sw: true},
		{name: "20k-entry ipset", body: "config defaults\n\toption flow_offloading '1'\n\nconfig ipset\n\toption name 'cn'\n" + ipset.String(), sw: true},
		{name: "no defaults section", body: "config zone\n\toption name 'lan'\n"},
		{name: "broken line", body: "config defaults\n\toption flow_offloading '1'\n\n\toptoin x 'y'\n", errPart: "etc/config/firewall line 4: unknown keyword"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fw, err := ReadFirewall(firewallRoot(t, tt.body))
			if tt.errPart != "" {
				if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.errPart) || !strings.Contains(fw.Error, tt.errPart) {
					t.Errorf("err = %v, fw.Error = %q; want ErrConfig with %q", err, fw.Error, tt.errPart)
				}
				return
			}
			if err != nil || !fw.Present || fw.FlowOffloading != tt.sw || fw.FlowOffloadingHW != tt.hw {
				t.Errorf("ReadFirewall = %+v, %v; want offloading %v, hw %v", fw, err, tt.sw, tt.hw)
			}
		})
	}
}
