// Package hostconf reads the host's configuration files, below the root
// of the environment and confined to it (rootfs): OpenWrt's UCI firewall
// and network (with UCICache, which keeps their parses while the files
// stand), systemd-networkd's .network files and networkd.conf (and,
// over D-Bus, which file manages a link), and sysctl.d. It reads no
// kernel state and writes nothing.
package hostconf
