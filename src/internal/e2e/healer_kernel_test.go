//go:build kernel

package e2e_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/diagnose"
	"github.com/netfix/netfix/src/internal/ipc"
)

// A daemon that holds its socket but does not answer (stuck, overloaded)
// is not "not running": `netfix check` says it runs but did not answer in
// 2 s, with the error and where its log is, and never tells a person to
// start it. The socket here accepts (the kernel queues the connection) and
// nobody ever reads it.
func TestCheckDaemonDoesNotAnswer(t *testing.T) {
	ns, root := router(t)
	// Installed on OpenWrt: a daemon that is down would be a finding.
	for p, body := range map[string]string{"etc/init.d/netfix": "#!/bin/sh /etc/rc.common\n", "etc/openwrt_release": "DISTRIB_ID='OpenWrt'\n"} {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	sock := filepath.Join(t.TempDir(), "netfix.sock")
	l, err := ipc.Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	start := time.Now()
	doc, code, stderr := runCheck(t, ns, "--root", root, "--socket", sock, "--sample", "0")
	if took := time.Since(start); took < 2*time.Second {
		t.Errorf("check took %s: it did not wait its 2 s for the daemon", took)
	}
	if code == 3 || doc.Heal.Running {
		t.Fatalf("exit %d, heal %+v; stderr %s", code, doc.Heal, stderr)
	}
	var found bool
	for _, f := range doc.Findings {
		switch f.ID {
		case diagnose.IDHealerNotRunning:
			t.Errorf("a daemon that holds its socket is reported as not running: %s", f.Title)
		case diagnose.IDHealerNoAnswer:
			found = true
			if !strings.Contains(f.Title, "runs but did not answer within 2 s") || f.Fix != "logread -e netfix" ||
				len(f.Evidence) != 1 || !strings.HasPrefix(f.Evidence[0], "control socket "+sock+": ") || !strings.Contains(f.Evidence[0], "timeout") {
				t.Errorf("heal.no_answer = %+v", f)
			}
		}
		if strings.Contains(f.Fix, "/etc/init.d/netfix start") {
			t.Errorf("%s tells to start a daemon that runs: %s", f.ID, f.Fix)
		}
	}
	if !found {
		t.Errorf("no %s finding in %+v", diagnose.IDHealerNoAnswer, doc.Findings)
	}
}
