package config

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/netfix/netfix/src/internal/rootfs"
)

// DefaultPath is the daemon's config file on OpenWrt.
const DefaultPath = "/etc/config/netfix"

// Log levels.
const (
	LevelError = "error"
	LevelWarn  = "warn"
	LevelInfo  = "info"
	LevelDebug = "debug"
)

// Config is the checked daemon configuration.
type Config struct {
	// Enabled: the daemon runs at all (procd also reads it).
	Enabled bool
	// Heal: delete stale offloaded entries; false only watches and reports.
	Heal bool
	// DryRun: report what would be deleted, delete nothing.
	DryRun bool
	// LogLevel is error, warn, info or debug.
	LogLevel string
	// IgnoreInterfaces are link names whose neighbours are never repaired.
	IgnoreInterfaces []string
	// IgnoreHosts are addresses or prefixes never repaired.
	IgnoreHosts []netip.Prefix
	// SweepInterval is how often the daemon looks at the kernel: the
	// conntrack table's size and counters every time, everything behind
	// the findings when they (or a firewall file) changed, at least every
	// 2 minutes, and when a status read finds the findings older than this
	// or the ruleset changed.
	SweepInterval time.Duration
	// RepairBurst repairs of one host are allowed per RepairWindow.
	RepairBurst  int
	RepairWindow time.Duration
	// ForwardingGuard sets an interface's IPv4 forwarding back to 1 when it
	// flips to 0 while global forwarding stays on (scenario S3). Off by
	// default: it overrides whoever wrote the 0.
	ForwardingGuard bool
	// ConntrackReclaim and ReclaimIdle: see conntrack.go.
	ConntrackReclaim bool
	ReclaimIdle      uint32
	// MetricsFile is where the daemon writes its Prometheus metrics
	// after each sweep and each repair (option metrics_file); empty when
	// the file does not set it, and the daemon then uses its
	// --metrics-file default (none on OpenWrt; the .deb's unit names
	// node exporter's textfile directory). MetricsOff is metrics_file
	// 'off': no file, whatever the default.
	MetricsFile string
	MetricsOff  bool
}

// Default is the configuration out of the box: the package exists to
// repair, so healing is on.
func Default() Config {
	return Config{
		Enabled:       true,
		Heal:          true,
		LogLevel:      LevelInfo,
		SweepInterval: 30 * time.Second,
		RepairBurst:   10,
		RepairWindow:  time.Minute,
		ReclaimIdle:   DefaultReclaimIdle,
	}
}

// Problem is one issue found in the file, with where to fix it.
type Problem struct {
	File   string
	Line   int
	Option string
	Msg    string
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc += fmt.Sprintf(" line %d", p.Line)
	}
	if p.Option != "" {
		loc += fmt.Sprintf(" (option %s)", p.Option)
	}
	return loc + ": " + p.Msg
}

