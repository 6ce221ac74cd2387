#!/bin/sh
# Bridge layout (devices = { br-lan, wan0 }, the software default) with the
# daemon: the flowtable transmits through br-lan with a per-packet
# neighbour lookup, so a MAC change needs no repair. The new host receives
# at once and netfix deletes nothing.
# needs: netfix
# timeout: 120
. /vm/scenarios/lib.sh

H1=192.168.1.240
H2=192.168.1.50
OLD=02:00:00:00:01:40
NEW=02:00:00:00:02:40

topo_up bridge
check "netfix daemon starts" daemon_start
host_add h1 sw $H1 - $OLD
host_add h2 sw $H2 - 02:00:00:00:01:50
recv_start h1 $LOGS/h1-old.rx
recv_start h2 $LOGS/h2.rx
send_start $H1:$PORT 40000 $LOGS/h1.echo
send_start $H2:$PORT 41000 $LOGS/h2.echo
check "flow to h1 offloaded" ct_wait $H1
check "flow to h2 offloaded" ct_wait $H2
sn=$(nsx router nfvm sniff -i br-lan -dst $H1 -port $PORT -n 3 -timeout 2s -q)
check "offloaded frames leave through br-lan (neighbour path)" [ "$(kv sniff_frames "$sn")" -ge 1 ]
sleep 1
ct_dump $LOGS/ct-before

host_replace h1 sw $H1 - $NEW $REMOTE4:40000
f=$(nfvm first -log "$NEWLOG" -after $T_UP -wait 5s)
d=$(kv delay_ms "$f")
rec recovery_ms "$d"
check "new host receives within 2 s without any repair (${d} ms)" [ "$d" -ge 0 -a "$d" -le 2000 ]
sleep 3
ct_dump $LOGS/ct-after
df=$(nfvm ct-diff -a $LOGS/ct-before -b $LOGS/ct-after -watch $H1 -v)
say "$(echo "$df" | head -n1)"
echo "$df" | grep "removed" | sed "s/^/NETFIX-LOG [$SCEN]   /"
check "no conntrack entry was deleted" [ "$(kv removed_watched "$df")" -eq 0 -a "$(kv removed_other "$df")" -eq 0 ]
status_json $LOGS/status.json
fd=$(nfvm json $LOGS/status.json .heal.flows_deleted)
rec netfix_flows_deleted "$fd"
check "netfix deleted nothing (heal.flows_deleted=$fd)" [ "$fd" = 0 ]
ev=$(heal_event $H1 $LOGS/status.json)
[ -z "$ev" ] || say "event: $ev"
[ $FAILS -eq 0 ] || show_daemon_log
finish
