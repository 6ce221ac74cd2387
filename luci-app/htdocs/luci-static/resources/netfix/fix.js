'use strict';
'require baseclass';
'require rpc';

/*
 * Fixes netfix applies on request (`netfix fix`, ubus netfix.fix): the
 * "Apply fix" button of a finding that names an automatic fix
 * (fix_action), and the list of fixes netfix has applied, each with its
 * "Undo" button. The status view shows them only to users with write
 * access; the router decides anyway (netfix.fix is in the ACL's write
 * group). Values from the router go onto the page as text: E() with array
 * children, never markup.
 */

const callFix = rpc.declare({
	object: 'netfix',
	method: 'fix',
	params: [ 'id', 'undo', 'dry_run' ],
	reject: true
});

const callFixes = rpc.declare({
	object: 'netfix',
	method: 'fixes',
	reject: true
});

/*
 * A catalog message of the Go side ({id, plural, n, args}) in the user's
 * language, or english when there is none. The msgids are in the catalog
 * because the Go code that says them puts them there.
 */
function msgText(msg, english) {
	if (msg == null || typeof(msg) != 'object' || typeof(msg.id) != 'string' || msg.id === '')
		return (english == null) ? '' : String(english);
	const args = Array.isArray(msg.args) ? msg.args.map(a => (a == null) ? '' : String(a)) : [];
	const n = (typeof(msg.n) == 'number') ? msg.n : 0;
	let tmpl;
	if (typeof(msg.plural) != 'string' || msg.plural === '')
		tmpl = window._(msg.id);
	else if (typeof(window.N_) == 'function')
		tmpl = window.N_(n, msg.id, msg.plural);
	else
		tmpl = window._(n == 1 ? msg.id : msg.plural);
	return String.prototype.format.apply(String(tmpl), args);
}

return baseclass.extend({
	/* The applied fixes ({applied, events}), or null when unavailable. */
	load() {
		return callFixes().catch(() => null);
	},

	/*
	 * The sentence for a reply of netfix.fix: its message, or why it was
	 * refused or failed. Returns [ ok, text ].
	 */
	outcome(reply) {
		if (reply == null || typeof(reply) != 'object')
			return [ false, _('netfix did not answer.') ];
		if (reply.error != null)
			return [ false, _('Fix refused: %s').format(msgText(reply.error_msg, reply.error)) ];
		return [ true, msgText(reply.message_msg, reply.message) ];
	},

	run(btn, id, undo, done) {
		btn.disabled = true;
		return callFix(id, undo, false)
			.then(reply => this.outcome(reply), err => [ false, _('Fix failed: %s').format(err && err.message || String(err)) ])
			.then(res => done(res[0], res[1]))
			.finally(() => { btn.disabled = false; });
	},

	/* The "Apply fix" button of finding f; done(ok, text) reports. */
	applyButton(f, done) {
		return E('div', { 'class': 'netfix-fix-actions' }, [
			E('button', {
				'class': 'cbi-button cbi-button-apply netfix-fix-apply',
				'title': _('netfix applies this fix now and records it, so Undo removes exactly what it added'),
				'click': ev => this.run(ev.currentTarget, String(f.id), false, done)
			}, [ _('Apply fix') ])
		]);
	},

	/* The section of fixes netfix applied, or null when there are none. */
	render(listing, done) {
		const applied = (listing && Array.isArray(listing.applied)) ? listing.applied : [];
		if (!applied.length)
			return null;

		const rows = applied.map(rec => {
			const findings = Array.isArray(rec.findings) ? rec.findings : [];
			const args = Object.keys(rec.args || {}).sort().map(k => '%s=%s'.format(k, rec.args[k])).join(' ');
			const changes = Array.isArray(rec.changes) ? rec.changes : [];
			return E('tr', { 'class': 'tr', 'data-action': String(rec.action || '') }, [
				E('td', { 'class': 'td' }, [ E('code', {}, [ String(rec.action || '?') ]), ' ', String(args) ]),
				E('td', { 'class': 'td' }, [ String(findings.join(', ')) ]),
				E('td', { 'class': 'td' }, changes.map(c => E('div', {}, [ E('code', {}, [ String(c.object || '') ]) ]))),
				E('td', { 'class': 'td' }, [
					E('button', {
						'class': 'cbi-button cbi-button-reset netfix-fix-undo',
						'click': ev => this.run(ev.currentTarget, String(findings[0] || ''), true, done)
					}, [ _('Undo') ])
				])
			]);
		});

		return E('div', { 'class': 'cbi-section', 'id': 'netfix-fixes' }, [
			E('h3', {}, [ _('Fixes applied by netfix') ]),
			E('table', { 'class': 'table' }, [
				E('tr', { 'class': 'tr table-titles' }, [
					E('th', { 'class': 'th' }, [ _('Fix') ]),
					E('th', { 'class': 'th' }, [ _('Findings') ]),
					E('th', { 'class': 'th' }, [ _('What it added') ]),
					E('th', { 'class': 'th' }, [ '' ])
				])
			].concat(rows))
		]);
	}
});
