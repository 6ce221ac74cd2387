'use strict';
// The settings page (luci-app/.../view/netfix/settings.js) against the
// config the daemon reads: it is evaluated with a form stand-in that records
// what it declares, and compared with the shipped /etc/config/netfix.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const P = require('./lib/paths');
const { load, loadFormat } = require('./lib/module');

function recordSettings() {
	const rec = { map: null, sections: [] };

	class Option {
		constructor(kind, name, title, description) {
			Object.assign(this, { kind, name, title, description, values: [], deps: [] });
			if (kind === 'Flag') {
				this.enabled = '1';
				this.disabled = '0';
			}
		}
		value(key, label) { this.values.push([ key, label ]); }
		depends(key, val) { this.deps.push([ key, val ]); }
	}

	const form = { Flag: 'Flag', ListValue: 'ListValue', DynamicList: 'DynamicList', Value: 'Value',
		NamedSection: 'NamedSection', TypedSection: 'TypedSection' };
	form.Map = class {
		constructor(config, title, description) { rec.map = { config, title, description }; }
		section(type, name, sectionType, title) {
			const s = { type, name, sectionType, title, options: [],
				option(kind, oname, otitle, odescr) {
					const o = new Option(kind, oname, otitle, odescr);
					this.options.push(o);
					return o;
				} };
			rec.sections.push(s);
			return s;
		}
		render() { return Promise.resolve('rendered form'); }
	};

	const view = { extend: props => props };
	const page = load(P.SETTINGS_JS, { view, form, 'netfix.format': loadFormat() });
	return { page, rec };
}

// Options of the shipped config: { name: { default, list } }, commented-out
// examples ("#list ignore_host ...") included.
function shippedOptions(text) {
	const out = {};
	for (const line of text.split('\n')) {
		const m = /^\s*#?\s*(option|list)\s+(\w+)\s+'([^']*)'/.exec(line);
		if (!m)
			continue;
		const commented = /^\s*#/.test(line);
		out[m[2]] = out[m[2]] || { list: m[1] === 'list', default: null };
		if (!commented && m[1] === 'option')
			out[m[2]].default = m[3];
	}
	return out;
}

test('settings page: one named section main of type netfix in /etc/config/netfix', async () => {
	const { page, rec } = recordSettings();
	assert.equal(await page.render(), 'rendered form');
	assert.equal(rec.map.config, 'netfix');
	assert.equal(rec.sections.length, 1);
	const s = rec.sections[0];
	assert.deepEqual([ s.type, s.name, s.sectionType ], [ 'NamedSection', 'main', 'netfix' ]);
	assert.equal(s.addremove, false);
	// A settings page saves: the view must not switch the footer off.
	assert.equal(page.handleSave, undefined);
	assert.equal(page.handleSaveApply, undefined);
});

test('settings page: options, widgets, defaults and checks', async () => {
	const { page, rec } = recordSettings();
	await page.render();
	const opts = Object.fromEntries(rec.sections[0].options.map(o => [ o.name, o ]));

	const want = {
		enabled: { kind: 'Flag', default: '1' },
		heal: { kind: 'Flag', default: '1' },
		dry_run: { kind: 'Flag', default: '0' },
		log_level: { kind: 'ListValue', default: 'info' },
		ignore_interface: { kind: 'DynamicList' },
		ignore_host: { kind: 'DynamicList', datatype: 'ipaddr' },
		sweep_interval: { kind: 'Value', default: '30', datatype: 'range(5,3600)' },
		repair_burst: { kind: 'Value', default: '10', datatype: 'range(1,1000)' },
		forwarding_guard: { kind: 'Flag', default: '0' },
		conntrack_reclaim: { kind: 'Flag', default: '0' },
		reclaim_idle: { kind: 'Value', default: '3600', datatype: 'range(300,432000)' },
		metrics_file: { kind: 'Value' }
	};
	assert.deepEqual(Object.keys(opts).sort(), Object.keys(want).sort());
	for (const [ name, w ] of Object.entries(want)) {
		assert.equal(opts[name].kind, w.kind, `${name} widget`);
		if ('default' in w)
			assert.equal(opts[name].default, w.default, `${name} default`);
		if ('datatype' in w)
			assert.equal(opts[name].datatype, w.datatype, `${name} datatype`);
		assert.ok(opts[name].title, `${name} has a title`);
	}
	for (const f of [ 'enabled', 'heal', 'dry_run', 'conntrack_reclaim', 'forwarding_guard' ])
		assert.equal(opts[f].rmempty, false, `${f} is written even when it is the default`);
	assert.deepEqual(opts.dry_run.deps, [ [ 'heal', '1' ] ]);
	assert.deepEqual(opts.reclaim_idle.deps, [ [ 'conntrack_reclaim', '1' ] ]);
	assert.deepEqual(opts.log_level.values.map(v => v[0]), [ 'error', 'warn', 'info', 'debug' ]);

	const v = opts.ignore_interface.validate;
	assert.equal(v('main', 'br-guest'), true);
	assert.equal(v('main', ''), true);
	assert.equal(typeof v('main', 'br guest'), 'string');
	assert.equal(typeof v('main', 'x'.repeat(16)), 'string');

	// metrics_file: what the daemon accepts (config.go): unset, off, or
	// an absolute file path; a relative path or a directory is refused.
	const mv = opts.metrics_file.validate;
	for (const ok of [ '', 'off', '0', '/var/run/netfix/metrics.prom', '/tmp/m' ])
		assert.equal(mv('main', ok), true, `metrics_file ${JSON.stringify(ok)} accepted`);
	for (const bad of [ 'metrics.prom', 'var/run/x', '/', '/tmp/dir/' ])
		assert.equal(typeof mv('main', bad), 'string', `metrics_file ${JSON.stringify(bad)} refused`);
});

test('settings page covers every option of the shipped /etc/config/netfix, with its defaults', async () => {
	// The packages ship this file: without it there is nothing to compare,
	// and that is a regression, not a reason to skip.
	assert.ok(fs.existsSync(P.UCI_CONFIG), `${P.UCI_CONFIG}: the shipped configuration is missing`);
	const shipped = shippedOptions(fs.readFileSync(P.UCI_CONFIG, 'utf8'));
	const { page, rec } = recordSettings();
	await page.render();
	const opts = Object.fromEntries(rec.sections[0].options.map(o => [ o.name, o ]));

	assert.deepEqual(Object.keys(opts).sort(), Object.keys(shipped).sort(),
		'the page and files/etc/config/netfix name the same options');
	for (const [ name, s ] of Object.entries(shipped)) {
		assert.equal(opts[name].kind === 'DynamicList', s.list, `${name}: list in the config, DynamicList on the page`);
		if (s.default != null)
			assert.equal(String(opts[name].default), s.default, `${name}: default`);
	}
});
