#!/bin/sh
# S1 where the flowtable comes after the daemon (offloading switched on in
# LuCI, a firewall reload): the daemon starts with no flowtable, so no
# link is stale-prone, and sweeps once an hour, so no sweep sees the new
# ruleset. Its sweeps never ask for the ruleset's generation; the repair
# decision does, finds it moved, probes afresh and repairs the MAC change
# on a link the new flowtable made stale-prone: the new host receives
# again within 2 s.
# needs: netfix
# timeout: 120
. /vm/scenarios/lib.sh

H1=192.168.1.240
H2=192.168.1.50
OLD=02:00:00:00:01:40
NEW=02:00:00:00:02:40

topo_up ports dnat
nsx router nft list table inet netfix_vm >$LOGS/flowtable.nft
nsx router nft delete table inet netfix_vm
netfix_conf 0 3600
check "netfix daemon starts without a flowtable" daemon_start
check "status: no stale-prone link" status_json $LOGS/status-start.json
grep -q "stale-prone links: none" $LOGS/netfix.log
check "daemon log: no stale-prone link at start" [ $? -eq 0 ]

# Offloading on, then the hosts' flows (offloaded through the new
# flowtable). No status read from here to the change: only the repair
# decision may notice the new ruleset.
check "flowtable added after the daemon" nsx router nft -f $LOGS/flowtable.nft
two_hosts_flowing
sleep 1

host_replace h1 sw $H1 - $NEW $REMOTE4:40000
f=$(nfvm first -log "$NEWLOG" -after $T_UP -wait 5s)
d=$(kv delay_ms "$f")
rec recovery_ms "$d"
check "new host receives again within 2 s (${d} ms)" [ "$d" -ge 0 -a "$d" -le 2000 ]
grep -q "probing before the repair decision" $LOGS/netfix.log
check "daemon log: the repair decision probed the new ruleset" [ $? -eq 0 ]
check "heal event for $H1 in netfix status" wait_heal_event $H1 $LOGS/status.json 5
ev=$(heal_event $H1 $LOGS/status.json)
say "event: $ev"
rec flows_deleted "$(kv flows_deleted "$ev")"
check "event deleted h1's entry" [ "$(kv flows_deleted "$ev")" -ge 1 ]
[ $FAILS -eq 0 ] || show_daemon_log 25
finish
