#!/bin/sh
# Reconcile at start: the daemon knew h1 (its state file survives), was
# stopped (SIGTERM), h1 changed MAC while it was down and the outage set in;
# the daemon starts again and repairs it at once.
# needs: netfix
# timeout: 120
. /vm/scenarios/lib.sh

H1=192.168.1.240
H2=192.168.1.50
OLD=02:00:00:00:01:40
NEW=02:00:00:00:02:40

topo_up ports dnat
check "netfix daemon starts" daemon_start
two_hosts_flowing
sleep 1
pid=$DAEMON_PID
daemon_stop
check "daemon stopped on SIGTERM" sh -c "! kill -0 $pid 2>/dev/null"
ct_dump $LOGS/ct-before

host_replace h1 sw $H1 - $NEW $REMOTE4:40000
sleep 3
st=$(nfvm stats -log "$NEWLOG" -from $T_UP)
rec rx_while_down "$(kv count "$st")"
check "outage while the daemon is down" [ "$(kv count "$st")" -eq 0 ]
check "router neighbour shows the new MAC" [ "$(neigh_mac $H1)" = $NEW ]

check "netfix daemon starts again" daemon_start
f=$(nfvm first -log "$NEWLOG" -after $DAEMON_START -wait 5s)
d=$(kv delay_ms "$f")
rec recovery_after_start_ms "$d"
check "h1 receives within 3 s of the daemon's start (${d} ms)" [ "$d" -ge 0 -a "$d" -le 3000 ]
check "heal event for $H1 in netfix status" wait_heal_event $H1 $LOGS/status.json 5
ev=$(heal_event $H1 $LOGS/status.json)
say "event: $ev"
rec reason "$(kv reason "$ev")"
rec flows_deleted "$(kv flows_deleted "$ev")"
check "event reason is reconcile" [ "$(kv reason "$ev")" = reconcile ]
check "event deleted h1's entry" [ "$(kv flows_deleted "$ev")" -ge 1 ]
sleep 1
ct_after_diff $H1
df=$CT_DIFF
check "only h1's entries were deleted" [ "$(kv removed_other "$df")" -eq 0 ]
[ $FAILS -eq 0 ] || show_daemon_log
finish
