'use strict';
'require baseclass';
'require netfix.format as nf';

/*
 * The conntrack table section of the netfix status page (scenario S2:
 * table full, new connections refused while old ones flow). It renders
 * doc.conntrack.table of the status document: the fill gauge, the kernel's
 * refusals, the hosts holding the most entries (names are chosen by LAN
 * clients: always text nodes), how long their ESTABLISHED entries have been
 * idle, and the table events of the daemon.
 *
 * The helpers above render() are pure, so they are tested on their own.
 */

/* Index of the histogram bucket from which entries are idle over an hour
 * (facts.IdleEdges: 0, 60, 600, 3600, 7440, 21600, 86400 s). */
const HOUR_BUCKET = 3;

function T(value) {
	return document.createTextNode(value == null ? '' : String(value));
}

function arr(v) {
	return Array.isArray(v) ? v : [];
}

function sum(a, from) {
	return arr(a).slice(from).reduce((s, n) => s + (+n || 0), 0);
}

return baseclass.extend({
	/* Label of idle histogram bucket i. */
	idleLabel(i) {
		switch (i) {
		case 0: return _('under 1 min');
		case 1: return _('1-10 min');
		case 2: return _('10 min-1 h');
		case 3: return _('1 h-2 h 4 min');
		case 4: return _('2 h 4 min-6 h');
		case 5: return _('6 h-1 day');
		case 6: return _('over 1 day');
		default: return '?';
		}
	},

	/* "nas (192.168.1.50)" or the bare address; plain text. */
	hostLabel(h) {
		if (h == null)
			return '';
		return h.name ? '%s (%s)'.format(h.name, h.addr) : String(h.addr || '');
	},

	/* Share of the dumped table, as "97.9 %" (tenths, floored, as the
	 * findings show it). */
	share(n, total) {
		if (!(total > 0))
			return '';
		return '%s %%'.format((Math.floor(n * 1000 / total) / 10).toFixed(1));
	},

	/* Entries of a host (or the table) idle for over an hour. */
	idleOverHour(idle) {
		return sum(idle, HOUR_BUCKET);
	},

	/* The refusals since the previous sample, or null without one. */
	growthText(t) {
		const g = t && t.growth;
		if (!g || !(t.growth_s > 0))
			return null;
		return _('drop +%d, insert_failed +%d, early_drop +%d in the last %d s').format(
			g.drop || 0, g.insert_failed || 0, g.early_drop || 0, t.growth_s);
	},

	reclaimText(t) {
		const r = t && t.reclaim;
		if (!r)
			return null;
		if (r.enabled)
			return _('On: ESTABLISHED entries idle longer than %d s are deleted while the table is 90 %% full').format(r.idle_s);
		return _('Off: with reclaim_idle %d s it would free %d entries').format(r.idle_s, r.reclaimable || 0);
	},

	reasonLabel(reason) {
		switch (reason) {
		case 'conntrack_full': return _('Table filling up');
		case 'conntrack_dropping': return _('New connections refused');
		case 'conntrack_reclaim': return _('Idle entries reclaimed');
		default: return null;
		}
	},

	/* The table events of the document, newest first (heal.table_events;
	 * an older daemon kept them among the repairs). */
	events(doc) {
		return nf.tableEvents(doc).filter(ev => ev && ev.conntrack);
	},

	renderHosts(u) {
		const head = E('tr', { 'class': 'tr table-titles' }, [
			_('Host'), _('Entries'), _('Share'), _('ESTABLISHED'), _('Idle over 1 h')
		].map(t => E('th', { 'class': 'th' }, [ t ])));
		const rows = arr(u.hosts).map(h => E('tr', { 'class': 'tr netfix-ct-host' }, [
			E('td', { 'class': 'td' }, [ T(this.hostLabel(h)) ]),
			E('td', { 'class': 'td' }, [ T(h.entries) ]),
			E('td', { 'class': 'td' }, [ T(this.share(h.entries, u.dumped)) ]),
			E('td', { 'class': 'td' }, [ T(h.established) ]),
			E('td', { 'class': 'td' }, [ T(this.idleOverHour(h.idle)) ])
		]));
		return nf.titleCells(E('table', { 'class': 'table', 'id': 'netfix-ct-hosts' }, [ head ].concat(rows)));
	},

	renderIdle(u) {
		const cells = arr(u.idle).map((n, i) => E('tr', { 'class': 'tr' }, [
			E('td', { 'class': 'td left', 'width': '33%' }, [ this.idleLabel(i) ]),
			E('td', { 'class': 'td left', 'data-title': this.idleLabel(i) }, [ T(n) ])
		]));
		if (u.idle_unknown > 0)
			cells.push(E('tr', { 'class': 'tr' }, [
				E('td', { 'class': 'td left' }, [ _('unknown (timer set under a longer timeout)') ]),
				E('td', { 'class': 'td left', 'data-title': _('unknown (timer set under a longer timeout)') }, [ T(u.idle_unknown) ])
			]));
		return E('table', { 'class': 'table netfix-kv', 'id': 'netfix-ct-idle' }, cells);
	},

	renderEvents(doc) {
		const evs = this.events(doc);
		if (!evs.length)
			return null;
		const head = E('tr', { 'class': 'tr table-titles' }, [
			_('Time'), _('Event'), _('Entries in use'), _('Refused or deleted'), _('Hosts holding the most entries')
		].map(t => E('th', { 'class': 'th' }, [ t ])));
		return nf.titleCells(E('table', { 'class': 'table', 'id': 'netfix-ct-events' }, [ head ].concat(evs.map(ev => {
			const c = ev.conntrack;
			const hosts = arr(c.hosts).map(h => '%s: %d'.format(this.hostLabel({ addr: h.host, name: h.name }), h.count)).join(', ');
			return E('tr', { 'class': 'tr netfix-ct-event' }, [
				E('td', { 'class': 'td' }, [ T(nf.formatTime(ev.time)) ]),
				E('td', { 'class': 'td' }, [ this.reasonLabel(ev.reason) || T(ev.reason) ]),
				E('td', { 'class': 'td' }, [ T(nf.formatFill(c.entries, c.max)) ]),
				E('td', { 'class': 'td' }, [ ev.reason === 'conntrack_reclaim'
					? _('%d deleted').format(ev.flows_deleted || 0)
					: (c.refused > 0 ? _('%d refused').format(c.refused) : '') ]),
				E('td', { 'class': 'td' }, [ T(hosts) ])
			]);
		}))));
	},

	/* The section, or null when the document has no table facts. */
	render(doc) {
		const ct = doc && doc.conntrack;
		const t = ct && ct.table;
		if (!ct || !ct.available || !t)
			return null;

		const pct = nf.fillPercent(ct.entries, ct.max);
		const gauge = E('span', {}, [
			T(nf.formatFill(ct.entries, ct.max)),
			(pct == null) ? '' : E('span', { 'class': 'netfix-bar', 'title': '%.1f %%'.format(pct) }, [
				E('div', { 'style': 'width:%.1f%%;%s'.format(pct, pct >= 90 ? 'background:#c9302c' : (pct >= 75 ? 'background:#e08e0b' : '')) })
			])
		]);
		const rows = [ [ _('Entries in use'), gauge ] ];
		const growth = this.growthText(t);
		if (growth)
			rows.push([ _('Refused connections'), growth ]);
		if (t.timeouts && t.timeouts.read)
			rows.push([ _('Established timeout'), _('%d s').format(t.timeouts.established) ]);
		const reclaim = this.reclaimText(t);
		if (reclaim)
			rows.push([ _('Reclaim of idle entries'), reclaim ]);

		const parts = [
			E('h3', {}, [ _('Connection tracking table') ]),
			E('table', { 'class': 'table netfix-kv', 'id': 'netfix-ct-summary' }, rows.map(r => E('tr', { 'class': 'tr' }, [
				E('td', { 'class': 'td left', 'width': '33%' }, [ r[0] ]),
				E('td', { 'class': 'td left', 'data-title': r[0] }, [ (r[1] instanceof Node) ? r[1] : T(r[1]) ])
			])))
		];

		const u = t.usage;
		if (u && arr(u.hosts).length) {
			parts.push(E('h4', {}, [ _('Hosts holding the most entries') ]), this.renderHosts(u));
			if (u.established > 0)
				parts.push(E('h4', {}, [ _('ESTABLISHED entries by idle time') ]), this.renderIdle(u));
		}
		const evs = this.renderEvents(doc);
		if (evs)
			parts.push(E('h4', {}, [ _('Table events') ]), evs);

		return E('div', { 'class': 'cbi-section', 'id': 'netfix-conntrack' }, parts);
	}
});
