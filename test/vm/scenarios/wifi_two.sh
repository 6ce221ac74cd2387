#!/bin/sh
# Two stations roam at once between the router's radios (their roam
# commands issued together), a bystander station stays on wlan0. Same
# assertions, for each roamer; the bystander's entry untouched.
# needs: netfix
# timeout: 240
. /vm/scenarios/lib.sh
. /vm/scenarios/wifilib.sh

WIFI_ROAMERS=2
wifi_run
