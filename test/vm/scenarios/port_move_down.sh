#!/bin/sh
# A port move while the daemon is down: it learned h1 on lanport0 (its
# state file survives), was stopped, h1 moved to lanport1 with the same MAC
# and the router kept transmitting on lanport0; the daemon starts again and
# repairs it at once from the remembered port.
# needs: netfix
# timeout: 120
. /vm/scenarios/lib.sh

H1=192.168.1.240
H2=192.168.1.50
MAC=02:00:00:00:01:40

topo_up ports
check "netfix daemon starts" daemon_start
two_hosts_direct $MAC
check "br-lan FDB has h1 on lanport0" [ "$(fdb_port $MAC)" = lanport0 ]
sleep 2
daemon_stop
ct_dump $LOGS/ct-before

host_move h1 sw sw2
nsx h1 ping -c 1 -W 1 $LAN4 >/dev/null 2>&1
sleep 3
check "br-lan FDB moved the MAC to lanport1" [ "$(fdb_port $MAC)" = lanport1 ]
st=$(nfvm stats -log $LOGS/h1.rx -from $T_UP)
rec rx_while_down "$(kv count "$st")"
check "outage while the daemon is down" [ "$(kv count "$st")" -eq 0 ]

check "netfix daemon starts again" daemon_start
f=$(nfvm first -log $LOGS/h1.rx -after $DAEMON_START -wait 5s)
d=$(kv delay_ms "$f")
rec recovery_after_start_ms "$d"
check "h1 receives within 3 s of the daemon's start (${d} ms)" [ "$d" -ge 0 -a "$d" -le 3000 ]
check "heal event for $H1 in netfix status" wait_heal_event $H1 $LOGS/status.json 5
ev=$(heal_event $H1 $LOGS/status.json)
say "event: $ev"
rec reason "$(kv reason "$ev")"
check "event deleted h1's entry" [ "$(kv flows_deleted "$ev")" -ge 1 ]
sleep 1
ct_after_diff $H1
check "h1's entry was deleted" [ "$(kv removed_watched "$CT_DIFF")" -ge 1 ]
check "only h1's entries were deleted" [ "$(kv removed_other "$CT_DIFF")" -eq 0 ]
status_json $LOGS/status.json
check "no event for the bystander" [ "$(heal_events_for $H2 $LOGS/status.json)" -eq 0 ]
[ $FAILS -eq 0 ] || show_daemon_log
finish
