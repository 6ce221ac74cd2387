#!/bin/sh
# An ARP flap: two devices answer for one IP, so the router's neighbour
# entry flips between two MACs again and again. With repair_burst '3' the
# daemon repairs the host at most 3 times within its one-minute window and
# records the refused repairs as rate limited: a flap never becomes a
# delete loop.
# needs: netfix
# timeout: 150
. /vm/scenarios/lib.sh

H1=192.168.1.240
H2=192.168.1.50
MAC_A=02:00:00:00:01:40
MAC_B=02:00:00:00:02:40
FLAPS=6
BURST=3

topo_up ports
netfix_conf 0 30 "repair_burst '$BURST'"
check "netfix daemon starts" daemon_start
two_hosts_direct $MAC_A
sleep 1
ct_dump $LOGS/ct-before

# Each flap: h1 answers with the other MAC (it pings the router, whose
# neighbour entry takes the new MAC), then waits until the flow is
# offloaded again so the next flap has an entry to delete.
i=1
mac=$MAC_A
while [ $i -le $FLAPS ]; do
	[ $mac = $MAC_A ] && mac=$MAC_B || mac=$MAC_A
	ip -n h1 link set eth0 address $mac
	nsx h1 ping -c 1 -W 1 $LAN4 >/dev/null 2>&1
	if ! ct_wait $H1 1 10s; then
		say "flap $i: flow to h1 not offloaded again (the router still has $(neigh_mac $H1))"
	fi
	say "flap $i: router neighbour $(neigh_mac $H1)"
	i=$((i + 1))
done
sleep 1
check "netfix status" status_json $LOGS/status.json
nfvm events $LOGS/status.json | grep "^event " | grep " ip=$H1 " >$LOGS/h1-events
sed "s/^/NETFIX-LOG [$SCEN]   /" $LOGS/h1-events
repaired=$(grep -c " flows_deleted=[1-9]" $LOGS/h1-events)
limited=$(grep -c " error=rate_limited" $LOGS/h1-events)
rec repairs "$repaired"
rec rate_limited "$limited"
check "exactly $BURST repairs of h1 within the window (got $repaired)" [ "$repaired" -eq $BURST ]
check "the flaps past the burst were refused as rate limited (got $limited)" [ "$limited" -ge 1 ]
check "refused repairs deleted nothing" [ "$(grep " error=rate_limited" $LOGS/h1-events | grep -c " flows_deleted=[1-9]")" -eq 0 ]
ct_after_diff $H1
check "no bystander entry deleted" [ "$(kv removed_other "$CT_DIFF")" -eq 0 ]
check "no event for the bystander" [ "$(heal_events_for $H2 $LOGS/status.json)" -eq 0 ]
[ $FAILS -eq 0 ] || show_daemon_log 30
finish
