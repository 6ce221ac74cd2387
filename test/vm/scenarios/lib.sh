#!/bin/sh
# Shared functions of the guest scenarios (busybox ash). Sourced, not run.
#
# Topology, all inside the VM, each box a network namespace:
#
#   remote --eth0===wan0-- router --lanport0===swport0-- sw  (br-sw)  --p-hN===eth0-- hN
#                          br-lan --lanport1===swport1-- sw2 (br-sw2) --p-hM===eth0-- hM
#
# The router forwards between wan0 and br-lan (ports lanport0, lanport1).
# Its nftables flowtable lists either the bridge ports ("ports" layout,
# what fw4 builds with flow_offloading_hw '1' where the kernel accepts
# flags offload, as OpenWrt's do; here without the flag, which this
# kernel refuses on veth) or the bridge ("bridge" layout, the software
# default, and what fw4 falls back to on a kernel that refuses it). The switches keep the router's bridge
# ports alive when a host is deleted and recreated.

# busybox's own ip applet runs ahead of PATH: iproute2 by full path.
ip() { /usr/sbin/ip "$@"; }
bridge() { /usr/sbin/bridge "$@"; }
nsx() {
	_ns=$1
	shift
	/usr/sbin/ip netns exec "$_ns" "$@"
}

SCEN=${SCEN:-none}
LOGS=/tmp/logs/$SCEN
mkdir -p "$LOGS"

# Addresses. The LAN and WAN exist only inside this VM's namespaces.
LAN4=192.168.1.1
LAN6=fd00:1::1
WAN4=10.99.0.1
WAN6=fd99::1
REMOTE4=10.99.0.2
REMOTE6=fd99::2
PORT=51820
SOCK=/run/netfix.sock
CONF=$LOGS/netfix.conf

# ---- results ---------------------------------------------------------------

FAILS=0
FAILED=""
RES=""

say() { echo "NETFIX-LOG [$SCEN] $*"; }

# check DESCRIPTION COMMAND...: runs COMMAND, records a failure if it fails.
check() {
	_d=$1
	shift
	if "$@"; then
		say "ok   $_d"
	else
		say "FAIL $_d"
		FAILS=$((FAILS + 1))
		FAILED="$FAILED${FAILED:+|}$(echo "$_d" | tr ' =' '__')"
	fi
}

# rec KEY VALUE: a figure for the result line.
rec() { RES="$RES $1=$(echo "$2" | tr ' ' '_')"; }

finish() {
	_p=1
	[ "$FAILS" -eq 0 ] || _p=0
	echo "NETFIX-RESULT scenario=$SCEN pass=$_p$RES${FAILED:+ failed=$FAILED}" | tee -a /tmp/results
}

# kv KEY "k=v k=v ...": the value of one key of a key=value line.
kv() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n1; }

now() { nfvm now; }
sleep_ms() { usleep $(($1 * 1000)); }

# ---- topology --------------------------------------------------------------

