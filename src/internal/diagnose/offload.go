package diagnose

import (
	"fmt"
	"slices"
	"strings"

	"github.com/netfix/netfix/src/internal/facts"
	"github.com/netfix/netfix/src/internal/status"
)

// Finding IDs of the offload family. They are part of the status schema.
const (
	IDHWIneffective     = "offload.hw_ineffective"
	IDStaleProne        = "offload.stale_prone"
	IDConfigMismatch    = "offload.config_mismatch"
	IDHWFallback        = "offload.hw_fallback"
	IDKernelUnsupported = "offload.kernel_unsupported"
	IDSummary           = "offload.summary"
	IDHealerNotRunning  = "heal.not_running"
)

// fixSoftwareOffload switches fw4 from the "hardware" layout (physical
// ports in the flowtable) to the software one (br-lan in the flowtable).
const fixSoftwareOffload = "uci set firewall.@defaults[0].flow_offloading_hw='0'; uci commit firewall; fw4 reload"

// softwareOffloadUCI is fixSoftwareOffload as UCI options, for the LuCI
// page's "Apply fix" (LuCI's apply reloads the firewall itself).
var softwareOffloadUCI = []UCIChange{{Config: "firewall", Type: "defaults", Index: 0, Option: "flow_offloading_hw", Value: "0"}}

const fixStartHealer = "/etc/init.d/netfix enable; /etc/init.d/netfix start"

// activeFlowtables are the flowtables some rule feeds with `flow add`; an
// unreferenced flowtable offloads nothing.
func activeFlowtables(s facts.Snapshot) []facts.Flowtable {
	var out []facts.Flowtable
	for _, ft := range s.Offload.Flowtables {
		if ft.Referenced {
			out = append(out, ft)
		}
	}
	return out
}

func uciHW(s facts.Snapshot) bool {
	return s.Firewall.Mode() == facts.ModeHardware
}

// hwIneffective: hardware offloading asked for, but nothing can do it. The
// S1 router ran this way on Intel i350 NICs: every entry [OFFLOAD], never
// [HW_OFFLOAD], and the "hardware" layout made flows go stale.
func hwIneffective(s facts.Snapshot) []Finding {
	var flagged []facts.Flowtable
	for _, ft := range s.Offload.Flowtables {
		if ft.HWOffloadFlag {
			flagged = append(flagged, ft)
		}
	}
	if !uciHW(s) && len(flagged) == 0 {
		return nil
	}
	// UCI asks for hardware but fw4's live flowtable has the software
	// layout: fw4's own fallback (offload.hw_fallback) or a ruleset older
	// than the config (offload.config_mismatch) says so, not this rule.
	if len(flagged) == 0 {
		if live := fw4Flowtables(s); len(live) > 0 && !anyLayoutHW(live) {
			return nil
		}
	}

	var ev []status.Msg
	if uciHW(s) {
		ev = append(ev, status.M("%s: defaults flow_offloading='1', flow_offloading_hw='1'", s.Firewall.Path))
	}
	for _, ft := range flagged {
		ev = append(ev, status.M("flowtable %s has flags offload", ft.Ref()))
	}

	capable := 0
	seen := map[string]bool{}
	for _, ft := range s.Offload.Flowtables {
		for _, d := range ft.Devices {
			if seen[d.Name] {
				continue
			}
			seen[d.Name] = true
			ev = append(ev, deviceOffloadEvidence(d))
			if d.HWTCOffload {
				capable++
			}
		}
	}
	ct := s.Conntrack
	noHWEntries := ct.Available && ct.Offloaded > 0 && ct.HWOffloaded == 0
	if ct.Available {
		ev = append(ev, status.M("conntrack: %d entries [OFFLOAD], %d [HW_OFFLOAD]", ct.Offloaded, ct.HWOffloaded))
	}
	noCapableNIC := len(seen) > 0 && capable == 0
	if !noCapableNIC && !noHWEntries {
		return nil
	}

	var why status.Msg
	switch {
	case noCapableNIC && noHWEntries:
		why = status.M("Hardware flow offloading only works on NICs/switches whose driver offers hw-tc-offload; here no flowtable device offers it and no conntrack entry is hardware-offloaded.")
	case noCapableNIC:
		why = status.M("Hardware flow offloading only works on NICs/switches whose driver offers hw-tc-offload; here no flowtable device offers it.")
	default:
		why = status.M("Hardware flow offloading only works on NICs/switches whose driver offers hw-tc-offload; here offloaded entries exist but none is hardware-offloaded.")
	}
	detail := []status.Msg{why}
	if portsListed(s) {
		detail = append(detail,
			status.M("The setting buys nothing, and fw4's hardware layout lists the bridge ports in the flowtable, which makes offloaded flows keep a host's old MAC address after it changes."),
			status.M("Software offloading gives the same speed here without that risk."))
	} else {
		detail = append(detail, status.M("The setting buys nothing: flows are offloaded in software, as they would be without it."))
	}
	f := newFinding(IDHWIneffective, SeverityWarning,
		status.M("Hardware flow offloading is configured but not effective: nothing on this router can offload in hardware."),
		detail, ev, fixSoftwareOffload)
	if uciHW(s) {
		f.FixUCI = softwareOffloadUCI
	}
	return []Finding{f}
}

