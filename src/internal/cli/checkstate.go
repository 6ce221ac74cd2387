package cli

import (
	"strings"

	"github.com/netfix/netfix/src/internal/env"
	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/probe"
	"github.com/netfix/netfix/src/internal/rootfs"
	"github.com/netfix/netfix/src/internal/smalljson"
)

// gatherCheck is the probe of a one-shot check (`netfix check`, the rpcd
// fallback's status read): it starts from what the previous check kept in
// the state directory (a tmpfs) and keeps what this one found for the
// next. The probe writes nothing itself.
func gatherCheck(opts probe.Options) (facts.Snapshot, error) {
	opts.KnownSupport, opts.CTPrev = checkStart(opts.Env)
	s, m, err := probe.GatherMemo(opts)
	checkKeep(opts.Env, m)
	return s, err
}

// checkStart reads what the previous check kept: the flowtable support
// answer (about this kernel, not about files, so a check with --root,
// whose kernel facts are this kernel's too, reads it as well) and, for a
// check of this host only, the conntrack statistics sample its growth is
// measured from.
func checkStart(e env.Env) (known string, prev *probe.CTSample) {
	known = readSupportCache(e.StatePath(probe.SupportCache))
	if e.IsHost() {
		prev = readCTSample(e.StatePath(probe.CTStatsCache))
	}
	return known, prev
}

// checkKeep writes what this check found for the next, best effort
// (without it the next check probes flowtable support again and shows no
// growth). Only a check of this host writes: nothing is written below or
// because of a root. It writes like the daemon's state (rootfs.WriteState):
// never through a planted link, never into a directory others can write.
func checkKeep(e env.Env, m probe.Memo) {
	if !e.IsHost() {
		return
	}
	if m.Support != "" {
		_ = rootfs.WriteState(e.StatePath(probe.SupportCache), []byte(m.Support+"\n"))
	}
	if m.CTStats != nil {
		if b, err := smalljson.Marshal(*m.CTStats); err == nil {
			_ = rootfs.WriteState(e.StatePath(probe.CTStatsCache), b)
		}
	}
}

func readSupportCache(path string) string {
	b, err := rootfs.ReadFile("", path, 64)
	if err != nil {
		return ""
	}
	switch v := strings.TrimSpace(string(b)); v {
	case facts.SupportYes, facts.SupportNo:
		return v
	}
	return ""
}

func readCTSample(path string) *probe.CTSample {
	b, err := rootfs.ReadFile("", path, 64<<10)
	if err != nil {
		return nil
	}
	var s probe.CTSample
	if smalljson.Unmarshal(b, &s) != nil || s.At.IsZero() {
		return nil
	}
	return &s
}
