'use strict';
// The real status view (luci-app/.../view/netfix/status.js) in headless
// Chromium, inside a page that provides the part of the LuCI runtime it
// uses (harness/luci-shim.js), served with the luci-app's htdocs by a
// localhost server that answers ubus like rpcd does (lib/server.js).
//
// The status documents are the ones the Go golden tests write from the real
// code (src/internal/status/testdata/doc_*.json). Assertions are made from
// the documents, about what a person sees.
//
// It saves docs/luci-status.png (S1, English) and docs/luci-status-zh.png.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');
const P = require('./lib/paths');
const { startServer } = require('./lib/server');
const { loadDoc, NAMES } = require('./lib/contract');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = [ '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync' ];
const XSS = '<img src=x onerror=alert(1)>';
const HISTORY_LIMIT = 20;

let server, context, userDataDir;
const docs = {};

const clone = v => JSON.parse(JSON.stringify(v));
const arr = v => (Array.isArray(v) ? v : []);
const problems = doc => arr(doc.findings).filter(f => f.severity === 'warning' || f.severity === 'critical');
const VERDICT_WORD = { healthy: 'Healthy', warning: 'Warnings', critical: 'Critical' };

// The replies a router with this document gives.
function repliesFor(doc) {
	const events = arr(doc.heal && doc.heal.last_events);
	return {
		status: doc,
		check: doc,
		history: ({ limit }) => ({ events: events.slice(0, limit), total: (doc.heal && doc.heal.events_total) || events.length }),
		flush: ({ ip, dry_run }) => ({ ip, dry_run: !!dry_run, deleted: 2 })
	};
}

before(async () => {
	for (const name of [ 'doc_healthy', 'doc_s1_critical', 'doc_daemon_down' ]) {
		docs[name] = loadDoc(name);
		console.log(`${name}: ${docs[name].file}`);
	}
	server = await startServer();
	userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netfix-chromium-'));
	context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: CHROMIUM,
		headless: true,
		args: ARGS,
		viewport: { width: 1280, height: 900 },
		deviceScaleFactor: 1,
		locale: 'en-US',
		timezoneId: 'Asia/Shanghai'
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

// Opens the status page for a session; fails the test on any page error
// or dialog (an alert() would mean injected markup ran).
async function open(sid, { lang = 'en' } = {}) {
	const page = await context.newPage();
	const trouble = [];
	page.on('pageerror', e => trouble.push(`pageerror: ${e.message}`));
	page.on('dialog', d => { trouble.push(`dialog: ${d.type()} ${d.message()}`); d.dismiss().catch(() => {}); });
	page.on('console', m => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) trouble.push(`console: ${m.text()}`); });
	await page.goto(server.pageURL(sid, { lang }));
	await page.waitForFunction(() => document.body.getAttribute('data-view-ready'), null, { timeout: 15000 });
	const state = await page.evaluate(() => ({ ready: document.body.getAttribute('data-view-ready'),
		errors: window.__luciTest.errors }));
	assert.equal(state.ready, '1', `view rendered (errors: ${state.errors.join('; ')})`);
	page.trouble = trouble;
	return page;
}

async function text(page, selector) {
	return (await page.locator(selector).innerText()).replace(/\s+/g, ' ').trim();
}

async function noTrouble(page) {
	const errors = await page.evaluate(() => window.__luciTest.errors);
	assert.deepEqual(page.trouble.concat(errors), [], 'no page errors, dialogs or runtime errors');
}

