#!/bin/sh
# IPv6 without the daemon: what really happens when an IPv6 host changes MAC.
#
# The flowtable decides a flow's transmit path once, when it offloads it
# (for UDP on Linux 6.1: the second packet, reply or not). nft_flow_offload
# resolves the path through the bridge only if the router's neighbour entry
# for the host is valid (nft_dev_fill_forward_path: NUD_VALID); then the
# flow transmits directly on the bridge port with a cached destination MAC
# (FLOW_OFFLOAD_XMIT_DIRECT) and goes stale on a MAC change, IPv6 exactly
# like IPv4. If the neighbour is still being resolved at that moment, the
# flow keeps FLOW_OFFLOAD_XMIT_NEIGH: neigh_xmit through br-lan, a neighbour
# lookup per packet, and it follows the new MAC as soon as the router learns
# it. That is the "IPv6 recovers by itself in 0.1 s" seen earlier: a flow
# offloaded while its IPv6 neighbour was unresolved.
#
# Phase A: hosts the router already knows (the normal case): IPv6 and IPv4
#          flows both stay broken for 5 s.
# Phase B: flows offloaded before their host answered (neighbour
#          INCOMPLETE): both families recover by themselves.
# timeout: 150
. /vm/scenarios/lib.sh

H4=192.168.1.240
H6=fd00:1::240
B6=fd00:1::50
OLD=02:00:00:00:01:40
NEW=02:00:00:00:02:40
NEW2=02:00:00:00:03:40

# ---- phase A -----------------------------------------------------------------
topo_up ports
router_dad_wait
host_add h1 sw $H4 $H6 $OLD
host_add h2 sw 192.168.1.50 $B6 02:00:00:00:01:50
# The router has talked to its hosts before: their neighbours are resolved.
for a in $H6 $B6 $H4; do nsx router ping -c 1 -W 2 $a >/dev/null 2>&1; done
say "A: router neighbour before the flows: $(ip -n router -6 neigh show $H6)"
recv_start h1 $LOGS/a-h1-old.rx
recv_start h2 $LOGS/a-h2.rx
send_start "[$H6]:$PORT" 40100 $LOGS/a-h1v6.echo
send_start "$H4:$PORT" 40000 $LOGS/a-h1v4.echo
send_start "[$B6]:$PORT" 41100 $LOGS/a-h2.echo
check "A: IPv6 flow to h1 offloaded" ct_wait $H6
check "A: IPv4 flow to h1 offloaded" ct_wait $H4
check "A: IPv6 flow to h2 offloaded" ct_wait $B6
lp=$(nsx router nfvm sniff -i lanport0 -dst $H6 -port $PORT -n 3 -timeout 2s -q)
br=$(nsx router nfvm sniff -i br-lan -dst $H6 -port $PORT -n 3 -timeout 2s -q)
say "A: IPv6 frames to h1: lanport0 $lp; br-lan $br"
check "A: the IPv6 flow transmits directly on lanport0 (XMIT_DIRECT)" \
	[ "$(kv sniff_frames "$lp")" -ge 1 -a "$(kv sniff_frames "$br")" -eq 0 ]

host_replace h1 sw $H4 $H6 $NEW "[$REMOTE6]:40100,$REMOTE4:40000"
sleep 5
s6=$(nfvm stats -log "$NEWLOG" -match "[$REMOTE6]" -from $T_UP -to $((T_UP + 5000000)))
s4=$(nfvm stats -log "$NEWLOG" -match "$REMOTE4:" -from $T_UP -to $((T_UP + 5000000)))
rec a_rx_v6_5s "$(kv count "$s6")"
rec a_rx_v4_5s "$(kv count "$s4")"
check "A: IPv6 flow stale: nothing for 5 s" [ "$(kv count "$s6")" -eq 0 ]
check "A: IPv4 flow stale: nothing for 5 s" [ "$(kv count "$s4")" -eq 0 ]
nm=$(ip -n router -6 neigh show $H6 | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}')
check "A: the router's IPv6 neighbour shows the new MAC" [ "$nm" = $NEW ]
lp=$(nsx router nfvm sniff -i lanport0 -dst $H6 -port $PORT -n 3 -timeout 2s -q)
rec a_v6_dst_after "$(kv dst_macs "$lp")"
check "A: IPv6 frames still carry the old MAC" [ "$(kv dst_macs "$lp")" = $OLD ]
bs=$(nfvm stats -log $LOGS/a-h2.rx -from $T_DOWN)
check "A: IPv6 bystander kept receiving" [ "$(kv maxgap_ms "$bs")" -le 1000 ]