// portsListed: some flowtable lists bridge ports (fw4's hardware layout).
func portsListed(s facts.Snapshot) bool {
	for _, ft := range s.Offload.Flowtables {
		if len(ft.BridgePorts()) > 0 {
			return true
		}
	}
	return false
}

// fw4Flowtables are the flowtables of fw4's own table.
func fw4Flowtables(s facts.Snapshot) []facts.Flowtable {
	var out []facts.Flowtable
	for _, ft := range s.Offload.Flowtables {
		if ft.Family == "inet" && ft.Table == "fw4" {
			out = append(out, ft)
		}
	}
	return out
}

// fallback is what fw4 decided when UCI asks for hardware offloading and
// its live flowtable has the software layout.
type fallback struct {
	live []facts.Flowtable
	// probed are the devices fw4 tries `flags offload` on: the lower
	// devices of the live ones (a bridge's ports), in order, once each.
	probed []facts.Device
	// refusing are those of probed that do not offer hw-tc-offload.
	refusing []string
}

// fw4Fallback tells fw4's own fallback from a stale ruleset. Before each
// reload fw4 tries a flowtable with `flags offload` on the zones' lower
// devices (`nft -c`); where the kernel refuses it, fw4 prints "Hardware
// flow offloading unavailable, falling back to software offloading" and
// loads the software layout (the zone devices, br-lan rather than its
// ports, no `flags offload`) while UCI still says flow_offloading_hw='1'.
// Every reload gives the same, so that layout is fw4's answer, not a
// firewall that was not reloaded. Only when every device fw4 would try
// offers hw-tc-offload is the software layout not what fw4 would load
// now: then the ruleset is older than the config (configMismatch).
// ok is false where UCI and the live layout do not make that pair.
func fw4Fallback(s facts.Snapshot) (fb fallback, ok bool) {
	fw := s.Firewall
	if !fw.Present || fw.Error != "" || s.Offload.Error != "" || fw.Mode() != facts.ModeHardware {
		return fb, false
	}
	fb.live = fw4Flowtables(s)
	if len(fb.live) == 0 || anyLayoutHW(fb.live) {
		return fb, false
	}
	seen := map[string]bool{}
	for _, ft := range fb.live {
		for _, d := range ft.Devices {
			for _, l := range d.LowerDevices() {
				if seen[l.Name] {
					continue
				}
				seen[l.Name] = true
				fb.probed = append(fb.probed, l)
				if !(l.HWTCOffloadKnown && l.HWTCOffload) {
					fb.refusing = append(fb.refusing, l.Name)
				}
			}
		}
	}
	return fb, len(fb.refusing) > 0
}

// hwFallback: UCI asks for hardware offloading, fw4 found the devices
// refuse it and loaded software offloading. Nothing is broken; the option
// only has no effect, so this is said once, as information, with the
// change that makes the config say what runs.
func hwFallback(s facts.Snapshot) []Finding {
	fb, ok := fw4Fallback(s)
	if !ok {
		return nil
	}
	ev := []status.Msg{status.M("%s: defaults flow_offloading='1', flow_offloading_hw='1'", s.Firewall.Path)}
	for _, ft := range fb.live {
		ev = append(ev, status.M("flowtable %s devices = { %s }", ft.Ref(), strings.Join(ft.DeviceNames(), ", ")))
	}
	for _, d := range fb.probed {
		ev = append(ev, deviceOffloadEvidence(d))
	}
	if ct := s.Conntrack; ct.Available {
		ev = append(ev, status.M("conntrack: %d entries [OFFLOAD], %d [HW_OFFLOAD]", ct.Offloaded, ct.HWOffloaded))
	}
	f := newFinding(IDHWFallback, SeverityInfo,
		status.M("Hardware flow offloading is requested, but %s cannot offload in hardware, so fw4 fell back to software offloading.", strings.Join(fb.refusing, ", ")),
		[]status.Msg{
			status.M("Before each reload fw4 tries the flowtable with flags offload on these devices; the kernel refuses it, so fw4 prints \"Hardware flow offloading unavailable, falling back to software offloading\" and loads the software layout. Every fw4 reload gives the same: the firewall is up to date."),
			status.M("Nothing breaks: flows are offloaded in software. The option only has no effect, and the firewall config says something other than what runs; should a later reload find devices that accept flags offload, fw4 would switch to the hardware layout, which lists the bridge ports."),
			status.M("Turn hardware offloading off so the config says what runs."),
		}, ev, fixSoftwareOffload)
	f.FixUCI = softwareOffloadUCI
	return []Finding{f}
}

