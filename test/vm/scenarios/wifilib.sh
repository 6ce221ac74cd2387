#!/bin/sh
# Real 802.11 roams for the guest scenarios (busybox ash; sourced after
# lib.sh). Not run by itself.
#
# mac80211_hwsim radios, Debian's hostapd, wpa_supplicant and iw:
#
#   remote --eth0===wan0-- router br-lan: wlan0 (AP, channel 1)  )) sta1, sta2, bys
#                                         wlan1 (AP, channel 6)  ))   (each a station
#                                         lanport0 ===swport0-- sw (br-sw)   in its own
#                                                                 [WIFI_FOREIGN=1:  namespace
#                                                                  an AP of its own  with its
#                                                                  hostapd, ch. 11]  own radio)
#
# One hostapd in the router serves both of its radios (one SSID, WPA2-PSK,
# or FT-PSK with WIFI_FT=1), bridged into br-lan; the flowtable lists the
# router's ports (wlan0, wlan1, wan0, and lanport0 with WIFI_FOREIGN=1):
# the layout fw4 builds with flow_offloading_hw. The WAN peer sends each
# station a flow (UDP, or TCP with WIFI_PROTO=tcp) at 100 packets/s.
#
# wifi_run drives a scenario: the stations roam with `wpa_cli roam` from
# AP A to AP B, first without netfix (the stream must stall: the bed proves
# the outage), then back, then WIFI_ROAMS times with the daemon (each roam
# must resume within 1 s of the association), the bystander station staying
# on A with its offloaded flow untouched (its entry's packet counter keeps
# rising; the kernel reuses conntrack ids, so ids prove nothing). One roam's
# notification timeline is recorded: association (wpa_supplicant's
# CTRL-EVENT-CONNECTED), the bridge FDB event (bridge monitor fdb), netfix's
# repair (its event) and the first packet after the roam.

WIFI_SSID=netfix-roam
WIFI_PSK=netfix-roam-passphrase
WIFI_FT=${WIFI_FT:-0}
WIFI_PROTO=${WIFI_PROTO:-udp}
WIFI_FOREIGN=${WIFI_FOREIGN:-0}
WIFI_ROAMERS=${WIFI_ROAMERS:-1}
WIFI_ROAMS=${WIFI_ROAMS:-3}
# How long the stream must stay dead after the association without netfix.
WIFI_STALL_S=${WIFI_STALL_S:-4}
WIFI_INTERVAL=10ms
TCPPORT=5001

# hwsim_load N: a fresh set of N radios (wlan0..wlanN-1 in this namespace).
hwsim_load() {
	if [ -d /sys/module/mac80211_hwsim ]; then
		rmmod mac80211_hwsim 2>/dev/null || { say "cannot unload mac80211_hwsim"; return 1; }
	fi
	_m=$(grep '/mac80211_hwsim\.ko$' /vm/modules.order)
	[ -n "$_m" ] || { say "mac80211_hwsim is not in the image"; return 1; }
	insmod "$_m" radios=$1 || return 1
	_i=0
	while [ ! -e /sys/class/net/wlan$(($1 - 1)) ] && [ $_i -lt 50 ]; do
		sleep_ms 100
		_i=$((_i + 1))
	done
	[ -e /sys/class/net/wlan$(($1 - 1)) ]
}

# phy_to NS IFACE: moves the radio of IFACE (and IFACE with it) into NS.
phy_to() { iw phy "$(cat /sys/class/net/$2/phy80211/name)" set netns name $1; }

# The router's radios are wlan0 (A) and wlan1; called by topo_up wifi.
wifi_router_radios() {
	BSSID_R0=$(cat /sys/class/net/wlan0/address)
	BSSID_A=$BSSID_R0
	BSSID_R1=$(cat /sys/class/net/wlan1/address)
	phy_to router wlan0 && phy_to router wlan1
}

