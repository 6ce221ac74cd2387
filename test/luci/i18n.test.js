'use strict';
// Every string the app shows goes through _() and has a translation: the
// strings of the JS, the menu titles and the ACL description (what LuCI's
// i18n scanner collects) must all be in po/templates/netfix.pot and
// translated in every po/<lang>/netfix.po, with the same printf
// conversions in the same order (LuCI's String.format has no positional
// arguments). Regenerate with: npm run pot && npm run po
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const P = require('./lib/paths');
const i18n = require('./lib/i18n');

const { found, bad } = i18n.extractAll();
const cat = i18n.catalog(found);

test('every _() call has one string literal', () => {
	assert.deepEqual(bad.map(b => `${b.file}:${b.line}: ${b.text}`), []);
	assert.ok(cat.size > 50, `found ${cat.size} strings`);
});

test('the .pot template lists exactly the strings of the sources', () => {
	const pot = i18n.parsePO(fs.readFileSync(P.POT, 'utf8')).filter(e => e.msgid !== '');
	const ids = new Set(pot.map(e => e.msgid));
	assert.deepEqual([ ...cat.keys() ].filter(id => !ids.has(id)), [], 'missing from the .pot (npm run pot)');
	assert.deepEqual([ ...ids ].filter(id => !cat.has(id)), [], 'stale in the .pot (npm run pot)');
});

test('zh_Hans exists', () => {
	assert.ok(i18n.poFiles().some(p => p.lang === 'zh_Hans' && path.basename(p.file) === 'netfix.po'));
});

for (const po of i18n.poFiles()) {
	test(`${path.relative(P.REPO, po.file)} translates every string`, (t) => {
		const entries = i18n.parsePO(fs.readFileSync(po.file, 'utf8'));
		const h = i18n.headerOf(entries);
		assert.equal(h['Language'], po.lang);
		assert.match(h['Content-Type'] || '', /charset=UTF-8/i);

		const live = entries.filter(e => e.msgid !== '' && !e.obsolete);
		const byId = new Map(live.map(e => [ e.msgid, e ]));
		const missing = [ ...cat.keys() ].filter(id => !byId.has(id) || !i18n.translated(byId.get(id)));
		const stale = [ ...byId.keys() ].filter(id => !cat.has(id));
		const fuzzy = live.filter(e => e.fuzzy).map(e => e.msgid);
		assert.deepEqual(missing, [], 'untranslated');
		assert.deepEqual(stale, [], 'no longer used (npm run po)');
		assert.deepEqual(fuzzy, [], 'fuzzy');

		for (const e of live) {
			const forms = (e.plural != null) ? e.msgstrs : [ e.msgstr ];
			forms.forEach((s, i) => assert.deepEqual(i18n.formatSpecs(s), i18n.formatSpecs(i ? e.plural : e.msgid),
				`conversions of ${JSON.stringify(e.msgid)} → ${JSON.stringify(s)}`));
			if (cat.has(e.msgid))
				assert.equal(e.plural, cat.get(e.msgid).plural, `msgid_plural of ${JSON.stringify(e.msgid)}`);
		}
		t.diagnostic(`${po.lang}: ${live.length} strings translated`);
	});
}
