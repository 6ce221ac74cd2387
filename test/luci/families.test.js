'use strict';
// Issue 24: the status page for a router with four kinds of trouble, in
// the real view (status.js) in headless Chromium, against the golden
// documents of the Go side. One test (or more) per numbered item of the
// issue, the XSS fixture of the new sections, and the overview screenshots
// in docs/ (en and zh_Hans, for S1, S2, S3, S4 and a healthy router).
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');
const P = require('./lib/paths');
const { startServer } = require('./lib/server');
const { loadDoc } = require('./lib/contract');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = [ '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync' ];
const XSS = '<img src=x onerror=alert(1)>';

let server, context, userDataDir;
const clone = v => JSON.parse(JSON.stringify(v));
const arr = v => (Array.isArray(v) ? v : []);
const doc = name => clone(loadDoc(name).doc);

function repliesFor(d) {
	return {
		status: d,
		check: d,
		history: ({ limit }) => ({ events: arr(d.heal && d.heal.last_events).slice(0, limit), total: arr(d.heal && d.heal.last_events).length }),
		fixes: { applied: [], events: [] },
		flush: ({ ip, dry_run }) => ({ ip, dry_run: !!dry_run, deleted: 2 })
	};
}

before(async () => {
	server = await startServer();
	userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netfix-chromium-fam-'));
	context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: CHROMIUM, headless: true, args: ARGS,
		viewport: { width: 900, height: 900 }, deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'Asia/Shanghai'
	});
});

after(async () => {
	if (context)
		await context.close();
	if (server)
		await server.close();
	if (userDataDir)
		fs.rmSync(userDataDir, { recursive: true, force: true });
});

async function open(sid, { lang = 'en' } = {}) {
	const page = await context.newPage();
	const trouble = [];
	page.on('pageerror', e => trouble.push(`pageerror: ${e.message}`));
	page.on('dialog', d => { trouble.push(`dialog: ${d.type()} ${d.message()}`); d.dismiss().catch(() => {}); });
	await page.goto(server.pageURL(sid, { lang }));
	await page.waitForFunction(() => document.body.getAttribute('data-view-ready'), null, { timeout: 15000 });
	assert.equal(await page.evaluate(() => document.body.getAttribute('data-view-ready')), '1',
		`view rendered: ${await page.evaluate(() => window.__luciTest.errors.join('; '))}`);
	page.trouble = trouble;
	return page;
}

const text = async (page, sel) => (await page.locator(sel).innerText()).replace(/\s+/g, ' ').trim();

async function noTrouble(page) {
	assert.deepEqual(page.trouble.concat(await page.evaluate(() => window.__luciTest.errors)), [], 'no page errors or dialogs');
}

// The state word of each family in the overview: { offload: 'Critical', ... }.
async function overview(page) {
	return page.evaluate(() => Object.fromEntries([ ...document.querySelectorAll('#netfix-overview .netfix-family-state') ]
		.map(el => [ el.getAttribute('data-family'), el.textContent.trim() ])));
}

const CASES = {
	doc_s1_critical: { offload: 'Critical', conntrack: 'OK', forwarding: 'OK', bridges: 'OK' },
	doc_s2_critical: { offload: 'OK', conntrack: 'Critical', forwarding: 'OK', bridges: 'OK' },
	doc_s3_critical: { offload: 'OK', conntrack: 'OK', forwarding: 'Critical', bridges: 'OK' },
	doc_s4_docker: { offload: 'OK', conntrack: 'OK', forwarding: 'OK', bridges: 'Critical' },
	doc_healthy: { offload: 'OK', conntrack: 'OK', forwarding: 'OK', bridges: 'OK' }
};

