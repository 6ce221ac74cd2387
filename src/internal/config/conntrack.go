package config

import (
	"fmt"
	"strconv"
)

// DefaultReclaimIdle is reclaim_idle's default: an hour. An entry of a live
// connection that sends nothing for an hour (an SSH session without
// keepalives) is re-created by its next packet (nf_conntrack_tcp_loose).
const DefaultReclaimIdle = 3600

// parseConntrack reads the S2 options: conntrack_reclaim (delete idle
// ESTABLISHED entries while the table is at least 90 % full; off by
// default) and reclaim_idle (seconds an entry must have been silent).
func parseConntrack(p *parser, cfg *Config) {
	p.boolean("conntrack_reclaim", &cfg.ConntrackReclaim)
	if v, ok := p.get("reclaim_idle"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 300 || n > 432000 {
			p.problem("reclaim_idle", fmt.Sprintf("%q is not a number of seconds from 300 to 432000; using %d", v, cfg.ReclaimIdle))
		} else {
			cfg.ReclaimIdle = uint32(n)
		}
	}
}