# hostapd_conf FILE IFACE BRIDGE CHANNEL
hostapd_conf() {
	_km=WPA-PSK
	[ "$WIFI_FT" = 1 ] && _km="FT-PSK WPA-PSK"
	cat >$1 <<EOF
interface=$2
bridge=$3
driver=nl80211
ctrl_interface=/run/hostapd
ssid=$WIFI_SSID
hw_mode=g
channel=$4
wpa=2
wpa_passphrase=$WIFI_PSK
wpa_key_mgmt=$_km
rsn_pairwise=CCMP
EOF
	if [ "$WIFI_FT" = 1 ]; then
		# 802.11r: one mobility domain, FT over the air. Each AP is its
		# own R0KH (nas_identifier, unique per AP) and R1KH (r1_key_holder
		# defaults to the BSSID, unique); with ft_psk_generate_local the
		# target derives PMK-R0/R1 from the PSK and the R0KH-ID the
		# station names, so neither r0kh/r1kh lists nor PMK-R1 push/pull
		# between the APs are needed. The logger lines at debug level
		# ("authentication OK (FT)", "FT authentication already
		# completed - do not start 4-way handshake") prove each roam was
		# a fast transition (ft_done).
		cat >>$1 <<EOF
mobility_domain=4e66
nas_identifier=$2.netfix.test
ft_over_ds=0
ft_psk_generate_local=1
reassociation_deadline=1000
logger_stdout=-1
logger_stdout_level=0
EOF
	fi
}

# hostapd_start NS LOG CONF...: waits until every interface is AP-ENABLED.
hostapd_start() {
	_ns=$1
	_log=$2
	shift 2
	# 802.11r: debug output (FT key hierarchy, status codes) for wifi_diag.
	_dbg=""
	[ "$WIFI_FT" = 1 ] && _dbg=-d
	/usr/sbin/ip netns exec $_ns hostapd $_dbg -t -f $_log "$@" >>$LOGS/procs.log 2>&1 &
	for _c in "$@"; do
		_if=$(sed -n 's/^interface=//p' $_c)
		if ! nfvm wait-file -f $_log -s "$_if: AP-ENABLED" -timeout 20s; then
			say "hostapd in $_ns did not enable $_if; its log:"
			tail -n 15 $_log | sed "s/^/NETFIX-LOG [$SCEN]   | /"
			return 1
		fi
	done
}

# sta_add NAME IFACE IP: a station in namespace NAME with radio IFACE,
# associated (wpa_supplicant, log $LOGS/NAME.wpa with -t timestamps).
sta_add() {
	eval "STA_IF_$1=$2 STA_IP_$1=$3 STA_MAC_$1=$(cat /sys/class/net/$2/address)"
	ip netns add $1
	ip -n $1 link set lo up
	phy_to $1 $2 || return 1
	ip -n $1 link set $2 up
	ip -n $1 addr add $3/24 dev $2
	ip -n $1 route add default via $LAN4
	_km=WPA-PSK
	[ "$WIFI_FT" = 1 ] && _km=FT-PSK
	cat >$LOGS/$1.wpa.conf <<EOF
ctrl_interface=/run/wpa-$1
network={
	ssid="$WIFI_SSID"
	psk="$WIFI_PSK"
	key_mgmt=$_km
	proto=RSN
	pairwise=CCMP
	scan_freq=2412 2437 2462
	bssid=$BSSID_A
}
EOF
	_dbg=""
	[ "$WIFI_FT" = 1 ] && _dbg=-d
	/usr/sbin/ip netns exec $1 wpa_supplicant $_dbg -D nl80211 -i $2 -c $LOGS/$1.wpa.conf -t -f $LOGS/$1.wpa >>$LOGS/procs.log 2>&1 &
}

wcli() {
	_s=$1
	shift
	eval "_if=\$STA_IF_$_s"
	wpa_cli -p /run/wpa-$_s -i $_if "$@" 2>/dev/null
}

# sta_bssid NAME: the BSSID it is associated with (empty if none).
sta_bssid() { wcli $1 status | awk -F= '$1 == "wpa_state" {s = $2} $1 == "bssid" {b = $2} END {if (s == "COMPLETED") print b}'; }