// 1. Overview first; the title is not S1's; the banner's second line fits.
test('1. overview: one line per family with its state, linking to its section; title and banner fit the problem', async () => {
	for (const [ name, want ] of Object.entries(CASES)) {
		const d = doc(name);
		const page = await open(server.session({ acl: 'read', replies: repliesFor(d) }));
		assert.deepEqual(await overview(page), want, `${name}: family states`);
		// the overview comes before the findings, each link reaches a section
		assert.ok(await page.evaluate(() => {
			const o = document.getElementById('netfix-overview'), f = document.getElementById('netfix-findings');
			return !!(o && f && (o.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING));
		}), `${name}: overview before the findings`);
		for (const href of await page.locator('#netfix-overview a.netfix-family-link').evaluateAll(as => as.map(a => a.getAttribute('href'))))
			assert.equal(await page.locator(href).count(), 1, `${name}: ${href} exists`);
		// a state has its colour: the badge's tone matches the word
		const tones = await page.locator('#netfix-overview .netfix-family-state').evaluateAll(els => els.map(e => e.getAttribute('data-tone')));
		assert.deepEqual(tones, Object.values(want).map(w => ({ Critical: 'critical', Warning: 'warning', OK: 'ok' })[w]));
		const h2 = await text(page, '#netfix h2');
		assert.ok(!/offload/i.test(h2), `title is not S1's: ${h2}`);
		assert.ok(!/offloading on this router can send traffic/.test(await text(page, '#netfix .cbi-map-descr')), 'intro names all four families');
		const line = await text(page, '#netfix-verdict .netfix-healer-line');
		if (name === 'doc_s3_critical') {
			assert.ok(!/repairing stale flows/.test(line), `S3 banner line is about forwarding: ${line}`);
			assert.match(line, /IPv4 forwarding is off on 1 interface that carries forwarded traffic: eno1\./);
		}
		if (name === 'doc_s2_critical')
			assert.match(line, /^Table \d+ \/ \d+ \(\d+ %\) in use\. 3 table events so far\./, `S2 banner line: ${line}`);
		await noTrouble(page);
		await page.close();
	}
});

// 2. Table events are not repairs.
test('2. S2: table events have their own section, translated, and are not counted or listed as repairs', async () => {
	const d = doc('doc_s2_critical');
	assert.equal(arr(d.heal.table_events).length, 3, 'the S2 golden document has three table events');
	for (const lang of [ 'en', 'zh_Hans' ]) {
		const page = await open(server.session({ acl: 'read', replies: repliesFor(d) }), { lang });
		assert.equal(await page.locator('#netfix-events tr.netfix-event').count(), 0, `${lang}: no table event among the repairs`);
		const ct = await page.locator('#netfix-ct-events tr.netfix-ct-event td:nth-child(2)').allInnerTexts();
		const want = lang === 'en' ? [ 'New connections refused', 'Table filling up', 'Table filling up' ] : [ '新连接被拒绝', '表即将占满', '表即将占满' ];
		assert.deepEqual(ct, want, `${lang}: table events, translated`);
		const healer = await text(page, '#netfix-healer');
		assert.ok(!/conntrack_/.test(healer + await text(page, '#netfix-conntrack')), `${lang}: no raw reason code`);
		if (lang === 'en') {
			assert.ok(healer.includes('Repairs so far 0'), healer);
			assert.ok(!/3 repairs so far/.test(await text(page, '#netfix')), 'not counted as repairs');
		}
		await page.close();
	}
});

// 3. The page's own severity styles.
test('3. severity styles: the S3 OFF badge is the page\'s critical colour, no theme label classes; Starting has its own banner', async () => {
	const d = doc('doc_s3_critical');
	const page = await open(server.session({ acl: 'read', replies: repliesFor(d) }));
	const off = page.locator('#netfix-forwarding-interfaces .netfix-forwarding-off .netfix-badge');
	assert.equal(await off.count(), 1);
	const bg = await off.evaluate(el => getComputedStyle(el).backgroundColor);
	assert.notEqual(bg, 'rgb(25, 118, 210)', 'not bootstrap\'s info blue');
	assert.equal(bg, 'rgb(179, 38, 30)', 'the page\'s critical accent');
	// no status word relies on a theme class whose colour differs by theme
	assert.equal(await page.locator('#netfix .label').count(), 0, 'no .label of the theme');
	assert.equal(await page.locator('#netfix .important, #netfix .notice').count(), 0);
	await page.close();

	const starting = { schema: 1, version: '0.1.0', generated_at: '2026-11-22T13:16:12Z', host: 'router', verdict: 'unknown', findings: [],
		heal: { running: true, starting: true, mode: 'heal', last_events: [], forwarding_events: [] } };
	const p2 = await open(server.session({ acl: 'read', replies: repliesFor(starting) }));
	const banner = await p2.locator('#netfix-verdict').evaluate(el => ({ cls: el.className, bg: getComputedStyle(el).backgroundColor, img: getComputedStyle(el).backgroundImage }));
	assert.match(banner.cls, /netfix-tone-starting/);
	assert.equal(banner.img, 'none', 'not the theme\'s alert gradient');
	assert.equal(banner.bg, 'rgb(234, 230, 247)', 'the page\'s own Starting colour');
	await p2.close();
});

