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
'require netfix.bridges as brsection';

/*
 * netfix status page: what is wrong with this router's fast path (flow
 * offloading, the connection tracking table, IP forwarding, bridged
 * containers), why, and what netfix did about it. An overview of the four
 * families comes first, each linking to its section.
 *
 * It renders the status document of `ubus call netfix status` (schema 1,
 * owned by the Go side) and refreshes it every 5 seconds with that one
 * call: the document carries the last repairs and table events. Every value that
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

/* Whether this login may write an ACL group (LuCI's own session check). */
const callAccess = rpc.declare({
	object: 'session',
	method: 'access',
	params: [ 'scope', 'object', 'function' ],
	expect: { access: false }
});

const callFlush = rpc.declare({
	object: 'netfix',
	method: 'flush',
	params: [ 'ip', 'dry_run' ],
	reject: true
});

/*
 * The page's own colours for every status word, banner and button. The
 * theme's alert/label/button colours mean different things per theme (in
 * luci-theme-bootstrap .label.important is the same blue as .label.notice;
 * argon has no .label.important, forces .label text white and draws
 * alert titles as white cards), so nothing here relies on them: the page
 * sets background, text and border itself, for light and for dark, each
 * text at least 4.5:1 (WCAG AA; the browser tests measure them). Dark is
 * whatever the theme really paints behind the page (nf.isDarkBehind),
 * which follows bootstrap's data-darkmode, argon's prefers-color-scheme
 * dark.css and its forced dark mode alike; render() and every update set
 * data-netfix-dark on #netfix from it.
 */
const TONES = {
	/*            light: background, text, accent     dark: background, text, accent */
	critical: [ '#fbe4e2', '#1f1f1f', '#b3261e',   '#4a1c19', '#f6f6f6', '#ef8a80' ],
	warning:  [ '#fff1cf', '#1f1f1f', '#8a5a00',   '#443512', '#f6f6f6', '#e0b44c' ],
	info:     [ '#e4eef9', '#1f1f1f', '#0b5cad',   '#17324d', '#f6f6f6', '#7fb6ea' ],
	ok:       [ '#e3f3e6', '#1f1f1f', '#1e7b34',   '#173a22', '#f6f6f6', '#7ccf8e' ],
	unknown:  [ '#ececec', '#1f1f1f', '#555555',   '#3a3a3a', '#f6f6f6', '#bdbdbd' ],
	starting: [ '#eae6f7', '#1f1f1f', '#5b3fa6',   '#2e2645', '#f6f6f6', '#b9a6ef' ]
};

const LIGHT = '#netfix', DARK = '#netfix[data-netfix-dark="1"]';

function toneCSS() {
	const out = [];
	for (const [ name, t ] of Object.entries(TONES)) {
		for (const [ root, bg, fg, accent, onAccent ] of [ [ LIGHT, t[0], t[1], t[2], '#ffffff' ], [ DARK, t[3], t[4], t[5], '#111111' ] ]) {
			out.push(`${root} .netfix-banner.netfix-tone-${name} { background: ${bg}; background-image: none; color: ${fg}; border: 1px solid ${accent}; border-left: 6px solid ${accent}; }`);
			/* a badge: light text on the accent in light mode, dark text on it in dark mode */
			out.push(`${root} .netfix-badge.netfix-tone-${name} { background: ${accent}; background-image: none; color: ${onAccent}; }`);
			out.push(`${root} .netfix-finding.netfix-tone-${name} { border-left-color: ${accent}; }`);
		}
	}
	return out;
}