// deviceOffloadEvidence says whether a flowtable device can offload. The
// device is named with its driver in parentheses ("eth0 (igb)"): both are
// data, so they form one argument.
func deviceOffloadEvidence(d facts.Device) status.Msg {
	name := d.Name
	if d.Driver != "" {
		name += " (" + d.Driver + ")"
	}
	switch {
	case d.Kind == facts.KindMissing:
		return status.M("%s: no such device", d.Name)
	case !d.HWTCOffloadKnown:
		return status.M("%s: hw-tc-offload not reported by the driver", name)
	case d.HWTCOffload:
		return status.M("%s: hw-tc-offload on", name)
	default:
		return status.M("%s: hw-tc-offload off", name)
	}
}

// staleProne: a flowtable that lists bridge ports resolves the path
// through the bridge and then transmits straight out of the port with the
// destination MAC cached when the flow was offloaded. Nothing refreshes it
// while packets flow, so a host that changes MAC or moves to another port
// receives nothing until the conntrack entry dies (S1).
func staleProne(s facts.Snapshot) []Finding {
	var out []Finding
	for _, ft := range activeFlowtables(s) {
		ports := ft.BridgePorts()
		if len(ports) == 0 {
			continue
		}
		var names, bridges []string
		for _, p := range ports {
			names = append(names, p.Name)
			if p.Master != "" && !slices.Contains(bridges, p.Master) {
				bridges = append(bridges, p.Master)
			}
		}
		ev := []status.Msg{status.M("flowtable %s devices = { %s }", ft.Ref(), strings.Join(ft.DeviceNames(), ", "))}
		for _, p := range ports {
			ev = append(ev, status.M("%s is a port of bridge %s", p.Name, p.Master))
		}
		if s.Conntrack.Available {
			n := s.Conntrack.Offloaded
			ev = append(ev, status.MN(n, "conntrack: %d offloaded entry at risk", "conntrack: %d offloaded entries at risk", n))
		}

		healing := s.HealerRunning && s.HealerMode == status.ModeHeal
		sev := SeverityWarning
		var cover status.Msg
		switch {
		case healing:
			sev = SeverityInfo
			cover = status.M("The netfix healer is running and deletes a host's offloaded entries as soon as its MAC or bridge port changes, so the risk is covered.")
		case s.HealerRunning && s.HealerMode == status.ModeDryRun:
			cover = status.M("The netfix healer is running in dry-run mode, so it does not repair these flows.")
		case s.HealerRunning && s.HealerMode == status.ModeOff:
			cover = status.M("The netfix healer is running in off mode, so it does not repair these flows.")
		case s.HealerRunning:
			cover = status.M("The netfix healer is running in %s mode, so it does not repair these flows.", strings.ReplaceAll(s.HealerMode, "_", "-"))
		case s.HealerSilence != nil:
			cover = status.M("The netfix healer did not answer, so this report cannot tell whether it repairs these flows.")
		default:
			cover = status.M("The netfix healer is not running, so nothing repairs these flows.")
		}
		if !healing && s.Conntrack.Offloaded > 0 {
			sev = SeverityCritical
		}
		ev = append(ev, cover)

		var fix string
		switch {
		case uciHW(s) && ft.Table == "fw4":
			fix = fixSoftwareOffload
		case healing:
			fix = ""
		default:
			fix = fmt.Sprintf("list %s instead of %s in flowtable %s", strings.Join(bridges, ", "), strings.Join(names, ", "), ft.Ref())
		}
		if !healing && s.HealerExpected && !s.HealerRunning && s.HealerSilence == nil {
			if fix != "" {
				fix += "; "
			}
			fix += fixStartHealer
		}
		out = append(out, newFinding(IDStaleProne, sev,
			status.M("Flowtable %s lists bridge ports (%s): a host that changes MAC or bridge port keeps receiving nothing until its conntrack entry dies.", ft.Name, strings.Join(names, ", ")),
			[]status.Msg{
				status.M("With bridge ports in the device list the kernel sends offloaded packets straight out of the port with the destination MAC it cached when the flow was offloaded, and nothing refreshes that cache while packets keep flowing."),
				cover,
			}, ev, fix))
	}
	return out
}

