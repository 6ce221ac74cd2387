'use strict';
'require baseclass';
'require rpc';
'require netfix.format as nf';

/*
 * Fixes netfix applies on request (`netfix fix`, ubus netfix.fix): the
 * "Apply fix" button of a finding that names an automatic fix
 * (fix_action), the confirmation an apply asks for, and the list of fixes
 * netfix has applied, which every reader sees and writers can undo.
 *
 * An apply from this page goes with a rollback time, the contract of
 * LuCI's own apply: netfix makes the change, the page counts down and asks
 * to keep it, and without "Keep" netfix undoes the change by itself (its
 * daemon does, also after a restart). The router decides anyway (netfix.fix
 * is in the ACL's write group). Values from the router go onto the page as
 * text: E() with array children, never markup.
 */

/* Seconds an apply waits for "Keep": LuCI's own apply_rollback default. */
const ROLLBACK = 90;

const callFix = rpc.declare({
	object: 'netfix',
	method: 'fix',
	params: [ 'id', 'undo', 'dry_run', 'confirm', 'rollback' ],
	reject: true
});

const callFixes = rpc.declare({
	object: 'netfix',
	method: 'fixes',
	reject: true
});

function T(value) {
	return document.createTextNode(value == null ? '' : String(value));
}

function arr(v) {
	return Array.isArray(v) ? v : [];
}

