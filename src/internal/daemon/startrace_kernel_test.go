//go:build kernel

package daemon_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netfix/netfix/src/internal/status"
)

// The rpcd plugin asked while the daemon starts answers either from the
// daemon (starting: verdict unknown, no findings) or from its own one-shot
// check, never a mix: a plugin whose first connect found no daemon used to
// run its one-shot check and then copy the heal block of a daemon that had
// opened its socket meanwhile, and answer "healthy" with heal.starting
// (1 of 412 answers). Several starts, with plugins called back to back by
// parallel callers from before each start until the daemon watches.
func TestPluginDuringStartNeverMixes(t *testing.T) {
	r := newRig(t)
	const starts, callers = 12, 6
	var answers, starting, daemonAnswers atomic.Int64
	var mu sync.Mutex
	var bad []string
	for s := 0; s < starts; s++ {
		var stop atomic.Bool
		var wg sync.WaitGroup
		for c := 0; c < callers; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for !stop.Load() {
					cmd := exec.Command(r.bin, "rpcd", "--socket", r.socket, "call", "status")
					cmd.Stdin = strings.NewReader("{}")
					out, err := cmd.Output()
					var doc status.Document
					if err != nil || json.Unmarshal(out, &doc) != nil {
						continue // the error reply of a call cut by the stop
					}
					answers.Add(1)
					if doc.Heal.Running {
						daemonAnswers.Add(1)
					}
					if doc.Heal.Starting {
						starting.Add(1)
						if doc.Verdict != status.VerdictUnknown || len(doc.Findings) != 0 {
							mu.Lock()
							bad = append(bad, doc.Verdict)
							mu.Unlock()
						}
					}
				}
			}()
		}
		time.Sleep(100 * time.Millisecond) // the callers run before the daemon
		r.launch()
		r.waitLog("watching neighbours")
		time.Sleep(50 * time.Millisecond)
		stop.Store(true)
		wg.Wait()
		r.stop()
		r.cmd = nil
	}
	t.Logf("%d plugin answers over %d starts: %d from the daemon, %d of them starting", answers.Load(), starts, daemonAnswers.Load(), starting.Load())
	if len(bad) > 0 {
		t.Errorf("%d plugin answers said heal.starting with a verdict of their own: %v", len(bad), bad)
	}
	// The guard is only worth something if answers came while the daemon
	// was starting: count those, not all answers (a race-built daemon
	// starts slower and the plugin answers fewer times, but still meets
	// the start).
	if starting.Load() == 0 {
		t.Errorf("none of %d plugin answers came from a starting daemon: the start was not covered", answers.Load())
	}
}