// Load reads path. A missing file gives the defaults. A file that cannot
// be read or parsed returns an error naming the file and line (the caller
// decides what to run with: see Fallback), and a bad value keeps that
// option's default and adds a Problem: the daemon never dies on a typo.
func Load(path string) (Config, []Problem, error) {
	cfg := Default()
	body, err := rootfs.ReadFile("", path, rootfs.MaxFile)
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, nil, nil
	}
	if err != nil {
		return cfg, nil, err // names the file and says why
	}
	u, err := ReadUCI(path, body, "netfix")
	if err != nil {
		return cfg, nil, errors.New(DescribeSyntax(body, err))
	}
	secs := u.Sections("netfix")
	if len(secs) == 0 {
		return cfg, []Problem{{File: path, Msg: "no `config netfix 'main'` section; using defaults"}}, nil
	}
	p := parser{file: path, u: u, sec: secs[0], problems: u.Problems}

	p.boolean("enabled", &cfg.Enabled)
	p.boolean("heal", &cfg.Heal)
	p.boolean("dry_run", &cfg.DryRun)
	p.boolean("forwarding_guard", &cfg.ForwardingGuard)
	if v, ok := p.get("log_level"); ok {
		switch v {
		case LevelError, LevelWarn, LevelInfo, LevelDebug:
			cfg.LogLevel = v
		default:
			p.problem("log_level", fmt.Sprintf("%s is not one of error, warn, info, debug; using %s", Quote(v), cfg.LogLevel))
		}
	}
	if v, ok := p.get("sweep_interval"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 5 || n > 3600 {
			p.problem("sweep_interval", fmt.Sprintf("%s is not a number of seconds from 5 to 3600; using %d", Quote(v), int(cfg.SweepInterval.Seconds())))
		} else {
			cfg.SweepInterval = time.Duration(n) * time.Second
		}
	}
	if v, ok := p.get("repair_burst"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			p.problem("repair_burst", fmt.Sprintf("%s is not a number from 1 to 1000; using %d", Quote(v), cfg.RepairBurst))
		} else {
			cfg.RepairBurst = n
		}
	}
	for i, v := range p.list("ignore_interface") {
		if v == "" || len(v) > 15 || strings.ContainsAny(v, "/ \t") {
			p.entryProblem("ignore_interface", i, fmt.Sprintf("%s is not an interface name; ignored", Quote(v)))
			continue
		}
		cfg.IgnoreInterfaces = append(cfg.IgnoreInterfaces, v)
	}
	for i, v := range p.list("ignore_host") {
		pfx, err := parseHost(v)
		if err != nil {
			p.entryProblem("ignore_host", i, fmt.Sprintf("%s is not an IP address or prefix; ignored", Quote(v)))
			continue
		}
		cfg.IgnoreHosts = append(cfg.IgnoreHosts, pfx)
	}
	if v, ok := p.get("metrics_file"); ok {
		switch {
		case v == "off" || v == "0":
			cfg.MetricsOff = true
		case !strings.HasPrefix(v, "/") || strings.HasSuffix(v, "/"):
			p.problem("metrics_file", fmt.Sprintf("%s is not an absolute file path (e.g. /var/run/netfix/metrics.prom) or 'off'; writing no metrics file", Quote(v)))
			cfg.MetricsOff = true
		default:
			cfg.MetricsFile = v
		}
	}
	parseConntrack(&p, &cfg)
	sort.SliceStable(p.problems, func(i, j int) bool { return p.problems[i].Line < p.problems[j].Line })
	return cfg, p.problems, nil
}

func parseHost(v string) (netip.Prefix, error) {
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Ignored reports whether repairs of ip on iface are switched off.
func (c Config) Ignored(iface string, ip netip.Addr) bool {
	for _, i := range c.IgnoreInterfaces {
		if i == iface {
			return true
		}
	}
	for _, p := range c.IgnoreHosts {
		if p.Contains(ip.Unmap()) {
			return true
		}
	}
	return false
}

// Mode is the heal mode the status document reports.
func (c Config) Mode() string {
	switch {
	case !c.Heal:
		return "off"
	case c.DryRun:
		return "dry_run"
	default:
		return "heal"
	}
}

type parser struct {
	file, sec string
	u         *UCI
	problems  []Problem
}

func (p *parser) get(opt string) (string, bool) {
	v, ok := p.u.GetLast(p.sec, opt)
	return strings.TrimSpace(v), ok && v != ""
}

func (p *parser) list(opt string) []string {
	return p.u.Get(p.sec, opt)
}

func (p *parser) boolean(opt string, dst *bool) {
	v, ok := p.get(opt)
	if !ok {
		return
	}
	switch strings.ToLower(v) {
	case "1", "on", "true", "yes", "enabled":
		*dst = true
	case "0", "off", "false", "no", "disabled":
		*dst = false
	default:
		p.problem(opt, fmt.Sprintf("%s is not a boolean (use '1' or '0'); using %s", Quote(v), map[bool]string{true: "'1'", false: "'0'"}[*dst]))
	}
}

func (p *parser) problem(opt, msg string) {
	p.problems = append(p.problems, Problem{File: p.file, Line: p.u.Line(p.sec, opt), Option: opt, Msg: msg})
}

// entryProblem is a problem of the i-th entry of list opt, on its own line.
func (p *parser) entryProblem(opt string, i int, msg string) {
	p.problems = append(p.problems, Problem{File: p.file, Line: p.u.EntryLine(p.sec, opt, i), Option: opt, Msg: msg})
}