# sta_wait NAME BSSID|any [SECONDS]: until the station is associated there
# (a deadline on the clock: under TCG one poll can take long).
sta_wait() {
	_end=$(($(now) + ${3:-10} * 1000000))
	while :; do
		_b=$(sta_bssid $1)
		if [ -n "$_b" ] && { [ "$2" = any ] || [ "$_b" = "$2" ]; }; then
			return 0
		fi
		[ $(now) -lt $_end ] || break
		sleep_ms 100
	done
	say "$1 not associated with $2 after ${3:-10} s (state: $(wcli $1 status | grep -E '^(bssid|wpa_state|key_mgmt)=' | tr '\n' ' '))"
	return 1
}

# sta_roam NAME BSSID: asks wpa_supplicant to roam. It refuses while the
# station is not associated (a beacon loss under a loaded TCG host) or the
# target is not in its scan results: then it waits for the association,
# scans and asks again.
sta_roam() {
	# The network is pinned to one BSSID (no roam of wpa_supplicant's own
	# choosing, and a reconnection after a beacon loss goes back there):
	# the pin moves first, then the roam.
	wcli $1 set_network 0 bssid $2 >/dev/null
	_r=$(wcli $1 roam $2)
	if [ "$_r" != OK ]; then
		say "wpa_cli roam $2 for $1: $_r ($(wcli $1 status | grep -E '^(bssid|wpa_state)=' | tr '\n' ' ')); retrying"
		sta_wait $1 any 10
		wcli $1 scan >/dev/null
		sleep 3
		_r=$(wcli $1 roam $2)
	fi
	[ "$_r" = OK ] && return 0
	say "wpa_cli roam $2 for $1: $_r; scan results: $(wcli $1 scan_results | tail -n +2 | cut -f1,2 | tr '\n\t' '  ')"
	return 1
}

# ft_done IFACE MAC T0: the router's AP on IFACE made an 802.11r fast
# transition for MAC at or after T0 (hostapd -t log): an FT authentication,
# then a reassociation that skipped the 4-way handshake, and no 4-way
# handshake (a fallback to a full association would have one).
ft_done() {
	awk -v t0=$3 -v who="$1: STA $2 " '
		{ split($1, a, "."); us = a[1] * 1000000 + substr(a[2], 1, 6) }
		us < t0 || !index($0, who) { next }
		/IEEE 802.11: authentication OK \(FT\)/ { auth = 1 }
		/FT authentication already completed - do not start 4-way handshake/ { ft = 1 }
		/pairwise key handshake completed/ { hs = 1 }
		END { exit !(auth && ft && !hs) }' $LOGS/hostapd.log
}

# ft_check IFACE LABEL: with WIFI_FT=1, every roamer's roam since T0 to the
# router's AP on IFACE was a fast transition.
ft_check() {
	[ "$WIFI_FT" = 1 ] || return 0
	for _s in $ROAMERS; do
		eval "_m=\$STA_MAC_$_s"
		check "$2: $_s's roam to $1 was an 802.11r fast transition (FT auth, no 4-way handshake)" ft_done $1 $_m $T0
		# The station's side, for the record: wpa_supplicant installs the
		# PTK only once reassociated (cfg80211 refuses it before).
		FTSTA="$FTSTA${FTSTA:+,}$(awk -v t0=$T0 '/FT: Completed successfully/ {split($1, a, "."); if (a[1] * 1000000 + substr(a[2], 1, 6) >= t0) n++} END {print n + 0}' $LOGS/$_s.wpa)"
	done
}

# assoc_us NAME BSSID T0: when wpa_supplicant reported the association with
# BSSID at or after T0 (unix microseconds), from its -t log.
assoc_us() {
	awk -v t0=$3 -v b=$2 '/CTRL-EVENT-CONNECTED/ && index($0, b) {
		split($1, a, "."); us = a[1] * 1000000 + substr(a[2], 1, 6)
		if (us >= t0) { printf "%.0f\n", us; exit } }' $LOGS/$1.wpa
}

# fdb_us MAC PORT T0: the first FDB notification at or after T0 that puts
# MAC on PORT (bridge monitor fdb, stamped by nfvm stamp).
fdb_us() {
	awk -v t0=$3 -v m=$1 -v p=$2 '$1 >= t0 && $2 == m && $3 == "dev" && $4 == p {print $1; exit}' $LOGS/fdb.mon
}

