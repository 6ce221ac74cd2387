package metrics

import (
	"sort"
	"strings"
	"sync"

	"github.com/netfix/netfix/src/internal/status"
)

// Repair results, the result label of netfix_repairs_total.
const (
	ResultOK          = "ok"           // deleted what it matched
	ResultError       = "error"        // a delete or the dump failed
	ResultRateLimited = "rate_limited" // repair_burst refused it
	ResultDryRun      = "dry_run"      // counted, deleted nothing
)

// Event reasons netfix_repairs_total and netfix_flows_deleted_total are
// exported with from zero (heal.Reason*, status.ReasonManual). Any other
// reason is counted as "other", so the label stays bounded.
var repairReasons = []string{"mac_change", "port_move", "neighbour_failed", "reconcile", status.ReasonManual}

// Conntrack table event reasons (daemon.ReasonConntrack*): threshold
// crossings and drop bursts are not repairs; a reclaim deletes entries.
var conntrackReasons = []string{"conntrack_full", "conntrack_dropping", "conntrack_reclaim"}

var results = []string{ResultOK, ResultError, ResultRateLimited, ResultDryRun}

// Buckets are the upper bounds, in seconds, of the repair latency
// histogram: from 1 ms (a delete right after the netlink event on an idle
// router) to 10 s (a flood under a full table); 1 s is an edge because the
// "slow repair" alert counts the repairs above it.
var Buckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// MaxInterfaces caps the interfaces of netfix_forwarding_changes_total and
// netfix_forwarding_enabled; changes on further interfaces are counted
// under interface "other".
const MaxInterfaces = 32

// OtherInterface is the interface label past MaxInterfaces.
const OtherInterface = "other"

type repairKey struct{ reason, result string }

type fwKey struct{ iface, family string }

// Counters are the daemon's running totals since it started. Safe for
// concurrent use; the nil *Counters counts nothing. Bounded: repairs and
// flows by the fixed reasons (plus "other"), forwarding changes by at most
// MaxInterfaces+1 interfaces times two families.
type Counters struct {
	mu       sync.Mutex
	repairs  map[repairKey]uint64
	flows    map[string]uint64
	ctEvents map[string]uint64
	latency  histogram
	fw       map[fwKey]uint64
}

type histogram struct {
	counts []uint64 // per bucket, not cumulative; len(Buckets)+1 (the last is +Inf)
	count  uint64
	sum    float64
}

func (h *histogram) observe(v float64) {
	if h.counts == nil {
		h.counts = make([]uint64, len(Buckets)+1)
	}
	i := sort.SearchFloat64s(Buckets, v) // first bound >= v: le is inclusive
	h.counts[i]++
	h.count++
	h.sum += v
}

// NewCounters returns counters at zero.
func NewCounters() *Counters {
	return &Counters{
		repairs: map[repairKey]uint64{}, flows: map[string]uint64{},
		ctEvents: map[string]uint64{}, fw: map[fwKey]uint64{},
	}
}

// Classify returns the result label of a heal event.
func Classify(e status.Event) string {
	switch {
	case strings.HasPrefix(e.Error, status.RateLimitedPrefix):
		return ResultRateLimited
	case e.Error != "":
		return ResultError
	case e.DryRun:
		return ResultDryRun
	default:
		return ResultOK
	}
}

func known(list []string, v string) string {
	for _, k := range list {
		if k == v {
			return v
		}
	}
	return "other"
}

// Event counts one event of the daemon's journal: a repair or a manual
// flush (netfix_repairs_total, netfix_flows_deleted_total and, unless it
// was rate limited, the latency histogram), or a conntrack table event.
func (c *Counters) Event(e status.Event) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if status.IsTableEvent(e) {
		r := known(conntrackReasons, e.Reason)
		c.ctEvents[r]++
		if !e.DryRun {
			c.flows[r] += uint64(e.FlowsDeleted)
		}
		return
	}
	r := known(repairReasons, e.Reason)
	res := Classify(e)
	c.repairs[repairKey{r, res}]++
	if !e.DryRun {
		c.flows[r] += uint64(e.FlowsDeleted)
	}
	if res != ResultRateLimited {
		c.latency.observe(float64(e.LatencyUS) / 1e6)
	}
}

// Forwarding counts one flip of a forwarding switch.
func (c *Counters) Forwarding(e status.ForwardingEvent) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := fwKey{e.Interface, e.Family}
	if _, ok := c.fw[k]; !ok && c.interfaces() >= MaxInterfaces {
		k.iface = OtherInterface
	}
	c.fw[k]++
}

// interfaces counts the distinct interfaces of c.fw (c.mu held).
func (c *Counters) interfaces() int {
	seen := map[string]bool{}
	for k := range c.fw {
		if k.iface != OtherInterface {
			seen[k.iface] = true
		}
	}
	return len(seen)
}

// snapshot copies the counters for Render.
func (c *Counters) snapshot() *Counters {
	out := NewCounters()
	if c == nil {
		return out
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, v := range c.repairs {
		out.repairs[k] = v
	}
	for k, v := range c.flows {
		out.flows[k] = v
	}
	for k, v := range c.ctEvents {
		out.ctEvents[k] = v
	}
	for k, v := range c.fw {
		out.fw[k] = v
	}
	out.latency = histogram{counts: append([]uint64(nil), c.latency.counts...), count: c.latency.count, sum: c.latency.sum}
	return out
}
