'use strict';
'require view';
'require dom';
'require poll';
'require rpc';
'require netfix.format as nf';
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
const ACL_GROUP = 'luci-app-netfix';

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

const callSessionAccess = rpc.declare({
	object: 'session',
	method: 'access',
	params: [ 'scope', 'object', 'function' ],
	expect: { access: false }
});

const CSS = [
	'#netfix .netfix-banner h3 { margin: 0 0 .3em 0; }',
	'#netfix .netfix-banner p { margin: .2em 0; }',
	'#netfix .netfix-meta { opacity: .75; font-size: 90%; }',
	'#netfix .netfix-finding { border-left: 4px solid #8a8a8a; padding: .4em .8em; margin: .6em 0; }',
	'#netfix .netfix-sev-critical { border-left-color: #c9302c; }',
	'#netfix .netfix-sev-warning { border-left-color: #e08e0b; }',
	'#netfix .netfix-sev-info { border-left-color: #3a87ad; }',
	'#netfix .netfix-sev-ok { border-left-color: #46a546; }',
	'#netfix .netfix-finding p { margin: .3em 0; }',
	'#netfix .netfix-evidence { margin: .3em 0 .3em 1.2em; padding: 0; }',
	'#netfix .netfix-evidence li { list-style: disc; }',
	'#netfix .netfix-fix { display: flex; align-items: center; gap: .6em; flex-wrap: wrap; }',
	'#netfix .netfix-fix pre { margin: 0; padding: .3em .6em; white-space: pre-wrap; word-break: break-all; flex: 1 1 20em; }',
	'#netfix .netfix-bar { display: inline-block; width: 10em; height: .7em; border: 1px solid #999; vertical-align: middle; margin-left: .6em; }',
	'#netfix .netfix-bar > div { height: 100%; background: #5b9bd5; }',
	'#netfix .netfix-error { color: #c9302c; }',
	'#netfix .netfix-actions .cbi-value-field > * { margin-right: .5em; vertical-align: middle; }'
].join('\n');

/* A text node: how values from the router get onto the page. */
function T(value) {
	return document.createTextNode(value == null ? '' : String(value));
}

/*
 * Like L.resolveDefault(), but a failed call keeps its reason: it becomes
 * { error: message } so the page can say what went wrong.
 */
function settle(promise) {
	return Promise.resolve(promise).catch(err => ({ error: nf.errorText(err) }));
}