# ---- phase B -----------------------------------------------------------------
teardown_all
topo_up ports
router_dad_wait
# The peer starts before the host has answered: the flows are offloaded
# while the router's neighbour entries are unresolved.
send_start "[$H6]:$PORT" 40100 $LOGS/b-h1v6.echo
send_start "$H4:$PORT" 40000 $LOGS/b-h1v4.echo
check "B: IPv6 flow offloaded before the host exists" ct_wait $H6
check "B: IPv4 flow offloaded before the host exists" ct_wait $H4
say "B: router neighbours at offload: $(ip -n router -6 neigh show $H6 | head -n1) / $(neigh_line $H4)"
host_add h1 sw $H4 $H6 $OLD
T_ADD=$(now)
recv_start h1 $LOGS/b-h1-old.rx
f6=$(nfvm first -log $LOGS/b-h1-old.rx -match "[$REMOTE6]" -after $T_ADD -wait 8s)
f4=$(nfvm first -log $LOGS/b-h1-old.rx -match "$REMOTE4:" -after $T_ADD -wait 8s)
check "B: the host receives both flows once it answers" [ "$(kv delay_ms "$f6")" -ge 0 -a "$(kv delay_ms "$f4")" -ge 0 ]
check "B: the flows are still offloaded" ct_wait $H6,$H4 2
br=$(nsx router nfvm sniff -i br-lan -dst $H6 -port $PORT -n 3 -timeout 2s -q)
say "B: IPv6 frames to h1 on br-lan: $br"
check "B: the IPv6 flow transmits through br-lan (XMIT_NEIGH)" [ "$(kv sniff_frames "$br")" -ge 1 ]
br4=$(nsx router nfvm sniff -i br-lan -dst $H4 -port $PORT -n 3 -timeout 2s -q)
check "B: so does the IPv4 flow" [ "$(kv sniff_frames "$br4")" -ge 1 ]
ct_dump $LOGS/b-ct-before

host_replace h1 sw $H4 $H6 $NEW2 "[$REMOTE6]:40100,$REMOTE4:40000"
f6=$(nfvm first -log "$NEWLOG" -match "[$REMOTE6]" -after $T_UP -wait 5s)
f4=$(nfvm first -log "$NEWLOG" -match "$REMOTE4:" -after $T_UP -wait 5s)
rec b_recovery_v6_ms "$(kv delay_ms "$f6")"
rec b_recovery_v4_ms "$(kv delay_ms "$f4")"
check "B: IPv6 recovers by itself within 1 s ($(kv delay_ms "$f6") ms)" [ "$(kv delay_ms "$f6")" -ge 0 -a "$(kv delay_ms "$f6")" -le 1000 ]
check "B: IPv4 recovers by itself within 1 s ($(kv delay_ms "$f4") ms)" [ "$(kv delay_ms "$f4")" -ge 0 -a "$(kv delay_ms "$f4")" -le 1000 ]
ct_dump $LOGS/b-ct-after
df=$(nfvm ct-diff -a $LOGS/b-ct-before -b $LOGS/b-ct-after)
check "B: with the same conntrack entries (none torn down)" [ "$(kv removed_other "$df")" -eq 0 ]
finish
