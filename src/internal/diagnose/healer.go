package diagnose

import (
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/status"
)

// IDHealerNoAnswer: a daemon holds the control socket but did not answer
// the check.
const IDHealerNoAnswer = "heal.no_answer"

// healerNoAnswer says that the daemon runs (something holds its socket) but
// gave no usable answer, so the report cannot say whether it repairs: never
// "not running", which would send a person to start a daemon that runs.
func healerNoAnswer(s facts.Snapshot) []Finding {
	q := s.HealerSilence
	if q == nil || s.HealerRunning {
		return nil
	}
	log := "journalctl -u netfix"
	if s.Forwarding.OpenWrt {
		log = "logread -e netfix"
	}
	return []Finding{newFinding(IDHealerNoAnswer, SeverityWarning,
		status.M("The netfix daemon runs but did not answer within %s s: this report cannot tell whether it repairs stale offloaded flows.", q.WaitS),
		[]status.Msg{
			status.M("Something holds the daemon's control socket, so the daemon is not stopped: it may be stuck or overloaded, or it refused this user."),
			status.M("Its log says why; the rest of this report is a one-shot check."),
		},
		[]status.Msg{status.M("control socket %s: %s", q.Socket, q.Error)},
		log)}
}
