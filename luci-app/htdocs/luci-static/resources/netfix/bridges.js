'use strict';
'require baseclass';
'require netfix.format as nf';

/*
 * The bridges and containers section of the netfix status page (scenario
 * S4: bridged containers whose traffic bridge netfilter sends through the
 * IP firewall, so conntrack tracks a connection twice). It renders
 * doc.bridge_nf: the br_netfilter switches, the bridges with their
 * addresses and ports, the veth links between bridges, the notrack rules
 * in place, DNAT rules without an input interface, and the connections the
 * daemon caught tracked twice. Bridge, port and rule names come from the
 * router (a container runtime names them): always text nodes.
 */

function T(value) {
	return document.createTextNode(value == null ? '' : String(value));
}

function arr(v) {
	return Array.isArray(v) ? v : [];
}

function onOff(b) {
	return b ? _('On') : _('Off');
}

/* A table with a heading row; every cell gets its column's data-title. */
function table(id, titles, rows, empty) {
	const body = rows.length ? rows : [ E('tr', { 'class': 'tr placeholder' }, [
		E('td', { 'class': 'td', 'colspan': String(titles.length) }, [ E('em', {}, [ empty ]) ])
	]) ];
	return nf.titleCells(E('table', { 'class': 'table', 'id': id }, [
		E('tr', { 'class': 'tr table-titles' }, titles.map(t => E('th', { 'class': 'th' }, [ t ])))
	].concat(body)));
}

function row(cells) {
	return E('tr', { 'class': 'tr' }, cells.map(c => E('td', { 'class': 'td' }, [ (c instanceof Node) ? c : T(c) ])));
}

return baseclass.extend({
	/* rp_filter as a person reads it. */
	rpFilterLabel(v) {
		switch (v) {
		case 0: return _('0 (off)');
		case 1: return _('1 (strict)');
		case 2: return _('2 (loose)');
		default: return String(v == null ? '?' : v);
		}
	},

	/* "tcp 5000 → 172.18.0.4:5000 (not from br-x)" */
	natText(r) {
		r = r || {};
		let s = '%s %s %s #%d'.format(String(r.family || '?'), String(r.table || '?'), String(r.chain || '?'), r.handle || 0);
		if (r.proto || r.port)
			s += ': %s %s'.format(String(r.proto || ''), r.port ? String(r.port) : '').trim();
		if (r.to)
			s += ' → ' + String(r.to);
		if (r.not_iif)
			s += ' ' + _('(except from %s)').format(String(r.not_iif));
		return s;
	},

	/* The section, or null when the document has no bridge facts. */
	render(doc) {
		const b = doc && doc.bridge_nf;
		const title = E('h3', {}, [ _('Bridges and containers') ]);
		if (!b)
			return E('div', { 'class': 'cbi-section', 'id': 'netfix-bridges' }, [ title, E('p', {}, [ E('em', {}, [ _('Not available.') ]) ]) ]);

		const kv = [
			[ _('Bridge netfilter (br_netfilter)'), b.loaded ? _('Loaded') : _('Not loaded') ]
		];
		if (b.error)
			kv.push([ _('Error'), E('span', { 'class': 'netfix-error' }, [ T(b.error) ]) ]);
		if (b.loaded) {
			kv.push([ 'bridge-nf-call-iptables', onOff(b.call_iptables) ]);
			kv.push([ 'bridge-nf-call-ip6tables', onOff(b.call_ip6tables) ]);
			kv.push([ 'bridge-nf-call-arptables', onOff(b.call_arptables) ]);
		}
		kv.push([ _('Reverse path filter (net.ipv4.conf.all.rp_filter)'), this.rpFilterLabel(b.rp_filter_all) ]);
		kv.push([ _('iptables through nftables (iptables-nft)'), b.iptables_nft ? _('Yes') : _('No') ]);

		const parts = [ title, E('table', { 'class': 'table netfix-kv', 'id': 'netfix-bridges-summary' }, kv.map(r => E('tr', { 'class': 'tr' }, [
			E('td', { 'class': 'td left', 'width': '33%' }, [ r[0] ]),
			E('td', { 'class': 'td left', 'data-title': r[0] }, [ (r[1] instanceof Node) ? r[1] : T(r[1]) ])
		]))) ];

		parts.push(E('h4', {}, [ _('Bridges') ]), table('netfix-bridges-list',
			[ _('Bridge'), _('Addresses'), _('Ports'), _('rp_filter in effect'), _('arp_ignore in effect') ],
			arr(b.bridges).map(br => row([
				E('code', {}, [ T(br.name) ]),
				arr(br.addresses).join(', ') || _('none'),
				arr(br.ports).join(', ') || _('none'),
				this.rpFilterLabel(br.rp_filter_effective),
				String(br.arp_ignore_effective == null ? '?' : br.arp_ignore_effective)
			])), _('No bridges.')));

		if (arr(b.links).length)
			parts.push(E('h4', {}, [ _('Links between bridges') ]), table('netfix-bridges-links',
				[ _('veth'), _('In bridge'), _('Peer'), _('Peer in bridge') ],
				arr(b.links).map(l => row([ l.veth, l.bridge, l.peer, l.peer_bridge ])), ''));

		parts.push(E('h4', {}, [ _('Notrack rules') ]), table('netfix-bridges-notrack',
			[ _('Rule'), _('Input interface') ],
			arr(b.notrack).map(r => row([ '%s %s %s'.format(String(r.family || '?'), String(r.table || '?'), String(r.chain || '?')), E('code', {}, [ T(r.iif) ]) ])),
			_('No notrack rule for a bridge.')));

		if (arr(b.dnat_no_iif).length)
			parts.push(E('h4', {}, [ _('Published ports (DNAT) for every input interface') ]), table('netfix-bridges-dnat',
				[ _('Rule') ], arr(b.dnat_no_iif).map(r => row([ this.natText(r) ])), ''));

		parts.push(E('h4', {}, [ _('Connections tracked twice') ]), table('netfix-bridges-mirrors',
			[ _('Seen'), _('First entry'), _('Second entry'), _('Port rewritten to') ],
			arr(b.mirrors).map(m => row([ nf.formatTime(m.seen_at), E('code', {}, [ T(m.first) ]), E('code', {}, [ T(m.second) ]),
				m.rewritten_port ? String(m.rewritten_port) : '' ])),
			_('None seen.')));

		return E('div', { 'class': 'cbi-section', 'id': 'netfix-bridges' }, parts);
	}
});