# topo_up LAYOUT [dnat]: LAYOUT is ports or bridge. With dnat, the router
# forwards UDP 51820 on its WAN address to 192.168.1.240 (the report's
# WireGuard port forward).
topo_up() {
	LAYOUT=$1
	for n in router sw sw2 remote; do
		ip netns add $n
		ip -n $n link set lo up
	done
	nsx router sysctl -qw net.ipv4.ip_forward=1
	nsx router sysctl -qw net.ipv6.conf.all.forwarding=1
	nsx router sysctl -qw net.netfilter.nf_conntrack_acct=1

	ip -n router link add wan0 type veth peer name eth0 netns remote
	ip -n router link add br-lan type bridge stp_state 0 forward_delay 0 mcast_snooping 0
	ip -n router link set br-lan address 02:00:00:00:00:01
	ip -n router link add lanport0 type veth peer name swport0 netns sw
	ip -n router link add lanport1 type veth peer name swport1 netns sw2
	ip -n router link set lanport0 master br-lan
	ip -n router link set lanport1 master br-lan
	for d in wan0 lanport0 lanport1 br-lan; do ip -n router link set $d up; done
	ip -n router addr add $LAN4/24 dev br-lan
	ip -n router addr add $LAN6/64 dev br-lan nodad
	ip -n router addr add $WAN4/24 dev wan0
	ip -n router addr add $WAN6/64 dev wan0 nodad

	for s in sw sw2; do
		ip -n $s link add br-$s type bridge stp_state 0 forward_delay 0 mcast_snooping 0
		ip -n $s link set br-$s up
	done
	ip -n sw link set swport0 master br-sw up
	ip -n sw2 link set swport1 master br-sw2 up

	ip -n remote link set eth0 address 02:00:00:00:00:99 up
	ip -n remote addr add $REMOTE4/24 dev eth0
	ip -n remote addr add $REMOTE6/64 dev eth0 nodad
	ip -n remote route add default via $WAN4
	ip -n remote -6 route add default via $WAN6

	case $LAYOUT in
	ports) FT_DEVICES="wan0, lanport0, lanport1" ;;
	bridge) FT_DEVICES="br-lan, wan0" ;;
	wifi)
		# wifilib.sh: the router's radios join the router first, so the
		# flowtable can list them (its ports layout).
		wifi_router_radios || return 1
		FT_DEVICES=$WIFI_FT_DEVICES
		;;
	*)
		say "unknown layout $LAYOUT"
		return 1
		;;
	esac
	nsx router nft -f - <<EOF
table inet netfix_vm {
	flowtable ft {
		hook ingress priority filter
		devices = { $FT_DEVICES }
		counter
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		meta l4proto { tcp, udp } flow add @ft
	}
}
EOF
	if [ "$2" = dnat ]; then
		nsx router nft -f - <<EOF
table ip netfix_vm_nat {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "wan0" ip daddr $WAN4 udp dport $PORT dnat to 192.168.1.240
	}
}
EOF
	fi
	say "topology up: layout=$LAYOUT flowtable devices={ $FT_DEVICES }${2:+ $2}"
}

# router_dad_wait: until the router's own IPv6 addresses (the link-local
# ones do DAD) are no longer tentative. Their completion bumps the IPv6
# route generation (rt_genid_bump_ipv6), which invalidates cached dsts.
router_dad_wait() {
	_i=0
	while [ -n "$(ip -n router -6 addr show tentative)" ] && [ $_i -lt 50 ]; do
		sleep_ms 100
		_i=$((_i + 1))
	done
}

# host_add NAME SWITCH IP4 IP6|- MAC: a LAN host behind switch sw or sw2.
host_add() {
	ip netns add $1
	ip -n $1 link set lo up
	ip -n $2 link add p-$1 type veth peer name eth0 netns $1
	ip -n $1 link set eth0 address $5
	ip -n $2 link set p-$1 master br-$2 up
	ip -n $1 addr add $3/24 dev eth0
	if [ "$4" != - ]; then
		if [ "${HOST_DAD:-0}" = 1 ]; then
			ip -n $1 addr add $4/64 dev eth0
		else
			ip -n $1 addr add $4/64 dev eth0 nodad
		fi
	fi
	ip -n $1 link set eth0 up
	ip -n $1 route add default via $LAN4
	[ "$4" = - ] || ip -n $1 -6 route add default via $LAN6
}

# ns_kill NS: ends every process of a namespace.
ns_kill() {
	_p=$(ip netns pids $1 2>/dev/null)
	[ -n "$_p" ] || return 0
	kill $_p 2>/dev/null
	sleep_ms 100
	_p=$(ip netns pids $1 2>/dev/null)
	[ -z "$_p" ] || kill -9 $_p 2>/dev/null
}

