package facts

// The facts of scenario S2 (conntrack table exhaustion): how full the table
// is, what the kernel counted, which timeouts are in effect and who holds
// the entries. They hang off Conntrack; the status document's "conntrack"
// section carries them as status.CTTable.

// CTStats are the kernel's conntrack statistics summed over CPUs
// (`conntrack -S`). ClashResolve and ChainTooLong exist only on newer
// kernels; Extended says whether they were read. The json tags are the
// format of the probe's conntrack-stats.json cache (probe.CTSample), not
// of the status document.
type CTStats struct {
	Found         uint64 `json:"found"`
	Invalid       uint64 `json:"invalid"`
	InsertFailed  uint64 `json:"insert_failed"`
	Drop          uint64 `json:"drop"`
	EarlyDrop     uint64 `json:"early_drop"`
	Error         uint64 `json:"error"`
	SearchRestart uint64 `json:"search_restart"`
	ClashResolve  uint64 `json:"clash_resolve"`
	ChainTooLong  uint64 `json:"chaintoolong"`
	Extended      bool   `json:"extended"`
}

// Refusals is what counts new connections the full table turned away:
// drop (no room), insert_failed (lost the insert race or no room) and
// early_drop (an unassured entry evicted to make room).
func (s CTStats) Refusals() uint64 {
	return s.Drop + s.InsertFailed + s.EarlyDrop
}

// Since returns the growth from prev to s. A counter that went backwards
// (module reloaded, namespace recreated) counts from zero.
func (s CTStats) Since(prev CTStats) CTStats {
	d := func(a, b uint64) uint64 {
		if a < b {
			return a
		}
		return a - b
	}
	return CTStats{
		Found: d(s.Found, prev.Found), Invalid: d(s.Invalid, prev.Invalid),
		InsertFailed: d(s.InsertFailed, prev.InsertFailed), Drop: d(s.Drop, prev.Drop),
		EarlyDrop: d(s.EarlyDrop, prev.EarlyDrop), Error: d(s.Error, prev.Error),
		SearchRestart: d(s.SearchRestart, prev.SearchRestart),
		ClashResolve:  d(s.ClashResolve, prev.ClashResolve), ChainTooLong: d(s.ChainTooLong, prev.ChainTooLong),
		Extended: s.Extended && prev.Extended,
	}
}

// CTTimeouts are the sysctls under /proc/sys/net/netfilter that decide how
// long entries live. Read is false when they could not be read (no
// nf_conntrack module in this namespace, or a kernel without them).
type CTTimeouts struct {
	Read bool
	// Established is nf_conntrack_tcp_timeout_established: the kernel's
	// default is 432000 s (5 days), OpenWrt ships 7440 s.
	Established uint32
	UDP         uint32
	UDPStream   uint32
	// Loose is nf_conntrack_tcp_loose: mid-stream pickup, so a deleted
	// entry of a live TCP flow is re-created by its next packet.
	Loose bool
	// Acct is nf_conntrack_acct (packet and byte counters per entry).
	// netfix's idle time does not need it.
	Acct bool
	// Policies are the nftables `ct timeout` objects ("inet fw4 name"):
	// entries under one keep its timeouts, not the sysctls, so idle times
	// cannot be told and netfix frees nothing by idle time.
	Policies []string
	// PoliciesError says why the policies could not be listed: they are
	// then unknown, and netfix frees nothing by idle time either.
	PoliciesError string
}

// IdleUntold reports whether timeout policies exist or may exist, so an
// entry's idle time cannot be told from the established sysctl.
func (t CTTimeouts) IdleUntold() bool { return len(t.Policies) > 0 || t.PoliciesError != "" }

// CTCount is one row of a breakdown.
type CTCount struct {
	Key   string
	Count int
}

// IdleEdges are the lower bounds, in seconds, of the idle-time histogram
// buckets: < 1 min, 1-10 min, 10 min-1 h, 1 h-2 h 4 min, 2 h 4 min-6 h,
// 6 h-1 day, over a day. 3600 is reclaim_idle's default and 7440 OpenWrt's
// established timeout (just above the 7200 s TCP keepalive), so the counts
// the fix quotes fall on edges.
var IdleEdges = []uint32{0, 60, 600, 3600, 7440, 21600, 86400}