// A router that answers fix like the plugin does: apply with rollback
// records a deadline; confirm keeps; undo removes; the deadline passing
// (netfix's daemon) removes it too.
function s4Router(rollbackMs) {
	const s4 = doc('doc_s4_docker');
	const fixed = Object.assign(clone(s4), { verdict: 'healthy', findings: arr(s4.findings).filter(f => !f.fix_action) });
	const changes = [ { object: 'table inet netfix' }, { object: 'chain inet netfix raw_prerouting' },
		{ object: 'rule inet netfix raw_prerouting: iifname "br-lan137" notrack' } ];
	const st = { rec: null, events: [] };
	const expire = () => {
		if (st.rec && st.rec.confirm_by && Date.parse(st.rec.confirm_by) <= Date.now()) {
			st.events.unshift({ time: new Date().toISOString(), op: 'rollback', finding: st.rec.findings[0], action: 'bridge.notrack', changes: [ 'x', 'y', 'z' ] });
			st.rec = null;
		}
	};
	const replies = repliesFor(s4);
	replies.status = () => { expire(); return st.rec ? fixed : s4; };
	replies.fixes = () => { expire(); return { applied: st.rec ? [ st.rec ] : [], events: st.events }; };
	replies.fix = ({ id, undo, confirm, rollback }) => {
		expire();
		if (confirm) {
			if (!st.rec || !st.rec.confirm_by)
				return { error: `No fix for ${id} waits for confirmation; nothing was changed.`, refused: 'not_pending',
					error_msg: { id: 'No fix for %s waits for confirmation; nothing was changed.', args: [ id ] } };
			delete st.rec.confirm_by;
			return { finding: id, op: 'confirm', changed: false, changes, message_msg: { id: 'Kept the fix for %s: it stays until you undo it.', args: [ id ] } };
		}
		if (undo) {
			st.rec = null;
			return { finding: id, op: 'undo', changed: true, changes,
				message_msg: { id: 'Undid the fix for %s: removed %d change.', plural: 'Undid the fix for %s: removed %d changes.', n: 3, args: [ id, '3' ] } };
		}
		const by = new Date(Date.now() + (rollbackMs || rollback * 1000)).toISOString();
		st.rec = { action: 'bridge.notrack', args: { bridge: 'br-lan137' }, findings: [ id, 'bridge.nf_call_iptables' ], changes,
			applied: new Date().toISOString(), confirm_by: by };
		return { finding: id, op: 'apply', changed: true, changes, confirm_by: by, rollback_s: rollback,
			message_msg: { id: 'Applied the fix for %s: %d change; netfix undoes it in %d seconds unless it is kept (`netfix fix confirm %s`).',
				plural: 'Applied the fix for %s: %d changes; netfix undoes them in %d seconds unless they are kept (`netfix fix confirm %s`).', n: 3, args: [ id, '3', String(rollback), id ] } };
	};
	return { s4, replies, st };
}

// 4. Fix rollback for the netfix kind.
test('4. apply asks to keep the change with a countdown; Keep confirms; the result points at the Undo button', async () => {
	const { replies } = s4Router();
	const sid = server.session({ acl: 'write', replies });
	const page = await open(sid);
	await page.locator('.netfix-finding[data-id="conntrack.double_tracking"] button.netfix-fix-apply').click();
	await page.waitForSelector('#netfix-pending');
	assert.deepEqual(server.calls(sid, 'netfix.fix').map(c => c.params),
		[ { id: 'conntrack.double_tracking', undo: false, dry_run: false, confirm: false, rollback: 90 } ], 'apply with LuCI\'s 90 s rollback');
	const box = await text(page, '#netfix-pending');
	assert.match(box, /Keep this change\?/);
	assert.match(box, /undoes it by itself in (89|90) seconds/, box);
	const result = await text(page, '#netfix-action-result');
	assert.ok(!/netfix fix (undo|confirm)/.test(result), `no CLI command for a web user: ${result}`);
	await page.waitForTimeout(1100);
	assert.match(await text(page, '#netfix-pending .netfix-countdown'), /^(88|89) seconds$/, 'it counts down');

	await page.locator('#netfix-pending-keep').click();
	await page.waitForFunction(() => /Kept/.test(document.getElementById('netfix-action-result').textContent));
	assert.deepEqual(server.calls(sid, 'netfix.fix')[1].params, { id: 'conntrack.double_tracking', undo: false, dry_run: false, confirm: true, rollback: 0 });
	assert.equal(await text(page, '#netfix-action-result'), 'Kept the fix for conntrack.double_tracking. "Undo" under "Fixes applied by netfix" removes it.');
	await page.waitForFunction(() => !document.getElementById('netfix-pending'));
	assert.equal(await page.locator('#netfix-fixes button.netfix-fix-undo').count(), 1, 'Undo is where the result says');
	await noTrouble(page);
	await page.close();
});

