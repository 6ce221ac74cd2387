#!/bin/sh
# Port move with the daemon: as port_move_control; netfix sees the bridge
# FDB move (same MAC, new port) and deletes h1's entries; the flow resumes
# within 2 s. The bystander on the old port keeps its entries.
# needs: netfix
# timeout: 120
. /vm/scenarios/lib.sh

H1=192.168.1.240
H2=192.168.1.50
MAC=02:00:00:00:01:40

topo_up ports
check "netfix daemon starts" daemon_start
two_hosts_direct $MAC
sleep 1
ct_dump $LOGS/ct-before

host_move h1 sw sw2
nsx h1 ping -c 1 -W 1 $LAN4 >/dev/null 2>&1
f=$(nfvm first -log $LOGS/h1.rx -after $T_UP -wait 5s)
d=$(kv delay_ms "$f")
rec recovery_ms "$d"
check "moved host receives again within 2 s (${d} ms)" [ "$d" -ge 0 -a "$d" -le 2000 ]
check "br-lan FDB moved the MAC to lanport1" [ "$(fdb_port $MAC)" = lanport1 ]

check "heal event for $H1 in netfix status" wait_heal_event $H1 $LOGS/status.json 5
ev=$(heal_event $H1 $LOGS/status.json)
say "event: $ev"
rec reason "$(kv reason "$ev")"
rec flows_deleted "$(kv flows_deleted "$ev")"
rec heal_latency_us "$(kv latency_us "$ev")"
check "event reason is port_move" [ "$(kv reason "$ev")" = port_move ]
check "event names the old and new port" [ "$(kv old_port "$ev")" = lanport0 -a "$(kv new_port "$ev")" = lanport1 ]
check "event deleted h1's entry" [ "$(kv flows_deleted "$ev")" -ge 1 ]

sleep 2
ct_after_diff $H1
df=$CT_DIFF
check "h1's stale entry was deleted" [ "$(kv removed_watched "$df")" -ge 1 ]
check "only h1's entries were deleted" [ "$(kv removed_other "$df")" -eq 0 ]
check "netfix status after the wait" status_json $LOGS/status-after.json
check "no heal event for the bystander" [ "$(heal_events_for $H2 $LOGS/status-after.json)" -eq 0 ]
bs=$(nfvm stats -log $LOGS/h2.rx -from $T_DOWN)
rec bystander_maxgap_ms "$(kv maxgap_ms "$bs")"
check "bystander h2 kept receiving" [ "$(kv maxgap_ms "$bs")" -le 1000 ]
[ $FAILS -eq 0 ] || show_daemon_log
finish
