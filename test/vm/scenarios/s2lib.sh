#!/bin/sh
# Scenario S2 (conntrack table full, report 001): shared setup. Sourced
# after lib.sh. Topology, each box a namespace:
#
#   bt  (192.168.1.23) --\                         /-- remote (10.99.0.2): UDP tunnel end, TCP 7000
#   tun (192.168.1.30) ---+ lsw --lan0 router wan0-- wsw
#   pc  (192.168.1.40) --/      (masquerade)        \-- peers (10.99.1.1-40): TCP 6881, then gone
#
# The VM's nf_conntrack_max is 1024. bt (the BitTorrent VM of the report)
# opens connections to the peers until the table is full; the peers' cable
# is then pulled before their processes die, so no FIN or RST ever leaves
# them, and bt never closes its sockets: the router keeps a thousand
# ESTABLISHED entries that nothing will refresh. tun keeps a UDP
# "WireGuard" flow to remote the whole time.

S2_MAX=1024
BT=192.168.1.23
TUN=192.168.1.30
PC=192.168.1.40
SYSCTL_EST=net.netfilter.nf_conntrack_tcp_timeout_established

s2_box() {
	ip netns add $1
	ip -n $1 link set lo up
	ip -n $2 link add p-$1 type veth peer name eth0 netns $1
	ip -n $2 link set p-$1 master br0 up
	ip -n $1 addr add $3 dev eth0
	ip -n $1 link set eth0 up
	ip -n $1 route add default via $4
}

# s2_up: the topology, the tunnel flowing, the peers listening.
s2_up() {
	S2_OLD_MAX=$(sysctl -n net.netfilter.nf_conntrack_max)
	sysctl -qw net.netfilter.nf_conntrack_max=$S2_MAX
	for n in router lsw wsw; do
		ip netns add $n
		ip -n $n link set lo up
	done
	for s in lsw wsw; do
		ip -n $s link add br0 type bridge stp_state 0 forward_delay 0
		ip -n $s link set br0 up
	done
	ip -n router link add lan0 type veth peer name p-router netns lsw
	ip -n router link add wan0 type veth peer name p-router netns wsw
	ip -n lsw link set p-router master br0 up
	ip -n wsw link set p-router master br0 up
	ip -n router addr add $LAN4/24 dev lan0
	ip -n router addr add $WAN4/16 dev wan0
	ip -n router link set lan0 up
	ip -n router link set wan0 up
	nsx router sysctl -qw net.ipv4.ip_forward=1
	echo 'table ip s2nat { chain postrouting { type nat hook postrouting priority srcnat; policy accept; oifname "wan0" masquerade; }; }' |
		nsx router nft -f -
	# The VM cannot wait hours for entries to age. The entries get their
	# timers under 420000 s; once the peers are gone s2_age restores the
	# kernel's 432000 s, and an entry whose last packet set 420000 s then
	# reads exactly like one silent for 12000 s (3 h 20 min) longer under
	# 432000 s: idle = timeout in effect - time left.
	nsx router sysctl -qw $SYSCTL_EST=420000

	s2_box bt lsw $BT/24 $LAN4
	s2_box tun lsw $TUN/24 $LAN4
	s2_box pc lsw $PC/24 $LAN4
	s2_box remote wsw $REMOTE4/16 $WAN4
	s2_box peers wsw 10.99.1.1/16 $WAN4
	_i=2
	while [ $_i -le 40 ]; do
		ip -n peers addr add 10.99.1.$_i/16 dev eth0
		_i=$((_i + 1))
	done

	nsx remote nfvm recv -proto udp -listen ":$PORT" -log $LOGS/remote.rx >>$LOGS/procs.log 2>&1 &
	nsx remote nfvm recv -proto tcp -listen ":7000" >>$LOGS/procs.log 2>&1 &
	nsx peers nfvm recv -proto tcp -listen ":6881" >>$LOGS/procs.log 2>&1 &
	sleep 1
	nsx tun nfvm send -proto udp -to $REMOTE4:$PORT -sport $PORT -interval 200ms -log $LOGS/tun.echo >>$LOGS/procs.log 2>&1 &
	say "S2 topology up: nf_conntrack_max=$S2_MAX, masquerade on wan0, tunnel $TUN -> $REMOTE4:$PORT"
}

ct_total() { kv total "$(nsx router nfvm ct-count)"; }

# s2_fill: bt opens connections until the table is full, then the peers
# vanish without a FIN or RST.
s2_fill() {
	_n=$((S2_MAX - $(ct_total)))
	nsx bt nfvm tcp-open -from 10.99.1.1 -addrs 40 -port 6881 -n $_n -timeout 3s -hold >$LOGS/bt.out 2>&1 &
	nfvm wait-file -f $LOGS/bt.out -s opened= -timeout 90s >/dev/null 2>&1
	say "bt: $(cat $LOGS/bt.out); conntrack entries on the router: $(ct_total)"
	# Pull the cable first: the peers' sockets die with no link to send a
	# FIN or RST on.
	ip -n wsw link del p-peers
	ns_kill peers
	ip netns del peers
	say "peers gone (cable pulled, then processes killed)"
}

# s2_age: restore the kernel's 432000 s (see s2_up).
s2_age() {
	nsx router sysctl -qw $SYSCTL_EST=432000
	say "established timeout back to 432000 s: the dead entries now read as silent for 12000 s"
}

# s2_check FILE: `netfix check --json` in the router into FILE.
s2_check() { nsx router netfix check --json >"$1" 2>>$LOGS/check.err || true; }

# s2_text TITLE: `netfix check`'s conntrack findings and table summary, on
# the console for the transcript.
s2_text() {
	nsx router netfix check >$LOGS/check.txt 2>&1 || true
	say "---- netfix check: $1 ----"
	awk 'BEGIN { RS = ""; ORS = "\n\n" } /id: conntrack\.|^conntrack:/' $LOGS/check.txt | sed "s/^/NETFIX-LOG [$SCEN] | /"
}

# finding_field ID FIELD FILE: a field of the finding with this id.
finding_field() {
	_i=0
	while [ $_i -lt 12 ]; do
		_id=$(nfvm json "$3" ".findings[$_i].id" 2>/dev/null)
		[ -n "$_id" ] && [ "$_id" != null ] || return 0
		if [ "$_id" = "$1" ]; then
			nfvm json "$3" ".findings[$_i].$2"
			return 0
		fi
		_i=$((_i + 1))
	done
}

# new_conns HOST N: how many of N fresh connections from HOST to remote open.
new_conns() { kv opened "$(nsx $1 nfvm tcp-open -from $REMOTE4 -port 7000 -n $2 -timeout 2s -parallel $2)"; }

# tunnel_rx SINCE_US: echoes of the tunnel received since then.
tunnel_rx() { kv count "$(nfvm stats -log $LOGS/tun.echo -from $1)"; }

s2_down() { sysctl -qw net.netfilter.nf_conntrack_max=${S2_OLD_MAX:-262144}; }
