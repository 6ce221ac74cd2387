'use strict';
'require baseclass';
'require netfix.format as nf';

/*
 * The IP forwarding section of the netfix status page (scenario S3: an
 * interface whose forwarding was switched off behind the owner's back).
 * It renders the "forwarding" part of the status document and the
 * daemon's forwarding events (heal.forwarding_events). The helpers return
 * plain values and are tested on their own; render() builds nodes from
 * them, always as text (interface names and file paths come from the
 * router).
 */

function arr(v) {
	return Array.isArray(v) ? v : [];
}

/* A text node: router values (interface names, paths) never become markup. */
function T(value) {
	return document.createTextNode(value == null ? '' : String(value));
}

function onOff(b) {
	return b ? _('On') : _('Off');
}

return baseclass.extend({
	/* What a role of an interface means, in words. */
	roleLabel(role) {
		switch (role) {
		case 'uplink': return _('default route');
		case 'bridge': return _('bridge with ports');
		case 'container': return _('container or VM bridge');
		case 'veth': return _('routed veth');
		case 'zone': return _('firewall zone');
		case 'ipv6_route': return _('IPv6 route');
		default: return String(role);
		}
	},

	/* One row per interface that matters: the ones that carry forwarded
	 * traffic first, those with IPv4 forwarding off (a problem) on top. */
	interfaceRows(doc) {
		const fw = (doc && doc.forwarding) || {};
		const rows = arr(fw.interfaces).map(i => {
			const roles = arr(i.roles);
			return {
				name: String(i.name || '?'),
				carries: roles.length > 0,
				roles: roles.length ? roles.map(r => this.roleLabel(r)).join(', ') : _('none (not flagged)'),
				ipv4: onOff(!!i.ipv4),
				ipv6: onOff(!!i.ipv6) + (i.force_forwarding ? ' (force_forwarding)' : ''),
				problem: !!fw.ipv4 && roles.length > 0 && !i.ipv4,
				managedBy: i.network_file ? String(i.network_file) : '',
				since: i.since ? String(i.since) : ''
			};
		});
		return rows.sort((a, b) => (b.problem - a.problem) || (b.carries - a.carries) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
	},

	/* The drop counter as a person reads it. */
	counterText(c) {
		c = c || {};
		if (!c.sampled)
			return _('%d (one sample)').format(c.in_addr_errors || 0);
		return _('%d (+%d in %s s)').format(c.in_addr_errors || 0, c.in_addr_errors_growth || 0, String(c.interval_seconds || 0));
	},

	networkdLabel(n) {
		switch ((n || {}).state) {
		case 'running': return _('running (systemd %s)').format(n.version ? String(n.version) : '?');
		case 'not_running': return _('not running');
		case 'no_bus': return _('no system D-Bus');
		case 'bus_error':
		case 'timeout': return _('D-Bus failed: %s').format(n.error || '?');
		case 'not_built': return _('not asked (built without D-Bus)');
		default: return _('not asked');
		}
	},

	/* One forwarding event: "ipv4 on eno1: 1 → 0, restored". */
	eventText(ev) {
		ev = ev || {};
		let s = _('%s on %s: %d → %d').format(String(ev.family || '?'), String(ev.interface || '?'), ev.old ? 1 : 0, ev.new ? 1 : 0);
		if (ev.restored)
			s += ' · ' + _('set back to 1 by the forwarding guard');
		else if (ev.error)
			s += ' · ' + _('restore failed: %s').format(String(ev.error));
		return s;
	},

	render(doc, formatTime) {
		const title = E('h3', {}, [ _('IP forwarding') ]);
		const fw = doc && doc.forwarding;
		if (!fw)
			return E('div', { 'class': 'cbi-section', 'id': 'netfix-forwarding' }, [
				title, E('p', {}, [ E('em', {}, [ _('Not available.') ]) ])
			]);
		const time = formatTime || (t => String(t || ''));
		const kv = [
			[ _('IPv4 forwarding (net.ipv4.ip_forward)'), onOff(!!fw.ipv4) ],
			[ _('IPv6 forwarding (net.ipv6.conf.all.forwarding)'), fw.ipv6_present ? onOff(!!fw.ipv6) : _('No IPv6') ],
			[ _('Dropped because forwarding is off (InAddrErrors)'), this.counterText(fw.counters) ],
			[ _('systemd-networkd'), fw.openwrt ? _('not used on OpenWrt') : this.networkdLabel(fw.networkd) ]
		];
		const parts = [ title, E('table', { 'class': 'table netfix-kv' }, kv.map(r => E('tr', { 'class': 'tr' }, [
			E('td', { 'class': 'td left', 'width': '33%' }, [ r[0] ]),
			E('td', { 'class': 'td left', 'data-title': r[0] }, [ T(r[1]) ])
		]))) ];

		const rows = this.interfaceRows(doc);
		if (rows.length) {
			parts.push(nf.titleCells(E('table', { 'class': 'table', 'id': 'netfix-forwarding-interfaces' }, [
				E('tr', { 'class': 'tr table-titles' }, [
					_('Interface'), _('Carries forwarded traffic as'), _('IPv4 forwarding'), _('IPv6 forwarding'), _('Managed by'), _('Off since')
				].map(t => E('th', { 'class': 'th' }, [ t ])))
			].concat(rows.map(r => E('tr', { 'class': 'tr' + (r.problem ? ' netfix-forwarding-off' : '') }, [
				E('td', { 'class': 'td' }, [ T(r.name) ]),
				E('td', { 'class': 'td' }, [ T(r.roles) ]),
				/* the page's own critical badge: a theme's .label.important
				 * is info-blue in bootstrap and absent in argon */
				E('td', { 'class': 'td' }, [ r.problem ? E('span', { 'class': 'netfix-badge netfix-tone-critical' }, [ T(r.ipv4) ]) : T(r.ipv4) ]),
				E('td', { 'class': 'td' }, [ T(r.ipv6) ]),
				E('td', { 'class': 'td' }, [ T(r.managedBy) ]),
				E('td', { 'class': 'td' }, [ T(r.since ? time(r.since) : '') ])
			]))))));
		}

		const events = arr(doc.heal && doc.heal.forwarding_events);
		if (events.length)
			parts.push(nf.titleCells(E('table', { 'class': 'table', 'id': 'netfix-forwarding-events' }, [
				E('tr', { 'class': 'tr table-titles' }, [ _('Time'), _('Forwarding change') ].map(t => E('th', { 'class': 'th' }, [ t ])))
			].concat(events.map(ev => E('tr', { 'class': 'tr' }, [
				E('td', { 'class': 'td' }, [ T(time(ev.time)) ]),
				E('td', { 'class': 'td' }, [ T(this.eventText(ev)) ])
			]))))));

		return E('div', { 'class': 'cbi-section', 'id': 'netfix-forwarding' }, parts);
	}
});
