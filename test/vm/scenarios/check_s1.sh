#!/bin/sh
# netfix check in the S1 state, no daemon: the ports layout with flows
# really offloaded by the kernel's flowtable. The report must count them
# right (OFFLOAD > 0, HW_OFFLOAD = 0: veth cannot offload to hardware) and
# name the stale-prone layout; then the same check with the daemon healing.
# needs: netfix
# timeout: 120
. /vm/scenarios/lib.sh

H1=192.168.1.240
H2=192.168.1.50
OLD=02:00:00:00:01:40

topo_up ports dnat
two_hosts_flowing
sleep 1
cnt=$(ct_count "")
say "conntrack: $cnt"

# check_json FILE: netfix check --json into FILE; exit 0/1/2 is the
# verdict, 3 means it could not run.
check_json() {
	nsx router netfix check --json --socket $SOCK >"$1" 2>>$LOGS/check.err
	_rc=$?
	say "netfix check exit $_rc, verdict $(nfvm json "$1" .verdict 2>/dev/null)"
	[ $_rc -lt 3 ]
}
# finding_severity FILE ID: the severity of finding ID, empty if absent.
finding_severity() {
	_n=$(nfvm json "$1" '.findings#' 2>/dev/null)
	_i=0
	while [ $_i -lt "${_n:-0}" ]; do
		if [ "$(nfvm json "$1" ".findings[$_i].id")" = "$2" ]; then
			nfvm json "$1" ".findings[$_i].severity"
			return
		fi
		_i=$((_i + 1))
	done
}

check "netfix check runs" check_json $LOGS/check.json
off=$(nfvm json $LOGS/check.json .conntrack.offloaded)
hw=$(nfvm json $LOGS/check.json .conntrack.hw_offloaded)
want=$(kv offloaded "$cnt")
rec offloaded "$off"
rec hw_offloaded "$hw"
check "OFFLOAD counted: $off (conntrack has $want)" [ "$off" -ge 2 -a "$off" -eq "$want" ]
check "HW_OFFLOAD counted as 0: $hw" [ "$hw" -eq 0 ]
check "table size counted" [ "$(nfvm json $LOGS/check.json .conntrack.entries)" -eq "$(kv total "$cnt")" ]
sev=$(finding_severity $LOGS/check.json offload.stale_prone)
rec stale_prone "$sev"
check "offload.stale_prone is reported as critical without a healer (got '$sev')" [ "$sev" = critical ]
check "verdict critical" [ "$(nfvm json $LOGS/check.json .verdict)" = critical ]

check "netfix daemon starts" daemon_start
check "netfix check runs with the daemon up" check_json $LOGS/check-healing.json
sev=$(finding_severity $LOGS/check-healing.json offload.stale_prone)
rec stale_prone_healing "$sev"
check "offload.stale_prone is info while the healer runs (got '$sev')" [ "$sev" = info ]
[ $FAILS -eq 0 ] || show_daemon_log
finish
