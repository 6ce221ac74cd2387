#!/bin/sh
# Investigation aid (not in the suite): everything observable about an IPv6
# flow through the ports layout before and after its host changes MAC.
# timeout: 120
. /vm/scenarios/lib.sh

H6=fd00:1::240
OLD=02:00:00:00:01:40
NEW=02:00:00:00:02:40

topo_up ports
nsx router ip -ts monitor neigh >$LOGS/neigh-events 2>&1 &
if command -v tcpdump >/dev/null; then
	# On the router's bridge port: the router's solicitations and the
	# host's answers, from before the host exists.
	nsx router tcpdump -Z root -i lanport0 -n -e -tt -l icmp6 >$LOGS/rt-icmp6 2>$LOGS/td.err &
	usleep 800000
fi
host_add h1 sw 192.168.1.240 $H6 $OLD
say "host addresses: $(ip -n h1 -6 addr show dev eth0 | grep inet6 | tr -s ' ' | tr '\n' ';')"
if [ "$NETFIX_ARGS" = resolved ]; then
	nsx router ping -c 1 -W 2 $H6 >/dev/null 2>&1
	say "resolved first: $(ip -n router -6 neigh show $H6)"
fi
recv_start h1 $LOGS/h1-old.rx
nsx router ip -ts monitor route >$LOGS/route-events 2>&1 &
nsx router nfvm sniff -i br-lan -dst $H6 -port $PORT -n 1000 -timeout 8s >$LOGS/sniff-br 2>&1 &
nsx router nfvm sniff -i lanport0 -dst $H6 -port $PORT -n 1000 -timeout 8s >$LOGS/sniff-lp 2>&1 &
usleep 300000
say "flow start at $(now)"
send_start "[$H6]:$PORT" 40000 $LOGS/h1.echo
check "IPv6 flow offloaded" ct_wait $H6
say "offloaded seen at $(now)"
say "ct: $(nsx router conntrack -L -f ipv6 2>/dev/null | head -n1)"
nsx router nfvm ct-dump | grep "$H6" | sed "s/^/NETFIX-LOG [$SCEN] dump: /"
say "neigh: $(ip -n router -6 neigh show $H6)"
say "route: $(ip -n router -6 route get $H6)"
say "lanport0 out: $(nsx router nfvm sniff -i lanport0 -dst $H6 -port $PORT -n 3 -timeout 2s -q)"
say "br-lan out:   $(nsx router nfvm sniff -i br-lan -dst $H6 -port $PORT -n 3 -timeout 2s -q)"

nsx router conntrack -E >$LOGS/ct-events 2>&1 &
sleep 1
T0=$(now)
host_replace h1 sw 192.168.1.240 $H6 $NEW "[$REMOTE6]:40000"
say "T_UP=$T_UP"
f=$(nfvm first -log "$NEWLOG" -after $T_UP -wait 6s)
say "first datagram at new host: $f"
say "ct after: $(nsx router conntrack -L -f ipv6 2>/dev/null | head -n1)"
nsx router nfvm ct-dump | grep "$H6" | sed "s/^/NETFIX-LOG [$SCEN] dump: /"
say "neigh after: $(ip -n router -6 neigh show $H6)"
say "lanport0 out after: $(nsx router nfvm sniff -i lanport0 -dst $H6 -port $PORT -n 3 -timeout 2s -q)"
say "br-lan out after:   $(nsx router nfvm sniff -i br-lan -dst $H6 -port $PORT -n 3 -timeout 2s -q)"
sleep 1
say "conntrack events:"
sed "s/^/NETFIX-LOG [$SCEN]   ct| /" $LOGS/ct-events
say "neighbour events:"
sed "s/^/NETFIX-LOG [$SCEN]   nb| /" $LOGS/neigh-events
say "frames: (t, interface)"
cat $LOGS/sniff-br $LOGS/sniff-lp | grep ^frame | sort | awk '{print $2, $3, $5}' | sed "s/^/NETFIX-LOG [$SCEN]   fr| /"
say "route events:"
sed "s/^/NETFIX-LOG [$SCEN]   rt| /" $LOGS/route-events
say "tcpdump: $(cat $LOGS/td.err | tr "\n" " ")"
say "ICMPv6 on lanport0:"
head -n 30 $LOGS/rt-icmp6 | sed "s/^/NETFIX-LOG [$SCEN]   i6| /"
say "new host log head:"
head -n 3 "$NEWLOG" | sed "s/^/NETFIX-LOG [$SCEN]   rx| /"
finish
