'use strict';
// The status page in two themes, light and dark, wide and at a phone's
// width (375 px): luci-theme-bootstrap (the harness's stand-in, which
// follows bootstrap's cascade.css and marks dark mode with data-darkmode)
// and luci-theme-argon (its real cascade.css and dark.css, test data in
// themes/argon/, loaded as argon's header does: dark.css under
// prefers-color-scheme: dark). Everything is measured from the rendered
// page: computed colours and WCAG contrast of every text and button,
// overlap of badges and titles (getBoundingClientRect), the Dry-run
// checkbox beside its label, data-title on the table cells the theme shows
// at 375 px, and the page's dark mode following the theme's.
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
const ARGS = [ '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking' ];
const MIN_CONTRAST = 4.5;
const ARGON = fs.existsSync(path.join(P.THEMES, 'argon', 'cascade.css')) && fs.existsSync(path.join(P.THEMES, 'argon', 'dark.css'));

let server, browser;
const clone = v => JSON.parse(JSON.stringify(v));
const arr = v => (Array.isArray(v) ? v : []);

before(async () => {
	server = await startServer();
	browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
});

after(async () => {
	if (browser)
		await browser.close();
	if (server)
		await server.close();
});

// A document with something in every section: S4's bridges and findings,
// S3's forwarding (with an event), S2's table events, S1's repairs, and an
// applied fix, so every kind of table, badge and button is on the page.
function richDoc() {
	const s1 = clone(loadDoc('doc_s1_critical').doc);
	const s2 = loadDoc('doc_s2_critical').doc;
	const s3 = loadDoc('doc_s3_critical').doc;
	const s4 = loadDoc('doc_s4_docker').doc;
	const d = clone(s1);
	d.findings = [].concat(s1.findings, s2.findings.filter(f => f.id.startsWith('conntrack.')), s3.findings.filter(f => f.id.startsWith('forwarding.')), s4.findings.filter(f => f.fix_action));
	d.forwarding = clone(s3.forwarding);
	d.bridge_nf = clone(s4.bridge_nf);
	d.conntrack = clone(s2.conntrack);
	d.heal.table_events = clone(s2.heal.table_events);
	d.heal.forwarding_events = [ { time: '2026-11-22T13:03:12Z', family: 'ipv4', interface: 'eno1', old: true, new: false } ];
	return d;
}

function replies(doc) {
	return { status: doc, check: doc, fixes: { applied: [ { action: 'bridge.notrack', args: { bridge: 'br-lan137' }, findings: [ 'bridge.nf_call_iptables' ],
		changes: [ { object: 'rule inet netfix raw_prerouting: iifname "br-lan137" notrack' } ], applied: '2026-11-22T13:10:00Z' } ], events: [] } };
}

async function open(theme, dark, width) {
	const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: dark ? 'dark' : 'light', deviceScaleFactor: 1 });
	const page = await context.newPage();
	const sid = server.session({ acl: 'write', replies: replies(richDoc()) });
	await page.goto(server.pageURL(sid, Object.assign({ theme }, dark ? { dark: '1' } : {})));
	await page.waitForFunction(() => document.body.getAttribute('data-view-ready'), null, { timeout: 15000 });
	await page.waitForSelector('#netfix');
	await page.waitForTimeout(150); // the page measures the theme's colours after the first frame
	page.closeAll = () => context.close();
	return page;
}

// Every element under #netfix that shows text of its own (a text node
// child) or is a button: its colour, the opaque background it sits on and
// the contrast ratio. A gradient or image between it and that background
// is reported (its contrast cannot be read).
function measureAll(page) {
	return page.evaluate(() => {
		const rgba = s => (s.match(/[\d.]+/g) || []).map(Number);
		const lum = ([ r, g, b ]) => {
			const c = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
			return 0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b);
		};
		const out = [];
		for (const el of document.querySelectorAll('#netfix *')) {
			if (el.tagName === 'STYLE' || el.disabled)
				continue;
			const own = [ ...el.childNodes ].some(n => n.nodeType === 3 && n.textContent.trim() !== '');
			if (!own && el.tagName !== 'BUTTON')
				continue;
			const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
			if (r.width === 0 || r.height === 0 || cs.visibility === 'hidden' || cs.display === 'none')
				continue;
			const fg = rgba(cs.color);
			let bg = null, image = null;
			for (let n = el; n; n = n.parentElement) {
				const s = getComputedStyle(n);
				if (s.backgroundImage && s.backgroundImage !== 'none' && !image)
					image = s.backgroundImage.slice(0, 60);
				const c = rgba(s.backgroundColor);
				if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) { bg = c; break; }
			}
			bg = bg || [ 255, 255, 255 ];
			const [ l1, l2 ] = [ lum(fg), lum(bg) ].sort((a, b) => b - a);
			out.push({ tag: el.tagName, cls: String(el.className).slice(0, 50), text: el.textContent.trim().slice(0, 40),
				fg: fg.slice(0, 3), fgAlpha: fg.length > 3 ? fg[3] : 1, bg: bg.slice(0, 3), image,
				ratio: Math.round((l1 + 0.05) / (l2 + 0.05) * 100) / 100 });
		}
		return out;
	});
}

