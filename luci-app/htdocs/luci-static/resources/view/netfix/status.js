'use strict';
'require view';
'require dom';
'require poll';
'require rpc';
'require uci';
'require ui';
'require netfix.format as nf';
'require netfix.forwarding as nfw';
'require netfix.conntrack as ctsection';
'require netfix.fix as fixes';

/*
 * netfix status page: what is wrong with flow offloading on this router,
 * why, and what netfix did about it.
 *
 * It renders the status document of `ubus call netfix status` (schema 1,
 * owned by the Go side) and refreshes it every 5 seconds. Every value that
 * comes from the router goes onto the page as a text node (T() below or an
 * array child of E()): host and interface names are chosen by whoever
 * controls a LAN device, so none of them may ever reach innerHTML. Note
 * that E(tag, attrs, 'string') assigns innerHTML in LuCI; only arrays and
 * nodes are safe children.
 */

const POLL_INTERVAL = 5;
const HISTORY_LIMIT = 20;

const callStatus = rpc.declare({
	object: 'netfix',
	method: 'status',
	reject: true
});

const callCheck = rpc.declare({
	object: 'netfix',
	method: 'check',
	reject: true
});

const callHistory = rpc.declare({
	object: 'netfix',
	method: 'history',
	params: [ 'limit' ],
	reject: true
});

const callFlush = rpc.declare({
	object: 'netfix',
	method: 'flush',
	params: [ 'ip', 'dry_run' ],
	reject: true
});

/*
 * The page's own colours for severities and the verdict banner. The
 * theme's alert/label colour classes mean different things per theme (in
 * luci-theme-bootstrap .label.important is the same blue as .label.notice,
 * and an .alert-message.error keeps h3 in the body's dark grey on red), so
 * the tones are set here, for light and for bootstrap's dark mode
 * (:root[data-darkmode="true"]), each at least 4.5:1 (WCAG AA); the
 * browser test measures them from the rendered styles.
 */
const TONES = {
	/*            light: background, text, accent     dark: background, text, accent */
	critical: [ '#fbe4e2', '#1f1f1f', '#b3261e',   '#4a1c19', '#f6f6f6', '#ef8a80' ],
	warning:  [ '#fff1cf', '#1f1f1f', '#8a5a00',   '#443512', '#f6f6f6', '#e0b44c' ],
	info:     [ '#e4eef9', '#1f1f1f', '#0b5cad',   '#17324d', '#f6f6f6', '#7fb6ea' ],
	ok:       [ '#e3f3e6', '#1f1f1f', '#1e7b34',   '#173a22', '#f6f6f6', '#7ccf8e' ],
	unknown:  [ '#ececec', '#1f1f1f', '#555555',   '#3a3a3a', '#f6f6f6', '#bdbdbd' ]
};

function toneCSS() {
	const out = [];
	for (const [ name, t ] of Object.entries(TONES)) {
		for (const [ root, bg, fg, accent ] of [ [ '', t[0], t[1], t[2] ], [ ':root[data-darkmode="true"] ', t[3], t[4], t[5] ] ]) {
			out.push(`${root}#netfix .netfix-banner.netfix-tone-${name} { background: ${bg}; background-image: none; color: ${fg}; border: 1px solid ${accent}; border-left: 6px solid ${accent}; }`);
			/* a badge: light text on the accent in light mode, dark text on it in dark mode */
			out.push(`${root}#netfix .label.netfix-tone-${name} { background: ${accent}; background-image: none; color: ${root ? '#111111' : '#ffffff'}; }`);
			out.push(`${root}#netfix .netfix-finding.netfix-tone-${name} { border-left-color: ${accent}; }`);
		}
	}
	return out;
}

