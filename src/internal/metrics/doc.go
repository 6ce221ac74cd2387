// Package metrics renders netfix's state as Prometheus metrics in the text
// exposition format (version 0.0.4), for node_exporter's textfile
// collector on Debian and Docker hosts and for prometheus-node-exporter-lua
// on OpenWrt (see docs/metrics.md).
//
// It is pure: Render turns a status document, the daemon's running
// Counters and the applied fixes into text, and Write puts that text in a
// file atomically. No metrics library and no net/http: the exposition is
// plain text and the router binary has a size budget.
//
// Every label has a bounded set of values: finding ids, severities and
// reasons are the program's own; interfaces are capped at MaxInterfaces
// and conntrack holders at TopHosts ranks. Counters of known label values
// are exported from zero, so a first failure is an increase Prometheus
// can see. node_exporter's own metrics (node_nf_conntrack_entries and
// node_nf_conntrack_entries_limit) are not repeated: the alert rules
// join them.
package metrics
