package heal

import (
	"errors"
	"fmt"
	"os"

	"github.com/netfix/netfix/src/internal/rootfs"
	"github.com/netfix/netfix/src/internal/smalljson"
)

// State is what survives a daemon restart (kept on tmpfs, so not a reboot,
// after which no offloaded flow survives either): the MAC of every host
// and the port of every MAC. Comparing it with a fresh dump at start finds
// hosts that changed while the daemon was down.
type State struct {
	Hosts []Host      `json:"hosts"`
	Ports []PortEntry `json:"ports"`
}

// PortEntry is one remembered FDB entry.
type PortEntry struct {
	Bridge int    `json:"bridge"`
	MAC    string `json:"mac"`
	VLAN   int    `json:"vlan,omitempty"`
	Port   int    `json:"port"`
}

// State exports the tracker for persistence.
func (t *Tracker) State() State {
	s := State{Hosts: t.Hosts(), Ports: []PortEntry{}}
	for k, p := range t.ports {
		s.Ports = append(s.Ports, PortEntry{Bridge: k.bridge, MAC: k.mac, VLAN: k.vlan, Port: p.port})
	}
	if s.Hosts == nil {
		s.Hosts = []Host{}
	}
	return s
}

// Restore loads a saved state into an empty tracker. The hosts count as
// remembered until a fresh dump confirms them. A file holds at most what
// a tracker can (MaxHosts, MaxPorts); anything past that, from an older
// netfix or a tampered file, is not loaded.
func (t *Tracker) Restore(s State) {
	for _, h := range s.Hosts {
		if len(t.hosts) >= MaxHosts {
			break
		}
		if !h.IP.IsValid() || h.MAC == "" {
			continue
		}
		k := hostKey{h.LinkIndex, h.IP.Unmap()}
		if t.hosts[k] != nil {
			continue
		}
		hc := h
		hc.IP = k.ip
		t.addHost(k, &hc)
		t.gone[k] = true
	}
	for _, p := range s.Ports {
		if len(t.ports) >= MaxPorts {
			break
		}
		if p.Bridge != 0 && p.MAC != "" {
			t.ports[fdbKey{p.Bridge, p.MAC, p.VLAN}] = portEntry{port: p.Port}
			t.changes++
		}
	}
}

// LoadState reads a saved state; a missing file is an empty state.
func LoadState(path string) (State, error) {
	// The state file is netfix's own, but a planted FIFO or a link to
	// /dev/zero must neither hang nor exhaust the daemon.
	b, err := rootfs.ReadFile("", path, rootfs.MaxFile)
	if errors.Is(err, os.ErrNotExist) {
		return State{}, nil
	}
	if err != nil {
		return State{}, fmt.Errorf("read state %s: %w", path, err)
	}
	var s State
	if err := smalljson.Unmarshal(b, &s); err != nil {
		return State{}, fmt.Errorf("state %s is corrupt (%v); starting without it", path, err)
	}
	return s, nil
}

// SaveState writes s atomically (temp file + rename), so a crash never
// leaves half a file, and never through a planted link (rootfs.WriteState).
func SaveState(path string, s State) error {
	b, err := smalljson.Marshal(s)
	if err != nil {
		return err
	}
	if err := rootfs.WriteState(path, b); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return nil
}