const THEMES = [ 'bootstrap', 'argon' ];

for (const theme of THEMES)
	for (const dark of [ false, true ])
		for (const width of [ 1280, 375 ]) {
			const name = `${theme} ${dark ? 'dark' : 'light'} ${width} px`;
			test(name, { skip: theme === 'argon' && !ARGON ? 'argon\'s stylesheets are not in test/luci/themes/argon (see its README)' : false }, async (t) => {
				const page = await open(theme, dark, width);

				// every text and button at least 4.5:1, on a colour, not on a gradient
				const rows = await measureAll(page);
				assert.ok(rows.length > 100, `measured ${rows.length} elements`);
				const bad = rows.filter(r => r.ratio < MIN_CONTRAST || r.fgAlpha < 1 || (r.image && /gradient|url/.test(r.image)));
				assert.deepEqual(bad.map(r => `${r.tag}.${r.cls} "${r.text}" ${r.ratio}:1 fg ${r.fg}/${r.fgAlpha} bg ${r.bg} ${r.image || ''}`), [], `${name}: every text and button ≥ ${MIN_CONTRAST}:1`);
				t.diagnostic(`${name}: ${rows.length} texts, lowest ${Math.min(...rows.map(r => r.ratio))}:1`);

				// the page follows the theme's own dark mode
				assert.equal(await page.locator('#netfix').getAttribute('data-netfix-dark'), dark ? '1' : '0', 'dark mode follows the theme');

				// the status words: each tone its own colour, never the theme's
				const tones = await page.locator('#netfix .netfix-badge').evaluateAll(bs => bs.map(b => [ (b.className.match(/netfix-tone-(\w+)/) || [])[1], getComputedStyle(b).backgroundColor ]));
				const byTone = {};
				for (const [ tone, bg ] of tones)
					(byTone[tone] = byTone[tone] || new Set()).add(bg);
				for (const [ tone, set ] of Object.entries(byTone))
					assert.equal(set.size, 1, `${tone}: one colour`);
				const colours = Object.values(byTone).map(s => [ ...s ][0]);
				assert.equal(new Set(colours).size, colours.length, `tones are told apart: ${JSON.stringify(Object.fromEntries(Object.entries(byTone).map(([ k, v ]) => [ k, [ ...v ][0] ])))}`);

				// badges never cover a wrapped title
				const overlaps = await page.evaluate(() => [ ...document.querySelectorAll('.netfix-finding-head') ].map(h => {
					const b = h.querySelector('.netfix-badge').getBoundingClientRect(), t = h.querySelector('.netfix-finding-title').getBoundingClientRect();
					const x = Math.min(b.right, t.right) - Math.max(b.left, t.left), y = Math.min(b.bottom, t.bottom) - Math.max(b.top, t.top);
					return (x > 0.5 && y > 0.5) ? h.textContent.slice(0, 60) : null;
				}).filter(Boolean));
				assert.deepEqual(overlaps, [], 'no badge over its title');

				// the Dry-run checkbox stays with its label
				const dry = await page.evaluate(() => {
					const c = document.getElementById('netfix-flush-dry').getBoundingClientRect();
					const l = document.querySelector('label[for="netfix-flush-dry"] span').getBoundingClientRect();
					return { gap: l.left - c.right, cy: (c.top + c.bottom) / 2, top: l.top, bottom: l.bottom };
				});
				assert.ok(dry.gap >= 0 && dry.gap < 16 && dry.cy >= dry.top && dry.cy <= dry.bottom, `checkbox beside its label: ${JSON.stringify(dry)}`);

				// every cell of a table with headings carries its column's title
				const missing = await page.evaluate(() => [ ...document.querySelectorAll('#netfix .table') ].flatMap(tb => {
					const head = tb.querySelector('.table-titles');
					if (!head)
						return [];
					return [ ...tb.querySelectorAll('.tr:not(.table-titles):not(.placeholder) > .td') ].filter(td => !td.getAttribute('data-title')).map(td => `${tb.id || tb.className}: ${td.textContent.slice(0, 30)}`);
				}));
				assert.deepEqual(missing, [], 'data-title on every cell');
				if (width === 375 && theme === 'argon') {
					// argon hides the headings there and shows data-title instead
					const shown = await page.evaluate(() => {
						const td = document.querySelector('#netfix-forwarding-interfaces .tr:not(.table-titles) .td');
						return { head: getComputedStyle(document.querySelector('#netfix-forwarding-interfaces .table-titles')).display, before: getComputedStyle(td, '::before').content };
					});
					assert.equal(shown.head, 'none', 'argon hides table headings at 375 px');
					assert.equal(shown.before, '"Interface: "', 'and shows the cell\'s data-title');
				}
				// what a phone shows in argon, for docs/ (the stylesheets are
				// not in CI, so these are refreshed where they are)
				if (width === 375 && theme === 'argon') {
					const h = await page.evaluate(() => Math.min(1400, document.documentElement.scrollHeight));
					await page.screenshot({ path: path.join(P.REPO, 'docs', `luci-argon-${dark ? 'dark' : 'light'}-375.png`), clip: { x: 0, y: 0, width: 375, height: h } });
				}
				// the page fits the phone
				if (width === 375) {
					const over = await page.evaluate(() => [ ...document.querySelectorAll('#netfix .netfix-banner, #netfix-overview') ].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.id));
					assert.deepEqual(over, [], 'banner and overview fit 375 px');
				}
				await page.closeAll();
			});
		}

