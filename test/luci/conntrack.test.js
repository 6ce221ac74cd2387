'use strict';
// The conntrack table section of the status page (netfix/conntrack.js,
// scenario S2) in headless Chromium against the Go golden document of the
// S2 router (src/internal/status/testdata/doc_s2_critical.json), and its
// pure helpers in Node. Saves docs/luci-s2.png.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');
const P = require('./lib/paths');
const { startServer } = require('./lib/server');
const { loadDoc } = require('./lib/contract');
const { load, baseclass } = require('./lib/module');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = [ '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync' ];
const XSS = '<img src=x onerror=alert(1)>';

let server, context, userDataDir, doc;
const clone = v => JSON.parse(JSON.stringify(v));

function repliesFor(d) {
	const events = (d.heal && d.heal.last_events) || [];
	return { status: d, check: d, history: ({ limit }) => ({ events: events.slice(0, limit), total: events.length }) };
}

before(async () => {
	doc = loadDoc('doc_s2_critical').doc;
	server = await startServer();
	userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netfix-chromium-'));
	context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: CHROMIUM, headless: true, args: ARGS,
		viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'UTC'
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

async function open(d, lang = 'en') {
	const page = await context.newPage();
	const trouble = [];
	page.on('pageerror', e => trouble.push(`pageerror: ${e.message}`));
	page.on('dialog', dl => { trouble.push(`dialog: ${dl.message()}`); dl.dismiss().catch(() => {}); });
	const sid = server.session({ acl: 'read', replies: repliesFor(d) });
	await page.goto(server.pageURL(sid, { lang }));
	await page.waitForFunction(() => document.body.getAttribute('data-view-ready'), null, { timeout: 15000 });
	page.trouble = trouble;
	return page;
}

const norm = s => s.replace(/\s+/g, ' ').trim();

test('helpers: labels, shares, refusals, reclaim', () => {
	const nf = { fillPercent: () => null, formatFill: () => '', formatTime: () => '' };
	const Cls = load(path.join(P.APP, 'htdocs/luci-static/resources/netfix/conntrack.js'), { baseclass, 'netfix.format': nf });
	const ct = new Cls();
	assert.equal(ct.hostLabel({ addr: '10.16.1.23', name: 'bt-vm' }), 'bt-vm (10.16.1.23)');
	assert.equal(ct.hostLabel({ addr: 'fd00::50' }), 'fd00::50');
	assert.equal(ct.share(7146, 7296), '97.9 %');
	assert.equal(ct.share(1, 0), '');
	assert.equal(ct.idleOverHour([ 280, 0, 0, 1, 2, 3, 6900 ]), 6906);
	assert.equal(ct.growthText({ growth: { drop: 48, insert_failed: 1, early_drop: 0 }, growth_s: 30 }),
		'drop +48, insert_failed +1, early_drop +0 in the last 30 s');
	assert.equal(ct.growthText({ growth: { drop: 1 }, growth_s: 0 }), null);
	assert.equal(ct.reclaimText({ reclaim: { enabled: false, idle_s: 3600, reclaimable: 6900 } }),
		'Off: with reclaim_idle 3600 s it would free 6900 entries');
	assert.equal(ct.reclaimText({ reclaim: { enabled: true, idle_s: 3600 } }),
		'On: ESTABLISHED entries idle longer than 3600 s are deleted while the table is 90 % full');
	assert.equal(ct.idleLabel(6), 'over 1 day');
});

test('S2: gauge, refusals, top hosts, idle histogram, events; screenshot', async () => {
	const page = await open(doc);
	const t = doc.conntrack.table;
	const sec = norm(await page.locator('#netfix-conntrack').innerText());
	assert.ok(sec.includes(`${doc.conntrack.entries} / ${doc.conntrack.max}`), `fill: ${sec}`);
	assert.ok(sec.includes(`drop +${t.growth.drop}, insert_failed +${t.growth.insert_failed}`), 'refusals');
	assert.ok(sec.includes(`Off: with reclaim_idle ${t.reclaim.idle_s} s it would free ${t.reclaim.reclaimable} entries`), 'reclaim dry run');
	const rows = page.locator('#netfix-ct-hosts tr.netfix-ct-host');
	assert.equal(await rows.count(), t.usage.hosts.length, 'one row per top host');
	const first = (await rows.nth(0).locator('td').allInnerTexts()).map(norm);
	const h = t.usage.hosts[0];
	assert.deepEqual(first, [ `${h.name} (${h.addr})`, String(h.entries), '97.9 %', String(h.established),
		String(h.idle.slice(3).reduce((a, b) => a + b, 0)) ]);
	const idle = (await page.locator('#netfix-ct-idle td').allInnerTexts()).map(norm);
	assert.deepEqual(idle.slice(-2), [ 'over 1 day', String(t.usage.idle[6]) ]);
	assert.equal(await page.locator('#netfix-ct-events tr.netfix-ct-event').count(),
		doc.heal.table_events.filter(e => e.conntrack).length, 'one row per table event');
	assert.ok(norm(await page.locator('#netfix-ct-events').innerText()).includes('New connections refused'), 'event label');
	fs.mkdirSync(path.join(P.REPO, 'docs'), { recursive: true });
	await page.locator('#netfix').screenshot({ path: path.join(P.REPO, 'docs/luci-s2.png') });
	assert.deepEqual(page.trouble, []);
	await page.close();
});

test('S2: a host name with markup stays text', async () => {
	const d = clone(doc);
	d.conntrack.table.usage.hosts[0].name = XSS;
	const page = await open(d);
	const cell = page.locator('#netfix-ct-hosts tr.netfix-ct-host').nth(0).locator('td').nth(0);
	assert.equal(await cell.innerText(), `${XSS} (${d.conntrack.table.usage.hosts[0].addr})`);
	assert.equal(await page.locator('#netfix-conntrack img').count(), 0, 'no element injected');
	assert.deepEqual(page.trouble, []);
	await page.close();
});

test('S2 in zh_Hans: the section is translated', async () => {
	const page = await open(doc, 'zh_Hans');
	const sec = norm(await page.locator('#netfix-conntrack').innerText());
	for (const s of [ '连接跟踪表', '占用表项最多的主机', '按空闲时间统计的 ESTABLISHED 表项', '超过 1 天' ])
		assert.ok(sec.includes(s), `zh_Hans: ${s} in ${sec}`);
	await page.close();
});
