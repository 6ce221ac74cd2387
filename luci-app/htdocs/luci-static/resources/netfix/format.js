'use strict';
'require baseclass';

/*
 * Pure helpers of the netfix pages: they turn values of the status
 * document (schema 1, owned by src/internal/status) into the words and
 * numbers a person reads. No DOM here, so they can be tested on their own;
 * the views build nodes from what these return, always as text.
 */

const SEVERITY_RANK = { ok: 0, info: 1, warning: 2, critical: 3 };

function pad2(n) {
	return (n < 10 ? '0' : '') + n;
}

function isNumber(v) {
	return typeof(v) == 'number' && isFinite(v);
}

return baseclass.extend({
	/* Schema of the status document this page understands. */
	SCHEMA: 1,

	/* Numeric rank of a severity; unknown severities rank as ok. */
	severityRank(sev) {
		return SEVERITY_RANK[sev] != null ? SEVERITY_RANK[sev] : 0;
	},

	severityLabel(sev) {
		switch (sev) {
		case 'critical': return _('Critical');
		case 'warning': return _('Warning');
		case 'info': return _('Info');
		case 'ok': return _('OK');
		default: return String(sev || '?');
		}
	},

	/*
	 * A sentence of the status document (status.Msg: { id, plural, n, args })
	 * in the reader's language: the msgid through LuCI's catalog (the plural
	 * lookup for a plural), the router's values filled in order by String.format. The
	 * result is a string for a text node; args are never markup. Without a
	 * usable msg (an older netfix), the English text is shown as it came.
	 *
	 * The msgids are literals in the Go rules, not here: the page's own
	 * scanner skips these calls, and src/internal/status/catalog_test.go
	 * checks that the catalog has every one of them.
	 */
	msgText(msg, english) {
		if (msg == null || typeof(msg) != 'object' || typeof(msg.id) != 'string' || msg.id === '')
			return (english == null) ? '' : String(english);

		const args = Array.isArray(msg.args) ? msg.args.map(a => (a == null) ? '' : String(a)) : [];
		const tmpl = (typeof(msg.plural) == 'string' && msg.plural !== '')
			? window.N_(isNumber(msg.n) ? msg.n : 0, msg.id, msg.plural)
			: window._(msg.id);

		return String.prototype.format.apply(String(tmpl), args);
	},

	/* Sentences in a row: a space between them, none after Chinese
	 * punctuation (full-width marks carry their own spacing). */
	joinSentences(parts) {
		/* a sentence that ends in a command ("… -j NOTRACK") gets its full
		 * stop, so the next one does not run on from the command */
		const ended = parts.filter(p => p !== '').map((p, i, all) => {
			if (i === all.length - 1 || /[.!?。！？；，：:;,)）]$/.test(p))
				return p;
			return p + (/[\u3000-\u9fff]/.test(p) ? '。' : '.');
		});
		return ended.join(' ').replace(/([。！？；，：])\s+/g, '$1');
	},

	/* The title, detail and evidence lines of a finding, translated. */
	findingText(f) {
		const msgs = v => Array.isArray(v) ? v : null;
		const evidence = Array.isArray(f.evidence) ? f.evidence : [];
		const evMsgs = msgs(f.evidence_msg);
		const detMsgs = msgs(f.detail_msg);

		return {
			title: this.msgText(f.title_msg, f.title),
			detail: (detMsgs && detMsgs.length)
				? this.joinSentences(detMsgs.map(m => this.msgText(m, '')))
				: String(f.detail || ''),
			evidence: (evMsgs && evMsgs.length == evidence.length)
				? evMsgs.map((m, i) => this.msgText(m, evidence[i]))
				: evidence.map(String)
		};
	},

	/*
	 * Tone of a severity: the page's own colour classes (netfix-tone-*),
	 * because the theme's label classes are not severities (in
	 * luci-theme-bootstrap .label.important and .label.notice are the same
	 * blue).
	 */
	severityClass(sev) {
		switch (sev) {
		case 'critical': return 'critical';
		case 'warning': return 'warning';
		case 'info': return 'info';
		default: return 'ok';
		}
	},

	/*
	 * The four families of trouble netfix checks, in page order, each with
	 * the section that shows it. A finding belongs to the family of its id
	 * ("conntrack.double_tracking" is S4's: a bridge makes conntrack see a
	 * connection twice).
	 */
	FAMILIES: [
		{ id: 'offload', section: 'netfix-offload' },
		{ id: 'conntrack', section: 'netfix-conntrack' },
		{ id: 'forwarding', section: 'netfix-forwarding' },
		{ id: 'bridges', section: 'netfix-bridges' }
	],

	familyOf(f) {
		const id = String((f && f.id) || '');
		if (id === 'conntrack.double_tracking' || id.indexOf('bridge.') === 0)
			return 'bridges';
		if (id.indexOf('conntrack.') === 0)
			return 'conntrack';
		if (id.indexOf('forwarding.') === 0)
			return 'forwarding';
		return 'offload';
	},

	familyLabel(id) {
		switch (id) {
		case 'offload': return _('Flow offloading');
		case 'conntrack': return _('Connection tracking');
		case 'forwarding': return _('IP forwarding');
		case 'bridges': return _('Bridges and containers');
		default: return String(id);
		}
	},

	/*
	 * The state of each family: its worst finding's severity as a word and
	 * a tone, and how many problems it has. With no document every family
	 * is unknown; while the daemon starts too.
	 */
	families(doc) {
		return this.FAMILIES.map(fam => {
			const out = { id: fam.id, section: fam.section, label: this.familyLabel(fam.id), problems: 0, worst: null };
			if (doc == null || (doc.heal && doc.heal.starting === true))
				return Object.assign(out, { tone: 'unknown', word: _('Unknown') });
			for (const f of (Array.isArray(doc.findings) ? doc.findings : [])) {
				if (this.familyOf(f) !== fam.id)
					continue;
				if (this.severityRank(f.severity) >= SEVERITY_RANK.warning)
					out.problems++;
				if (out.worst == null || this.severityRank(f.severity) > this.severityRank(out.worst.severity))
					out.worst = f;
			}
			const sev = out.worst ? out.worst.severity : 'ok';
			if (sev === 'critical')
				return Object.assign(out, { tone: 'critical', word: _('Critical') });
			if (sev === 'warning')
				return Object.assign(out, { tone: 'warning', word: _('Warning') });
			return Object.assign(out, { tone: 'ok', word: _('OK') });
		});
	},

	/* An event of the conntrack table rather than a repair (an older
	 * daemon put them among the repairs). */
	isTableEvent(ev) {
		return ev != null && (ev.conntrack != null || /^conntrack_/.test(String(ev.reason || '')));
	},

	/* The table's events, newest first: heal.table_events, or those an
	 * older daemon kept among its repairs. */
	tableEvents(doc) {
		const heal = (doc && doc.heal) || {};
		if (Array.isArray(heal.table_events))
			return heal.table_events.filter(ev => ev != null);
		return (Array.isArray(heal.last_events) ? heal.last_events : []).filter(ev => this.isTableEvent(ev));
	},

	/*
	 * Sets data-title on every cell of table from its column's heading
	 * (the .table-titles row), as LuCI's own tables do: themes that hide
	 * the heading row on a phone (argon, bootstrap's mobile.css) show
	 * data-title before each cell instead. Returns table.
	 */
	titleCells(table) {
		const head = table.querySelector('.tr.table-titles');
		if (!head)
			return table;
		const titles = Array.prototype.map.call(head.children, th => th.textContent.trim());
		for (const tr of table.querySelectorAll('.tr')) {
			if (tr === head || tr.classList.contains('placeholder'))
				continue;
			Array.prototype.forEach.call(tr.children, (td, i) => {
				if (titles[i])
					td.setAttribute('data-title', titles[i]);
			});
		}
		return table;
	},

	/*
	 * True when the page around el is dark, whatever told the theme so:
	 * bootstrap's data-darkmode, argon's dark.css under prefers-color-scheme
	 * or its forced dark mode, material's own switch. It reads the colour
	 * the theme really paints behind el (the nearest opaque background),
	 * so it needs no knowledge of any theme's attribute.
	 */
	isDarkBehind(el) {
		for (let n = el && el.parentElement; n; n = n.parentElement) {
			const c = (getComputedStyle(n).backgroundColor.match(/[\d.]+/g) || []).map(Number);
			if (c.length >= 3 && (c.length < 4 || c[3] > 0.5))
				return this.luminance(c) < 0.2;
		}
		/* nothing painted: the canvas follows the colour scheme */
		return window.matchMedia != null && window.matchMedia('(prefers-color-scheme: dark)').matches &&
			getComputedStyle(document.documentElement).colorScheme.indexOf('dark') >= 0;
	},

	/* WCAG relative luminance of [ r, g, b ] (0-255). */
	luminance(rgb) {
		const c = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
		return 0.2126 * c(rgb[0]) + 0.7152 * c(rgb[1]) + 0.0722 * c(rgb[2]);
	},

	/* Findings sorted worst first; the order of equal ones is kept. */
	sortFindings(findings) {
		return (Array.isArray(findings) ? findings : [])
			.map((f, i) => [ f, i ])
			.sort((a, b) => (this.severityRank(b[0].severity) - this.severityRank(a[0].severity)) || (a[1] - b[1]))
			.map(p => p[0]);
	},

	/* Findings a person must act on or know about (not plain "ok"). */
	problems(findings) {
		return (Array.isArray(findings) ? findings : [])
			.filter(f => this.severityRank(f.severity) >= SEVERITY_RANK.warning);
	},

	/*
	 * The verdict banner: word, style and the sentence under it. doc is the
	 * status document or null when none could be read.
	 */
	verdict(doc) {
		if (doc == null)
			return { level: 'unknown', cls: 'unknown', label: _('Unknown'),
				summary: _('The status of netfix could not be read.') };

		/* A daemon whose first check is not done claims nothing yet. */
		if (doc.heal != null && doc.heal.starting === true)
			return { level: 'unknown', cls: 'starting', label: _('Starting'),
				summary: _('netfix is starting: the first check of this router is not finished yet.') };

		const n = this.problems(doc.findings).length;
		switch (doc.verdict) {
		case 'healthy':
			return { level: 'healthy', cls: 'ok', label: _('Healthy'),
				summary: _('No problems found.') };
		case 'warning':
			return { level: 'warning', cls: 'warning', label: _('Warnings'),
				summary: _('Problems found: %d').format(n) };
		case 'critical':
			return { level: 'critical', cls: 'critical', label: _('Critical'),
				summary: _('Problems found: %d').format(n) };
		default:
			return { level: 'unknown', cls: 'unknown', label: _('Unknown'),
				summary: _('Problems found: %d').format(n) };
		}
	},

	/*
	 * An RFC 3339 time as "YYYY-MM-DD HH:MM:SS" in the browser's time zone.
	 * Go's zero time and empty values give ''; anything unparsable is
	 * returned as it came.
	 */
	formatTime(value) {
		if (value == null || value === '' || /^0001-01-01/.test(String(value)))
			return '';

		const d = new Date(value);
		if (isNaN(d.getTime()))
			return String(value);

		return '%d-%s-%s %s:%s:%s'.format(d.getFullYear(), pad2(d.getMonth() + 1),
			pad2(d.getDate()), pad2(d.getHours()), pad2(d.getMinutes()), pad2(d.getSeconds()));
	},

	/* Microseconds from the netlink event to the last delete. */
	formatLatency(us) {
		if (!isNumber(us) || us < 0)
			return '';
		if (us < 1000)
			return _('%d µs').format(Math.round(us));
		if (us < 1000000)
			return _('%s ms').format((us / 1000).toFixed(us < 10000 ? 2 : 0));
		return _('%s s').format((us / 1000000).toFixed(1));
	},

	/* "1834 / 65536 (2.8 %)" */
	formatFill(entries, max) {
		if (!isNumber(entries))
			return '';
		if (!isNumber(max) || max <= 0)
			return String(entries);

		const pct = entries * 100 / max;
		return '%d / %d (%s %%)'.format(entries, max, pct.toFixed(pct < 10 ? 1 : 0));
	},

	/* Fill of the conntrack table as a number from 0 to 100, or null. */
	fillPercent(entries, max) {
		if (!isNumber(entries) || !isNumber(max) || max <= 0)
			return null;
		return Math.min(100, entries * 100 / max);
	},

	/* What /etc/config/firewall asks for (facts.Firewall.Mode). */
	firewallMode(fw) {
		if (fw == null || !fw.present)
			return 'none';
		if (!fw.flow_offloading)
			return 'none';
		return fw.flow_offloading_hw ? 'hardware' : 'software';
	},

	offloadModeLabel(mode) {
		switch (mode) {
		case 'hardware': return _('Hardware flow offloading');
		case 'software': return _('Software flow offloading');
		case 'none': return _('Off');
		default: return String(mode || '?');
		}
	},

	kernelSupportLabel(s) {
		switch (s) {
		case 'supported': return _('Supported');
		case 'unsupported': return _('Not supported by this kernel');
		default: return _('Unknown');
		}
	},

	deviceKindLabel(kind) {
		switch (kind) {
		case 'bridge': return _('Bridge');
		case 'bridge_port': return _('Bridge port');
		case 'vlan': return _('VLAN');
		case 'dsa_port': return _('Switch port (DSA)');
		case 'physical': return _('Network card');
		case 'virtual': return _('Virtual device');
		case 'missing': return _('Missing (no such device)');
		default: return String(kind || '?');
		}
	},

	/* Can the NIC offload flows (ethtool feature hw-tc-offload)? */
	hwOffloadLabel(dev) {
		if (dev == null || !dev.hw_tc_offload_known)
			return _('Unknown');
		return dev.hw_tc_offload ? _('Yes') : _('No');
	},

	/* What a flowtable device is attached to: its bridge or lower device. */
	deviceUpper(dev) {
		if (dev == null)
			return '';
		if (dev.master)
			return _('in %s').format(dev.master);
		if (dev.parent)
			return _('on %s').format(dev.parent);
		return '';
	},

	healModeLabel(mode) {
		switch (mode) {
		case 'heal': return _('Repairing');
		case 'dry_run': return _('Dry run: reports only, deletes nothing');
		case 'off': return _('Off');
		default: return String(mode || '?');
		}
	},

	reasonLabel(reason) {
		switch (reason) {
		case 'mac_change': return _('MAC address changed');
		case 'port_move': return _('Moved to another bridge port');
		case 'neighbour_failed': return _('Host unreachable');
		case 'reconcile': return _('Found by periodic sweep');
		case 'manual': return _('Manual repair');
		case 'conntrack_full': return _('Table filling up');
		case 'conntrack_dropping': return _('New connections refused');
		case 'conntrack_reclaim': return _('Idle entries reclaimed');
		default: return String(reason || '?');
		}
	},

	/*
	 * What changed for a heal event: [ old, new ] MAC address or bridge
	 * port, or null when the event names neither. A port move keeps the
	 * MAC, so the MACs only count when they differ.
	 */
	eventChange(ev) {
		if (ev == null)
			return null;
		if ((ev.old_mac || ev.new_mac) && ev.old_mac !== ev.new_mac)
			return [ ev.old_mac || '?', ev.new_mac || '?' ];
		if (ev.old_port || ev.new_port)
			return [ ev.old_port || '?', ev.new_port || '?' ];
		if (ev.old_mac || ev.new_mac)
			return [ ev.old_mac || '?', ev.new_mac || '?' ];
		return null;
	},

	/* Repairs the daemon made by itself; an older daemon counted manual
	 * flushes in events_total and has no repairs field. */
	repairCount(heal) {
		if (heal == null)
			return 0;
		if (isNumber(heal.repairs))
			return heal.repairs;
		return isNumber(heal.events_total) ? heal.events_total : 0;
	},

	/* A count of repairs or flows; in dry run nothing was deleted. */
	countLabel(n, dryRun) {
		n = isNumber(n) ? n : 0;
		return dryRun ? _('%d (dry run, not deleted)').format(n) : String(n);
	},

	/* Flows column of a heal event. */
	eventFlows(ev) {
		return this.countLabel(ev && ev.flows_deleted, ev && ev.dry_run);
	},

	/*
	 * Events for the table: those of the history call when it answered,
	 * else the ones in the status document; newest first, at most limit.
	 */
	pickEvents(history, doc, limit) {
		let events = null, total = null;

		if (history != null && typeof(history) == 'object' && Array.isArray(history.events) && !history.error) {
			events = history.events;
			total = isNumber(history.total) ? history.total : events.length;
		}
		else if (doc != null && doc.heal != null && Array.isArray(doc.heal.last_events)) {
			events = doc.heal.last_events;
			total = isNumber(doc.heal.events_total) ? doc.heal.events_total : events.length;
		}
		else {
			events = [];
			total = 0;
		}

		events = events.slice().sort((a, b) => {
			const ta = Date.parse(a && a.time), tb = Date.parse(b && b.time);
			return (isNaN(tb) ? 0 : tb) - (isNaN(ta) ? 0 : ta);
		});

		return { events: events.slice(0, limit), total: Math.max(total, events.length) };
	},

	/*
	 * What kind of failure a call ended in: a rejected rpc call (LuCI's
	 * RPCError / TimeoutError, whose message names the JSON-RPC error or
	 * the ubus status) or an {error} reply of the netfix plugin.
	 *   denied      rpcd refused the call (JSON-RPC -32002, ubus 6)
	 *   not_found   rpcd has no netfix object (JSON-RPC -32000, ubus 4):
	 *               the plugin is missing or rpcd was not reloaded
	 *   timeout     no answer in time (ubus 7, XHR timeout)
	 *   daemon_down the plugin answered but the daemon is not running
	 *   other       anything else
	 */
	failureKind(reply) {
		const err = (reply != null && typeof(reply) == 'object' && !(reply instanceof Error) && reply.error instanceof Error)
			? reply.error : reply;
		const msg = this.errorText(err);
		const name = (err instanceof Error) ? String(err.name || '') : '';

		if (/failed with error -32002\b|ubus code 6\b|access denied|permission denied/i.test(msg))
			return 'denied';
		if (/failed with error -32000\b|ubus code 4\b|object not found/i.test(msg))
			return 'not_found';
		if (name == 'TimeoutError' || /ubus code 7\b|timed? ?out/i.test(msg))
			return 'timeout';
		if (/daemon is not running|no answer on the netfix daemon socket/i.test(msg))
			return 'daemon_down';
		return 'other';
	},

	/*
	 * The sentence a person reads for a failed call, in their language,
	 * with what to do; never the browser's stack frames.
	 */
	failureText(reply, access) {
		switch (this.failureKind(reply)) {
		case 'denied':
			return this.deniedText(access);
		case 'not_found':
			return _('netfix is not available in rpcd: the netfix package is missing or rpcd has not loaded its plugin yet. Install netfix, then run /etc/init.d/rpcd reload.');
		case 'timeout':
			return _('netfix did not answer in time. The router may be busy; if it keeps happening, see logread -e netfix.');
		case 'daemon_down':
			return _('The netfix daemon is not running. Start it with /etc/init.d/netfix start; logread -e netfix says why it stopped.');
		default:
			return _('netfix reported an error: %s').format(this.firstLine(reply));
		}
	},

	/*
	 * What to do about a refused call, from what the login has: access is
	 * { netfix: 'write' | 'read' | null, luciBase: 'write' | 'read' | null }
	 * (session.access of the two access groups), or null when unknown.
	 * Never tell someone to get a group they already have.
	 */
	deniedText(access) {
		const a = access || {};
		if (a.netfix === 'write' && a.luciBase !== 'write')
			return _('Access denied: this login may use netfix but not apply configuration changes through LuCI, which needs write access to the luci-base access group. Log in as root, or give the user write access to luci-base.');
		if (a.netfix === 'write')
			return _('Access denied by the router although this login has write access to netfix. Log in again (the session may have expired) or ask the administrator to check the rpcd ACLs.');
		if (a.netfix === 'read')
			return _('Access denied: this login may read netfix but not change anything. Log in as root, or give the user write access to the luci-app-netfix access group.');
		return _('Access denied: this login may not use netfix. Log in as root, or give the user the luci-app-netfix access group.');
	},

	/* The first line of an error, without the stack frames LuCI appends. */
	firstLine(reply) {
		const err = (reply != null && typeof(reply) == 'object' && !(reply instanceof Error) && reply.error instanceof Error)
			? reply.error : reply;
		return this.errorText(err).split('\n')[0].replace(/\s+at\s+\S+\s+\(\S+:\d+:\d+\)\s*$/, '').trim();
	},

	/* Message of a reply that failed: an Error, an {error} reply or junk. */
	errorText(reply) {
		if (reply == null)
			return _('No answer');
		if (reply instanceof Error)
			return reply.message || String(reply);
		if (typeof(reply) == 'object' && reply.error instanceof Error)
			return reply.error.message || String(reply.error);
		if (typeof(reply) == 'object' && reply.error != null)
			return String(reply.error);
		return String(reply);
	},

	/*
	 * The UCI options of a finding's fix (fix_uci), each checked: a config,
	 * an option and a value, and a named section or a type; anything else
	 * from the router is dropped rather than applied.
	 */
	uciChanges(f) {
		const name = /^[A-Za-z0-9_-]+$/;
		return ((f && Array.isArray(f.fix_uci)) ? f.fix_uci : []).filter(c => c != null && typeof(c) == 'object' &&
			name.test(String(c.config)) && name.test(String(c.option)) && typeof(c.value) == 'string' &&
			(name.test(String(c.section || '')) || (name.test(String(c.type || '')) && Number.isInteger(c.index) && c.index >= 0)));
	},

	/* True when reply looks like a status document. */
	isDocument(reply) {
		return reply != null && typeof(reply) == 'object' && !Array.isArray(reply) &&
			reply.error == null && isNumber(reply.schema) && typeof(reply.verdict) == 'string';
	},

	/* A literal IPv4 or IPv6 address (no prefix length, no zone). */
	isIPAddress(s) {
		s = String(s == null ? '' : s).trim();

		const v4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
		if (v4.test(s))
			return true;

		if (!/^[0-9a-fA-F:.]+$/.test(s) || s.indexOf(':') < 0)
			return false;

		/* an embedded IPv4 tail counts as two groups */
		let groups = s.split(':'), extra = 0;
		const last = groups[groups.length - 1];
		if (last.indexOf('.') >= 0) {
			if (!v4.test(last))
				return false;
			groups[groups.length - 1] = '0';
			extra = 1;
		}

		const dbl = s.split('::').length - 1;
		if (dbl > 1 || /^:[^:]/.test(s) || /[^:]:$/.test(s))
			return false;

		if (dbl == 1) {
			const parts = groups.filter(g => g !== '');
			if (parts.length + extra > 7)
				return false;
			return parts.every(g => /^[0-9a-fA-F]{1,4}$/.test(g));
		}

		return groups.length + extra == 8 && groups.every(g => /^[0-9a-fA-F]{1,4}$/.test(g));
	},

	/*
	 * An interface name as the daemon accepts it in ignore_interface: 1 to
	 * 15 bytes (IFNAMSIZ - 1), no slash, space or tab.
	 */
	isDeviceName(s) {
		s = String(s == null ? '' : s);
		const bytes = new TextEncoder().encode(s).length;
		return bytes >= 1 && bytes <= 15 && !/[\/ \t]/.test(s);
	}
});