// The harness loads what it says: argon's rules are in effect, and its
// pitfalls are real (label text forced white, no .label.important), so the
// tests above measure against the theme and not against nothing.
test('argon\'s stylesheet is the one in effect', { skip: !ARGON ? 'argon\'s stylesheets are missing' : false }, async () => {
	const page = await open('argon', false, 1280);
	const probe = await page.evaluate(() => {
		const host = document.createElement('div');
		host.innerHTML = '<span class="label important">a</span><span class="label">b</span>';
		document.body.appendChild(host);
		const cs = s => getComputedStyle(host.querySelector(s));
		return { important: cs('.important').backgroundColor, plain: cs('.label:not(.important)').backgroundColor, color: cs('.important').color };
	});
	assert.equal(probe.important, probe.plain, 'argon has no .label.important');
	assert.equal(probe.color, 'rgb(255, 255, 255)', 'argon forces .label text white');
	await page.closeAll();
});

// The page follows the theme's own decision, not the browser's wish alone:
// argon set to dark mode (dark.css without the media query) on a browser
// that prefers light, and bootstrap set to light on one that prefers dark.
test('dark mode follows the theme when the theme overrides the browser', { skip: !ARGON ? 'argon\'s stylesheets are missing' : false }, async () => {
	for (const [ theme, extra, scheme, want ] of [ [ 'argon', { argonmode: 'dark' }, 'light', '1' ], [ 'bootstrap', {}, 'dark', '0' ] ]) {
		const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: scheme });
		const page = await context.newPage();
		const sid = server.session({ acl: 'write', replies: replies(richDoc()) });
		await page.goto(server.pageURL(sid, Object.assign({ theme }, extra)));
		await page.waitForFunction(() => document.body.getAttribute('data-view-ready'), null, { timeout: 15000 });
		await page.waitForTimeout(150);
		assert.equal(await page.locator('#netfix').getAttribute('data-netfix-dark'), want, `${theme} on a browser that prefers ${scheme}`);
		const bad = (await measureAll(page)).filter(r => r.ratio < MIN_CONTRAST);
		assert.deepEqual(bad.map(r => `${r.text} ${r.ratio}`), [], `${theme}: readable`);
		await context.close();
	}
});