test('4. without Keep, netfix undoes the change by itself and the page says so', async () => {
	const { replies } = s4Router(3000);
	const sid = server.session({ acl: 'write', replies });
	const page = await open(sid);
	await page.locator('.netfix-finding[data-id="bridge.nf_call_iptables"] button.netfix-fix-apply').click();
	await page.waitForSelector('#netfix-pending');
	await page.waitForSelector('#netfix-pending[data-state="expired"]', { timeout: 6000 });
	assert.match(await text(page, '#netfix-pending'), /was not kept: netfix undoes it by itself/);
	// the page reads the ledger after the deadline: the rollback is listed
	await page.waitForSelector('#netfix-fix-events tr[data-op="rollback"]', { timeout: 6000 });
	assert.match(await text(page, '#netfix-fix-events'), /Undone by netfix: not kept in time/);
	assert.equal(await page.locator('button.netfix-fix-apply').count(), 3, 'the findings are back');
	assert.equal(server.calls(sid, 'netfix.fix').length, 1, 'the page itself undid nothing');
	await noTrouble(page);
	await page.close();
});

// 5. Bridge section; applied fixes visible to read-only users.
test('5. S4: the bridge section shows bridge_nf, bridges, notrack rules and mirrors; readers see applied fixes', async () => {
	const d = doc('doc_s4_docker');
	d.bridge_nf.notrack = [ { family: 'inet', table: 'netfix', chain: 'raw_prerouting', iif: 'br-lan137' } ];
	d.bridge_nf.mirrors = [ { first: 'tcp 192.168.137.23:55094 -> 192.168.137.250:5000', second: 'tcp 192.168.137.250:5000 -> 192.168.137.23:55094', rewritten_port: 19460, seen_at: '2026-11-22T13:15:40Z' } ];
	const replies = repliesFor(d);
	replies.fixes = { applied: [ { action: 'bridge.notrack', args: { bridge: 'br-lan137' }, findings: [ 'bridge.nf_call_iptables' ],
		changes: [ { object: 'rule inet netfix raw_prerouting: iifname "br-lan137" notrack' } ], applied: '2026-11-22T13:10:00Z' } ], events: [] };
	const sid = server.session({ acl: 'read', replies });
	const page = await open(sid);
	const sec = await text(page, '#netfix-bridges');
	assert.ok(sec.includes('bridge-nf-call-iptables On'), sec);
	for (const b of arr(d.bridge_nf.bridges))
		assert.ok(sec.includes(b.name), `bridge ${b.name}`);
	assert.ok(await page.locator('#netfix-bridges-notrack td').filter({ hasText: 'br-lan137' }).count() > 0, 'notrack rule');
	assert.ok(sec.includes('tcp 192.168.137.250:5000 -> 192.168.137.23:55094') && sec.includes('19460'), 'mirror event');
	assert.ok(sec.includes('veth-lan137-2'), 'the link between the bridges');
	const fixesText = await text(page, '#netfix-fixes');
	assert.ok(fixesText.includes('iifname "br-lan137" notrack'), 'a reader sees what netfix applied');
	assert.equal(await page.locator('#netfix-fixes button').count(), 0, 'but cannot undo it');
	assert.deepEqual(server.denied(sid), []);
	await noTrouble(page);
	await page.close();
});

