'use strict';
// Translatable strings of luci-app-netfix: what LuCI's i18n scanner would
// collect (every _('literal') in the JS, menu titles, ACL descriptions), a
// .po reader, and a .pot writer.
//
//   node lib/i18n.js pot     rewrite po/templates/netfix.pot from the sources
//   node lib/i18n.js po      merge every po/<lang>/netfix.po with the sources
//   node lib/i18n.js check   list strings missing from or stale in the .po files
const fs = require('node:fs');
const path = require('node:path');
const P = require('./paths');

function jsFiles(dir = path.join(P.APP, 'htdocs')) {
	const out = [];
	for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, e.name);
		if (e.isDirectory())
			out.push(...jsFiles(p));
		else if (e.name.endsWith('.js'))
			out.push(p);
	}
	return out.sort();
}

function unescapeJS(body) {
	return body.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (m, e) => {
		switch (e[0]) {
		case 'n': return '\n';
		case 't': return '\t';
		case 'r': return '\r';
		case 'u': return String.fromCodePoint(parseInt(e.replace(/[u{}]/g, ''), 16));
		case 'x': return String.fromCharCode(parseInt(e.slice(1), 16));
		default: return e;
		}
	});
}

// [{ msgid, plural?, file, line }] of every _('...') / _("...") and
// N_(n, '...', '...') in a source, plus
// the places where _() is called with something that is not one literal.
function extractJS(source, file) {
	const found = [], bad = [];
	const re = /(?<![\w$.])_\(\s*(?:'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)")\s*([,)])/g;
	const any = /(?<![\w$.])_\(/g;
	const lineOf = i => source.slice(0, i).split('\n').length;
	const ok = new Set();
	let m;
	while ((m = re.exec(source)) != null) {
		ok.add(m.index);
		found.push({ msgid: unescapeJS(m[1] != null ? m[1] : m[2]), file, line: lineOf(m.index) });
	}
	while ((m = any.exec(source)) != null)
		if (!ok.has(m.index))
			bad.push({ file, line: lineOf(m.index), text: source.slice(m.index, m.index + 40) });

	const lit = `(?:'((?:[^'\\\\\\n]|\\\\.)*)'|"((?:[^"\\\\\\n]|\\\\.)*)")`;
	const nre = new RegExp(`(?<![\\w$.])N_\\(\\s*[^,()]+(?:\\([^()]*\\))?\\s*,\\s*${lit}\\s*,\\s*${lit}\\s*[,)]`, 'g');
	const nany = /(?<![\w$.])N_\(/g;
	const nok = new Set();
	while ((m = nre.exec(source)) != null) {
		nok.add(m.index);
		found.push({ msgid: unescapeJS(m[1] != null ? m[1] : m[2]), plural: unescapeJS(m[3] != null ? m[3] : m[4]),
			file, line: lineOf(m.index) });
	}
	while ((m = nany.exec(source)) != null)
		if (!nok.has(m.index))
			bad.push({ file, line: lineOf(m.index), text: source.slice(m.index, m.index + 40) });
	return { found, bad };
}

// The sentences of the status document: msgids the Go code passes to
// status.M / status.MN as literals (src/internal/status/catalog_test.go
// checks the same from the Go side, with the argument counts).
function goFiles(dir = path.join(P.REPO, 'src', 'internal')) {
	const out = [];
	for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, e.name);
		if (e.isDirectory())
			out.push(...goFiles(p));
		else if (e.name.endsWith('.go') && !e.name.endsWith('_test.go'))
			out.push(p);
	}
	return out.sort();
}

function extractGo(source, file) {
	const found = [];
	const str = '"((?:[^"\\\\\\n]|\\\\.)*)"';
	const lineOf = i => source.slice(0, i).split('\n').length;
	const unq = s => JSON.parse(`"${s}"`);
	let m;
	const single = new RegExp(`\\bstatus\\.M\\(\\s*${str}`, 'g');
	while ((m = single.exec(source)) != null)
		found.push({ msgid: unq(m[1]), file, line: lineOf(m.index) });
	const plural = new RegExp(`\\bstatus\\.MN\\([^,]+,\\s*${str}\\s*,\\s*${str}`, 'g');
	while ((m = plural.exec(source)) != null)
		found.push({ msgid: unq(m[1]), plural: unq(m[2]), file, line: lineOf(m.index) });
	return found;
}

function extractAll() {
	const found = [], bad = [];
	const rel = f => path.relative(P.APP, f);
	for (const f of jsFiles()) {
		const r = extractJS(fs.readFileSync(f, 'utf8'), rel(f));
		found.push(...r.found);
		bad.push(...r.bad);
	}
	const menu = JSON.parse(fs.readFileSync(P.MENU, 'utf8'));
	for (const node of Object.values(menu))
		if (node.title)
			found.push({ msgid: node.title, file: rel(P.MENU), line: 0 });
	const acl = JSON.parse(fs.readFileSync(P.ACL, 'utf8'));
	for (const group of Object.values(acl))
		if (group.description)
			found.push({ msgid: group.description, file: rel(P.ACL), line: 0 });
	for (const f of goFiles())
		found.push(...extractGo(fs.readFileSync(f, 'utf8'), path.relative(P.REPO, f)));
	return { found, bad };
}

// msgid → [ "file:line", ... ], sorted by msgid like LuCI's templates.
function catalog(found) {
	const map = new Map();
	for (const f of found) {
		if (!map.has(f.msgid))
			map.set(f.msgid, []);
		const ref = f.line ? `${f.file}:${f.line}` : f.file;
		if (!map.get(f.msgid).includes(ref))
			map.get(f.msgid).push(ref);
		if (f.plural)
			map.get(f.msgid).plural = f.plural;
	}
	return new Map([ ...map.entries() ].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

function unescapePO(s) {
	return s.replace(/\\(.)/g, (m, c) => ({ n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' }[c] ?? c));
}

function escapePO(s) {
	return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}

// Entries of a .po/.pot file: { msgid, msgstr, plural, msgstrs, fuzzy, obsolete, refs }.
function parsePO(text) {
	const entries = [];
	let cur = null, field = null;
	const flush = () => {
		if (cur && cur.msgid != null)
			entries.push(cur);
		cur = null;
		field = null;
	};
	const start = () => { if (!cur) cur = { msgid: null, msgstr: null, msgstrs: [], refs: [], fuzzy: false, obsolete: false }; };

	for (let raw of text.split(/\r?\n/)) {
		let line = raw.trim();
		if (line === '') { flush(); continue; }
		let obsolete = false;
		if (line.startsWith('#~')) { obsolete = true; line = line.slice(2).trim(); }
		else if (line.startsWith('#')) {
			/* a comment after a msgid starts the next entry */
			if (cur && cur.msgid != null) flush();
			start();
			if (line.startsWith('#,') && /\bfuzzy\b/.test(line)) cur.fuzzy = true;
			if (line.startsWith('#:')) cur.refs.push(...line.slice(2).trim().split(/\s+/));
			continue;
		}
		const m = /^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"$/.exec(line);
		if (m) {
			if (m[1] === 'msgid' && cur && cur.msgid != null) flush();
			start();
			if (obsolete) cur.obsolete = true;
			const val = unescapePO(m[3]);
			if (m[1] === 'msgid') { cur.msgid = val; field = 'msgid'; }
			else if (m[1] === 'msgid_plural') { cur.plural = val; field = 'plural'; }
			else if (m[1] === 'msgctxt') { cur.ctxt = val; field = 'ctxt'; }
			else if (m[2] != null) { cur.msgstrs[+m[2]] = val; field = ['msgstrs', +m[2]]; }
			else { cur.msgstr = val; field = 'msgstr'; }
			continue;
		}
		const c = /^"(.*)"$/.exec(line);
		if (c && cur && field) {
			const val = unescapePO(c[1]);
			if (Array.isArray(field)) cur.msgstrs[field[1]] += val;
			else cur[field] += val;
			continue;
		}
		throw new Error(`cannot parse .po line: ${raw}`);
	}
	flush();
	return entries;
}

// Header fields of a parsed .po ("Language" → "zh_Hans", ...).
function headerOf(entries) {
	const h = entries.find(e => e.msgid === '');
	const out = {};
	for (const l of (h ? h.msgstr : '').split('\n')) {
		const i = l.indexOf(':');
		if (i > 0)
			out[l.slice(0, i).trim()] = l.slice(i + 1).trim();
	}
	return out;
}

function poString(keyword, s) {
	if (!s.includes('\n') && s.length < 70)
		return `${keyword} "${escapePO(s)}"\n`;
	const parts = s.split(/(?<=\n)/).flatMap(p => {
		const out = [];
		while (p.length > 76) {
			let cut = p.lastIndexOf(' ', 76);
			if (cut <= 0) cut = 76;
			out.push(p.slice(0, cut + 1));
			p = p.slice(cut + 1);
		}
		out.push(p);
		return out;
	}).filter(p => p !== '');
	return `${keyword} ""\n` + parts.map(p => `"${escapePO(p)}"\n`).join('');
}

// A .po of one language for the catalog: translations kept from old
// entries, new strings empty, strings no longer used dropped.
function renderPO(cat, oldEntries, header) {
	const old = new Map(oldEntries.filter(e => e.msgid !== '' && !e.obsolete).map(e => [ e.msgid, e ]));
	let out = 'msgid ""\nmsgstr ""\n' + header.map(h => `"${escapePO(h)}\\n"\n`).join('');
	for (const [ msgid, refs ] of cat) {
		const e = old.get(msgid);
		out += '\n';
		for (const r of refs)
			out += `#: ${r}\n`;
		if (e && e.fuzzy)
			out += '#, fuzzy\n';
		out += poString('msgid', msgid);
		if (refs.plural)
			out += poString('msgid_plural', refs.plural) + ((e && e.msgstrs.length) ? e.msgstrs : [ '' ])
				.map((s, i) => poString(`msgstr[${i}]`, s || '')).join('');
		else
			out += poString('msgstr', (e && e.msgstr) || '');
	}
	return out;
}

function renderPOT(cat) {
	let out = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8"\n';
	for (const [ msgid, refs ] of cat) {
		out += '\n';
		for (const r of refs)
			out += `#: ${r}\n`;
		out += poString('msgid', msgid);
		out += refs.plural ? poString('msgid_plural', refs.plural) + 'msgstr[0] ""\nmsgstr[1] ""\n' : 'msgstr ""\n';
	}
	return out;
}

// Printf conversions of a string in order, without %%.
function formatSpecs(s) {
	return (s.match(/%(?:-)?(?:0)?\d*(?:\.\d+)?[sdfxXqhjtm%]/g) || []).filter(x => x !== '%%')
		.map(x => x.replace(/^%-?0?\d*(?:\.\d+)?/, '%'));
}

function poFiles() {
	return fs.readdirSync(P.PO_DIR, { withFileTypes: true })
		.filter(d => d.isDirectory() && d.name !== 'templates')
		.flatMap(d => fs.readdirSync(path.join(P.PO_DIR, d.name))
			.filter(f => f.endsWith('.po'))
			.map(f => ({ lang: d.name, file: path.join(P.PO_DIR, d.name, f) })));
}

// The translations of one language for the test page, keyed the way
// LuCI's _() and N_() look them up: msgid; msgid + "\u0002" + plural
// index; "" holds the Plural-Forms expression.
function translations(lang) {
	const out = {};
	for (const po of poFiles().filter(p => p.lang === lang)) {
		const entries = parsePO(fs.readFileSync(po.file, 'utf8'));
		out[''] = headerOf(entries)['Plural-Forms'] || 'nplurals=2; plural=(n != 1);';
		for (const e of entries) {
			if (e.msgid === '' || e.fuzzy || e.obsolete)
				continue;
			if (e.plural != null)
				e.msgstrs.forEach((s, i) => { if (s) out[`${e.msgid}\u0002${i}`] = s; });
			else if (e.msgstr)
				out[e.msgid] = e.msgstr;
		}
	}
	return out;
}

// True when a parsed entry has a translation for every form.
function translated(e) {
	if (e.plural != null)
		return e.msgstrs.length > 0 && e.msgstrs.every(s => s);
	return !!e.msgstr;
}

module.exports = { extractJS, extractGo, extractAll, catalog, parsePO, headerOf, renderPOT, renderPO, formatSpecs,
	poFiles, translations, translated, jsFiles };

if (require.main === module) {
	const cmd = process.argv[2];
	const { found, bad } = extractAll();
	for (const b of bad)
		console.error(`${b.file}:${b.line}: _() needs one string literal: ${b.text}`);
	const cat = catalog(found);
	if (cmd === 'pot') {
		fs.writeFileSync(P.POT, renderPOT(cat));
		console.log(`wrote ${path.relative(P.REPO, P.POT)}: ${cat.size} strings`);
	}
	else if (cmd === 'po') {
		for (const po of poFiles()) {
			const old = parsePO(fs.readFileSync(po.file, 'utf8'));
			const h = headerOf(old);
			const header = Object.entries(h).map(([ k, v ]) => `${k}: ${v}`);
			fs.writeFileSync(po.file, renderPO(cat, old, header));
			for (const e of old)
				if (e.msgid !== '' && !cat.has(e.msgid))
					console.log(`${po.lang}: dropped unused ${JSON.stringify(e.msgid)}`);
			console.log(`wrote ${path.relative(P.REPO, po.file)}`);
		}
	}
	else if (cmd === 'check') {
		let problems = bad.length;
		for (const po of poFiles()) {
			const entries = parsePO(fs.readFileSync(po.file, 'utf8')).filter(e => e.msgid !== '' && !e.obsolete);
			const have = new Map(entries.map(e => [ e.msgid, e ]));
			for (const id of cat.keys())
				if (!have.has(id) || !translated(have.get(id))) { problems++; console.log(`${po.lang}: missing: ${JSON.stringify(id)}`); }
			for (const id of have.keys())
				if (!cat.has(id)) { problems++; console.log(`${po.lang}: stale: ${JSON.stringify(id)}`); }
		}
		console.log(`${cat.size} strings, ${problems} problems`);
		process.exitCode = problems ? 1 : 0;
	}
	else {
		console.error('usage: node lib/i18n.js pot|po|check');
		process.exitCode = 2;
	}
}