# host_del NAME SWITCH: the host (its processes, its cable, its namespace).
host_del() {
	ns_kill $1
	ip -n $2 link del p-$1 2>/dev/null
	ip netns del $1
}

# recv_start HOST LOG [HELLO]: the host's flow endpoint (echoes, logs). With
# HELLO (addr:port) it first sends one datagram there from its port, as a
# recreated WireGuard endpoint does: that is what makes the router learn
# the new MAC.
recv_start() {
	if [ -n "$3" ]; then
		nsx $1 nfvm recv -proto udp -listen ":$PORT" -log "$2" -hello "$3" >>$LOGS/procs.log 2>&1 &
	else
		nsx $1 nfvm recv -proto udp -listen ":$PORT" -log "$2" >>$LOGS/procs.log 2>&1 &
	fi
}

# recv_tcp HOST PORT LOG / send_tcp DEST SPORT LOG: a long-lived TCP flow.
recv_tcp() { nsx $1 nfvm recv -proto tcp -listen ":$2" -log "$3" >>$LOGS/procs.log 2>&1 & }
send_tcp() { nsx remote nfvm send -proto tcp -to "$1" -sport $2 -interval 200ms -log "$3" >>$LOGS/procs.log 2>&1 & }

# send_start DEST SPORT LOG [FLOWS]: the remote peer sends to DEST
# (addr:port) every 200 ms from SPORT (and the next FLOWS-1 ports).
send_start() {
	nsx remote nfvm send -proto udp -to "$1" -sport $2 -flows ${4:-1} -interval 200ms -log "$3" >>$LOGS/procs.log 2>&1 &
}

# host_replace NAME SWITCH IP4 IP6|- NEWMAC HELLO: the container is
# recreated with the same address and a new MAC. Sets T_DOWN (old host
# gone) and T_UP (new host up, its hello sent) and NEWLOG.
host_replace() {
	T_DOWN=$(now)
	host_del $1 $2
	host_add $1 $2 $3 $4 $5
	NEWLOG=$LOGS/$1-$5.rx
	NEWLOG=$(echo "$NEWLOG" | tr ':' '-')
	T_UP=$(now)
	recv_start $1 "$NEWLOG" "$6"
	say "$1 replaced: $3 now has MAC $5 (down->up $(((T_UP - T_DOWN) / 1000)) ms)"
}

# host_move NAME FROM TO: the host keeps its MAC and moves to the other
# switch, i.e. the other port of the router's bridge (Wi-Fi roaming between
# two radios of one bridge). Sets T_UP once it is attached again.
host_move() {
	T_DOWN=$(now)
	ip -n $2 link set p-$1 netns $3
	ip -n $3 link set p-$1 master br-$3 up
	T_UP=$(now)
	say "$1 moved from $2 to $3 ($(((T_UP - T_DOWN) / 1000)) ms)"
}

# router_churn IP...: the router's neighbour entries for these hosts churn
# all the time, twice a second: each round marks them STALE (what the
# kernel does when the reachable time runs out; the short reachable time
# alone did not make them leave REACHABLE here, multi_host samples it) and
# pings them, so STALE, DELAY, PROBE and REACHABLE messages flow, every one
# with the same MAC (what fooled the naive healer).
router_churn() {
	for d in br-lan; do
		nsx router sysctl -qw net.ipv4.neigh.$d.base_reachable_time_ms=1000
		nsx router sysctl -qw net.ipv4.neigh.$d.delay_first_probe_time=1
		nsx router sysctl -qw net.ipv6.neigh.$d.base_reachable_time_ms=1000
		nsx router sysctl -qw net.ipv6.neigh.$d.delay_first_probe_time=1
	done
	nsx router sh -c "while :; do for a in $*; do /usr/sbin/ip neigh change \$a dev br-lan nud stale; ping -c 1 -W 1 \$a; done >/dev/null 2>&1; usleep 500000; done" >/dev/null 2>&1 &
}

