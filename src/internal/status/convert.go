package status

import "github.com/netfix/netfix/src/internal/facts"

// This file turns the probe's facts into the document's wire types, field
// by field: a fact can be renamed, split or gain members without the
// document changing, and a member of the document is added here on
// purpose. Lists the document always carries (LuCI iterates them) come out
// as [] rather than null; the others keep null where the facts had none.

func firewallDoc(f facts.Firewall) Firewall {
	return Firewall{
		Path: f.Path, Present: f.Present, Error: f.Error,
		FlowOffloading: f.FlowOffloading, FlowOffloadingHW: f.FlowOffloadingHW,
	}
}

func offloadDoc(s facts.Snapshot) Offload {
	o := s.Offload
	fts := make([]Flowtable, len(o.Flowtables))
	for i, ft := range o.Flowtables {
		devs := make([]Device, len(ft.Devices))
		for j, d := range ft.Devices {
			devs[j] = Device{
				Name: d.Name, Kind: d.Kind, LinkType: d.LinkType, Master: d.Master,
				Parent: d.Parent, Driver: d.Driver,
				HWTCOffload: d.HWTCOffload, HWTCOffloadKnown: d.HWTCOffloadKnown,
			}
		}
		fts[i] = Flowtable{
			Table: ft.Table, Family: ft.Family, Name: ft.Name, Hook: ft.Hook, Priority: ft.Priority,
			HWOffloadFlag: ft.HWOffloadFlag, Counter: ft.Counter, Referenced: ft.Referenced,
			Devices: devs,
		}
	}
	return Offload{
		KernelSupport: o.KernelSupport, Error: o.Error, Mode: o.Mode,
		EffectiveMode: facts.EffectiveMode(s),
		Tables:        always(o.Tables), Flowtables: fts,
	}
}

func conntrackDoc(c facts.Conntrack) Conntrack {
	out := Conntrack{
		Available: c.Available, Error: c.Error, Entries: c.Entries, Max: c.Max,
		Dumped: c.Dumped, Offloaded: c.Offloaded, HWOffloaded: c.HWOffloaded,
		OffloadCountedAt: c.OffloadCountedAt,
	}
	if t := c.Table; t != nil {
		tt := &CTTable{
			Buckets: t.Buckets, MemTotal: t.MemTotal, Stats: ctStatsDoc(t.Stats),
			GrowthSeconds: t.GrowthSeconds,
			Timeouts: CTTimeouts{
				Read: t.Timeouts.Read, Established: t.Timeouts.Established,
				UDP: t.Timeouts.UDP, UDPStream: t.Timeouts.UDPStream,
				Loose: t.Timeouts.Loose, Acct: t.Timeouts.Acct,
				Policies: t.Timeouts.Policies, PoliciesError: t.Timeouts.PoliciesError,
			},
			UsageError: t.UsageError,
		}
		if t.Growth != nil {
			g := ctStatsDoc(*t.Growth)
			tt.Growth = &g
		}
		if u := t.Usage; u != nil {
			tt.Usage = &CTUsage{
				Dumped: u.Dumped, Protocols: ctCountsDoc(u.Protocols),
				TCPStates: ctCountsDoc(u.TCPStates), Ports: ctCountsDoc(u.Ports),
				HostsTotal: u.HostsTotal, Established: u.Established,
				IdleEdgesS: u.IdleEdgesS, Idle: u.Idle, IdleUnknown: u.IdleUnknown,
			}
			if u.Hosts != nil {
				hs := make([]CTHost, len(u.Hosts))
				for i, h := range u.Hosts {
					hs[i] = CTHost{Addr: h.Addr, Name: h.Name, Entries: h.Entries, Established: h.Established, Idle: h.Idle}
				}
				tt.Usage.Hosts = hs
			}
		}
		if r := t.Reclaim; r != nil {
			tt.Reclaim = &CTReclaim{Enabled: r.Enabled, IdleSeconds: r.IdleSeconds, Reclaimable: r.Reclaimable}
		}
		out.Table = tt
	}
	return out
}

func ctStatsDoc(s facts.CTStats) CTStats {
	return CTStats{
		Found: s.Found, Invalid: s.Invalid, InsertFailed: s.InsertFailed, Drop: s.Drop,
		EarlyDrop: s.EarlyDrop, Error: s.Error, SearchRestart: s.SearchRestart,
		ClashResolve: s.ClashResolve, ChainTooLong: s.ChainTooLong, Extended: s.Extended,
	}
}

func ctCountsDoc(cs []facts.CTCount) []CTCount {
	if cs == nil {
		return nil
	}
	out := make([]CTCount, len(cs))
	for i, c := range cs {
		out[i] = CTCount{Key: c.Key, Count: c.Count}
	}
	return out
}