# ms A B: (B - A) microseconds as milliseconds with one decimal.
ms() { awk -v a=$1 -v b=$2 'BEGIN {printf "%.1f\n", (b - a) / 1000}'; }

# flow_start NAME: the WAN peer's flow to the station at 100 packets/s.
flow_start() {
	eval "_ip=\$STA_IP_$1"
	# The bystander's flow at 20 packets/s: it only has to stay offloaded.
	_iv=$WIFI_INTERVAL
	[ $1 = bys ] && _iv=50ms
	if [ "$WIFI_PROTO" = tcp ]; then
		nsx $1 nfvm recv -proto tcp -listen ":$TCPPORT" -log $LOGS/$1.rx >>$LOGS/procs.log 2>&1 &
		sleep_ms 300
		nsx remote nfvm send -proto tcp -to $_ip:$TCPPORT -sport $2 -interval $_iv -log $LOGS/$1.echo >>$LOGS/procs.log 2>&1 &
	else
		nsx $1 nfvm recv -proto udp -listen ":$PORT" -log $LOGS/$1.rx >>$LOGS/procs.log 2>&1 &
		nsx remote nfvm send -proto udp -to $_ip:$PORT -sport $2 -interval $_iv -log $LOGS/$1.echo >>$LOGS/procs.log 2>&1 &
	fi
}

# bys_pkts: the bystander's entries as "sport:packets" (original direction).
bys_pkts() { nsx router nfvm ct-dump | awk -v ip=$STA_IP_bys '{for (i = 1; i <= NF; i++) {split($i, kv, "="); f[kv[1]] = kv[2]} if (f["odst"] == ip) print f["osport"] ":" f["opkts"]}' | sort; }

# roam_all BSSID: every roamer roams there at once; sets T0 and, per
# roamer, T_CONN_<name> (its association, from wpa_supplicant's log).
roam_all() {
	T0=$(now)
	_pids=""
	for s in $ROAMERS; do
		sta_roam $s $1 &
		_pids="$_pids $!"
	done
	for _p in $_pids; do wait $_p; done
	_ok=0
	for s in $ROAMERS; do
		sta_wait $s $1 10 || _ok=1
		eval "T_CONN_$s=$(assoc_us $s $1 $T0)"
		eval "_t=\$T_CONN_$s"
		[ -n "$_t" ] || { eval "T_CONN_$s=$(now)"; say "$s: no CTRL-EVENT-CONNECTED for $1 in its log"; _ok=1; }
	done
	return $_ok
}

# wifi_diag: on a failure, what the radios' daemons said (the guest's
# files are gone once the VM stops).
wifi_diag() {
	for _l in $LOGS/hostapd.log $LOGS/hostapd-sw.log; do
		[ -f $_l ] || continue
		say "${_l##*/} (last 25 lines):"
		tail -n 25 $_l | sed "s/^/NETFIX-LOG [$SCEN]   | /"
	done
	for _s in $ROAMERS bys; do
		say "$_s: $(grep -c CTRL-EVENT-DISCONNECTED $LOGS/$_s.wpa) disconnections; $_s.wpa (last 40 lines):"
		tail -n 40 $LOGS/$_s.wpa | sed "s/^/NETFIX-LOG [$SCEN]   | /"
	done
	if [ "$WIFI_FT" = 1 ]; then
		say "802.11r lines of hostapd.log (last 40):"
		grep -E "FT|status|MIC|handshake" $LOGS/hostapd.log | grep -v -E "hexdump|\[REMOVED\]" | tail -n 40 | sed "s/^/NETFIX-LOG [$SCEN]   | /"
		for _s in $ROAMERS; do
			say "802.11r lines of $_s.wpa (last 40):"
			grep -E "FT|status|SME|key not|Key negotiation|CTRL-EVENT" $LOGS/$_s.wpa | grep -v -E "hexdump|\[REMOVED\]" | tail -n 40 | sed "s/^/NETFIX-LOG [$SCEN]   | /"
		done
	fi
	say "FDB notifications for the roamers:"
	for _s in $ROAMERS; do
		eval "_m=\$STA_MAC_$_s"
		grep " $_m " $LOGS/fdb.mon | tail -n 12 | sed "s/^/NETFIX-LOG [$SCEN]   | /"
	done
}