# neigh_mac IP: the router's neighbour entry for IP (MAC and state).
neigh_mac() { ip -n router neigh show $1 dev br-lan | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}'; }
neigh_line() { ip -n router neigh show $1 dev br-lan | head -n1; }

# fdb_port MAC: the router bridge port that br-lan's FDB has for MAC.
fdb_port() { bridge -n router fdb show br br-lan | awk -v m="$1" '$1 == m && $0 !~ /permanent/ {print $3; exit}'; }

# sniff_dst IF IP: destination MACs of frames towards IP port 51820 leaving IF.
sniff_dst() { nsx router nfvm sniff -i $1 -dst $2 -port $PORT -n 3 -timeout 2s -q; }

ct_dump() { nsx router nfvm ct-dump -o "$1"; }
# ct_after_diff WATCH_IP: dumps the table to $LOGS/ct-after and compares it
# with $LOGS/ct-before, logging the summary and every entry of another host
# that went missing; the diff (kept=, removed_other=, ...) is left in
# $CT_DIFF for the scenario's own checks.
ct_after_diff() {
	ct_dump $LOGS/ct-after
	CT_DIFF=$(nfvm ct-diff -a $LOGS/ct-before -b $LOGS/ct-after -watch "$1" -v)
	say "$(echo "$CT_DIFF" | head -n1)"
	echo "$CT_DIFF" | grep "removed other" | sed "s/^/NETFIX-LOG [$SCEN]   /"
}
ct_count() { nsx router nfvm ct-count -ip "$1"; }
ct_wait() {
	_w=$(nsx router nfvm ct-wait -ip "$1" -n ${2:-1} -timeout ${3:-20s} 2>&1)
	_r=$?
	[ $_r -eq 0 ] || say "$_w"
	return $_r
}

teardown_all() {
	for n in $(ip netns list | awk '{print $1}'); do ns_kill $n; done
	for n in $(ip netns list | awk '{print $1}'); do ip netns del $n; done
	rm -f $SOCK
}

# ---- netfix ----------------------------------------------------------------