const CSS = [
	'#netfix .netfix-banner { box-shadow: none; }',
	'#netfix .netfix-banner h3, #netfix .netfix-banner p, #netfix .netfix-banner strong { color: inherit; }',
	'#netfix .netfix-banner h3 { margin: 0 0 .3em 0; }',
	'#netfix .netfix-banner p { margin: .2em 0; }',
	'#netfix .netfix-meta { font-size: 90%; }',
	'#netfix .netfix-finding { border-left: 4px solid #8a8a8a; padding: .4em .8em; margin: .6em 0; }',
	'#netfix .netfix-finding p { margin: .3em 0; }',
	'#netfix .netfix-evidence { margin: .3em 0 .3em 1.2em; padding: 0; }',
	'#netfix .netfix-evidence li { list-style: disc; }',
	'#netfix .netfix-fix { display: flex; align-items: center; gap: .6em; flex-wrap: wrap; }',
	'#netfix .netfix-fix pre { margin: 0; padding: .3em .6em; white-space: pre-wrap; word-break: break-all; flex: 1 1 20em; }',
	'#netfix .netfix-bar { display: inline-block; width: 10em; height: .7em; border: 1px solid #999; vertical-align: middle; margin-left: .6em; }',
	'#netfix .netfix-bar > div { height: 100%; background: #5b9bd5; }',
	'#netfix .netfix-error { color: #b3261e; }',
	':root[data-darkmode="true"] #netfix .netfix-error { color: #ef8a80; }',
	'#netfix .netfix-actions .cbi-value-field > * { margin-right: .5em; vertical-align: middle; }'
].concat(toneCSS()).join('\n');

/* A text node: how values from the router get onto the page. */
function T(value) {
	return document.createTextNode(value == null ? '' : String(value));
}

/*
 * Like L.resolveDefault(), but a failed call keeps its reason: it becomes
 * { error: Error } so the page can say which kind of failure it was
 * (nf.failureKind).
 */
function settle(promise) {
	return Promise.resolve(promise).catch(err => ({ error: (err instanceof Error) ? err : new Error(nf.errorText(err)) }));
}

/* A label in one of the page's tones (TONES). */
function badge(tone, text) {
	return E('span', { 'class': 'label netfix-badge netfix-tone-' + tone }, [ text ]);
}

/* A two-column table of [ label, value node or text ] rows. */
function kvTable(rows) {
	return E('table', { 'class': 'table' }, rows.map(r =>
		E('tr', { 'class': 'tr' }, [
			E('td', { 'class': 'td left', 'width': '33%' }, [ r[0] ]),
			E('td', { 'class': 'td left' }, [ (r[1] instanceof Node) ? r[1] : T(r[1]) ])
		])));
}

function tableHead(titles) {
	return E('tr', { 'class': 'tr table-titles' },
		titles.map(t => E('th', { 'class': 'th' }, [ t ])));
}

function yesNo(b) {
	return b ? _('Yes') : _('No');
}