const CSS = [
	/* text and surfaces of the page in the dark: the theme's own colours
	 * may be meant for another background (argon's dark.css leaves some
	 * light-mode greys) */
	`${DARK} { color: #e6e6e6; }`,
	`${DARK} h2, ${DARK} h3, ${DARK} h4, ${DARK} .td, ${DARK} .th, ${DARK} li, ${DARK} p, ${DARK} label, ${DARK} em, ${DARK} .cbi-map-descr, ${DARK} .cbi-value-description { color: #e6e6e6; }`,
	`${DARK} code, ${DARK} pre { background: #2b2b2b; color: #f0f0f0; }`,
	`${LIGHT} code, ${LIGHT} pre { background: #f1f1f1; color: #1f1f1f; }`,
	`${LIGHT} .netfix-meta { color: #4d4d4d; }`,
	`${DARK} .netfix-meta { color: #cfcfcf; }`,
	`${LIGHT} .netfix-banner .netfix-meta, ${DARK} .netfix-banner .netfix-meta { color: inherit; }`,
	'#netfix .netfix-banner { box-shadow: none; padding: .6em .8em; border-radius: 4px; margin-bottom: .8em; }',
	/* argon draws an alert's title as a white card: the banner's text
	 * elements take the banner's colours, never the theme's */
	'#netfix .netfix-banner h3, #netfix .netfix-banner p, #netfix .netfix-banner strong, #netfix .netfix-banner em, #netfix .netfix-banner span { color: inherit; background: transparent; box-shadow: none; border: 0; padding: 0; }',
	'#netfix .netfix-banner h3 { margin: 0 0 .3em 0; font-size: 1.3em; line-height: 1.3; }',
	'#netfix .netfix-banner p { margin: .2em 0; }',
	'#netfix .netfix-meta { font-size: 90%; }',
	/* the status words: the page's own badge, whatever .label means in
	 * the theme; a flex head keeps a padded badge beside a wrapped title */
	'#netfix .netfix-badge { display: inline-block; flex: none; padding: .15em .5em; border-radius: 3px; font-size: 80%; font-weight: bold; line-height: 1.4; text-transform: uppercase; white-space: nowrap; text-shadow: none; vertical-align: baseline; }',
	'#netfix .netfix-finding-head { display: flex; align-items: flex-start; gap: .5em; }',
	'#netfix .netfix-finding-head .netfix-finding-title { flex: 1 1 auto; min-width: 0; line-height: 1.5; }',
	'#netfix .netfix-finding { border-left: 4px solid #8a8a8a; padding: .4em .8em; margin: .6em 0; }',
	'#netfix .netfix-finding p { margin: .3em 0; }',
	'#netfix .netfix-evidence { margin: .3em 0 .3em 1.2em; padding: 0; }',
	'#netfix .netfix-evidence li { list-style: disc; }',
	'#netfix .netfix-fix { display: flex; align-items: center; gap: .6em; flex-wrap: wrap; }',
	'#netfix .netfix-fix pre { margin: 0; padding: .3em .6em; white-space: pre-wrap; word-break: break-all; flex: 1 1 20em; }',
	'#netfix .netfix-bar { display: inline-block; width: 10em; height: .7em; border: 1px solid #999; vertical-align: middle; margin-left: .6em; }',
	'#netfix .netfix-bar > div { height: 100%; background: #5b9bd5; }',
	`${LIGHT} .netfix-error { color: #b3261e; }`,
	`${DARK} .netfix-error { color: #ef8a80; }`,
	/* the overview: one line per family */
	'#netfix .netfix-overview { display: grid; grid-template-columns: minmax(9em, max-content) max-content 1fr; gap: .4em .8em; align-items: baseline; margin: .4em 0 1em 0; }',
	'#netfix .netfix-overview a { font-weight: bold; }',
	`${LIGHT} .netfix-overview a { color: #0b5cad; }`,
	`${DARK} .netfix-overview a { color: #8cc4f5; }`,
	'@media (max-width: 600px) { #netfix .netfix-overview { grid-template-columns: max-content 1fr; } #netfix .netfix-overview .netfix-family-line { grid-column: 1 / -1; margin-bottom: .4em; } }',
	/* buttons: the page's own, readable in any theme. Themes colour
	 * their button classes with !important (argon: white on its primary,
	 * on dark orange in dark mode, 1:1 to 2.3:1 here), so these buttons
	 * carry no theme colour class and set their colours as firmly */
	'#netfix .cbi-button.netfix-btn { background-image: none !important; box-shadow: none; text-shadow: none; border-radius: 4px; padding: 0 .9em; line-height: 2em; min-height: 2em; }',
	`${LIGHT} .cbi-button.netfix-btn { background: #ffffff !important; color: #1f1f1f !important; border: 1px solid #6b6b6b !important; }`,
	`${LIGHT} .cbi-button.netfix-btn-apply { color: #0b5cad !important; border-color: #0b5cad !important; }`,
	`${LIGHT} .cbi-button.netfix-btn-negative { color: #a3211a !important; border-color: #a3211a !important; }`,
	`${DARK} .cbi-button.netfix-btn { background: #2b2b2b !important; color: #f0f0f0 !important; border: 1px solid #9a9a9a !important; }`,
	`${DARK} .cbi-button.netfix-btn-apply { color: #8cc4f5 !important; border-color: #8cc4f5 !important; }`,
	`${DARK} .cbi-button.netfix-btn-negative { color: #ff9c94 !important; border-color: #ff9c94 !important; }`,
	`${LIGHT} .cbi-value-description { color: #4d4d4d; }`,
	'#netfix .cbi-button.netfix-btn[disabled] { opacity: 1; cursor: default; }',
	/* the dry-run checkbox stays with its label, also when the field wraps */
	'#netfix .netfix-check { display: inline-flex; align-items: center; gap: .35em; white-space: nowrap; margin: .3em .6em .3em 0; }',
	'#netfix .netfix-check input[type=checkbox] { position: static; margin: 0; flex: none; opacity: 1; }',
	'#netfix .netfix-actions .cbi-value-field > * { margin-right: .5em; vertical-align: middle; }',
	'#netfix #netfix-pending .netfix-countdown { font-weight: bold; }'
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
	return E('span', { 'class': 'netfix-badge netfix-tone-' + tone }, [ text ]);
}