// 6. ACL-correct advice.
test('6. netfix write but luci-base read: no LuCI apply button, and advice that names luci-base, not a group the user has', async () => {
	const d = doc('doc_s1_critical');
	assert.ok(arr(d.findings).some(f => arr(f.fix_uci).length), 'S1 has a UCI fix');
	const sid = server.session({ acl: 'write', luciBase: [ 'read' ], replies: repliesFor(d) });
	const page = await open(sid);
	assert.equal(await page.locator('button.netfix-apply-fix').count(), 0, 'no button that rpcd would refuse');
	const note = await text(page, '.netfix-apply-unavailable');
	assert.match(note, /luci-base/);
	assert.ok(!/give the user the luci-app-netfix access group/.test(note), note);
	// a refused netfix call does not send them for the group they have
	server.reply(sid, { status: { $rpcError: { code: -32002, message: 'Access denied' } } });
	await page.evaluate(() => window.__luciTest.pollNow());
	await page.waitForSelector('#netfix-error');
	assert.ok(!/give the user the luci-app-netfix access group/.test(await text(page, '#netfix-error')), await text(page, '#netfix-error'));
	await page.close();

	// with luci-base write the button is there
	const p2 = await open(server.session({ acl: 'write', replies: repliesFor(d) }));
	assert.ok(await p2.locator('button.netfix-apply-fix').count() > 0);
	await p2.close();
});

// 7. Smaller items.
test('7. S4 explanation has its sentence boundary; a malformed fix id is refused in zh_Hans; one call per poll', async () => {
	const d = doc('doc_s4_docker');
	let page = await open(server.session({ acl: 'read', replies: repliesFor(d) }));
	const detail = await text(page, '.netfix-finding[data-id="bridge.nf_call_iptables"] .netfix-finding-detail');
	assert.ok(detail.includes('-j NOTRACK. Alternative:'), detail.slice(-260));
	await page.close();

	const replies = repliesFor(d);
	replies.fix = () => ({ error: '"x;reboot" is not a finding id; finding ids look like bridge.nf_call_iptables.', refused: 'bad_id',
		error_msg: { id: '%s is not a finding id; finding ids look like bridge.nf_call_iptables.', args: [ '"x;reboot"' ] } });
	page = await open(server.session({ acl: 'write', replies }), { lang: 'zh_Hans' });
	await page.locator('.netfix-finding[data-id="bridge.nf_call_iptables"] button.netfix-fix-apply').click();
	await page.waitForFunction(() => document.getElementById('netfix-action-result').textContent !== '');
	assert.equal(await text(page, '#netfix-action-result'), '修复被拒绝："x;reboot" 不是问题编号；问题编号的形式类似 bridge.nf_call_iptables。');
	await page.close();

	const sid = server.session({ acl: 'write', replies: repliesFor(d) });
	page = await open(sid);
	const before = server.calls(sid).filter(c => c.object === 'netfix').length;
	await page.evaluate(() => window.__luciTest.pollNow());
	const during = server.calls(sid).slice(-5).filter(c => c.object === 'netfix');
	assert.equal(server.calls(sid).filter(c => c.object === 'netfix').length - before, 1, 'one plugin call per poll');
	assert.deepEqual(during.slice(-1).map(c => c.method), [ 'status' ]);
	assert.equal(server.calls(sid, 'netfix.history').length, 0, 'no history call at all');
	await page.close();
});

test('7. check is for writers only: a reader\'s session may not call it', async () => {
	const d = doc('doc_s1_critical');
	const sid = server.session({ acl: 'read', replies: repliesFor(d) });
	const page = await open(sid);
	const res = await page.evaluate(async sid => {
		const r = await fetch('/ubus', { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'call', params: [ sid, 'netfix', 'check', {} ] }) });
		return r.json();
	}, sid);
	assert.equal(res.error && res.error.code, -32002, 'rpcd refuses check for a reader');
	await page.close();
});