return view.extend({
	load() {
		return Promise.all([
			settle(callStatus()),
			L.resolveDefault(callHistory(HISTORY_LIMIT), null),
			(L.hasViewPermission() === true) ? fixes.load() : null
		]);
	},

	render(data) {
		this.doc = null;
		this.docError = null;
		this.history = null;
		this.lastKey = null;
		/* LuCI's own answer for this view: true only when the session may
		 * write one of the ACL groups the menu node depends on. */
		this.canWrite = (L.hasViewPermission() === true);
		this.fixList = data[2];
		this.body = E('div', { 'id': 'netfix-body' });

		this.update(data[0], data[1]);

		poll.add(L.bind(this.refresh, this), POLL_INTERVAL);

		return E('div', { 'class': 'cbi-map', 'id': 'netfix' }, [
			E('style', {}, [ CSS ]),
			E('h2', {}, [ _('netfix: offloaded flow health') ]),
			E('div', { 'class': 'cbi-map-descr' }, [
				_('netfix checks whether flow offloading on this router can send traffic to a device that is gone, and repairs such stale flows by itself. This page refreshes every 5 seconds.')
			]),
			this.body,
			this.canWrite ? this.renderActions() : E('p', { 'class': 'netfix-meta', 'id': 'netfix-readonly' }, [
				_('You have read-only access: repairing a host and re-checking are not available.')
			])
		]);
	},

	/* Polled every POLL_INTERVAL seconds. */
	refresh() {
		return Promise.all([
			settle(callStatus()),
			L.resolveDefault(callHistory(HISTORY_LIMIT), null)
		]).then(res => this.update(res[0], res[1]));
	},

	/*
	 * Takes a status reply and a history reply and redraws what changed. A
	 * failed status call keeps the last good document on the page, marked
	 * as such.
	 */
	update(status, history) {
		if (nf.isDocument(status)) {
			this.doc = status;
			this.docError = null;
		}
		else {
			this.docError = nf.failureText(status);
		}

		this.history = history;

		/* Redraw only when something besides the time changed, so a
		 * selection or a "Copied" stays put between refreshes. */
		const key = JSON.stringify([ this.doc ? Object.assign({}, this.doc, { generated_at: null }) : null,
			this.docError, history ]);

		if (key === this.lastKey && this.metaNode) {
			dom.content(this.metaNode, [ this.metaText() ]);
			return;
		}

		this.lastKey = key;
		dom.content(this.body, [
			this.renderBanner(),
			this.renderFindings()
		].concat(this.sections()));
	},

	/*
	 * The sections under the banner and the findings, in page order. A
	 * section of its own (conntrack table, forwarding, bridge netfilter, ...)
	 * lives in luci-static/resources/netfix/<x>.js, is loaded with
	 * 'require netfix.<x> as <x>' at the top of this file, and adds one line
	 * here: <x>.render(this.doc, this) returning a node (or null when the
	 * document has nothing for it). Section modules get the document as
	 * it came; they put router values on the page as text (E() with array
	 * children) and translate their strings like this file does.
	 */
	sections() {
		return [
			this.renderOffload(),
			nfw.render(this.doc, t => nf.formatTime(t)),
			ctsection.render(this.doc) || '',
			this.renderHealer(),
			this.canWrite ? fixes.render(this.fixList, (ok, text) => this.afterFix(ok, text)) : null
		].filter(n => n != null);
	},

	metaText() {
		const doc = this.doc;
		return _('Router %s · checked %s · netfix %s').format(
			doc.host || '?', nf.formatTime(doc.generated_at) || '?', doc.version || '?');
	},

	healerSentence(heal) {
		if (heal == null || !heal.running)
			return _('The netfix daemon is not running: stale flows are not repaired.');

		const repairs = nf.repairCount(heal), flows = heal.flows_deleted || 0;
		const manual = heal.manual_flushes || 0;
		const flushes = manual ? N_(manual, '%d manual flush.', '%d manual flushes.').format(manual) : '';

		switch (heal.mode) {
		case 'heal':
			return nf.joinSentences([
				N_(repairs, 'netfix is repairing stale flows: %d repair so far,', 'netfix is repairing stale flows: %d repairs so far,').format(repairs),
				N_(flows, '%d flow deleted.', '%d flows deleted.').format(flows),
				flushes
			]);
		case 'dry_run':
			return nf.joinSentences([
				N_(flows, 'netfix runs in dry-run mode and deletes nothing: it would have repaired %d flow so far.',
					'netfix runs in dry-run mode and deletes nothing: it would have repaired %d flows so far.').format(flows),
				flushes
			]);
		default:
			return _('netfix runs, but repairing is switched off in its settings.');
		}
	},

	renderBanner() {
		const doc = this.doc;
		const v = nf.verdict(doc);
		const nodes = [];

		const lines = [
			E('h3', {}, [ v.label ]),
			E('p', { 'class': 'netfix-summary' }, [ v.summary ])
		];

		if (doc) {
			const worst = nf.sortFindings(nf.problems(doc.findings))[0];
			if (worst)
				lines.push(E('p', { 'class': 'netfix-worst' }, [ E('strong', {}, [ T(nf.findingText(worst).title) ]) ]));

			lines.push(E('p', { 'class': 'netfix-healer-line' }, [ this.healerSentence(doc.heal) ]));

			this.metaNode = E('p', { 'class': 'netfix-meta' }, [ this.metaText() ]);
			lines.push(this.metaNode);
		}
		else {
			this.metaNode = null;
		}

		nodes.push(E('div', {
			'class': 'alert-message netfix-banner netfix-tone-' + v.cls,
			'id': 'netfix-verdict',
			'data-verdict': v.level
		}, lines));

		if (this.docError != null) {
			const msg = [ this.docError ];
			if (doc)
				msg.push(' ', _('Showing the status read at %s.').format(nf.formatTime(doc.generated_at)));

			nodes.push(E('div', { 'class': 'alert-message netfix-banner netfix-tone-warning', 'id': 'netfix-error', 'role': 'alert' }, [
				E('p', {}, msg)
			]));
		}

		if (doc && doc.schema !== nf.SCHEMA)
			nodes.push(E('div', { 'class': 'alert-message netfix-banner netfix-tone-info', 'id': 'netfix-schema' }, [
				_('This page was written for status schema %d; netfix sent schema %d. Some details may be missing.')
					.format(nf.SCHEMA, doc.schema)
			]));

		return E('div', {}, nodes);
	},

	renderFinding(f) {
		const sev = String(f.severity || '');
		const text = nf.findingText(f);
		const evidence = text.evidence;
		const parts = [
			E('div', { 'class': 'netfix-finding-head' }, [
				badge(nf.severityClass(sev), nf.severityLabel(sev)),
				' ',
				E('strong', { 'class': 'netfix-finding-title' }, [ T(text.title) ])
			])
		];

		if (text.detail)
			parts.push(E('p', { 'class': 'netfix-finding-detail' }, [ T(text.detail) ]));

		if (evidence.length)
			parts.push(E('div', {}, [
				E('em', {}, [ _('Evidence') ]),
				E('ul', { 'class': 'netfix-evidence' },
					evidence.map(e => E('li', {}, [ E('code', {}, [ T(e) ]) ])))
			]));

		if (f.fix) {
			const pre = E('pre', { 'class': 'netfix-fix-cmd' }, [ E('code', {}, [ T(f.fix) ]) ]);
			const buttons = [
				E('button', {
					'class': 'cbi-button cbi-button-neutral netfix-copy',
					'title': _('Copy the command to the clipboard'),
					'click': ev => this.handleCopy(ev, f.fix, pre)
				}, [ _('Copy') ])
			];
			if (this.canWrite && nf.uciChanges(f).length)
				buttons.unshift(E('button', {
					'class': 'cbi-button cbi-button-apply netfix-apply-fix',
					'title': _('Stages the change in LuCI and applies it; LuCI rolls it back unless the page still reaches the router afterwards.'),
					'click': ev => this.handleApplyFix(ev, f)
				}, [ _('Apply fix') ]));
			parts.push(E('div', { 'class': 'netfix-fix' }, [ E('em', {}, [ _('Fix') ]), pre ].concat(buttons)));
		}

		if (this.canWrite && f.fix_action)
			parts.push(fixes.applyButton(f, (ok, text) => this.afterFix(ok, text)));

		return E('div', {
			'class': 'netfix-finding netfix-tone-' + nf.severityClass(sev) + ' netfix-sev-' + (sev.replace(/[^a-z]/g, '') || 'unknown'),
			'data-id': String(f.id || '')
		}, parts);
	},

	renderFindings() {
		const doc = this.doc;
		let content;

		if (!doc)
			content = [ E('p', {}, [ E('em', {}, [ _('Not available.') ]) ]) ];
		else if (!Array.isArray(doc.findings) || !doc.findings.length)
			content = [ E('p', {}, [ E('em', {}, [ _('No problems found.') ]) ]) ];
		else
			content = nf.sortFindings(doc.findings).map(f => this.renderFinding(f));

		return E('div', { 'class': 'cbi-section', 'id': 'netfix-findings' }, [
			E('h3', {}, [ _('Findings') ])
		].concat(content));
	},

	renderFlowtable(ft) {
		const devices = Array.isArray(ft.devices) ? ft.devices : [];
		const name = '%s %s · %s'.format(ft.family || '?', ft.table || '?', ft.name || '?');
		const props = [
			_('hook %s, priority %d').format(ft.hook || '?', ft.priority || 0),
			_('flags offload (hardware): %s').format(yesNo(ft.hw_offload_flag)),
			_('used by a rule: %s').format(yesNo(ft.referenced))
		].join(' · ');

		const rows = devices.map(d => E('tr', { 'class': 'tr' }, [
			E('td', { 'class': 'td' }, [ E('code', {}, [ T(d.name) ]) ]),
			E('td', { 'class': 'td' }, [ nf.deviceKindLabel(d.kind) ]),
			E('td', { 'class': 'td' }, [ T(nf.deviceUpper(d)) ]),
			E('td', { 'class': 'td' }, [ T(d.driver || '') ]),
			E('td', { 'class': 'td' }, [ nf.hwOffloadLabel(d) ])
		]));

		if (!rows.length)
			rows.push(E('tr', { 'class': 'tr placeholder' }, [
				E('td', { 'class': 'td', 'colspan': '5' }, [ E('em', {}, [ _('No devices.') ]) ])
			]));

		return E('div', { 'class': 'netfix-flowtable' }, [
			E('h4', {}, [ _('Flowtable %s').format(name) ]),
			E('p', {}, [ props ]),
			E('table', { 'class': 'table netfix-devices' }, [
				tableHead([ _('Device'), _('Type'), _('Attached to'), _('Driver'),
					_('NIC can offload (hw-tc-offload)') ])
			].concat(rows))
		]);
	},

	renderOffload() {
		const doc = this.doc;
		const title = E('h3', {}, [ _('Flow offloading in effect') ]);

		if (!doc)
			return E('div', { 'class': 'cbi-section', 'id': 'netfix-offload' }, [
				title, E('p', {}, [ E('em', {}, [ _('Not available.') ]) ])
			]);

		const fw = doc.firewall || {};
		const off = doc.offload || {};
		const ct = doc.conntrack || {};
		const flowtables = Array.isArray(off.flowtables) ? off.flowtables : [];

		let requested;
		if (fw.error)
			requested = E('span', { 'class': 'netfix-error' }, [ T(fw.error) ]);
		else if (!fw.present)
			requested = _('No OpenWrt firewall configuration found');
		else
			requested = '%s (flow_offloading=%d, flow_offloading_hw=%d)'.format(
				nf.offloadModeLabel(nf.firewallMode(fw)), fw.flow_offloading ? 1 : 0, fw.flow_offloading_hw ? 1 : 0);

		const live = off.error
			? E('span', { 'class': 'netfix-error' }, [ T(off.error) ])
			: nf.offloadModeLabel(off.mode);

		let fill;
		if (!ct.available) {
			fill = E('span', { 'class': 'netfix-error' }, [ _('Not readable: %s').format(ct.error || '?') ]);
		}
		else {
			const pct = nf.fillPercent(ct.entries, ct.max);
			fill = E('span', {}, [
				T(nf.formatFill(ct.entries, ct.max)),
				(pct == null) ? '' : E('span', { 'class': 'netfix-bar', 'title': '%.1f %%'.format(pct) }, [
					E('div', { 'style': 'width:%.1f%%'.format(pct) })
				])
			]);
		}

		const rows = [
			[ _('Requested in /etc/config/firewall'), requested ],
			[ _('Active in the nftables ruleset'), live ],
			[ _('What the kernel really does (conntrack offload bits)'), nf.offloadModeLabel(off.effective_mode) ],
			[ _('Kernel flowtable support'), nf.kernelSupportLabel(off.kernel_support) ],
			[ _('Connection tracking table'), fill ]
		];

		if (ct.available) {
			rows.push([ _('Offloaded connections [OFFLOAD]'),
				_('%d of %d connections').format(ct.offloaded || 0, ct.dumped || 0) ]);
			rows.push([ _('Offloaded in hardware [HW_OFFLOAD]'),
				_('%d of %d connections').format(ct.hw_offloaded || 0, ct.dumped || 0) ]);
		}

		const parts = [ title, kvTable(rows) ];

		if (flowtables.length)
			flowtables.forEach(ft => parts.push(this.renderFlowtable(ft)));
		else
			parts.push(E('p', {}, [ E('em', {}, [ _('No flowtable: the kernel offloads no flow.') ]) ]));

		return E('div', { 'class': 'cbi-section', 'id': 'netfix-offload' }, parts);
	},

	renderEventRow(ev) {
		const change = nf.eventChange(ev);
		const what = [ E('span', {}, [ nf.reasonLabel(ev.reason) ]) ];

		if (change)
			what.push(E('br'), E('code', {}, [ T(change[0]) ]),
				E('span', { 'class': 'netfix-arrow' }, [ ' → ' ]), E('code', {}, [ T(change[1]) ]));

		if (ev.error)
			what.push(E('br'), E('span', { 'class': 'netfix-error' }, [ _('Error: %s').format(ev.error) ]));

		return E('tr', { 'class': 'tr netfix-event' }, [
			E('td', { 'class': 'td' }, [ T(nf.formatTime(ev.time)) ]),
			E('td', { 'class': 'td netfix-event-host' }, [ T(ev.ip) ]),
			E('td', { 'class': 'td netfix-event-iface' }, [ T(ev.interface) ]),
			E('td', { 'class': 'td' }, what),
			E('td', { 'class': 'td' }, [ nf.eventFlows(ev) ]),
			E('td', { 'class': 'td' }, [ nf.formatLatency(ev.latency_us) ])
		]);
	},

	renderHealer() {
		const doc = this.doc;
		const heal = (doc && doc.heal) || null;
		const picked = nf.pickEvents(this.history, doc, HISTORY_LIMIT);
		const parts = [ E('h3', {}, [ _('Self-healing') ]) ];

		if (heal) {
			const rows = [
				[ _('Daemon'), heal.running ? badge('ok', _('Running')) : badge('warning', _('Not running')) ]
			];

			if (heal.running) {
				rows.push([ _('Mode'), nf.healModeLabel(heal.mode) ]);
				if (nf.formatTime(heal.since))
					rows.push([ _('Running since'), nf.formatTime(heal.since) ]);
				rows.push([ _('Hosts watched'), String(heal.neighbours_tracked || 0) ]);
			}

			const dry = heal.running && heal.mode === 'dry_run';
			rows.push([ _('Repairs so far'), nf.countLabel(nf.repairCount(heal), dry) ]);
			rows.push([ _('Manual flushes'), String(heal.manual_flushes || 0) ]);
			rows.push([ _('Flows repaired so far'), nf.countLabel(heal.flows_deleted, dry) ]);
			parts.push(kvTable(rows));
		}

		const rows = picked.events.map(ev => this.renderEventRow(ev || {}));
		if (!rows.length)
			rows.push(E('tr', { 'class': 'tr placeholder' }, [
				E('td', { 'class': 'td', 'colspan': '6' }, [ E('em', {}, [ _('No repairs yet.') ]) ])
			]));

		parts.push(E('h4', {}, [ _('Recent repairs') ]));
		parts.push(E('table', { 'class': 'table', 'id': 'netfix-events' }, [
			tableHead([ _('Time'), _('Host'), _('Interface'), _('What changed'), _('Flows repaired'), _('Latency') ])
		].concat(rows)));

		if (picked.total > picked.events.length)
			parts.push(E('p', { 'class': 'netfix-meta' }, [
				_('Showing the newest %d of %d repairs.').format(picked.events.length, picked.total)
			]));

		return E('div', { 'class': 'cbi-section', 'id': 'netfix-healer' }, parts);
	},

	renderActions() {
		this.flushIP = E('input', {
			'type': 'text',
			'class': 'cbi-input-text',
			'id': 'netfix-flush-ip',
			'placeholder': '192.168.1.240',
			'aria-label': _('IP address of the host'),
			'keydown': ev => { if (ev.key === 'Enter') this.handleFlush(ev); }
		});
		this.flushDry = E('input', { 'type': 'checkbox', 'id': 'netfix-flush-dry' });
		this.actionResult = E('p', { 'id': 'netfix-action-result', 'aria-live': 'polite' });

		return E('div', { 'class': 'cbi-section netfix-actions', 'id': 'netfix-actions' }, [
			E('h3', {}, [ _('Actions') ]),
			E('div', { 'class': 'cbi-value' }, [
				E('label', { 'class': 'cbi-value-title', 'for': 'netfix-flush-ip' }, [ _('Repair a host') ]),
				E('div', { 'class': 'cbi-value-field' }, [
					this.flushIP,
					E('label', {}, [ this.flushDry, ' ', _('Dry run: only count, delete nothing') ]),
					E('button', {
						'class': 'cbi-button cbi-button-apply',
						'id': 'netfix-flush',
						'click': ev => this.handleFlush(ev)
					}, [ _('Repair now') ]),
					E('div', { 'class': 'cbi-value-description' }, [
						_('Deletes the offloaded connections of this host, so its traffic follows its current MAC address and port. Use it when a host was replaced or moved and its traffic stopped.')
					])
				])
			]),
			E('div', { 'class': 'cbi-value' }, [
				E('label', { 'class': 'cbi-value-title' }, [ _('Check') ]),
				E('div', { 'class': 'cbi-value-field' }, [
					E('button', {
						'class': 'cbi-button cbi-button-action',
						'id': 'netfix-recheck',
						'click': ev => this.handleRecheck(ev)
					}, [ _('Re-check now') ]),
					E('div', { 'class': 'cbi-value-description' }, [
						_('Runs all checks again now instead of waiting for the next refresh.')
					])
				])
			]),
			this.actionResult
		]);
	},

	showResult(ok, text) {
		this.actionResult.className = ok ? '' : 'netfix-error';
		dom.content(this.actionResult, [ text ]);
	},

	handleFlush(ev) {
		const ip = this.flushIP.value.trim();
		const dry = this.flushDry.checked;

		if (!nf.isIPAddress(ip)) {
			this.showResult(false, _('Enter an IPv4 or IPv6 address, for example 192.168.1.240.'));
			return Promise.resolve();
		}

		const btn = document.getElementById('netfix-flush');
		btn.disabled = true;

		return settle(callFlush(ip, dry)).then(reply => {
			if (reply == null || typeof(reply) != 'object' || reply.error != null)
				return this.showResult(false, (nf.failureKind(reply) == 'other')
					? _('Repair failed: %s').format(nf.firstLine(reply)) : nf.failureText(reply));

			const n = Number(reply.deleted) || 0;
			this.showResult(true, reply.dry_run
				? N_(n, 'Dry run: %d offloaded connection of %s would be deleted.',
					'Dry run: %d offloaded connections of %s would be deleted.').format(n, reply.ip || ip)
				: N_(n, 'Deleted %d offloaded connection of %s.', 'Deleted %d offloaded connections of %s.').format(n, reply.ip || ip));

			return this.refresh();
		}).finally(() => { btn.disabled = false; });
	},

	/* After an apply or undo (netfix/fix.js): say what happened, then show
	 * the new findings and applied fixes. */
	afterFix(ok, text) {
		this.showResult(ok, text);
		return fixes.load().then(list => {
			this.fixList = list;
			this.lastKey = null;
			return this.refresh();
		});
	},

	handleRecheck(ev) {
		const btn = document.getElementById('netfix-recheck');
		btn.disabled = true;

		return settle(callCheck()).then(reply => {
			this.update(reply, this.history);
			if (nf.isDocument(reply))
				this.showResult(true, _('Checked again at %s.').format(nf.formatTime(reply.generated_at)));
			else
				this.showResult(false, (nf.failureKind(reply) == 'other')
					? _('Re-check failed: %s').format(nf.firstLine(reply)) : nf.failureText(reply));
		}).finally(() => { btn.disabled = false; });
	},

	/*
	 * A fix that is a UCI change (fix_uci), applied the way LuCI's own
	 * pages save: staged through uci (rpcd keeps it in the session), then
	 * ui.changes.apply(true), LuCI's apply with rollback: if the browser
	 * cannot confirm afterwards (the change cut it off), rpcd reverts it.
	 */
	handleApplyFix(ev, f) {
		const btn = ev.currentTarget;
		const changes = nf.uciChanges(f);
		const configs = changes.map(c => c.config).filter((c, i, a) => a.indexOf(c) == i);
		btn.disabled = true;

		return uci.load(configs).then(() => {
			for (const c of changes) {
				const sid = c.section || (uci.sections(c.config, c.type)[c.index] || {})['.name'];
				if (sid == null)
					throw new Error(_('/etc/config/%s has no %s section to change.').format(c.config, c.section || c.type));
				uci.set(c.config, sid, c.option, c.value);
			}
			return uci.save();
		}).then(() => {
			this.showResult(true, _('The change is staged; LuCI applies it now and rolls it back if this page loses the router.'));
			ui.changes.apply(true);
		}).catch(err => {
			this.showResult(false, (nf.failureKind(err) == 'other')
				? _('Could not apply the fix: %s').format(nf.firstLine(err)) : nf.failureText(err));
		}).finally(() => { btn.disabled = false; });
	},

	handleCopy(ev, text, pre) {
		const btn = ev.currentTarget;
		const done = ok => {
			if (!ok)
				window.getSelection().selectAllChildren(pre);
			dom.content(btn, [ ok ? _('Copied') : _('Press Ctrl+C to copy') ]);
			window.setTimeout(() => dom.content(btn, [ _('Copy') ]), 3000);
		};

		/* The clipboard API needs https or localhost; LuCI is often plain
		 * http on the LAN, where only the old execCommand way works. */
		const fallback = () => {
			const ta = E('textarea', { 'style': 'position:fixed;top:0;left:-9999px', 'readonly': '' });
			ta.value = text;
			document.body.appendChild(ta);
			ta.select();
			let ok = false;
			try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
			document.body.removeChild(ta);
			return ok;
		};

		if (navigator.clipboard && window.isSecureContext)
			return navigator.clipboard.writeText(text).then(() => done(true), () => done(fallback()));

		done(fallback());
		return Promise.resolve();
	},

	handleSave: null,
	handleSaveApply: null,
	handleReset: null
});
