#!/bin/sh
# S2 (report 001), reclaim: the same full table with the daemon running and
# `option conntrack_reclaim '1'`. It must free the table by itself, oldest
# idle ESTABLISHED entries first, to under 75 %, without changing any
# sysctl and without touching the live tunnel's entry.
# needs: netfix
# timeout: 240
. /vm/scenarios/lib.sh
. /vm/scenarios/s2lib.sh

s2_up
s2_fill
check "the table is full ($(ct_total) of $S2_MAX)" [ "$(ct_total)" -ge $((S2_MAX - 4)) ]
s2_age
s2_text "before (reclaim run)"
nsx router nfvm ct-dump -o $LOGS/ct-before
tunnel_before=$(grep "proto=udp osrc=$TUN " $LOGS/ct-before | sed 's/ .*//')
say "tunnel entry before: $tunnel_before"
est_before=$(nsx router sysctl -n $SYSCTL_EST)
max_before=$(sysctl -n net.netfilter.nf_conntrack_max)

netfix_conf 0 5 "conntrack_reclaim '1'" "reclaim_idle '3600'"
check "netfix daemon starts with conntrack_reclaim on" daemon_start
_i=0
while [ $_i -lt 40 ]; do
	status_json $LOGS/status.json
	nfvm events $LOGS/status.json | grep -q "reason=conntrack_reclaim" && break
	sleep 1
	_i=$((_i + 1))
done
ev=$(nfvm events $LOGS/status.json | grep "reason=conntrack_reclaim" | head -n1)
say "event: $ev"
check "a conntrack_reclaim event is in the status" [ -n "$ev" ]
rec reclaimed "$(kv flows_deleted "$ev")"
rec reclaim_us "$(kv latency_us "$ev")"
left=$(ct_total)
rec entries_after_reclaim "$left"
check "the table is under 75 % ($left)" [ "$left" -lt $((S2_MAX * 3 / 4)) ]
check "reclaim freed no more than needed, plus a margin ($left left)" [ "$left" -ge $((S2_MAX * 3 / 4 - 40)) ]
check "no sysctl changed" [ "$(nsx router sysctl -n $SYSCTL_EST)" = "$est_before" -a "$(sysctl -n net.netfilter.nf_conntrack_max)" = "$max_before" ]
nsx router nfvm ct-dump -o $LOGS/ct-after
tunnel_after=$(grep "proto=udp osrc=$TUN " $LOGS/ct-after | sed 's/ .*//')
check "the tunnel's entry is untouched ($tunnel_after)" [ -n "$tunnel_before" -a "$tunnel_before" = "$tunnel_after" ]
other=$(grep -v "osrc=$BT " $LOGS/ct-before | sed 's/ .*//' | while read -r id; do grep -q "^$id " $LOGS/ct-after || echo "$id"; done | wc -l)
check "only bt's entries were deleted ($other others gone)" [ "$other" -eq 0 ]
t1=$(now)
opened=$(new_conns pc 3)
rec new_conns_after_reclaim "$opened"
check "new connections succeed (opened $opened of 3)" [ "$opened" -eq 3 ]
sleep 1
check "the tunnel still passes" [ "$(tunnel_rx $t1)" -ge 3 ]
nsx router netfix status --socket $SOCK >$LOGS/status.txt 2>&1
say "---- netfix status after reclaim ----"
grep -E "^conntrack:|^  (host|[0-9a-z].*\(|192\.|10\.)|idle ESTABLISHED|conntrack_reclaim|conntrack_full" $LOGS/status.txt | sed "s/^/NETFIX-LOG [$SCEN] | /"
[ $FAILS -eq 0 ] || show_daemon_log 30
daemon_stop
s2_down
finish
