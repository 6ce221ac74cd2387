package links

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/netfix/netfix/src/internal/facts"
)

// parseSNMP reads Ip: InAddrErrors from /proc/net/snmp: a header line of
// field names followed by a line of values, both starting with "Ip:".
func parseSNMP(r io.Reader) (uint64, error) {
	sc := bufio.NewScanner(r)
	var names []string
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || fields[0] != "Ip:" {
			continue
		}
		if names == nil {
			names = fields
			continue
		}
		for i, n := range names {
			if n == "InAddrErrors" && i < len(fields) {
				return strconv.ParseUint(fields[i], 10, 64)
			}
		}
		return 0, fmt.Errorf("no InAddrErrors column in the Ip: lines")
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no Ip: lines")
}

// parseSNMP6 reads Ip6InAddrErrors and Ip6OutNoRoutes from
// /proc/net/snmp6: one "name value" pair per line.
func parseSNMP6(r io.Reader, c *facts.ForwardingCounters) error {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 {
			continue
		}
		var dst *uint64
		switch fields[0] {
		case "Ip6InAddrErrors":
			dst = &c.Ip6InAddrErrors
		case "Ip6OutNoRoutes":
			dst = &c.Ip6OutNoRoutes
		default:
			continue
		}
		v, err := strconv.ParseUint(fields[1], 10, 64)
		if err != nil {
			return fmt.Errorf("%s: %w", fields[0], err)
		}
		*dst = v
	}
	return sc.Err()
}

// growth is b-a, or 0 when the counter went backwards (a namespace or
// module was recreated between the samples).
func growth(a, b uint64) uint64 {
	if b < a {
		return 0
	}
	return b - a
}

// Grow fills c's growth fields from an earlier sample.
func Grow(earlier facts.ForwardingCounters, c *facts.ForwardingCounters, seconds float64) {
	c.Sampled = true
	c.IntervalSeconds = seconds
	c.InAddrErrorsGrowth = growth(earlier.InAddrErrors, c.InAddrErrors)
	c.Ip6InAddrErrorsGrowth = growth(earlier.Ip6InAddrErrors, c.Ip6InAddrErrors)
	c.Ip6OutNoRoutesGrowth = growth(earlier.Ip6OutNoRoutes, c.Ip6OutNoRoutes)
}
