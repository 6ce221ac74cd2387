// Package probe reads the facts netfix reasons about: UCI files, the
// nftables ruleset, links and NIC features, and the conntrack table. It
// only gathers; every decision is made by package diagnose over the
// facts.Snapshot it returns.
//
// Errors that stop a check (not root, conntrack netlink missing, a broken
// firewall config) wrap the sentinels below so the CLI can say what to do.
// Facts the kernel simply lacks (no flowtable support) are values, not
// errors.
package probe
