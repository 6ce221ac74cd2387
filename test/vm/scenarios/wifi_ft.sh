#!/bin/sh
# wifi_roam with 802.11r fast BSS transition: hostapd FT-PSK (one mobility
# domain, ft_psk_generate_local), wpa_supplicant key_mgmt FT-PSK, `wpa_cli
# roam` does FT over the air (a reassociation without the 4-way handshake,
# so the station is authorized, and the Layer-2 Update sent, at another
# moment). Same assertions.
# needs: netfix
# timeout: 200
. /vm/scenarios/lib.sh
. /vm/scenarios/wifilib.sh

WIFI_FT=1
wifi_run