// configMismatch: /etc/config/firewall and the live fw4 ruleset disagree,
// typically because the firewall was not reloaded after a change, or the
// kernel lacks flowtable support altogether.
func configMismatch(s facts.Snapshot) []Finding {
	fw := s.Firewall
	if !fw.Present || fw.Error != "" || s.Offload.Error != "" {
		return nil
	}
	want := fw.Mode()
	uciLine := status.M("%s: flow_offloading='%s', flow_offloading_hw='%s'", fw.Path, bit(fw.FlowOffloading), bit(fw.FlowOffloadingHW))

	if s.Offload.KernelSupport == facts.SupportNo {
		if want == facts.ModeNone {
			return nil
		}
		return []Finding{newFinding(IDKernelUnsupported, SeverityWarning,
			status.M("Flow offloading is enabled in the firewall config, but this kernel has no flowtable support, so nothing is offloaded."),
			[]status.Msg{status.M("The kernel rejected a flowtable request: it was built without CONFIG_NF_FLOW_TABLE or the nf_flow_table modules are not loaded (kmod-nft-offload on OpenWrt).")},
			[]status.Msg{uciLine, status.M("kernel: flowtable requests fail (no nf_flow_table support)")},
			"opkg install kmod-nft-offload; fw4 reload")}
	}

	if !s.Offload.HasTable("inet", "fw4") {
		if want == facts.ModeNone {
			return nil
		}
		return []Finding{newFinding(IDConfigMismatch, SeverityWarning,
			status.M("Flow offloading is enabled in the firewall config, but the firewall4 ruleset (table inet fw4) is not loaded."),
			[]status.Msg{status.M("firewall4 builds the flowtable when it loads its ruleset; without the table nothing is offloaded and the config is not in effect.")},
			[]status.Msg{uciLine, status.M("nftables: no table inet fw4")},
			"fw4 reload")}
	}

	live := fw4Flowtables(s)
	ev := []status.Msg{uciLine}
	for _, ft := range live {
		devices := strings.Join(ft.DeviceNames(), ", ")
		if ft.HWOffloadFlag {
			ev = append(ev, status.M("flowtable %s devices = { %s }; flags offload", ft.Ref(), devices))
		} else {
			ev = append(ev, status.M("flowtable %s devices = { %s }", ft.Ref(), devices))
		}
	}
	if len(live) == 0 {
		ev = append(ev, status.M("nftables: table inet fw4 has no flowtable"))
	}

	var title status.Msg
	switch {
	case want == facts.ModeNone && len(live) > 0:
		title = status.M("Flow offloading is disabled in the firewall config but the live ruleset still offloads: the firewall was not reloaded.")
	case want != facts.ModeNone && len(live) == 0:
		// fw4 also loads a ruleset without zone devices, and so without a
		// flowtable, when it cannot ask netifd over ubus ("Unable to
		// connect to ubus"); a reload once netifd answers fixes both.
		return []Finding{newFinding(IDConfigMismatch, SeverityWarning,
			status.M("Flow offloading is enabled in the firewall config but the live fw4 ruleset has no flowtable."),
			[]status.Msg{status.M("fw4 builds the flowtable from the zones' devices when it loads: either the firewall was not reloaded after the change, or fw4 loaded while it could not ask netifd for the devices over ubus, and then renders no zone devices and no flowtable. A reload with netifd running fixes both.")},
			ev, "fw4 reload")}
	case want == facts.ModeHardware && !anyLayoutHW(live):
		if _, fellBack := fw4Fallback(s); fellBack {
			return nil // fw4's own answer: hwFallback
		}
		title = status.M("Hardware flow offloading is set in the firewall config but the live flowtable still has the software layout: the firewall was not reloaded.")
	case want == facts.ModeSoftware && anyLayoutHW(live):
		title = status.M("Software flow offloading is set in the firewall config but the live flowtable still has the hardware layout: the firewall was not reloaded.")
	default:
		return nil
	}
	return []Finding{newFinding(IDConfigMismatch, SeverityWarning, title,
		[]status.Msg{status.M("fw4 turns /etc/config/firewall into nftables only when it (re)loads; until then the kernel runs the old layout.")},
		ev, "fw4 reload")}
}

