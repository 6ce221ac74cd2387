#!/bin/sh
# Port move, no daemon: h1 keeps its MAC and moves from the router's bridge
# port lanport0 to lanport1 (Wi-Fi roaming between two radios of one
# bridge). The neighbour entry does not change, only br-lan's FDB does, and
# the offloaded flow keeps leaving through lanport0: nothing for 5 s.
# timeout: 120
. /vm/scenarios/lib.sh

H1=192.168.1.240
MAC=02:00:00:00:01:40

topo_up ports
host_add h1 sw $H1 - $MAC
recv_start h1 $LOGS/h1.rx
send_start $H1:$PORT 40000 $LOGS/h1.echo
check "flow to h1 offloaded" ct_wait $H1
say "before: br-lan FDB has $MAC on $(fdb_port $MAC); neighbour: $(neigh_line $H1)"

host_move h1 sw sw2
# The roaming client sends a frame from its new port.
nsx h1 ping -c 1 -W 1 $LAN4 >/dev/null 2>&1
sleep 5
st=$(nfvm stats -log $LOGS/h1.rx -from $T_UP -to $((T_UP + 5000000)))
rx=$(kv count "$st")
rec rx_5s "$rx"
check "moved host receives nothing for 5 s (got $rx)" [ "$rx" -eq 0 ]
p=$(fdb_port $MAC)
rec fdb_port "$p"
check "br-lan FDB moved the MAC to lanport1" [ "$p" = lanport1 ]
check "the neighbour entry keeps the same MAC" [ "$(neigh_mac $H1)" = $MAC ]
o=$(ct_count $H1)
check "h1's entry is still offloaded" [ "$(kv offloaded "$o")" -ge 1 ]
sn=$(nsx router nfvm sniff -i lanport0 -dst $H1 -port $PORT -n 3 -timeout 2s -q)
rec lanport0_frames "$(kv sniff_frames "$sn")"
check "the router still transmits on the old port lanport0" [ "$(kv sniff_frames "$sn")" -ge 1 ]
finish
