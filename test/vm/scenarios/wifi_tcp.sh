#!/bin/sh
# wifi_roam with a TCP download (the WAN peer writes a line every 10 ms to a
# listener on the station, which echoes it): after a roam the flow comes back
# with the next retransmission. Same assertions.
# needs: netfix
# timeout: 200
. /vm/scenarios/lib.sh
. /vm/scenarios/wifilib.sh

WIFI_PROTO=tcp
wifi_run