// What the banner, findings, offload and healer sections must show for doc.
async function assertShowsDocument(page, doc) {
	const banner = page.locator('#netfix-verdict');
	assert.equal(await banner.getAttribute('data-verdict'), doc.verdict);
	const b = await text(page, '#netfix-verdict');
	assert.ok(b.startsWith(VERDICT_WORD[doc.verdict]), `banner says ${VERDICT_WORD[doc.verdict]}: ${b}`);
	if (doc.verdict === 'healthy')
		assert.ok(b.includes('No problems found.'), b);
	else
		assert.ok(b.includes(`Problems found: ${problems(doc).length}`), b);
	assert.ok(b.includes(doc.host), 'banner names the router');
	const worst = problems(doc).sort((x, y) => (y.severity === 'critical') - (x.severity === 'critical'))[0];
	if (worst)
		assert.ok(b.includes(worst.title.replace(/\s+/g, ' ')), 'banner shows the worst problem');

	// Findings: every one, with its severity, text, evidence and fix.
	const findings = arr(doc.findings);
	assert.equal(await page.locator('#netfix-findings .netfix-finding').count(), findings.length);
	for (const f of findings) {
		const el = page.locator(`#netfix-findings .netfix-finding[data-id="${f.id}"]`);
		assert.equal(await el.count(), 1, `finding ${f.id} shown once`);
		const t = (await el.innerText()).replace(/\s+/g, ' ');
		const sev = { critical: 'Critical', warning: 'Warning', info: 'Info', ok: 'OK' }[f.severity];
		// bootstrap shows labels upper-case (text-transform)
		assert.ok(t.toLowerCase().startsWith(sev.toLowerCase()), `${f.id}: severity ${sev}`);
		assert.ok(t.includes(f.title.replace(/\s+/g, ' ')), `${f.id}: title`);
		// the page ends a sentence that ends in a command with a full stop
		// ("… -j NOTRACK. Alternative: …"), where the English runs on
		if (f.detail)
			assert.ok(t.replace(/\./g, '').includes(f.detail.replace(/\s+/g, ' ').replace(/\./g, '')), `${f.id}: detail`);
		const norm = v => String(v).replace(/\s+/g, ' ').trim();
		assert.deepEqual((await el.locator('.netfix-evidence li').allInnerTexts()).map(norm), arr(f.evidence).map(norm),
			`${f.id}: evidence`);
		if (f.fix) {
			assert.equal(await el.locator('.netfix-fix-cmd').innerText(), f.fix, `${f.id}: fix command`);
			assert.equal(await el.locator('button.netfix-copy').innerText(), 'Copy');
		}
		else {
			assert.equal(await el.locator('.netfix-fix').count(), 0, `${f.id}: no fix line`);
		}
	}

	// Offloading in effect.
	const off = await text(page, '#netfix-offload');
	const mode = !doc.firewall.present ? 'No OpenWrt firewall configuration found' : doc.firewall.flow_offloading
		? (doc.firewall.flow_offloading_hw ? 'Hardware flow offloading' : 'Software flow offloading') : 'Off';
	assert.ok(off.includes(`Requested in /etc/config/firewall ${mode}`), `UCI mode ${mode}`);
	const ct = doc.conntrack;
	if (ct.available) {
		assert.ok(off.includes(`${ct.entries} / ${ct.max}`), 'conntrack fill');
		assert.ok(off.includes(`Offloaded connections [OFFLOAD] ${ct.offloaded} of ${ct.dumped} connections`), 'OFFLOAD count');
		assert.ok(off.includes(`Offloaded in hardware [HW_OFFLOAD] ${ct.hw_offloaded} of ${ct.dumped} connections`), 'HW_OFFLOAD count');
	}
	// IP forwarding (netfix/forwarding.js): every interface that matters, by name.
	const fwd = await text(page, '#netfix-forwarding');
	for (const i of arr(doc.forwarding && doc.forwarding.interfaces))
		assert.ok(fwd.includes(i.name), `forwarding section lists ${i.name}`);
	const fts = arr(doc.offload.flowtables);
	assert.equal(await page.locator('#netfix-offload .netfix-flowtable').count(), fts.length);
	for (const [ i, ft ] of fts.entries()) {
		const rows = page.locator('#netfix-offload .netfix-flowtable').nth(i).locator('table.netfix-devices tr.tr:not(.table-titles):not(.placeholder)');
		const devices = arr(ft.devices);
		assert.equal(await rows.count(), devices.length, `flowtable ${ft.name}: one row per device`);
		for (const [ j, d ] of devices.entries()) {
			const cells = await rows.nth(j).locator('td').allInnerTexts();
			assert.equal(cells[0], d.name);
			assert.equal(cells[4], !d.hw_tc_offload_known ? 'Unknown' : d.hw_tc_offload ? 'Yes' : 'No', `${d.name}: hw-tc-offload`);
		}
	}

	// The healer.
	const heal = await text(page, '#netfix-healer');
	assert.ok(heal.toLowerCase().includes(doc.heal.running ? 'daemon running' : 'daemon not running'), 'daemon state');
	if (doc.heal.running) {
		const m = { heal: 'Repairing', dry_run: 'Dry run: reports only, deletes nothing', off: 'Off' }[doc.heal.mode];
		assert.ok(heal.includes(`Mode ${m}`), `mode ${m}`);
		assert.ok(heal.includes(`Hosts watched ${doc.heal.neighbours_tracked}`), 'hosts watched');
	}
	const dry = doc.heal.running && doc.heal.mode === 'dry_run';
	const count = n => (dry ? `${n || 0} (dry run, not deleted)` : String(n || 0));
	assert.ok(heal.includes(`Repairs so far ${count(doc.heal.repairs)}`), 'repairs so far');
	assert.ok(heal.includes(`Flows repaired so far ${count(doc.heal.flows_deleted)}`), 'flows repaired so far');
}

// The rows of the heal event table against the events of doc.
async function assertEventTable(page, events) {
	const rows = page.locator('#netfix-events tr.netfix-event');
	const want = events.slice().sort((a, b) => Date.parse(b.time) - Date.parse(a.time)).slice(0, HISTORY_LIMIT);
	assert.equal(await rows.count(), want.length, 'one row per recent repair');
	for (const [ i, ev ] of want.entries()) {
		const cells = (await rows.nth(i).locator('td').allInnerTexts()).map(c => c.replace(/\s+/g, ' ').trim());
		assert.equal(cells[1], ev.ip, 'host');
		assert.equal(cells[2], ev.interface, 'interface');
		const macChanged = (ev.old_mac || ev.new_mac) && ev.old_mac !== ev.new_mac;
		if (macChanged)
			assert.ok(cells[3].includes(`${ev.old_mac} → ${ev.new_mac}`), `old → new MAC: ${cells[3]}`);
		else if (ev.old_port || ev.new_port)
			assert.ok(cells[3].includes(`${ev.old_port} → ${ev.new_port}`), `old → new port: ${cells[3]}`);
		assert.equal(cells[4], ev.dry_run ? `${ev.flows_deleted} (dry run, not deleted)` : String(ev.flows_deleted), 'flows');
		assert.match(cells[5], /^\d+(\.\d+)? (µs|ms|s)$/, 'latency');
	}
	if (!want.length)
		assert.equal(await text(page, '#netfix-events'), 'Time Host Interface What changed Flows repaired Latency No repairs yet.');
}

