#!/bin/sh
# `make demo`: the S1 outage without netfix and its repair with it, told for
# a person (NETFIX-DEMO lines), with the numbers measured in this run.
# needs: netfix
# timeout: 180
. /vm/scenarios/lib.sh

H1=192.168.1.240
MAC1=02:00:00:00:01:40
MAC2=02:00:00:00:02:40
WAIT=10

show() { echo "NETFIX-DEMO $*"; }
orig_pkts() { nsx router conntrack -L --reply-src $H1 -p udp 2>/dev/null | sed -n 's/.*dport=51820 packets=\([0-9]*\).*/\1/p' | head -n1; }
ct_line() { nsx router conntrack -L --reply-src $H1 -p udp 2>/dev/null | head -n1 | sed 's/  */ /g'; }

setup() {
	topo_up ports dnat >/dev/null
	host_add h1 sw $H1 - $MAC1
	recv_start h1 $LOGS/h1-$1.rx
	send_start $WAN4:$PORT 40000 $LOGS/h1-$1.echo
	ct_wait $H1 >/dev/null
	sleep 1
}

show ""
show "S1: a container behind the router is recreated with the same IP and a new MAC."
show "Router (Debian $(uname -r) in QEMU): br-lan = lanport0 + lanport1, WAN wan0, and the flowtable"
show "fw4 builds with flow_offloading_hw '1' on OpenWrt's kernels:  devices = { wan0, lanport0, lanport1 }"
show "(there with flags offload, which this Debian kernel refuses on veth: here without it)"
show "A WireGuard-like peer on the WAN sends one datagram every 200 ms to the port forward"
show "$WAN4:$PORT -> $H1:$PORT (the container)."
show ""
show "---- 1. without netfix ------------------------------------------------------"
setup off
show "flow offloaded:      $(ct_line)"
host_replace h1 sw $H1 - $MAC2 $REMOTE4:40000 >/dev/null
show "container recreated: $H1 now has MAC $MAC2 (was $MAC1)"
sleep 1
p0=$(orig_pkts)
sleep $WAIT
p1=$(orig_pkts)
rx=$(kv count "$(nfvm stats -log "$NEWLOG" -from $T_UP)")
sn=$(sniff_dst lanport0 $H1)
show "router neighbour:    $(neigh_line $H1)   <- the kernel knows the new MAC"
show "router transmits to: $(kv dst_macs "$sn") on lanport0   <- the offloaded flow still uses the old one"
show "conntrack entry:     still [OFFLOAD]; its counter went from ${p0:-?} to ${p1:-?} packets in $WAIT s"
show "received by the new container in $((($(now) - T_UP) / 1000000)) s: $rx datagrams"
if [ "$rx" -eq 0 ]; then
	show "=> OUTAGE. It lasts as long as the peer keeps sending (a WireGuard peer never stops)."
else
	show "=> unexpected: the new container received $rx datagrams"
fi
off_rx=$rx
teardown_all

show ""
show "---- 2. with netfix daemon --------------------------------------------------"
topo_up ports dnat >/dev/null
daemon_start >/dev/null || show "netfix daemon did not start: $(tail -n 3 $LOGS/netfix.log)"
host_add h1 sw $H1 - $MAC1
recv_start h1 $LOGS/h1-on.rx
send_start $WAN4:$PORT 40000 $LOGS/h1-on.echo
ct_wait $H1 >/dev/null
sleep 1
show "netfix daemon running; flow offloaded: $(ct_line)"
host_replace h1 sw $H1 - $MAC2 $REMOTE4:40000 >/dev/null
show "container recreated: $H1 now has MAC $MAC2 (was $MAC1)"
f=$(nfvm first -log "$NEWLOG" -after $T_UP -wait 5s)
d=$(kv delay_ms "$f")
wait_heal_event $H1 $LOGS/status.json 5
ev=$(heal_event $H1 $LOGS/status.json)
sleep 3
rx=$(kv count "$(nfvm stats -log "$NEWLOG" -from $T_UP)")
lg=$(grep "$H1" $LOGS/netfix.log | grep -v '^debug' | head -n1)
[ -n "$lg" ] || lg=$(grep -m1 "$H1" $LOGS/netfix.log)
show "netfix log:          $lg"
if [ -n "$ev" ]; then
	show "heal event:          reason $(kv reason "$ev"), $(kv flows_deleted "$ev") offloaded entry deleted, $(kv latency_us "$ev") us from the netlink event to the delete"
else
	show "heal event:          none in 'netfix status'"
fi
if [ "$d" -ge 0 ] 2>/dev/null; then
	show "first datagram at the new container: $d ms after it came up; $rx received in the next $((($(now) - T_UP) / 1000000)) s"
	show "=> REPAIRED within a packet or two."
else
	show "=> not repaired: the new container received nothing"
fi
show ""
show "netfix status (as 'netfix status' prints it on the router):"
nsx router netfix status --socket $SOCK 2>&1 | sed 's/^/NETFIX-DEMO   /'
show ""
show "The lasting fix is software offloading (uci set firewall.@defaults[0].flow_offloading_hw='0'):"
show "with devices = { br-lan, wan0 } the flowtable looks the neighbour up for every packet."
rec outage_rx "$off_rx"
rec heal_recovery_ms "$d"
rec heal_latency_us "$(kv latency_us "$ev")"
check "outage without netfix" [ "$off_rx" -eq 0 ]
check "repaired with netfix" [ "$d" -ge 0 -a "$d" -le 2000 ]
finish
