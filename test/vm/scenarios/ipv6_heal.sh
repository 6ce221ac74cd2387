#!/bin/sh
# IPv6 with the daemon: a known IPv6 host (its flow offloaded with a cached
# MAC, see ipv6.sh) changes MAC. netfix heals it from the ND update, deletes
# only that host's entries, and IPv6 neighbour churn (REACHABLE, STALE,
# DELAY, PROBE messages carrying the same address) deletes nothing, neither
# before the change nor after the repair.
# needs: netfix
# timeout: 150
. /vm/scenarios/lib.sh

H4=192.168.1.240
H6=fd00:1::240
B6=fd00:1::50
OLD=02:00:00:00:01:40
NEW=02:00:00:00:02:40

topo_up ports
router_dad_wait
check "netfix daemon starts" daemon_start
host_add h1 sw $H4 $H6 $OLD
host_add h2 sw 192.168.1.50 $B6 02:00:00:00:01:50
for a in $H6 $B6; do nsx router ping -c 1 -W 2 $a >/dev/null 2>&1; done
recv_start h1 $LOGS/h1-old.rx
recv_start h2 $LOGS/h2.rx
send_start "[$H6]:$PORT" 40100 $LOGS/h1.echo
send_start "[$B6]:$PORT" 41100 $LOGS/h2.echo
check "IPv6 flow to h1 offloaded" ct_wait $H6
check "IPv6 flow to h2 offloaded" ct_wait $B6
router_churn $H6 $B6
T0=$(now)
sleep 1
ct_dump $LOGS/ct-before
sleep 5
ct_dump $LOGS/ct-mid
df=$(nfvm ct-diff -a $LOGS/ct-before -b $LOGS/ct-mid -v)
say "churn only: $(echo "$df" | head -n1)"
check "IPv6 neighbour churn deletes nothing" [ "$(kv removed_other "$df")" -eq 0 ]

host_replace h1 sw $H4 $H6 $NEW "[$REMOTE6]:40100"
f=$(nfvm first -log "$NEWLOG" -after $T_UP -wait 5s)
d=$(kv delay_ms "$f")
rec recovery_ms "$d"
check "h1 receives again over IPv6 within 2 s (${d} ms)" [ "$d" -ge 0 -a "$d" -le 2000 ]
check "heal event for $H6 in netfix status" wait_heal_event $H6 $LOGS/status.json 5
ev=$(heal_event $H6 $LOGS/status.json)
say "event: $ev"
rec reason "$(kv reason "$ev")"
rec flows_deleted "$(kv flows_deleted "$ev")"
rec heal_latency_us "$(kv latency_us "$ev")"
check "event reason is mac_change" [ "$(kv reason "$ev")" = mac_change ]
check "event deleted h1's IPv6 entry" [ "$(kv flows_deleted "$ev")" -ge 1 ]
sleep 2
ct_dump $LOGS/ct-healed
say "5 s more of churn after the repair"
sleep 5
ct_after_diff $H6
df=$CT_DIFF
check "only h1's entries were deleted" [ "$(kv removed_other "$df")" -eq 0 ]
df=$(nfvm ct-diff -a $LOGS/ct-healed -b $LOGS/ct-after -v)
check "the repaired flow is not deleted again" [ "$(kv removed_other "$df")" -eq 0 ]
status_json $LOGS/status.json
n1=$(heal_events_for $H6 $LOGS/status.json)
rec events_h1 "$n1"
check "exactly one heal event for h1 (got $n1)" [ "$n1" -eq 1 ]
check "no heal event for the bystander" [ "$(heal_events_for $B6 $LOGS/status.json)" -eq 0 ]
bs=$(nfvm stats -log $LOGS/h2.rx -from $T0)
rec bystander_maxgap_ms "$(kv maxgap_ms "$bs")"
check "IPv6 bystander kept receiving" [ "$(kv maxgap_ms "$bs")" -le 1000 ]
[ $FAILS -eq 0 ] || show_daemon_log 25
finish
