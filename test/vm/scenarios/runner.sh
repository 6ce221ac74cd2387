#!/bin/sh
# Runs scenarios one after another in one boot of the flowtable VM, with a
# clean set of network namespaces for each. Usage: runner.sh LIST [ARGS]
# where LIST is comma separated scenario names, "suite" (every assertion
# scenario, the `make vm-test` set) or "bench".
. /vm/scenarios/lib.sh

SUITE="s1_control s1_heal late_flowtable port_move_control port_move bridge_layout multi_host ipv6 ipv6_heal dry_run reconcile s2_fix s2_reclaim check_s1 arp_flap ignore_host heal_off flush port_move_down wifi_roam wifi_tcp wifi_foreign wifi_two wifi_ft"

list=$(echo "$1" | tr ',' ' ')
export NETFIX_ARGS="$2"
case $list in
suite | all | "") list=$SUITE ;;
esac

for s in $list; do
	f=/vm/scenarios/$s.sh
	if [ ! -f "$f" ]; then
		echo "NETFIX-RESULT scenario=$s pass=0 failed=no_such_scenario"
		continue
	fi
	# Scenarios tagged "needs: netfix" cannot run without the binary.
	if grep -q '^# needs: netfix' "$f" && [ ! -x /usr/bin/netfix ]; then
		echo "NETFIX-RESULT scenario=$s pass=0 failed=netfix_binary_missing_from_image"
		continue
	fi
	limit=$(sed -n 's/^# timeout: *//p' "$f")
	echo "NETFIX-START scenario=$s uptime=$(cut -d' ' -f1 /proc/uptime)"
	start=$(nfvm now)
	# No pipe: the scenario's background processes must not hold it open.
	SCEN=$s timeout -s KILL "${limit:-240}" sh "$f" 2>&1
	if ! grep -q "^NETFIX-RESULT scenario=$s " /tmp/results 2>/dev/null; then
		echo "NETFIX-RESULT scenario=$s pass=0 failed=no_result_(crashed_or_timed_out_after_${limit:-240}s)"
	fi
	teardown_all
	echo "NETFIX-END scenario=$s seconds=$((($(nfvm now) - start) / 1000000))"
done