/* A two-column table of [ label, value node or text ] rows. */
function kvTable(rows) {
	return E('table', { 'class': 'table netfix-kv' }, rows.map(r =>
		E('tr', { 'class': 'tr' }, [
			E('td', { 'class': 'td left', 'width': '33%' }, [ r[0] ]),
			E('td', { 'class': 'td left', 'data-title': r[0] }, [ (r[1] instanceof Node) ? r[1] : T(r[1]) ])
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
		const canWrite = (L.hasViewPermission() === true);
		return Promise.all([
			settle(callStatus()),
			fixes.load(),
			/* LuCI's apply (the UCI kind of fix) needs luci-base for
			 * writing, which netfix's own group does not grant */
			canWrite ? L.resolveDefault(callAccess('access-group', 'luci-base', 'write'), null) : false
		]);
	},

	render(data) {
		this.doc = null;
		this.docError = null;
		this.lastKey = null;
		/* LuCI's own answer for this view: true only when the session may
		 * write one of the ACL groups the menu node depends on. */
		this.canWrite = (L.hasViewPermission() === true);
		this.access = { netfix: this.canWrite ? 'write' : 'read',
			luciBase: (data[2] === true) ? 'write' : (data[2] === false ? 'read' : null) };
		this.fixList = data[1];
		this.body = E('div', { 'id': 'netfix-body' });
		this.pendingBox = E('div', { 'id': 'netfix-pending-slot' });

		this.update(data[0]);

		poll.add(L.bind(this.refresh, this), POLL_INTERVAL);

		this.root = E('div', { 'class': 'cbi-map', 'id': 'netfix' }, [
			E('style', {}, [ CSS ]),
			E('h2', {}, [ _('netfix: router health') ]),
			E('div', { 'class': 'cbi-map-descr' }, [
				_('netfix checks flow offloading, the connection tracking table, IP forwarding and bridged containers on this router, and repairs stale offloaded flows by itself. This page refreshes every 5 seconds.')
			]),
			this.pendingBox,
			this.body,
			this.canWrite ? this.renderActions() : E('p', { 'class': 'netfix-meta', 'id': 'netfix-readonly' }, [
				_('You have read-only access: repairing a host, re-checking and applying fixes are not available.')
			])
		]);

		this.watchMode();
		this.showPending();
		return this.root;
	},

	/*
	 * Follows the theme's light or dark mode: data-netfix-dark on #netfix
	 * says what the theme paints behind the page, measured once the page
	 * is in the document and again when the colour scheme or the root's
	 * attributes change (bootstrap flips data-darkmode, material and argon
	 * their own).
	 */
	watchMode() {
		const apply = () => {
			if (this.root && this.root.isConnected)
				this.root.setAttribute('data-netfix-dark', nf.isDarkBehind(this.root) ? '1' : '0');
		};
		this.applyMode = apply;
		window.requestAnimationFrame(apply);
		window.setTimeout(apply, 0);
		if (window.matchMedia) {
			const mq = window.matchMedia('(prefers-color-scheme: dark)');
			if (mq.addEventListener)
				mq.addEventListener('change', () => window.setTimeout(apply, 0));
		}
		if (window.MutationObserver) {
			const mo = new MutationObserver(() => window.setTimeout(apply, 0));
			mo.observe(document.documentElement, { attributes: true });
			if (document.body)
				mo.observe(document.body, { attributes: true });
		}
	},

	/* Polled every POLL_INTERVAL seconds: one plugin call. */
	refresh() {
		return settle(callStatus()).then(res => this.update(res));
	},

	/*
	 * Takes a status reply and redraws what changed. A failed status call
	 * keeps the last good document on the page, marked as such.
	 */
	update(status) {
		if (nf.isDocument(status)) {
			this.doc = status;
			this.docError = null;
		}
		else {
			this.docError = nf.failureText(status, this.access);
		}

		/* Redraw only when something besides the time changed, so a
		 * selection or a "Copied" stays put between refreshes. */
		const key = JSON.stringify([ this.doc ? Object.assign({}, this.doc, { generated_at: null }) : null,
			this.docError, this.fixList ]);

		if (key === this.lastKey && this.metaNode) {
			dom.content(this.metaNode, [ this.metaText() ]);
			return;
		}

		this.lastKey = key;
		dom.content(this.body, [
			this.renderBanner(),
			this.renderOverview(),
			this.renderFindings()
		].concat(this.sections()));
		if (this.applyMode)
			this.applyMode();
	},

	/*
	 * The sections under the banner, the overview and the findings, in page
	 * order (the overview's order). A section of its own lives in
	 * luci-static/resources/netfix/<x>.js, is loaded with
	 * 'require netfix.<x> as <x>' at the top of this file, and adds one line
	 * here: <x>.render(this.doc, ...) returning a node (or null when the
	 * document has nothing for it). Section modules put router values on
	 * the page as text (E() with array children) and translate their
	 * strings like this file does; their tables set data-title on every
	 * cell (nf.titleCells).
	 */
	sections() {
		return [
			this.renderOffload(),
			ctsection.render(this.doc) || this.renderConntrackBasic(),
			nfw.render(this.doc, t => nf.formatTime(t)),
			brsection.render(this.doc),
			this.renderHealer(),
			fixes.render(this.fixList, this.canWrite, (ok, text, reply) => this.afterFix(ok, text, reply, 'undo'))
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

	/* Interfaces that carry forwarded traffic with IPv4 forwarding off. */
	forwardingOff(doc) {
		return nfw.interfaceRows(doc).filter(r => r.problem).map(r => r.name);
	},

	/*
	 * One line about a family: what the reader needs to know of it now.
	 * The banner shows the line of the worst family, so its second line is
	 * about the problem the router has.
	 */
	familyLine(fam) {
		const doc = this.doc;
		if (doc == null)
			return _('Not available.');
		if (doc.heal && doc.heal.starting === true)
			return _('Not checked yet.');
		const title = fam.worst && nf.severityRank(fam.worst.severity) >= 2 ? nf.findingText(fam.worst).title : '';
		switch (fam.id) {
		case 'offload':
			return this.healerSentence(doc.heal);
		case 'conntrack': {
			const ct = doc.conntrack || {};
			const n = (doc.heal && doc.heal.table_events_total) || nf.tableEvents(doc).length;
			const fill = ct.available ? _('Table %s in use.').format(nf.formatFill(ct.entries, ct.max)) : _('Table not readable.');
			return nf.joinSentences([ fill, n ? N_(n, '%d table event so far.', '%d table events so far.').format(n) : '', title ]);
		}
		case 'forwarding': {
			const off = this.forwardingOff(doc);
			if (off.length)
				return N_(off.length, 'IPv4 forwarding is off on %d interface that carries forwarded traffic: %s.',
					'IPv4 forwarding is off on %d interfaces that carry forwarded traffic: %s.').format(off.length, off.join(', '));
			const fw = doc.forwarding || {};
			return fw.ipv4 ? _('IPv4 forwarding is on where traffic is forwarded.') : (title || _('IPv4 forwarding is off (net.ipv4.ip_forward = 0); no problem found.'));
		}
		case 'bridges': {
			const b = doc.bridge_nf || {};
			const nb = Array.isArray(b.bridges) ? b.bridges.length : 0;
			if (title)
				return title;
			return b.loaded
				? N_(nb, 'Bridge netfilter is loaded; %d bridge checked.', 'Bridge netfilter is loaded; %d bridges checked.').format(nb)
				: N_(nb, 'Bridge netfilter is not loaded; %d bridge checked.', 'Bridge netfilter is not loaded; %d bridges checked.').format(nb);
		}
		}
		return '';
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

			/* the second line fits the problem: the worst family's line
			 * (offloading's is what the healer did) */
			const fams = nf.families(doc);
			const fam = worst ? fams.find(f => f.id === nf.familyOf(worst)) : fams[0];
			if (!(doc.heal && doc.heal.starting === true))
				lines.push(E('p', { 'class': 'netfix-healer-line', 'data-family': fam.id }, [ T(this.familyLine(fam)) ]));

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
				E('p', {}, [ _('This page was written for status schema %d; netfix sent schema %d. Some details may be missing.')
					.format(nf.SCHEMA, doc.schema) ])
			]));

		return E('div', {}, nodes);
	},

	/* One line per family: its name linking to its section, its state in
	 * a word and a colour, and what matters about it now. */
	renderOverview() {
		const fams = nf.families(this.doc);
		const cells = [];
		for (const fam of fams) {
			cells.push(
				E('a', { 'href': '#' + fam.section, 'class': 'netfix-family-link', 'data-family': fam.id }, [ fam.label ]),
				E('span', { 'class': 'netfix-family-state', 'data-family': fam.id, 'data-tone': fam.tone }, [ badge(fam.tone, fam.word) ]),
				E('span', { 'class': 'netfix-family-line', 'data-family': fam.id }, [ T(this.familyLine(fam)) ]));
		}
		return E('div', { 'class': 'cbi-section', 'id': 'netfix-overview' }, [
			E('h3', {}, [ _('Overview') ]),
			E('div', { 'class': 'netfix-overview' }, cells)
		]);
	},

	renderFinding(f) {
		const sev = String(f.severity || '');
		const text = nf.findingText(f);
		const evidence = text.evidence;
		const parts = [
			E('div', { 'class': 'netfix-finding-head' }, [
				badge(nf.severityClass(sev), nf.severityLabel(sev)),
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
					'class': 'cbi-button netfix-btn netfix-copy',
					'title': _('Copy the command to the clipboard'),
					'click': ev => this.handleCopy(ev, f.fix, pre)
				}, [ _('Copy') ])
			];
			/* LuCI's apply needs luci-base for writing: without it the
			 * button would only lead to a refusal */
			if (this.canWrite && nf.uciChanges(f).length && this.access.luciBase !== 'read')
				buttons.unshift(E('button', {
					'class': 'cbi-button netfix-btn netfix-btn-apply netfix-apply-fix',
					'title': _('Stages the change in LuCI and applies it; LuCI rolls it back unless the page still reaches the router afterwards.'),
					'click': ev => this.handleApplyFix(ev, f)
				}, [ _('Apply fix') ]));
			parts.push(E('div', { 'class': 'netfix-fix' }, [ E('em', {}, [ _('Fix') ]), pre ].concat(buttons)));
			if (this.canWrite && nf.uciChanges(f).length && this.access.luciBase === 'read')
				parts.push(E('p', { 'class': 'netfix-meta netfix-apply-unavailable' }, [ nf.deniedText(this.access) ]));
		}

		if (this.canWrite && f.fix_action)
			parts.push(fixes.applyButton(f, (ok, text, reply) => this.afterFix(ok, text, reply, 'apply')));

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
			nf.titleCells(E('table', { 'class': 'table netfix-devices' }, [
				tableHead([ _('Device'), _('Type'), _('Attached to'), _('Driver'),
					_('NIC can offload (hw-tc-offload)') ])
			].concat(rows)))
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

	/* The conntrack section when the document has no table details (a
	 * one-shot check): the fill and the table events, so the overview's
	 * link has a target. */
	renderConntrackBasic() {
		const doc = this.doc;
		const ct = (doc && doc.conntrack) || {};
		const parts = [ E('h3', {}, [ _('Connection tracking table') ]) ];
		if (!doc)
			parts.push(E('p', {}, [ E('em', {}, [ _('Not available.') ]) ]));
		else
			parts.push(kvTable([ [ _('Entries in use'), ct.available ? nf.formatFill(ct.entries, ct.max)
				: E('span', { 'class': 'netfix-error' }, [ _('Not readable: %s').format(ct.error || '?') ]) ] ]));
		const evs = ctsection.renderEvents(doc);
		if (evs)
			parts.push(E('h4', {}, [ _('Table events') ]), evs);
		return E('div', { 'class': 'cbi-section', 'id': 'netfix-conntrack' }, parts);
	},

	renderHealer() {
		const doc = this.doc;
		const heal = (doc && doc.heal) || null;
		/* repairs only: the table's events have their own section (an
		 * older daemon still mixed them in) */
		const picked = nf.pickEvents(null, doc, HISTORY_LIMIT);
		const events = picked.events.filter(ev => !nf.isTableEvent(ev));
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

		const rows = events.map(ev => this.renderEventRow(ev || {}));
		if (!rows.length)
			rows.push(E('tr', { 'class': 'tr placeholder' }, [
				E('td', { 'class': 'td', 'colspan': '6' }, [ E('em', {}, [ _('No repairs yet.') ]) ])
			]));

		parts.push(E('h4', {}, [ _('Recent repairs') ]));
		parts.push(nf.titleCells(E('table', { 'class': 'table', 'id': 'netfix-events' }, [
			tableHead([ _('Time'), _('Host'), _('Interface'), _('What changed'), _('Flows repaired'), _('Latency') ])
		].concat(rows))));

		const total = heal ? ((heal.events_total != null) ? heal.events_total : events.length) : 0;
		if (total > events.length)
			parts.push(E('p', { 'class': 'netfix-meta' }, [
				_('Showing the newest %d of %d repairs.').format(events.length, total)
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
					E('label', { 'class': 'netfix-check', 'for': 'netfix-flush-dry' }, [ this.flushDry, E('span', {}, [ _('Dry run: only count, delete nothing') ]) ]),
					E('button', {
						'class': 'cbi-button netfix-btn netfix-btn-apply',
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
						'class': 'cbi-button netfix-btn netfix-btn-apply',
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
					? _('Repair failed: %s').format(nf.firstLine(reply)) : nf.failureText(reply, this.access));

			const n = Number(reply.deleted) || 0;
			this.showResult(true, reply.dry_run
				? N_(n, 'Dry run: %d offloaded connection of %s would be deleted.',
					'Dry run: %d offloaded connections of %s would be deleted.').format(n, reply.ip || ip)
				: N_(n, 'Deleted %d offloaded connection of %s.', 'Deleted %d offloaded connections of %s.').format(n, reply.ip || ip));

			return this.refresh();
		}).finally(() => { btn.disabled = false; });
	},

	/* After an apply, confirm or undo (netfix/fix.js): say what happened,
	 * then show the new findings and applied fixes; an apply with rollback
	 * asks to keep it. */
	afterFix(ok, text, reply, op) {
		this.showResult(ok, text);
		return fixes.load().then(list => {
			this.fixList = list;
			this.lastKey = null;
			this.showPending();
			return this.refresh();
		});
	},

	/*
	 * The confirmation of an apply with rollback, as LuCI's own apply asks
	 * for it: a countdown, "Keep" and "Undo now". Without "Keep" netfix
	 * undoes the change by itself when the time is up (its daemon does,
	 * whether or not this page is still open); the page then reloads the
	 * list. Shown to writers for every applied fix that still waits.
	 */
	showPending() {
		if (this.pendingTimer) {
			window.clearInterval(this.pendingTimer);
			this.pendingTimer = null;
		}
		const rec = this.canWrite ? fixes.pending(this.fixList)[0] : null;
		if (!rec) {
			dom.content(this.pendingBox, []);
			return;
		}
		const id = String((rec.findings || [])[0] || '');
		const deadline = Date.parse(rec.confirm_by);
		const count = E('span', { 'class': 'netfix-countdown' });
		const tick = () => {
			const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
			dom.content(count, [ N_(left, '%d second', '%d seconds').format(left) ]);
			if (left <= 0) {
				window.clearInterval(this.pendingTimer);
				this.pendingTimer = null;
				dom.content(this.pendingBox, [ E('div', { 'class': 'alert-message netfix-banner netfix-tone-info', 'id': 'netfix-pending', 'data-state': 'expired' }, [
					E('p', {}, [ _('The fix for %s was not kept: netfix undoes it by itself.').format(id) ])
				]) ]);
				/* the daemon acts at the deadline; read the ledger after it */
				window.setTimeout(() => fixes.load().then(list => { this.fixList = list; this.lastKey = null; return this.refresh(); }), 2000);
			}
		};
		const keep = E('button', {
			'class': 'cbi-button netfix-btn netfix-btn-apply', 'id': 'netfix-pending-keep',
			'click': ev => fixes.run(ev.currentTarget, id, 'confirm', (ok, text, reply) => this.afterFix(ok, text, reply, 'confirm'))
		}, [ _('Keep') ]);
		const undo = E('button', {
			'class': 'cbi-button netfix-btn netfix-btn-negative', 'id': 'netfix-pending-undo',
			'click': ev => fixes.run(ev.currentTarget, id, 'undo', (ok, text, reply) => this.afterFix(ok, text, reply, 'undo'))
		}, [ _('Undo now') ]);
		dom.content(this.pendingBox, [ E('div', { 'class': 'alert-message netfix-banner netfix-tone-warning', 'id': 'netfix-pending', 'data-finding': id, 'role': 'alert' }, [
			E('h3', {}, [ _('Keep this change?') ]),
			E('p', {}, [ _('netfix applied the fix for %s. If this page still works as it should, keep it; otherwise netfix undoes it by itself in').format(id), ' ', count, '.' ]),
			E('p', { 'class': 'netfix-fix' }, [ keep, undo ])
		]) ]);
		tick();
		this.pendingTimer = window.setInterval(tick, 1000);
	},

	handleRecheck(ev) {
		const btn = document.getElementById('netfix-recheck');
		btn.disabled = true;

		return settle(callCheck()).then(reply => {
			this.update(reply);
			if (nf.isDocument(reply))
				this.showResult(true, _('Checked again at %s.').format(nf.formatTime(reply.generated_at)));
			else
				this.showResult(false, (nf.failureKind(reply) == 'other')
					? _('Re-check failed: %s').format(nf.firstLine(reply)) : nf.failureText(reply, this.access));
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
				? _('Could not apply the fix: %s').format(nf.firstLine(err)) : nf.failureText(err, this.access));
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