return baseclass.extend({
	ROLLBACK: ROLLBACK,

	/* The applied fixes ({applied, events}), or null when unavailable. */
	load() {
		return callFixes().catch(() => null);
	},

	/*
	 * The sentence for a reply of netfix.fix, or why it was refused or
	 * failed, in the reader's language. A web user undoes with the Undo
	 * button, so the page says that rather than the CLI command of the
	 * router's own message. Returns [ ok, text ].
	 */
	outcome(reply, op) {
		if (reply == null || typeof(reply) != 'object')
			return [ false, _('netfix did not answer.') ];
		if (reply.error != null)
			return [ false, _('Fix refused: %s').format(nf.msgText(reply.error_msg, reply.error)) ];
		const id = String(reply.finding || '');
		const n = arr(reply.changes).length;
		if (op === 'apply' && reply.changed && reply.confirm_by)
			return [ true, N_(n, 'Applied the fix for %s (%d change). Keep it below, or netfix undoes it by itself.',
				'Applied the fix for %s (%d changes). Keep it below, or netfix undoes it by itself.').format(id, n) ];
		if (op === 'apply' && reply.changed)
			return [ true, N_(n, 'Applied the fix for %s (%d change). "Undo" under "Fixes applied by netfix" removes it.',
				'Applied the fix for %s (%d changes). "Undo" under "Fixes applied by netfix" removes them.').format(id, n) ];
		if (op === 'confirm')
			return [ true, _('Kept the fix for %s. "Undo" under "Fixes applied by netfix" removes it.').format(id) ];
		return [ true, nf.msgText(reply.message_msg, reply.message) ];
	},

	/* Calls netfix.fix; resolves to the reply or { error } (never rejects). */
	call(id, opts) {
		const o = opts || {};
		return callFix(id, !!o.undo, false, !!o.confirm, o.rollback || 0)
			.catch(err => ({ error: (err && err.message) || String(err), failed: err }));
	},

	run(btn, id, op, done) {
		if (btn)
			btn.disabled = true;
		return this.call(id, { undo: op === 'undo', confirm: op === 'confirm', rollback: op === 'apply' ? ROLLBACK : 0 })
			.then(reply => {
				if (reply && reply.failed)
					return done(false, (nf.failureKind(reply.failed) == 'other')
						? _('Fix failed: %s').format(nf.firstLine(reply.failed)) : nf.failureText(reply.failed), reply);
				const res = this.outcome(reply, op);
				return done(res[0], res[1], reply);
			})
			.finally(() => { if (btn) btn.disabled = false; });
	},

	/* The "Apply fix" button of finding f; done(ok, text, reply) reports. */
	applyButton(f, done) {
		return E('div', { 'class': 'netfix-fix-actions' }, [
			E('button', {
				'class': 'cbi-button netfix-btn netfix-btn-apply netfix-fix-apply',
				'title': _('netfix applies this fix now and undoes it by itself unless you keep it within %d seconds').format(ROLLBACK),
				'click': ev => this.run(ev.currentTarget, String(f.id), 'apply', done)
			}, [ _('Apply fix') ])
		]);
	},

	/* Applied records that still wait for "Keep", soonest first. */
	pending(listing) {
		return arr(listing && listing.applied).filter(r => r && r.confirm_by && !isNaN(Date.parse(r.confirm_by)))
			.sort((a, b) => Date.parse(a.confirm_by) - Date.parse(b.confirm_by));
	},

	opLabel(op) {
		switch (op) {
		case 'apply': return _('Applied');
		case 'undo': return _('Undone');
		case 'confirm': return _('Kept');
		case 'rollback': return _('Undone by netfix: not kept in time');
		default: return String(op || '?');
		}
	},

	/*
	 * The section of fixes netfix applied, for every reader; Undo only when
	 * canWrite. null when netfix has neither applied fixes nor events.
	 */
	render(listing, canWrite, done) {
		const applied = arr(listing && listing.applied);
		const events = arr(listing && listing.events).slice(0, 10);
		if (!applied.length && !events.length)
			return null;

		const titles = [ _('Fix'), _('Findings'), _('What it added'), _('State') ];
		if (canWrite)
			titles.push(_('Action'));
		const rows = applied.map(rec => {
			const findings = arr(rec.findings).map(String);
			const args = Object.keys(rec.args || {}).sort().map(k => '%s=%s'.format(k, rec.args[k])).join(' ');
			const state = rec.confirm_by
				? _('Waits for "Keep" until %s').format(nf.formatTime(rec.confirm_by))
				: _('Applied %s').format(nf.formatTime(rec.applied));
			const cells = [
				E('td', { 'class': 'td' }, [ E('code', {}, [ T(rec.action || '?') ]), ' ', T(args) ]),
				E('td', { 'class': 'td' }, [ T(findings.join(', ')) ]),
				E('td', { 'class': 'td' }, arr(rec.changes).map(c => E('div', {}, [ E('code', {}, [ T((c && c.object) || '') ]) ]))),
				E('td', { 'class': 'td' }, [ T(state) ])
			];
			if (canWrite)
				cells.push(E('td', { 'class': 'td' }, [
					E('button', {
						'class': 'cbi-button netfix-btn netfix-btn-negative netfix-fix-undo',
						'click': ev => this.run(ev.currentTarget, findings[0] || '', 'undo', done)
					}, [ _('Undo') ])
				]));
			return E('tr', { 'class': 'tr', 'data-action': String(rec.action || '') }, cells);
		});
		if (!rows.length)
			rows.push(E('tr', { 'class': 'tr placeholder' }, [
				E('td', { 'class': 'td', 'colspan': String(titles.length) }, [ E('em', {}, [ _('None applied now.') ]) ])
			]));

		const parts = [
			E('h3', {}, [ _('Fixes applied by netfix') ]),
			nf.titleCells(E('table', { 'class': 'table', 'id': 'netfix-fixes-applied' }, [
				E('tr', { 'class': 'tr table-titles' }, titles.map(t => E('th', { 'class': 'th' }, [ t ])))
			].concat(rows)))
		];
		if (events.length)
			parts.push(E('h4', {}, [ _('Recent fix events') ]), nf.titleCells(E('table', { 'class': 'table', 'id': 'netfix-fix-events' }, [
				E('tr', { 'class': 'tr table-titles' }, [ _('Time'), _('What happened'), _('Finding'), _('Changes') ].map(t => E('th', { 'class': 'th' }, [ t ])))
			].concat(events.map(e => E('tr', { 'class': 'tr netfix-fix-event', 'data-op': String(e.op || '') }, [
				E('td', { 'class': 'td' }, [ T(nf.formatTime(e.time)) ]),
				E('td', { 'class': 'td' }, [ T(this.opLabel(e.op)) ].concat(e.error ? [ E('br'), E('span', { 'class': 'netfix-error' }, [ T(e.error) ]) ] : [])),
				E('td', { 'class': 'td' }, [ T(e.finding) ]),
				E('td', { 'class': 'td' }, [ T(String(arr(e.changes).length)) ])
			]))))));

		return E('div', { 'class': 'cbi-section', 'id': 'netfix-fixes' }, parts);
	}
});
