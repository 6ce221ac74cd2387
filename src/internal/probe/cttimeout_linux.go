//go:build linux

package probe

import (
	"fmt"

	"github.com/google/nftables"
)

// ReadCTTimeoutPolicies lists the nftables `ct timeout` objects ("inet fw4
// name"). An entry a rule assigns to one of them gets that policy's
// timeouts instead of the sysctls, so its idle time cannot be told from
// nf_conntrack_tcp_timeout_established: where any exists, netfix says so
// and frees nothing by idle time. conn nil opens its own socket.
func ReadCTTimeoutPolicies(conn *nftables.Conn) ([]string, error) {
	if conn == nil {
		c, err := nftables.New()
		if err != nil {
			return nil, classify("open nftables netlink socket", err, nil)
		}
		defer c.CloseLasting()
		conn = c
	}
	tables, err := conn.ListTables()
	if err != nil {
		return nil, classify("list nftables tables", err, nil)
	}
	var out []string
	for _, t := range tables {
		objs, err := conn.GetNamedObjects(t)
		if err != nil {
			return out, fmt.Errorf("list objects of table %s %s: %w", familyName(t.Family), t.Name, err)
		}
		for _, o := range objs {
			if n, ok := o.(*nftables.NamedObj); ok && n.Type == nftables.ObjTypeCtTimeout {
				out = append(out, familyName(t.Family)+" "+t.Name+" "+n.Name)
			}
		}
	}
	return out, nil
}