func forwardingDoc(f facts.Forwarding) Forwarding {
	ifs := make([]ForwardingInterface, len(f.Interfaces))
	for i, x := range f.Interfaces {
		ifs[i] = ForwardingInterface{
			Name: x.Name, IPv4: x.IPv4, IPv6: x.IPv6,
			ForceForwarding: x.ForceForwarding, ForceForwardingKnown: x.ForceForwardingKnown,
			Roles: always(x.Roles), NetworkFile: x.NetworkFile,
			NetworkKeys: configLinesDoc(x.NetworkKeys), Since: x.Since,
		}
	}
	sys := make([]SysctlLine, len(f.Sysctl))
	for i, l := range f.Sysctl {
		sys[i] = SysctlLine{ConfigLine: configLineDoc(l.ConfigLine), Overridden: l.Overridden}
	}
	c := f.Counters
	return Forwarding{
		Error: f.Error, IPv4: f.IPv4, IPv6: f.IPv6, IPv6Present: f.IPv6Present,
		Interfaces: ifs,
		Counters: ForwardingCounters{
			InAddrErrors: c.InAddrErrors, Ip6InAddrErrors: c.Ip6InAddrErrors, Ip6OutNoRoutes: c.Ip6OutNoRoutes,
			Sampled: c.Sampled, IntervalSeconds: c.IntervalSeconds,
			InAddrErrorsGrowth: c.InAddrErrorsGrowth, Ip6InAddrErrorsGrowth: c.Ip6InAddrErrorsGrowth,
			Ip6OutNoRoutesGrowth: c.Ip6OutNoRoutesGrowth,
		},
		IPv6Signals: always(f.IPv6Signals),
		Sysctl:      sys,
		Networkd: Networkd{
			State: f.Networkd.State, Error: f.Networkd.Error, Version: f.Networkd.Version,
			Conf: configLinesDoc(f.Networkd.Conf),
		},
		OpenWrt: f.OpenWrt,
	}
}

func configLineDoc(l facts.ConfigLine) ConfigLine {
	return ConfigLine{File: l.File, Line: l.Line, Key: l.Key, Value: l.Value}
}

// configLinesDoc is never null.
func configLinesDoc(ls []facts.ConfigLine) []ConfigLine {
	out := make([]ConfigLine, len(ls))
	for i, l := range ls {
		out[i] = configLineDoc(l)
	}
	return out
}

func bridgeNFDoc(b facts.BridgeNF) BridgeNF {
	brs := make([]Bridge, len(b.Bridges))
	for i, x := range b.Bridges {
		brs[i] = Bridge{
			Name: x.Name, Addresses: always(x.Addresses), Ports: always(x.Ports),
			RPFilter: x.RPFilter, RPFilterEffective: x.RPFilterEffective,
			ARPIgnoreEffective: x.ARPIgnoreEffective,
		}
	}
	links := make([]BridgeLink, len(b.Links))
	for i, l := range b.Links {
		links[i] = BridgeLink{Veth: l.Veth, Peer: l.Peer, Bridge: l.Bridge, PeerBr: l.PeerBr}
	}
	dnat := make([]NATRule, len(b.DNATNoIif))
	for i, r := range b.DNATNoIif {
		dnat[i] = NATRule{
			Family: r.Family, Table: r.Table, Chain: r.Chain, Handle: r.Handle,
			NotIif: r.NotIif, Proto: r.Proto, Port: r.Port, To: r.To, Compat: r.Compat,
		}
	}
	notrack := make([]NotrackRule, len(b.Notrack))
	for i, r := range b.Notrack {
		notrack[i] = NotrackRule{Family: r.Family, Table: r.Table, Chain: r.Chain, Iif: r.Iif}
	}
	c := b.Counters
	return BridgeNF{
		Error: b.Error, Loaded: b.Loaded,
		CallIPTables: b.CallIPTables, CallIP6Tables: b.CallIP6Tables, CallARPTables: b.CallARPTables,
		RPFilterAll: b.RPFilterAll, Bridges: brs, Links: links, DNATNoIif: dnat, Notrack: notrack,
		IPTablesNFT: b.IPTablesNFT,
		Counters: CounterSample{
			Sampled: c.Sampled, First: ctCountersDoc(c.First), Second: ctCountersDoc(c.Second),
			IntervalMS: c.IntervalMS,
		},
		Mirrors: MirrorPairs(b.Mirrors),
	}
}

// MirrorPairs is the wire form of the mirror pairs: the document's
// bridge_nf.mirrors, and the daemon's healer message (assess.Healer).
func MirrorPairs(ms []facts.MirrorPair) []MirrorPair {
	out := make([]MirrorPair, len(ms))
	for i, m := range ms {
		out[i] = MirrorPair{First: m.First, Second: m.Second, RewrittenPort: m.RewrittenPort, SeenAt: m.SeenAt}
	}
	return out
}

func ctCountersDoc(c facts.CTCounters) CTCounters {
	return CTCounters{
		Found: c.Found, Invalid: c.Invalid, InsertFailed: c.InsertFailed,
		ClashResolve: c.ClashResolve, HasClashResolve: c.HasClashResolve,
	}
}

// always is l, or [] for nil so the document never carries null there.
func always(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