wifi_run() {
	ROAMERS=""
	_i=1
	while [ $_i -le $WIFI_ROAMERS ]; do
		ROAMERS="$ROAMERS sta$_i"
		_i=$((_i + 1))
	done
	# Radios: the router's two, the foreign AP's, the roamers', the bystander's.
	_n=$((2 + WIFI_FOREIGN + WIFI_ROAMERS + 1))
	check "mac80211_hwsim with $_n radios" hwsim_load $_n || { finish; exit 0; }
	WIFI_FT_DEVICES="wlan0, wlan1, wan0"
	[ "$WIFI_FOREIGN" = 1 ] && WIFI_FT_DEVICES="wlan0, wlan1, lanport0, wan0"
	topo_up wifi || { check "topology" false; finish; exit 0; }
	hostapd_conf $LOGS/ap0.conf wlan0 br-lan 1
	hostapd_conf $LOGS/ap1.conf wlan1 br-lan 6
	check "router's hostapd serves wlan0 (ch 1) and wlan1 (ch 6) in br-lan" hostapd_start router $LOGS/hostapd.log $LOGS/ap0.conf $LOGS/ap1.conf
	_next=2
	B_PORT=wlan1
	BSSID_B=$BSSID_R1
	if [ "$WIFI_FOREIGN" = 1 ]; then
		# The other AP: its own hostapd in the switch behind lanport0,
		# bridged into that switch (br-sw).
		BSSID_B=$(cat /sys/class/net/wlan2/address)
		B_PORT=lanport0
		phy_to sw wlan2
		hostapd_conf $LOGS/ap2.conf wlan2 br-sw 11
		check "foreign AP's hostapd serves wlan2 (ch 11) in br-sw behind lanport0" hostapd_start sw $LOGS/hostapd-sw.log $LOGS/ap2.conf
		_next=3
	fi
	_k=1
	for s in $ROAMERS; do
		sta_add $s wlan$_next 192.168.1.24$_k
		_next=$((_next + 1))
		_k=$((_k + 1))
	done
	sta_add bys wlan$_next 192.168.1.50
	for s in $ROAMERS bys; do
		check "$s associates" sta_wait $s any 30
		# Every station starts on A (its pin).
		if [ "$(sta_bssid $s)" != $BSSID_A ]; then
			sta_roam $s $BSSID_A
			check "$s on A ($BSSID_A)" sta_wait $s $BSSID_A 10
		fi
	done
	[ $FAILS -eq 0 ] || { wifi_diag; finish; exit 0; }
	say "stations:$ROAMERS bys on A=$BSSID_A (router wlan0); B=$BSSID_B (port $B_PORT); ft=$WIFI_FT proto=$WIFI_PROTO"

	nsx router sh -c 'bridge monitor fdb | nfvm stamp' >$LOGS/fdb.mon 2>&1 &
	_sp=40000
	for s in $ROAMERS bys; do
		flow_start $s $_sp
		_sp=$((_sp + 1000))
	done
	for s in $ROAMERS bys; do
		eval "_ip=\$STA_IP_$s"
		check "flow to $s offloaded" ct_wait $_ip
	done
	sleep 1

	# ---- without netfix: A -> B stalls, B -> A restores -----------------
	roam_all $BSSID_B
	check "roamers associated with B (no daemon)" [ $? -eq 0 ]
	ft_check $B_PORT "no daemon"
	sleep $WIFI_STALL_S
	for s in $ROAMERS; do
		eval "_tc=\$T_CONN_$s _ip=\$STA_IP_$s _mac=\$STA_MAC_$s"
		st=$(nfvm stats -log $LOGS/$s.rx -from $_tc -to $((_tc + WIFI_STALL_S * 1000000)))
		check "no daemon: $s receives nothing for ${WIFI_STALL_S} s after associating with B (got $(kv count "$st"))" [ "$(kv count "$st")" -eq 0 ]
		# Where br-lan's FDB has the station (hostapd's prune of the old
		# association can delete the entry; the flowtable never looks).
		FDBND="$FDBND${FDBND:+,}$(fdb_port $_mac)"
		check "no daemon: $s's entry is still offloaded" [ "$(kv offloaded "$(ct_count $_ip)")" -ge 1 ]
		eval "T0C_$s=$T0"
	done
	roam_all $BSSID_A
	ft_check wlan0 "no daemon, back"
	for s in $ROAMERS; do
		eval "_t0=\$T0C_$s _tc=\$T_CONN_$s"
		f=$(nfvm first -log $LOGS/$s.rx -after $_tc -wait 10s)
		_f=$(kv first_us "$f")
		check "no daemon: $s receives again after roaming back to A" [ "$_f" -gt 0 ]
		st=$(nfvm stats -log $LOGS/$s.rx -from $_t0 -to $((_f + 1)))
		GAP_OFF="$GAP_OFF${GAP_OFF:+,}$(kv maxgap_ms "$st")"
	done
	rec fdb_port_no_daemon "$FDBND"
	rec gap_without_ms "$GAP_OFF"

	# ---- with the daemon: WIFI_ROAMS roams, B, A, B ... ----------------
	check "netfix daemon starts" daemon_start
	for s in $ROAMERS bys; do
		eval "_ip=\$STA_IP_$s"
		check "flow to $s offloaded (daemon on)" ct_wait $_ip 1 10s
	done
	TD=$(now)
	BYS_BEFORE=$(bys_pkts)
	WR=1
	WTO=$BSSID_B
	WPORT=$B_PORT
	WFROM=wlan0
	while [ $WR -le $WIFI_ROAMS ]; do
		roam_all $WTO
		check "roam $WR: roamers associated" [ $? -eq 0 ]
		ft_check $WPORT "roam $WR"
		for s in $ROAMERS; do
			eval "_tc=\$T_CONN_$s _ip=\$STA_IP_$s _mac=\$STA_MAC_$s"
			_end=$(($(now) + 3000000))
			while :; do
				status_json $LOGS/status.json && [ "$(nfvm events $LOGS/status.json | grep "^event " | grep " ip=$_ip " | grep -c " reason=port_move ")" -ge $WR ] && break
				[ $(now) -lt $_end ] || break
				sleep_ms 100
			done
			ev=$(heal_event $_ip $LOGS/status.json)
			check "roam $WR: port_move event for $s to $WPORT, deleted its entry" [ "$(kv reason "$ev")" = port_move -a "$(kv new_port "$ev")" = $WPORT -a "$(kv flows_deleted "$ev")" -ge 1 ]
			_lat=$(kv latency_us "$ev")
			_tev=$(kv time_us "$ev")
			_tr=$((${_tev:-0} + ${_lat:-0}))
			f=$(nfvm first -log $LOGS/$s.rx -after $_tc -wait 3s)
			_f=$(kv first_us "$f")
			_res=$(kv delay_ms "$f")
			if [ "$WIFI_PROTO" = tcp ]; then
				# TCP comes back with its next retransmission, whose
				# timer backs off (200 ms, doubling) from the loss during
				# the roam: netfix's part is the repair; the data must
				# flow within 1 s of it.
				_after=$(((_f - _tr) / 1000))
				check "roam $WR: $s's TCP data flows within 1 s of the repair (${_after} ms; ${_res} ms after associating)" [ "$_f" -gt 0 -a "$_after" -le 1000 ]
			else
				check "roam $WR: $s receives within 1 s of associating (${_res} ms)" [ "$_res" -ge 0 -a "$_res" -le 1000 ]
			fi
			st=$(nfvm stats -log $LOGS/$s.rx -from $T0 -to $((_tc + 1000000)))
			GAP_ON="$GAP_ON${GAP_ON:+,}$(kv maxgap_ms "$st")"
			RESUME="$RESUME${RESUME:+,}$_res"
			check "roam $WR: the daemon's log line names the ports (roamed from $WFROM to $WPORT)" grep -q "port_move $_ip on br-lan: roamed from $WFROM to $WPORT," $LOGS/netfix.log
			REPAIR="$REPAIR${REPAIR:+,}$(ms 0 ${_lat:-0})"
			_fdb=$(fdb_us $_mac $WPORT $T0)
			FDBOFF="$FDBOFF${FDBOFF:+,}$([ -n "$_fdb" ] && ms $_tc $_fdb || echo none)"
			SEENOFF="$SEENOFF${SEENOFF:+,}$([ -n "$_tev" ] && ms $_tc $_tev || echo none)"
			if [ $WR = 1 ] && [ $s = sta1 ]; then
				say "timeline roam 1 of sta1 (t=0 at CTRL-EVENT-CONNECTED $_tc us):"
				say "  association   0.0 ms  $(grep CTRL-EVENT-CONNECTED $LOGS/$s.wpa | tail -n1)"
				say "  FDB event     $([ -n "$_fdb" ] && ms $_tc $_fdb || echo none) ms  $(awk -v t=$_fdb '$1 == t' $LOGS/fdb.mon | cut -d' ' -f2-)"
				say "  netfix seen   $([ -n "$_tev" ] && ms $_tc $_tev) ms, repaired $([ -n "$_tev" ] && ms $_tc $((_tev + _lat))) ms  $(grep "port_move $_ip" $LOGS/netfix.log | tail -n1)"
				say "  first packet  $(ms $_tc $_f) ms"
				rec tl_fdb_ms "$([ -n "$_fdb" ] && ms $_tc $_fdb || echo none)"
				rec tl_netfix_seen_ms "$([ -n "$_tev" ] && ms $_tc $_tev || echo none)"
				rec tl_repair_ms "$([ -n "$_tev" ] && ms $_tc $((_tev + _lat)) || echo none)"
				rec tl_first_packet_ms "$(ms $_tc $_f)"
			fi
		done
		# The next roam must meet an offloaded flow again.
		for s in $ROAMERS; do
			eval "_ip=\$STA_IP_$s"
			check "roam $WR: $s's flow offloaded again" ct_wait $_ip 1 10s
		done
		WFROM=$WPORT
		if [ $WTO = $BSSID_B ]; then WTO=$BSSID_A WPORT=wlan0; else WTO=$BSSID_B WPORT=$B_PORT; fi
		WR=$((WR + 1))
	done
	rec gaps_with_ms "$GAP_ON"
	rec resume_ms "$RESUME"
	rec repair_ms "$REPAIR"
	rec fdb_after_assoc_ms "$FDBOFF"
	rec netfix_seen_after_assoc_ms "$SEENOFF"
	if [ "$WIFI_FT" = 1 ]; then rec ft_completed_per_roam "$FTSTA"; fi

	# ---- the bystander on A ---------------------------------------------
	BYS_AFTER=$(bys_pkts)
	_ok=0
	for e in $BYS_BEFORE; do
		_a=$(echo "$BYS_AFTER" | awk -F: -v p=${e%%:*} '$1 == p {print $2}')
		[ -n "$_a" ] && [ "$_a" -gt ${e#*:} ] || _ok=1
	done
	say "bystander entries (sport:packets) before: $(echo $BYS_BEFORE) after: $(echo $BYS_AFTER)"
	check "bystander's entry kept counting (not deleted and recreated)" [ -n "$BYS_BEFORE" -a $_ok -eq 0 ]
	bs=$(nfvm stats -log $LOGS/bys.rx -from $TD)
	rec bystander_maxgap_ms "$(kv maxgap_ms "$bs")"
	check "bystander kept receiving (largest gap $(kv maxgap_ms "$bs") ms)" [ "$(kv maxgap_ms "$bs")" -le 1000 ]
	check "no heal event for the bystander" [ "$(heal_events_for $STA_IP_bys $LOGS/status.json)" -eq 0 ]
	[ $FAILS -eq 0 ] || { show_daemon_log 30; wifi_diag; }
	finish
}
