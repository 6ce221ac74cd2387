#!/usr/bin/env bash
# `make demo`: builds netfix and the flowtable VM, boots it once and shows,
# with the numbers of this run, the S1 outage without netfix and the repair
# with it. About a minute under TCG (the first run also downloads Debian's
# kernel package, ~70 MB).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
echo "netfix demo: building netfix and the VM image..."
"$ROOT/test/vm/build.sh" 2>&1 | sed 's/^/  /'
echo "booting the VM (Debian kernel under QEMU; no network outside the VM)..."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
rc=0
"$ROOT/test/vm/run.sh" --no-build --quiet --results "$out" demo | sed -n 's/^NETFIX-DEMO \{0,1\}//p; /^vm: the guest did not finish/p' || rc=$?
if ! grep -q ' pass=1' "$out"; then
	echo
	echo "demo: something did not go as described above; full log: build/vm/logs/ (latest *-demo.log)"
	exit 1
fi
exit $rc