test('S1 critical: banner, findings, offloading, heal events; screenshot', async () => {
	const doc = docs.doc_s1_critical.doc;
	const sid = server.session({ acl: 'write', replies: repliesFor(doc) });
	const page = await open(sid);

	await assertShowsDocument(page, doc);
	await assertEventTable(page, arr(doc.heal.last_events));
	assert.ok(arr(doc.heal.last_events).length > 0, 'the S1 document has heal events');

	// Read-only page: LuCI's Save / Apply / Reset footer is off.
	assert.equal(await page.locator('.cbi-page-actions').count(), 0);
	// Polled every 5 seconds.
	assert.deepEqual(await page.evaluate(() => window.__luciTest.pollAdds), [ 5 ]);
	// The calls it made: status (which carries the last events: no history
	// call), the fixes netfix applied (netfix/fix.js), and for a writer
	// whether LuCI's apply is allowed (session.access of luci-base). Write
	// access to netfix comes from LuCI (L.hasViewPermission).
	assert.equal(server.calls(sid, 'netfix.history').length, 0);
	assert.deepEqual([ ...new Set(server.calls(sid).map(c => `${c.object}.${c.method}`)) ].sort(), [ 'netfix.fixes', 'netfix.status', 'session.access' ]);
	assert.equal(server.calls(sid, 'netfix.check').length, 0, 'no check on load');

	fs.mkdirSync(path.dirname(P.SCREENSHOT), { recursive: true });
	await page.screenshot({ path: P.SCREENSHOT, fullPage: true });
	await noTrouble(page);
	await page.close();
});

test('healthy router', async () => {
	const doc = docs.doc_healthy.doc;
	const sid = server.session({ acl: 'write', replies: repliesFor(doc) });
	const page = await open(sid);
	await assertShowsDocument(page, doc);
	await assertEventTable(page, arr(doc.heal.last_events));
	await noTrouble(page);
	await page.close();
});

test('every golden status document renders as itself', async (t) => {
	const files = fs.readdirSync(P.GOLDEN_DOCS).filter(f => /^doc_.*\.json$/.test(f)).sort();
	for (const f of files) {
		const doc = JSON.parse(fs.readFileSync(path.join(P.GOLDEN_DOCS, f), 'utf8'));
		for (const acl of [ 'read', 'write' ]) {
			const sid = server.session({ acl, replies: repliesFor(doc) });
			const page = await open(sid);
			await assertShowsDocument(page, doc);
			await assertEventTable(page, arr(doc.heal.last_events));
			assert.equal(await page.locator('#netfix-actions').count(), acl === 'write' ? 1 : 0);
			await noTrouble(page);
			await page.close();
		}
		t.diagnostic(`${f}: ok`);
	}
});

test('daemon down: the page says so, the history call fails, the rest works', async () => {
	const doc = docs.doc_daemon_down.doc;
	assert.equal(doc.heal.running, false);
	const replies = repliesFor(doc);
	replies.history = { error: 'netfix daemon is not running' };
	const sid = server.session({ acl: 'write', replies });
	const page = await open(sid);

	await assertShowsDocument(page, doc);
	const notRunning = arr(doc.findings).find(f => f.id === 'heal.not_running');
	assert.ok(notRunning, 'the document has the heal.not_running finding');
	assert.equal(await page.locator('.netfix-finding[data-id="heal.not_running"]').count(), 1);
	assert.ok((await text(page, '#netfix-verdict')).includes('The netfix daemon is not running: stale flows are not repaired.'));
	await assertEventTable(page, arr(doc.heal.last_events));
	assert.equal(await page.locator('#netfix-error').count(), 0, 'a failed history call is no error for the page');
	await noTrouble(page);
	await page.close();
});

test('read-only ACL: no repair or re-check, and no write calls', async () => {
	const doc = docs.doc_s1_critical.doc;
	const sid = server.session({ acl: 'read', replies: repliesFor(doc) });
	const page = await open(sid);

	await assertShowsDocument(page, doc);
	assert.equal(await page.locator('#netfix-actions').count(), 0);
	assert.equal(await page.getByRole('button', { name: 'Repair now' }).count(), 0);
	assert.equal(await page.getByRole('button', { name: 'Re-check now' }).count(), 0);
	assert.equal(await page.locator('input#netfix-flush-ip').count(), 0);
	assert.ok((await text(page, '#netfix-readonly')).startsWith('You have read-only access'));
	// Copying a fix command is reading, so it stays.
	assert.ok(await page.locator('button.netfix-copy').count() > 0);

	await page.evaluate(() => window.__luciTest.pollNow());
	assert.equal(server.calls(sid, 'netfix.flush').length, 0);
	assert.equal(server.calls(sid, 'netfix.check').length, 0);
	assert.deepEqual(server.denied(sid), [], 'the page tried nothing the ACL forbids');
	await noTrouble(page);
	await page.close();
});

