// Package probe gathers the facts netfix reasons about into one
// facts.Snapshot (Gather). It only gathers: every decision is made by the
// rules over the snapshot, and nothing is written (what a one-shot check
// remembers for the next one, GatherMemo returns to its caller).
//
// The reading is done by one package per source, which never import this
// one:
//
//	probe/nft       the nftables ruleset: flowtables, rules, ct timeout policies, generation
//	probe/ct        the conntrack table: size, statistics, pulse, streams, breakdown
//	probe/links     links, ethtool, bridges, forwarding sysctls and counters
//	probe/hostconf  configuration files: UCI, systemd-networkd, sysctl.d
//	probe/nlsock    what they share: netlink sockets, error sentinels, /proc values
//
// Package probe joins them: Options and a long-running caller's Session,
// the order of the reads and the facts that need two sources (a
// flowtable's devices, bridge netfilter's rules and counters, forwarding's
// configuration), and thin forwards for the daemon.
//
// Errors that stop a check (not root, conntrack netlink missing, a broken
// firewall config) wrap the sentinels below so the CLI can say what to do.
// Facts the kernel simply lacks (no flowtable support) are values, not
// errors.
package probe