// IdleBucketOf returns the index in IdleEdges of an idle time.
func IdleBucketOf(idle uint32) int {
	i := 0
	for j, e := range IdleEdges {
		if idle >= e {
			i = j
		}
	}
	return i
}

// CTHost is one LAN host (the connection's originator, NAT-aware) and the
// entries it holds.
type CTHost struct {
	Addr string
	// Name comes from /tmp/dhcp.leases or /etc/ethers: chosen by the LAN
	// client, so it is text to show, never markup or a command.
	Name    string
	Entries int
	// Established counts its ESTABLISHED TCP entries; Idle splits those
	// by idle time along IdleEdges.
	Established int
	Idle        []int
}

// IdleAtLeast reports how many of h's established entries have been idle
// for at least edge seconds, where edge is one of IdleEdges (0 otherwise).
func (h CTHost) IdleAtLeast(edge uint32) int {
	return idleAtLeast(h.Idle, edge)
}

func idleAtLeast(buckets []int, edge uint32) int {
	n := 0
	for i, e := range IdleEdges {
		if e >= edge && i < len(buckets) {
			n += buckets[i]
		}
	}
	return n
}

// CTUsage is the breakdown of one full dump of the table.
type CTUsage struct {
	// Dumped is the number of entries the dump returned.
	Dumped    int
	Protocols []CTCount
	TCPStates []CTCount
	// Ports are the busiest destination ports ("tcp/6881"), at most
	// MaxTopRows.
	Ports []CTCount
	// Hosts are the hosts holding the most entries, at most MaxTopRows;
	// HostsTotal counts every distinct host seen.
	Hosts      []CTHost
	HostsTotal int
	// Established counts ESTABLISHED TCP entries; Idle splits them by
	// idle time along IdleEdges (IdleEdgesS repeats the edges so the
	// document explains itself).
	Established int
	IdleEdgesS  []uint32
	Idle        []int
	// IdleUnknown counts established entries whose remaining timeout is
	// longer than the established timeout in effect: their timer was set
	// under a longer timeout (the sysctl was lowered since) or by a `ct
	// timeout` policy, so their idle time cannot be told. They are in no
	// Idle bucket.
	IdleUnknown int
}

// MaxTopRows caps the hosts and ports lists of the document.
const MaxTopRows = 10

// IdleAtLeast reports how many established entries of the whole table have
// been idle for at least edge seconds (edge one of IdleEdges).
func (u CTUsage) IdleAtLeast(edge uint32) int {
	return idleAtLeast(u.Idle, edge)
}

// CTReclaim is the daemon's reclaim setting, filled in by the daemon (nil
// in a one-shot check).
type CTReclaim struct {
	Enabled     bool
	IdleSeconds uint32
	// Reclaimable counts the established entries idle for at least
	// IdleSeconds in the last dump: what a reclaim run may delete (it
	// stops once the table is under 75 %).
	Reclaimable int
}

// CTTable gathers the S2 facts of the table.
type CTTable struct {
	// Buckets is nf_conntrack_buckets (hash table size).
	Buckets uint32
	// MemTotal is MemTotal of /proc/meminfo in bytes, to size a larger
	// nf_conntrack_max (about 300 bytes an entry).
	MemTotal uint64
	// Stats are the counters now; Growth is how much they grew over
	// GrowthSeconds since the previous sample (nil on a first sample).
	Stats         CTStats
	Growth        *CTStats
	GrowthSeconds int
	Timeouts      CTTimeouts
	// Usage is the breakdown of a full dump; nil when none was taken (the
	// daemon dumps only when a threshold is crossed or drops grow).
	// UsageError says why a dump failed.
	Usage      *CTUsage
	UsageError string
	Reclaim    *CTReclaim
}

// Fill is entries / max in percent (0 when max is unknown).
func (c Conntrack) Fill() float64 {
	if c.Max == 0 {
		return 0
	}
	return float64(c.Entries) * 100 / float64(c.Max)
}