test('write ACL: repair a host (and dry run), refuse a bad address, re-check', async () => {
	const s1 = docs.doc_s1_critical.doc;
	const healthy = docs.doc_healthy.doc;
	const replies = repliesFor(s1);
	replies.check = healthy;
	const sid = server.session({ acl: 'write', replies });
	const page = await open(sid);
	const result = page.locator('#netfix-action-result');

	await page.fill('#netfix-flush-ip', 'not-an-ip');
	await page.click('#netfix-flush');
	assert.equal(await result.innerText(), 'Enter an IPv4 or IPv6 address, for example 192.168.1.240.');
	assert.equal(server.calls(sid, 'netfix.flush').length, 0, 'nothing sent for a bad address');

	await page.fill('#netfix-flush-ip', '192.168.1.240');
	await page.click('#netfix-flush');
	await page.waitForFunction(() => /Deleted/.test(document.getElementById('netfix-action-result').textContent));
	assert.equal(await result.innerText(), 'Deleted 2 offloaded connections of 192.168.1.240.');
	assert.deepEqual(server.calls(sid, 'netfix.flush').map(c => c.params), [ { ip: '192.168.1.240', dry_run: false } ]);

	await page.check('#netfix-flush-dry');
	await page.fill('#netfix-flush-ip', 'fd00::240');
	await page.press('#netfix-flush-ip', 'Enter');
	await page.waitForFunction(() => /Dry run/.test(document.getElementById('netfix-action-result').textContent));
	assert.equal(await result.innerText(), 'Dry run: 2 offloaded connections of fd00::240 would be deleted.');
	assert.deepEqual(server.calls(sid, 'netfix.flush')[1].params, { ip: 'fd00::240', dry_run: true });

	server.reply(sid, { flush: { error: 'conntrack: operation not permitted' } });
	await page.click('#netfix-flush');
	await page.waitForFunction(() => /failed/.test(document.getElementById('netfix-action-result').textContent));
	assert.equal(await result.innerText(), 'Repair failed: conntrack: operation not permitted');

	await page.click('#netfix-recheck');
	await page.waitForFunction(() => document.getElementById('netfix-verdict').getAttribute('data-verdict') === 'healthy');
	assert.equal(server.calls(sid, 'netfix.check').length, 1);
	assert.ok((await result.innerText()).startsWith('Checked again at '));
	await assertShowsDocument(page, healthy);
	await noTrouble(page);
	await page.close();
});

test('status call fails: the page says so and keeps the rest working', async () => {
	const doc = docs.doc_s1_critical.doc;
	const replies = repliesFor(doc);
	replies.status = { $ubus: 4 };
	const sid = server.session({ acl: 'write', replies });
	const page = await open(sid);

	assert.equal(await page.locator('#netfix-verdict').getAttribute('data-verdict'), 'unknown');
	assert.ok((await text(page, '#netfix-verdict')).includes('The status of netfix could not be read.'));
	const err = await text(page, '#netfix-error');
	assert.ok(err.startsWith('netfix is not available in rpcd'), err);
	// No document, no repairs to list (they come with the document); the
	// actions are there.
	await assertEventTable(page, []);
	assert.equal(await page.locator('#netfix-actions').count(), 1);

	// It answers again: the page recovers at the next poll.
	server.reply(sid, { status: doc });
	await page.evaluate(() => window.__luciTest.pollNow());
	await assertShowsDocument(page, doc);
	assert.equal(await page.locator('#netfix-error').count(), 0);

	// An {error} reply after a good one: the last document stays, marked.
	server.reply(sid, { status: { error: 'netfix: probe timed out' } });
	await page.evaluate(() => window.__luciTest.pollNow());
	const stale = await text(page, '#netfix-error');
	assert.ok(stale.startsWith('netfix did not answer in time. The router may be busy; if it keeps happening, see logread -e netfix. Showing the status read at '), stale);
	assert.equal(await page.locator('#netfix-verdict').getAttribute('data-verdict'), doc.verdict);
	await noTrouble(page);
	await page.close();
});

test('polling picks up a new document', async () => {
	const s1 = docs.doc_s1_critical.doc;
	const sid = server.session({ acl: 'read', replies: repliesFor(s1) });
	const page = await open(sid);
	assert.equal(await page.locator('#netfix-verdict').getAttribute('data-verdict'), s1.verdict);

	server.reply(sid, repliesFor(docs.doc_healthy.doc));
	await page.evaluate(() => window.__luciTest.pollNow());
	await assertShowsDocument(page, docs.doc_healthy.doc);
	await assertEventTable(page, arr(docs.doc_healthy.doc.heal.last_events));
	await noTrouble(page);
	await page.close();
});

// Every string of the document becomes markup that names its own path
// ("<img src=x onerror=alert(1)> heal.last_events.0.new_mac"): host and
// interface names, finding sentences and their msg ids and args, the
// flowtable heading, the events' MACs and ports, times, enums. Whatever
// the page does with a field, markup in it must stay text.
function markupEverywhere(v, path = '') {
	if (typeof v === 'string')
		return `${XSS} ${path}`;
	if (Array.isArray(v))
		return v.map((x, i) => markupEverywhere(x, `${path}.${i}`));
	if (v != null && typeof v === 'object')
		return Object.fromEntries(Object.entries(v).map(([ k, x ]) => [ k, markupEverywhere(x, path ? `${path}.${k}` : k) ]));
	return v;
}