function badge(cls, text) {
	return E('span', { 'class': 'label ' + cls }, [ text ]);
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
			L.resolveDefault(callSessionAccess('access-group', ACL_GROUP, 'write'), false),
			fixes.load()
		]);
	},

	render(data) {
		this.doc = null;
		this.docError = null;
		this.history = null;
		this.lastKey = null;
		this.canWrite = (data[2] === true);
		this.fixList = data[3];
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
			this.docError = nf.errorText(status);
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
			this.renderFindings(),
			this.renderOffload(),
			this.renderHealer(),
			this.canWrite ? fixes.render(this.fixList, (ok, text) => this.afterFix(ok, text)) : null
		].filter(n => n != null));
	},

	metaText() {
		const doc = this.doc;
		return _('Router %s · checked %s · netfix %s').format(
			doc.host || '?', nf.formatTime(doc.generated_at) || '?', doc.version || '?');
	},

	healerSentence(heal) {
		if (heal == null || !heal.running)
			return _('The netfix daemon is not running: stale flows are not repaired.');

		switch (heal.mode) {
		case 'heal':
			return _('netfix is repairing stale flows: %d repairs, %d flows so far.')
				.format(heal.events_total || 0, heal.flows_deleted || 0);
		case 'dry_run':
			return _('netfix runs in dry-run mode and deletes nothing: it would have repaired %d flows so far.')
				.format(heal.flows_deleted || 0);
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
				lines.push(E('p', { 'class': 'netfix-worst' }, [ E('strong', {}, [ T(worst.title) ]) ]));

			lines.push(E('p', { 'class': 'netfix-healer-line' }, [ this.healerSentence(doc.heal) ]));

			this.metaNode = E('p', { 'class': 'netfix-meta' }, [ this.metaText() ]);
			lines.push(this.metaNode);
		}
		else {
			this.metaNode = null;
		}

		nodes.push(E('div', {
			'class': 'alert-message netfix-banner ' + v.cls,
			'id': 'netfix-verdict',
			'data-verdict': v.level
		}, lines));

		if (this.docError != null) {
			const msg = [ _('netfix did not answer: %s').format(this.docError) ];
			if (doc)
				msg.push(' ', _('Showing the status read at %s.').format(nf.formatTime(doc.generated_at)));

			nodes.push(E('div', { 'class': 'alert-message warning', 'id': 'netfix-error' }, [
				E('p', {}, msg)
			]));
		}

		if (doc && doc.schema !== nf.SCHEMA)
			nodes.push(E('div', { 'class': 'alert-message notice', 'id': 'netfix-schema' }, [
				_('This page was written for status schema %d; netfix sent schema %d. Some details may be missing.')
					.format(nf.SCHEMA, doc.schema)
			]));

		return E('div', {}, nodes);
	},

	renderFinding(f) {
		const sev = String(f.severity || '');
		const evidence = Array.isArray(f.evidence) ? f.evidence : [];
		const parts = [
			E('div', { 'class': 'netfix-finding-head' }, [
				badge(nf.severityClass(sev), nf.severityLabel(sev)),
				' ',
				E('strong', { 'class': 'netfix-finding-title' }, [ T(f.title) ])
			])
		];

		if (f.detail)
			parts.push(E('p', { 'class': 'netfix-finding-detail' }, [ T(f.detail) ]));

		if (evidence.length)
			parts.push(E('div', {}, [
				E('em', {}, [ _('Evidence') ]),
				E('ul', { 'class': 'netfix-evidence' },
					evidence.map(e => E('li', {}, [ E('code', {}, [ T(e) ]) ])))
			]));

		if (f.fix) {
			const pre = E('pre', { 'class': 'netfix-fix-cmd' }, [ E('code', {}, [ T(f.fix) ]) ]);
			parts.push(E('div', { 'class': 'netfix-fix' }, [
				E('em', {}, [ _('Fix') ]),
				pre,
				E('button', {
					'class': 'cbi-button cbi-button-neutral netfix-copy',
					'title': _('Copy the command to the clipboard'),
					'click': ev => this.handleCopy(ev, f.fix, pre)
				}, [ _('Copy') ])
			]));
		}

		if (this.canWrite && f.fix_action)
			parts.push(fixes.applyButton(f, (ok, text) => this.afterFix(ok, text)));

		return E('div', {
			'class': 'netfix-finding netfix-sev-' + (sev.replace(/[^a-z]/g, '') || 'unknown'),
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
				[ _('Daemon'), heal.running ? badge('success', _('Running')) : badge('important', _('Not running')) ]
			];

			if (heal.running) {
				rows.push([ _('Mode'), nf.healModeLabel(heal.mode) ]);
				if (nf.formatTime(heal.since))
					rows.push([ _('Running since'), nf.formatTime(heal.since) ]);
				rows.push([ _('Hosts watched'), String(heal.neighbours_tracked || 0) ]);
			}

			const dry = heal.running && heal.mode === 'dry_run';
			rows.push([ _('Repairs so far'), nf.countLabel(heal.events_total, dry) ]);
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
				return this.showResult(false, _('Repair failed: %s').format(nf.errorText(reply)));

			const n = Number(reply.deleted) || 0;
			this.showResult(true, reply.dry_run
				? _('Dry run: %d offloaded connections of %s would be deleted.').format(n, reply.ip || ip)
				: _('Deleted %d offloaded connections of %s.').format(n, reply.ip || ip));

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
				this.showResult(false, _('Re-check failed: %s').format(nf.errorText(reply)));
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