// anyLayoutHW tells fw4's hardware layout (physical ports, maybe flags
// offload) from its software layout (the bridge itself).
func anyLayoutHW(fts []facts.Flowtable) bool {
	for _, ft := range fts {
		if ft.HWOffloadFlag || len(ft.BridgePorts()) > 0 {
			return true
		}
	}
	return false
}

// healerNotRunning: netfix is installed but its daemon is down, so stale
// flows are not repaired and no history is kept. A daemon that holds its
// socket but did not answer is healerNoAnswer's, not this.
func healerNotRunning(s facts.Snapshot) []Finding {
	if !s.HealerExpected || s.HealerRunning || s.HealerSilence != nil {
		return nil
	}
	sev := SeverityInfo
	for _, ft := range activeFlowtables(s) {
		if len(ft.BridgePorts()) > 0 {
			sev = SeverityWarning
		}
	}
	return []Finding{newFinding(IDHealerNotRunning, sev,
		status.M("The netfix daemon is not running: stale offloaded flows are not repaired and this report is a one-shot check."),
		[]status.Msg{status.M("The daemon watches neighbour and bridge changes and deletes the offloaded conntrack entries of a host whose MAC or port changed.")},
		[]status.Msg{status.M("no answer on the netfix daemon socket")},
		fixStartHealer)}
}

// offloadSummary always reports what is in effect, so a healthy router
// still shows its mode and counts.
func offloadSummary(s facts.Snapshot) []Finding {
	var ev []status.Msg
	// No fw4 (Debian, Docker): no line about OpenWrt's firewall config.
	if s.Firewall.Present {
		ev = append(ev, askedFor(s.Firewall.Mode()))
	}
	switch s.Offload.KernelSupport {
	case facts.SupportNo:
		ev = append(ev, status.M("kernel: no flowtable support"))
	case facts.SupportUnknown:
		ev = append(ev, status.M("kernel flowtables: unknown (%s)", s.Offload.Error))
	}
	for _, ft := range s.Offload.Flowtables {
		ev = append(ev, flowtableSummary(ft))
	}
	ct := s.Conntrack
	if ct.Available {
		ev = append(ev, status.M("conntrack: %d/%d entries, %d [OFFLOAD], %d [HW_OFFLOAD]", ct.Entries, ct.Max, ct.Offloaded, ct.HWOffloaded))
	} else if ct.Error != "" {
		ev = append(ev, status.M("conntrack: not readable (%s)", ct.Error))
	}
	return []Finding{newFinding(IDSummary, SeverityInfo,
		inEffect(facts.EffectiveMode(s)),
		[]status.Msg{status.M("What the kernel actually does, from the live flowtables and the conntrack offload bits.")},
		ev, "")}
}

// askedFor and inEffect name the offload mode inside the sentence, so a
// translation can word each mode its own way.
func askedFor(mode string) status.Msg {
	switch mode {
	case facts.ModeNone:
		return status.M("firewall config asks for: none")
	case facts.ModeSoftware:
		return status.M("firewall config asks for: software")
	case facts.ModeHardware:
		return status.M("firewall config asks for: hardware")
	}
	return status.M("firewall config asks for: %s", mode)
}

func inEffect(mode string) status.Msg {
	switch mode {
	case facts.ModeNone:
		return status.M("Flow offloading in effect: none.")
	case facts.ModeSoftware:
		return status.M("Flow offloading in effect: software.")
	case facts.ModeHardware:
		return status.M("Flow offloading in effect: hardware.")
	}
	return status.M("Flow offloading in effect: %s.", mode)
}

// flowtableSummary is one evidence line per flowtable; the optional
// remarks are whole variants of the sentence, not fragments.
func flowtableSummary(ft facts.Flowtable) status.Msg {
	devices := strings.Join(ft.DeviceNames(), ", ")
	switch {
	case ft.HWOffloadFlag && !ft.Referenced:
		return status.M("flowtable %s: hook %s priority %d, devices = { %s }, flags offload (no rule adds flows to it)", ft.Ref(), ft.Hook, ft.Priority, devices)
	case ft.HWOffloadFlag:
		return status.M("flowtable %s: hook %s priority %d, devices = { %s }, flags offload", ft.Ref(), ft.Hook, ft.Priority, devices)
	case !ft.Referenced:
		return status.M("flowtable %s: hook %s priority %d, devices = { %s } (no rule adds flows to it)", ft.Ref(), ft.Hook, ft.Priority, devices)
	default:
		return status.M("flowtable %s: hook %s priority %d, devices = { %s }", ft.Ref(), ft.Hook, ft.Priority, devices)
	}
}

func bit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