test('values from the router are text: markup in every field runs nothing', async () => {
	const base = clone(docs.doc_s1_critical.doc);
	assert.ok(arr(base.heal.last_events).length, 'the S1 document has events');
	assert.ok(arr(base.offload.flowtables).length, 'the S1 document has a flowtable');
	// optional fields the golden event leaves out get a value to fill
	Object.assign(base.heal.last_events[0], { old_port: 'lan1', new_port: 'lan2', error: 'x' });
	Object.assign(base.offload.flowtables[0].devices[0], { parent: 'eth0' });
	const doc = markupEverywhere(base);
	// The page must still recognise it as a document to render every part.
	doc.verdict = 'critical';
	const events = doc.heal.last_events;
	const sid = server.session({ acl: 'write', replies: Object.assign(repliesFor(doc), {
		history: () => ({ events, total: events.length })
	}) });
	const before = server.requests.length;
	const page = await open(sid);
	// Give an injected <img src=x> time to fail to load and fire onerror.
	await page.waitForTimeout(500);

	const view = page.locator('#view');
	assert.equal(await view.locator('img').count(), 0, 'no <img> element was created');
	const literal = path => `${XSS} ${path}`;
	assert.ok((await text(page, '#netfix-verdict')).includes(`Router ${literal('host')}`), 'host name shown literally');
	const row = page.locator('#netfix-events tr.netfix-event').first();
	assert.equal(await row.locator('.netfix-event-iface').innerText(), literal('heal.last_events.0.interface'));
	assert.equal(await row.locator('.netfix-event-host').innerText(), literal('heal.last_events.0.ip'));
	const rowText = (await row.innerText()).replace(/\s+/g, ' ');
	assert.ok(rowText.includes(literal('heal.last_events.0.new_mac')), `new MAC shown literally: ${rowText}`);
	assert.ok(rowText.includes(literal('heal.last_events.0.error')), 'error shown literally');
	// a port move: same MAC, the ports are the change
	const portDoc = markupEverywhere(base);
	portDoc.verdict = 'critical';
	portDoc.heal.last_events[0].new_mac = portDoc.heal.last_events[0].old_mac;
	server.reply(sid, { status: portDoc, history: () => ({ events: portDoc.heal.last_events, total: 1 }) });
	await page.evaluate(() => window.__luciTest.pollNow());
	const portRow = (await page.locator('#netfix-events tr.netfix-event').first().innerText()).replace(/\s+/g, ' ');
	assert.ok(portRow.includes(literal('heal.last_events.0.new_port')), `new port shown literally: ${portRow}`);

	const heading = await text(page, '#netfix-offload .netfix-flowtable h4');
	for (const k of [ 'family', 'table', 'name' ])
		assert.ok(heading.includes(literal(`offload.flowtables.0.${k}`)), `flowtable ${k} in the heading shown literally: ${heading}`);
	const devRow = page.locator('#netfix-offload table.netfix-devices tr.tr:not(.table-titles)').first();
	assert.equal((await devRow.locator('td').allInnerTexts())[0], literal('offload.flowtables.0.devices.0.name'), 'device name shown literally');
	const finding = (await text(page, '#netfix-findings .netfix-finding >> nth=0')).replace(/\s+/g, ' ');
	assert.ok(finding.includes(literal('findings.0.title_msg.id')), `a finding's msgid shown literally: ${finding.slice(0, 200)}`);
	assert.equal(await page.locator('.netfix-finding .netfix-fix-cmd').first().innerText(), literal('findings.0.fix'));

	const fetched = server.requests.slice(before).filter(p => /\/x$/.test(p));
	assert.deepEqual(fetched, [], 'the browser never tried to load src=x');
	await noTrouble(page);  // includes: no alert() dialog
	await page.close();
});

test('the copy button puts the fix command on the clipboard', async () => {
	const doc = docs.doc_s1_critical.doc;
	const withFix = arr(doc.findings).find(f => f.fix);
	assert.ok(withFix, 'the S1 document has a finding with a fix');
	await context.grantPermissions([ 'clipboard-read', 'clipboard-write' ], { origin: server.base });
	const sid = server.session({ acl: 'read', replies: repliesFor(doc) });
	const page = await open(sid);

	const btn = page.locator(`.netfix-finding[data-id="${withFix.id}"] button.netfix-copy`);
	await btn.click();
	await page.waitForFunction(id => document.querySelector(`.netfix-finding[data-id="${id}"] button.netfix-copy`).textContent === 'Copied', withFix.id);
	assert.equal(await page.evaluate(() => navigator.clipboard.readText()), withFix.fix);
	await noTrouble(page);
	await page.close();
});

// English of a status.Msg, as the Go side renders it (status.Msg.String).
function english(m) {
	const tmpl = (m.plural && m.n !== 1) ? m.plural : m.id;
	let i = 0;
	return tmpl.replace(/%([sd%])/g, (x, c) => (c === '%' ? '%' : String(arr(m.args)[i++] ?? '')));
}