# netfix_conf [DRY_RUN [SWEEP [OPTION...]]]: the UCI file the daemon reads;
# each extra argument is one more "option name 'value'" line.
netfix_conf() {
	cat >$CONF <<EOF
config netfix 'main'
	option enabled '1'
	option heal '1'
	option dry_run '${1:-0}'
	option log_level 'debug'
	option sweep_interval '${2:-30}'
EOF
	[ $# -gt 2 ] && shift 2 && for _o in "$@"; do printf '\toption %s\n' "$_o" >>$CONF; done
	return 0
}

# daemon_start [ARGS]: netfix daemon in the router namespace; waits until
# its socket answers. Sets DAEMON_PID, DAEMON_START.
daemon_start() {
	[ -f $CONF ] || netfix_conf
	rm -f $SOCK
	DAEMON_START=$(now)
	# Each scenario keeps its own neighbour state file (it survives daemon
	# restarts, as /var/run does on a router).
	_st=""
	netfix daemon -h 2>&1 | grep -q -- '-state' && _st="--state $LOGS/netfix-state.json"
	# Not through nsx: a backgrounded function is a subshell and $! would
	# be its PID. ip netns exec execs netfix, so $! is the daemon's PID.
	/usr/sbin/ip netns exec router netfix daemon --config $CONF --socket $SOCK $_st "$@" >>$LOGS/netfix.log 2>&1 &
	DAEMON_PID=$!
	_i=0
	while [ $_i -lt 100 ]; do
		# status exits 0/1/2 by verdict: readiness is a live heal section.
		if [ -S $SOCK ] && nsx router netfix status --json --socket $SOCK >$LOGS/ready.json 2>/dev/null; [ "$(nfvm json $LOGS/ready.json .heal.running 2>/dev/null)" = true ]; then
			say "netfix daemon up (pid $DAEMON_PID, $((($(now) - DAEMON_START) / 1000)) ms)"
			return 0
		fi
		if ! kill -0 $DAEMON_PID 2>/dev/null; then
			break
		fi
		sleep_ms 100
		_i=$((_i + 1))
	done
	say "netfix daemon did not come up; its log:"
	tail -n 20 $LOGS/netfix.log | sed "s/^/NETFIX-LOG [$SCEN]   /"
	return 1
}

daemon_stop() {
	[ -n "$DAEMON_PID" ] || return 0
	kill -TERM $DAEMON_PID 2>/dev/null
	_i=0
	while kill -0 $DAEMON_PID 2>/dev/null && [ $_i -lt 50 ]; do
		sleep_ms 100
		_i=$((_i + 1))
	done
	kill -0 $DAEMON_PID 2>/dev/null && kill -9 $DAEMON_PID
	DAEMON_PID=""
}

# status_json FILE: netfix status --json into FILE. Its exit status is the
# verdict (0 healthy, 1 warning, 2 critical): success here means a document
# with a heal section came back.
status_json() {
	nsx router netfix status --json --socket $SOCK >"$1" 2>>$LOGS/netfix-status.err
	[ "$(nfvm json "$1" .heal.running 2>/dev/null)" = true ]
}

# heal_event IP FILE: the newest heal event for IP as a key=value line.
heal_event() { nfvm events "$2" | grep "^event " | grep " ip=$1 " | head -n1; }

# heal_events_for IP FILE: how many events name IP.
heal_events_for() { nfvm events "$2" | grep "^event " | grep -c " ip=$1 "; }

# wait_heal_event IP FILE [SECONDS]: polls the status until an event names IP.
wait_heal_event() {
	_i=0
	while [ $_i -lt $((${3:-5} * 10)) ]; do
		if status_json "$2" && [ -n "$(heal_event $1 "$2")" ]; then
			return 0
		fi
		sleep_ms 100
		_i=$((_i + 1))
	done
	return 1
}

show_daemon_log() {
	[ -f $LOGS/netfix.log ] || return 0
	say "netfix daemon log (last ${1:-15} lines):"
	tail -n ${1:-15} $LOGS/netfix.log | sed "s/^/NETFIX-LOG [$SCEN]   | /"
}

# two_hosts_flowing: the S1 pair on the switch. h1 ($H1, MAC $OLD) is the
# container behind the router's port forward, bystander h2 ($H2) is reached
# directly; the remote sends a flow to each, and both are offloaded before
# it returns. Receivers log to $LOGS/h1-old.rx and h2.rx, senders to
# h1.echo and h2.echo.
# two_hosts_direct MAC: h1 ($H1, MAC) and the bystander h2 ($H2) on sw, each
# receiving a flow the remote peer sends to its own address (no port
# forward), both offloaded. For the scenarios where h1 keeps or flips its
# MAC itself (port moves, ARP flaps).
two_hosts_direct() {
	host_add h1 sw $H1 - $1
	host_add h2 sw $H2 - 02:00:00:00:01:50
	recv_start h1 $LOGS/h1.rx
	recv_start h2 $LOGS/h2.rx
	send_start $H1:$PORT 40000 $LOGS/h1.echo
	send_start $H2:$PORT 41000 $LOGS/h2.echo
	check "flow to h1 offloaded" ct_wait $H1
	check "flow to h2 offloaded" ct_wait $H2
}

two_hosts_flowing() {
	host_add h1 sw $H1 - $OLD
	host_add h2 sw $H2 - 02:00:00:00:01:50
	recv_start h1 $LOGS/h1-old.rx
	recv_start h2 $LOGS/h2.rx
	send_start $WAN4:$PORT 40000 $LOGS/h1.echo
	send_start $H2:$PORT 41000 $LOGS/h2.echo
	check "flow to h1 (via port forward) offloaded" ct_wait $H1
	check "flow to h2 offloaded" ct_wait $H2
}