// XSS: markup in the new sections, S3 forwarding events included.
function withMarkup(d) {
	const m = s => `${XSS} ${s}`;
	d.heal.forwarding_events = [ { time: '2026-11-22T13:15:00Z', family: 'ipv4', interface: m('fwd.iface'), old: true, new: false, error: m('fwd.error') } ];
	d.heal.table_events = [ { time: '2026-11-22T13:15:00Z', reason: 'conntrack_full', conntrack: { entries: 7000, max: 7680, hosts: [ { host: m('ct.host'), name: m('ct.name'), count: 5 } ] } } ];
	d.bridge_nf = { loaded: true, call_iptables: true, bridges: [ { name: m('br.name'), addresses: [ m('br.addr') ], ports: [ m('br.port') ] } ],
		links: [ { veth: m('link.veth'), peer: m('link.peer'), bridge: m('link.bridge'), peer_bridge: m('link.peer_bridge') } ],
		notrack: [ { family: 'inet', table: m('nt.table'), chain: 'c', iif: m('nt.iif') } ],
		dnat_no_iif: [ { family: 'ip', table: 'nat', chain: m('dnat.chain'), handle: 1, to: m('dnat.to') } ],
		mirrors: [ { first: m('mirror.first'), second: m('mirror.second'), seen_at: '2026-11-22T13:15:00Z' } ] };
	d.findings.unshift({ id: 'forwarding.interface_disabled', severity: 'critical', title: m('finding.title'), detail: '', evidence: [], fix: m('finding.fix') });
	return d;
}

test('XSS: markup in the forwarding events, table events, bridge section and applied fixes stays text', async () => {
	const d = withMarkup(doc('doc_s3_critical'));
	const replies = repliesFor(d);
	replies.fixes = { applied: [ { action: `${XSS} fix.action`, args: { bridge: `${XSS} fix.arg` }, findings: [ `${XSS} fix.finding` ],
		changes: [ { object: `${XSS} fix.object` } ], applied: '2026-11-22T13:10:00Z' } ],
	events: [ { time: '2026-11-22T13:10:00Z', op: 'apply', finding: `${XSS} fixev.finding`, error: `${XSS} fixev.error`, changes: [] } ] };
	const sid = server.session({ acl: 'write', replies });
	const before = server.requests.length;
	const page = await open(sid);
	await page.waitForTimeout(500);
	assert.equal(await page.locator('#view img').count(), 0, 'no <img> element was created');
	const fwd = await text(page, '#netfix-forwarding-events');
	assert.ok(fwd.includes(`${XSS} fwd.iface`) && fwd.includes(`${XSS} fwd.error`), `forwarding event shown literally: ${fwd}`);
	assert.ok((await text(page, '#netfix-ct-events')).includes(`${XSS} ct.name`), 'table event host shown literally');
	const br = await text(page, '#netfix-bridges');
	for (const k of [ 'br.name', 'br.addr', 'br.port', 'link.veth', 'nt.iif', 'dnat.to', 'mirror.first', 'mirror.second' ])
		assert.ok(br.includes(`${XSS} ${k}`), `bridge section: ${k} shown literally`);
	const fx = await text(page, '#netfix-fixes');
	for (const k of [ 'fix.action', 'fix.arg', 'fix.finding', 'fix.object', 'fixev.finding', 'fixev.error' ])
		assert.ok(fx.includes(`${XSS} ${k}`), `applied fixes: ${k} shown literally`);
	assert.ok((await text(page, '#netfix-overview')).length > 0);
	assert.deepEqual(server.requests.slice(before).filter(p => /\/x$/.test(p)), [], 'the browser never tried to load src=x');
	await noTrouble(page);
	await page.close();
});

// Screenshots of the overview (banner and the family lines), 900 px wide.
test('screenshots: the overview in en and zh_Hans for S1, S2, S3, S4 and a healthy router', async (t) => {
	const names = { doc_s1_critical: 's1', doc_s2_critical: 's2', doc_s3_critical: 's3', doc_s4_docker: 's4', doc_healthy: 'healthy' };
	fs.mkdirSync(path.join(P.REPO, 'docs'), { recursive: true });
	for (const [ name, short ] of Object.entries(names))
		for (const lang of [ 'en', 'zh_Hans' ]) {
			const page = await open(server.session({ acl: 'read', replies: repliesFor(doc(name)) }), { lang });
			const box = await page.evaluate(() => {
				const top = document.getElementById('netfix').getBoundingClientRect();
				const o = document.getElementById('netfix-overview').getBoundingClientRect();
				return { x: 0, y: Math.max(0, top.top - 8), width: 900, height: Math.ceil(o.bottom - top.top + 16) };
			});
			const file = path.join(P.REPO, 'docs', `luci-overview-${short}-${lang === 'en' ? 'en' : 'zh'}.png`);
			await page.screenshot({ path: file, clip: box });
			t.diagnostic(`${path.relative(P.REPO, file)}: ${fs.statSync(file).size} B`);
			await page.close();
		}
});