test('zh_Hans: no golden document shows an English sentence of a finding', async () => {
	for (const name of NAMES) {
		const doc = loadDoc(name).doc;
		const sid = server.session({ acl: 'write', replies: repliesFor(doc) });
		const page = await open(sid, { lang: 'zh_Hans' });
		assert.deepEqual(await page.evaluate(() => window.__luciTest.missingStrings), [], `${name}: strings without a translation`);
		const shown = (await text(page, '#netfix-verdict')) + '\n' + (await text(page, '#netfix-findings'));
		const sentences = arr(doc.findings).flatMap(f => [ f.title, ...arr(f.evidence),
			...arr(f.detail_msg).map(english) ]).filter(Boolean);
		assert.ok(sentences.length > 0, `${name} has findings`);
		for (const en of sentences)
			assert.ok(!shown.includes(en.replace(/\s+/g, ' ')), `${name}: English shown in zh_Hans: ${JSON.stringify(en)}`);
		// and the translation is there: the titles in Chinese
		for (const f of arr(doc.findings))
			assert.ok(/[\u4e00-\u9fff]/.test(await text(page, `.netfix-finding[data-id="${f.id}"] .netfix-finding-title`)), `${name}: ${f.id} title in Chinese`);
		await noTrouble(page);
		await page.close();
	}
});

test('zh_Hans: every string of the page is translated; screenshot', async () => {
	const doc = docs.doc_s1_critical.doc;
	const sid = server.session({ acl: 'write', replies: repliesFor(doc) });
	const page = await open(sid, { lang: 'zh_Hans' });

	assert.deepEqual(await page.evaluate(() => window.__luciTest.missingStrings), [], 'strings without a translation');
	const b = await text(page, '#netfix-verdict');
	const word = { healthy: '正常', warning: '警告', critical: '严重' }[doc.verdict];
	assert.ok(b.startsWith(word), b);
	assert.ok(b.includes(`发现问题：${problems(doc).length} 个`), b);
	assert.equal(await page.locator('#netfix-findings h3').innerText(), '检查结果');
	assert.equal(await page.getByRole('button', { name: '立即修复' }).count(), 1);

	// Exercise the strings that only show after an action, too.
	await page.fill('#netfix-flush-ip', 'nonsense');
	await page.click('#netfix-flush');
	assert.equal(await page.locator('#netfix-action-result').innerText(), '请输入 IPv4 或 IPv6 地址，例如 192.168.1.240。');
	await page.fill('#netfix-flush-ip', '');
	await page.click('#netfix-flush');

	await page.evaluate(() => { document.getElementById('netfix-action-result').textContent = ''; window.scrollTo(0, 0); });
	fs.mkdirSync(path.dirname(P.SCREENSHOT_ZH), { recursive: true });
	await page.screenshot({ path: P.SCREENSHOT_ZH, fullPage: true });
	assert.deepEqual(await page.evaluate(() => window.__luciTest.missingStrings), []);
	await noTrouble(page);
	await page.close();
});

// The firewall config of the S1 router as rpcd's uci get shows it.
const S1_FIREWALL = {
	firewall: {
		cfg01e63d: { '.anonymous': true, '.type': 'defaults', '.name': 'cfg01e63d', '.index': 0,
			input: 'REJECT', output: 'ACCEPT', forward: 'REJECT', flow_offloading: '1', flow_offloading_hw: '1' },
		cfg02dc81: { '.anonymous': true, '.type': 'zone', '.name': 'cfg02dc81', '.index': 1, name: 'lan' }
	}
};

test('apply fix: offload.hw_ineffective stages flow_offloading_hw=0 through uci and applies it with rollback', async () => {
	const doc = docs.doc_s1_critical.doc;
	const f = arr(doc.findings).find(x => x.id === 'offload.hw_ineffective');
	assert.ok(f && arr(f.fix_uci).length, 'the S1 document has a UCI fix');
	const sid = server.session({ acl: 'write', replies: repliesFor(doc), uci: S1_FIREWALL });
	const page = await open(sid);

	// only the UCI fix gets the button
	const buttons = page.locator('button.netfix-apply-fix');
	assert.equal(await buttons.count(), arr(doc.findings).filter(x => arr(x.fix_uci).length).length);
	await page.locator('.netfix-finding[data-id="offload.hw_ineffective"] button.netfix-apply-fix').click();
	await page.waitForFunction(() => /staged/.test(document.getElementById('netfix-action-result').textContent));
	for (let i = 0; i < 50 && server.applies(sid).length < 2; i++)
		await page.waitForTimeout(100);

	// the UCI change rpcd staged: exactly the fix, on firewall's defaults section
	assert.deepEqual(server.uciStaged(sid), [
		{ config: 'firewall', section: 'cfg01e63d', values: { flow_offloading_hw: '0' } }
	]);
	// then LuCI's apply with rollback, and the confirm with its token
	assert.deepEqual(server.applies(sid).map(a => a.action), [ 'apply_rollback', 'confirm' ]);
	assert.deepEqual(server.applies(sid)[0].staged, server.uciStaged(sid), 'the apply came after the change was staged');
	assert.deepEqual(server.denied(sid), []);
	await noTrouble(page);
	await page.close();
});

