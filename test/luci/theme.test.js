'use strict';
// Colours of the status page under a stand-in of luci-theme-bootstrap
// (harness/theme.css follows bootstrap's cascade.css, light and dark), in
// headless Chromium: every banner and badge is measured from the rendered
// styles, text against the background it really sits on, and must reach
// WCAG AA (4.5:1); the severities must look different from each other.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { startServer } = require('./lib/server');
const { loadDoc } = require('./lib/contract');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = [ '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking' ];
const MIN_CONTRAST = 4.5;

let server, context, userDataDir;

before(async () => {
	server = await startServer();
	userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netfix-chromium-theme-'));
	context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 900 }
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

function replies(doc) {
	const events = (doc.heal && doc.heal.last_events) || [];
	return { status: doc, check: doc, history: () => ({ events, total: events.length }) };
}

async function open(replySpec, dark) {
	const sid = server.session({ acl: 'write', replies: replySpec });
	const page = await context.newPage();
	await page.goto(server.pageURL(sid, dark ? { dark: '1' } : {}));
	await page.waitForFunction(() => document.body.getAttribute('data-view-ready'), null, { timeout: 15000 });
	return page;
}

// For every element matching selector: its text colour, the background it
// sits on (the nearest ancestor with a background colour; a gradient there
// cannot be measured and is reported), and the WCAG contrast ratio.
async function measure(page, selector) {
	return page.evaluate(sel => {
		const rgb = s => (s.match(/[\d.]+/g) || []).map(Number);
		const lum = ([ r, g, b ]) => {
			const c = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
			return 0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b);
		};
		return [ ...document.querySelectorAll(sel) ].filter(el => el.textContent.trim() !== '').map(el => {
			const fg = rgb(getComputedStyle(el).color);
			let bgEl = el, bg = null, gradient = null;
			for (; bgEl; bgEl = bgEl.parentElement) {
				const cs = getComputedStyle(bgEl);
				if (cs.backgroundImage && cs.backgroundImage !== 'none')
					gradient = cs.backgroundImage;
				const c = rgb(cs.backgroundColor);
				if (c.length >= 3 && (c.length < 4 || c[3] > 0)) { bg = c; break; }
			}
			bg = bg || [ 255, 255, 255 ];
			const [ l1, l2 ] = [ lum(fg), lum(bg) ].sort((a, b) => b - a);
			return { text: el.textContent.trim().slice(0, 40), fg: fg.slice(0, 3), bg: bg.slice(0, 3), gradient,
				ratio: Math.round((l1 + 0.05) / (l2 + 0.05) * 100) / 100,
				tone: (el.className.match(/netfix-tone-(\w+)/) || [])[1] || null };
		});
	}, selector);
}

function assertReadable(rows, what) {
	assert.ok(rows.length > 0, `${what}: nothing measured`);
	for (const r of rows) {
		assert.equal(r.gradient, null, `${what} "${r.text}": sits on a gradient (${r.gradient})`);
		assert.ok(r.ratio >= MIN_CONTRAST, `${what} "${r.text}": contrast ${r.ratio}:1 (text ${r.fg} on ${r.bg}), want ≥ ${MIN_CONTRAST}`);
	}
}

const warningDoc = () => loadDoc('doc_s1_healed').doc;

for (const dark of [ false, true ]) {
	const mode = dark ? 'dark' : 'light';

	test(`${mode}: every verdict banner is readable`, async (t) => {
		const cases = [
			[ 'healthy', replies(loadDoc('doc_healthy').doc) ],
			[ 'warning', replies(warningDoc()) ],
			[ 'critical', replies(loadDoc('doc_s1_critical').doc) ],
			[ 'unknown', { status: { $ubus: 4 } } ]
		];
		const seen = {};
		for (const [ verdict, spec ] of cases) {
			const page = await open(spec, dark);
			assert.equal(await page.locator('#netfix-verdict').getAttribute('data-verdict'), verdict);
			const rows = await measure(page, '#netfix-verdict h3, #netfix-verdict p, #netfix-verdict strong, #netfix-error p');
			assertReadable(rows, `${mode} ${verdict} banner`);
			seen[verdict] = (await measure(page, '#netfix-verdict'))[0];
			t.diagnostic(`${mode} ${verdict}: ${rows.map(r => r.ratio).join(', ')}`);
			await page.close();
		}
		// the banners are told apart by their colour, not only by the word
		const bgs = Object.values(seen).map(r => r.bg.join(','));
		assert.equal(new Set(bgs).size, bgs.length, `${mode}: banner backgrounds ${JSON.stringify(seen)}`);
		const [ r, g, b ] = seen.critical.bg;
		assert.ok(r > g && r > b, `${mode}: the critical banner is red-ish, got ${seen.critical.bg}`);
	});

	test(`${mode}: severity badges are readable and distinct`, async (t) => {
		const page = await open(replies(loadDoc('doc_daemon_down').doc), dark);
		const badges = await measure(page, '#netfix .netfix-badge');
		assertReadable(badges, `${mode} badge`);
		const byTone = {};
		for (const b of badges)
			byTone[b.tone] = b.bg.join(',');
		for (const tone of [ 'critical', 'warning', 'info' ])
			assert.ok(byTone[tone], `${mode}: a ${tone} badge is shown (${JSON.stringify(byTone)})`);
		// CRITICAL, WARNING, INFO and "Not running" must not share a colour
		// the way .label.important and .label.notice do in bootstrap
		assert.equal(new Set(Object.values(byTone)).size, Object.keys(byTone).length, JSON.stringify(byTone));
		const notRunning = badges.find(b => /not running/i.test(b.text));
		assert.ok(notRunning, 'the daemon badge says Not running');
		assert.notEqual(notRunning.bg.join(','), byTone.info, `${mode}: "Not running" looks like INFO`);
		t.diagnostic(`${mode} badges: ${badges.map(b => `${b.tone} ${b.ratio}`).join(', ')}`);
		await page.close();
	});
}

// The theme stand-in reproduces what the issue was about: with bootstrap's
// own classes the CRITICAL badge would be INFO's blue and an h3 on the red
// alert unreadable; this guards the stand-in against drifting into a
// theme where anything passes.
test('the stand-in theme keeps bootstrap\'s pitfalls', async () => {
	const page = await open(replies(loadDoc('doc_healthy').doc), false);
	const probe = await page.evaluate(() => {
		const host = document.createElement('div');
		host.innerHTML = '<span class="label important">a</span><span class="label notice">b</span>' +
			'<div class="alert-message error"><h3>c</h3></div>';
		document.body.appendChild(host);
		const bg = s => getComputedStyle(host.querySelector(s)).backgroundColor;
		return { important: bg('.important'), notice: bg('.notice'), h3: getComputedStyle(host.querySelector('h3')).color };
	});
	assert.equal(probe.important, probe.notice, 'bootstrap paints .label.important and .label.notice alike');
	assert.equal(probe.h3, 'rgb(64, 64, 64)', 'bootstrap leaves h3 in an alert in the body grey');
	await page.close();
});