test('apply fix: read-only sessions get no button; a router without the section gets a sentence', async () => {
	const doc = docs.doc_s1_critical.doc;
	const ro = server.session({ acl: 'read', replies: repliesFor(doc), uci: S1_FIREWALL });
	const page = await open(ro);
	assert.equal(await page.locator('button.netfix-apply-fix').count(), 0);
	await page.close();

	const sid = server.session({ acl: 'write', replies: repliesFor(doc), uci: { firewall: {} } });
	const page2 = await open(sid);
	await page2.locator('.netfix-finding[data-id="offload.hw_ineffective"] button.netfix-apply-fix').click();
	await page2.waitForFunction(() => /Could not apply/.test(document.getElementById('netfix-action-result').textContent));
	assert.equal(await page2.locator('#netfix-action-result').innerText(),
		'Could not apply the fix: /etc/config/firewall has no defaults section to change.');
	assert.deepEqual(server.uciStaged(sid), []);
	assert.deepEqual(server.applies(sid), [], 'nothing applied');
	await noTrouble(page2);
	await page2.close();
});

// Each way a call can fail has its own sentence, in the reader's language,
// and never the browser's error with LuCI's stack frames.
const FAILURES = [
	// a writer of netfix is not told to get netfix's group (issue 24, 6)
	{ kind: 'access denied', reply: { $rpcError: { code: -32002, message: 'Access denied' } },
		en: 'Access denied by the router although this login has write access to netfix.', zh: '路由器仍拒绝了访问' },
	{ kind: 'object not found', reply: { $rpcError: { code: -32000, message: 'Object not found' } },
		en: 'netfix is not available in rpcd', zh: 'rpcd 中没有 netfix' },
	{ kind: 'timeout', reply: { $ubus: 7 },
		en: 'netfix did not answer in time.', zh: 'netfix 未能及时响应' },
	{ kind: 'daemon down', reply: { error: 'the netfix daemon is not running (start it with /etc/init.d/netfix start)' },
		en: 'The netfix daemon is not running.', zh: 'netfix 守护进程没有运行' }
];
const STACK = /\bat \S+ \(|rpc\.js|ClassConstructor|RPC call to/;

for (const lang of [ 'en', 'zh_Hans' ])
	for (const f of FAILURES)
		test(`${lang}: ${f.kind} has its own sentence and no stack frame`, async () => {
			const doc = docs.doc_s1_critical.doc;
			// the status call fails that way...
			const replies = repliesFor(doc);
			replies.status = f.reply;
			const sid = server.session({ acl: 'write', replies });
			const page = await open(sid, { lang });
			const banner = await text(page, '#netfix-error');
			assert.ok(banner.includes(lang === 'en' ? f.en : f.zh), `banner: ${banner}`);
			assert.doesNotMatch(banner, STACK);

			// ...and so does a repair
			server.reply(sid, { flush: f.reply });
			await page.fill('#netfix-flush-ip', '192.168.1.240');
			await page.click('#netfix-flush');
			await page.waitForFunction(() => document.getElementById('netfix-action-result').textContent !== '');
			const result = await page.locator('#netfix-action-result').innerText();
			assert.ok(result.includes(lang === 'en' ? f.en : f.zh), `repair result: ${result}`);
			assert.doesNotMatch(result, STACK);
			assert.deepEqual(await page.evaluate(() => window.__luciTest.missingStrings), []);
			await page.close();
		});

test('plural forms: one repair, one flow, one manual flush; manual flushes apart from repairs', async () => {
	const doc = clone(docs.doc_healthy.doc);
	Object.assign(doc.heal, { mode: 'heal', events_total: 2, repairs: 1, manual_flushes: 1, flows_deleted: 1 });
	const replies = repliesFor(doc);
	replies.flush = ({ ip }) => ({ ip, dry_run: false, deleted: 1 });
	const sid = server.session({ acl: 'write', replies });
	const page = await open(sid);
	assert.equal(await text(page, '#netfix-verdict .netfix-healer-line'),
		'netfix is repairing stale flows: 1 repair so far, 1 flow deleted. 1 manual flush.');
	const healer = await text(page, '#netfix-healer');
	assert.ok(healer.includes('Repairs so far 1'), healer);
	assert.ok(healer.includes('Manual flushes 1'), healer);
	await page.fill('#netfix-flush-ip', '192.168.1.240');
	await page.click('#netfix-flush');
	await page.waitForFunction(() => /Deleted/.test(document.getElementById('netfix-action-result').textContent));
	assert.equal(await page.locator('#netfix-action-result').innerText(), 'Deleted 1 offloaded connection of 192.168.1.240.');
	await page.close();

	// and several, in Chinese (one form)
	Object.assign(doc.heal, { events_total: 7, repairs: 5, manual_flushes: 2, flows_deleted: 9 });
	const zh = await open(server.session({ acl: 'write', replies: repliesFor(doc) }), { lang: 'zh_Hans' });
	assert.equal(await text(zh, '#netfix-verdict .netfix-healer-line'),
		'netfix 正在自动修复失效连接：至今已修复 5 次，删除了 9 条连接。另有 2 次手动清除。');
	await zh.close();
});
// S4 (netfix/fix.js): findings with an automatic fix get "Apply fix" for
// users with write access; what netfix applied is listed with "Undo".
function s4Replies() {
	const s4 = loadDoc('doc_s4_docker').doc;
	const fixed = Object.assign(clone(s4), { verdict: 'healthy',
		findings: arr(s4.findings).filter(f => !f.fix_action) });
	const record = { action: 'bridge.notrack', args: { bridge: 'br-lan137' },
		findings: [ 'conntrack.double_tracking', 'bridge.nf_call_iptables', 'bridge.rp_filter_ipless' ],
		changes: [ { object: 'table inet netfix' }, { object: 'chain inet netfix raw_prerouting' },
			{ object: 'rule inet netfix raw_prerouting: iifname "br-lan137" notrack' } ] };
	const state = { applied: false };
	const replies = repliesFor(s4);
	replies.status = () => (state.applied ? fixed : s4);
	replies.fixes = () => ({ applied: state.applied ? [ record ] : [], events: [] });
	replies.fix = ({ id, undo }) => {
		if (!undo && state.applied)
			return { finding: id, op: 'apply', changed: false, changes: [],
				message_msg: { id: 'The fix for %s is already in place; nothing was changed.', args: [ id ] } };
		state.applied = !undo;
		return undo
			? { finding: id, op: 'undo', changed: true, changes: record.changes,
				message_msg: { id: 'Undid the fix for %s: removed %d change.', plural: 'Undid the fix for %s: removed %d changes.', n: 3, args: [ id, '3' ] } }
			: { finding: id, op: 'apply', changed: true, changes: record.changes,
				message_msg: { id: 'Applied the fix for %s: %d change; `netfix fix undo %s` removes it.',
					plural: 'Applied the fix for %s: %d changes; `netfix fix undo %s` removes them.', n: 3, args: [ id, '3', id ] } };
	};
	return { s4, replies, state };
}

test('S4 write ACL: Apply fix on a finding, then Undo from the applied fixes', async () => {
	const { s4, replies } = s4Replies();
	const sid = server.session({ acl: 'write', replies });
	const page = await open(sid);
	const withAction = arr(s4.findings).filter(f => f.fix_action);
	assert.equal(withAction.length, 3, 'the S4 golden document offers three automatic fixes');
	assert.equal(await page.locator('button.netfix-fix-apply').count(), 3);
	assert.equal(await page.locator('#netfix-fixes').count(), 0, 'nothing applied yet');

	await page.locator('.netfix-finding[data-id="conntrack.double_tracking"] button.netfix-fix-apply').click();
	await page.waitForFunction(() => /Applied/.test(document.getElementById('netfix-action-result').textContent));
	// a web user undoes with the Undo button, not a CLI command
	assert.equal(await page.locator('#netfix-action-result').innerText(),
		'Applied the fix for conntrack.double_tracking (3 changes). "Undo" under "Fixes applied by netfix" removes them.');
	assert.deepEqual(server.calls(sid, 'netfix.fix').map(c => c.params),
		[ { id: 'conntrack.double_tracking', undo: false, dry_run: false, confirm: false, rollback: 90 } ]);
	await page.waitForSelector('#netfix-fixes');
	assert.equal(await page.locator('button.netfix-fix-apply').count(), 0, 'the findings are gone');
	assert.ok((await text(page, '#netfix-fixes')).includes('iifname "br-lan137" notrack'));

	await page.locator('#netfix-fixes button.netfix-fix-undo').click();
	await page.waitForFunction(() => /Undid/.test(document.getElementById('netfix-action-result').textContent));
	assert.deepEqual(server.calls(sid, 'netfix.fix')[1].params, { id: 'conntrack.double_tracking', undo: true, dry_run: false, confirm: false, rollback: 0 });
	await page.waitForFunction(() => !document.getElementById('netfix-fixes'));
	assert.equal(await page.locator('button.netfix-fix-apply').count(), 3, 'the findings are back');
	assert.deepEqual(server.denied(sid), []);
	await noTrouble(page);
	await page.close();
});

test('S4 read ACL: no Apply fix, no Undo', async () => {
	const { replies } = s4Replies();
	const sid = server.session({ acl: 'read', replies });
	const page = await open(sid);
	assert.equal(await page.locator('.netfix-finding').count() > 0, true);
	assert.equal(await page.locator('button.netfix-fix-apply').count(), 0);
	assert.equal(await page.locator('#netfix-fixes').count(), 0, 'nothing applied');
	assert.equal(server.calls(sid, 'netfix.fix').length, 0);
	assert.equal(server.calls(sid, 'netfix.fixes').length, 1, 'readers see the applied fixes too (issue 24, 5)');
	assert.deepEqual(server.denied(sid), []);
	await noTrouble(page);
	await page.close();
});

test('S4 in Chinese: the refusal and the result come from the catalog', async () => {
	const { replies } = s4Replies();
	replies.fix = ({ id }) => ({ error: `The finding ${id} is not present on this machine now; there is nothing to fix.`, refused: 'not_present',
		error_msg: { id: 'The finding %s is not present on this machine now; there is nothing to fix.', args: [ id ] } });
	const sid = server.session({ acl: 'write', replies });
	const page = await open(sid, { lang: 'zh_Hans' });
	await page.locator('.netfix-finding[data-id="bridge.nf_call_iptables"] button.netfix-fix-apply').click();
	await page.waitForFunction(() => document.getElementById('netfix-action-result').textContent !== '');
	assert.equal(await page.locator('#netfix-action-result').innerText(), '修复被拒绝：本机当前不存在问题 bridge.nf_call_iptables，无需修复。');
	await page.close();
});
