'use strict';
// The menu and ACL files of luci-app-netfix: valid JSON, least privilege,
// and naming only ubus methods the rpcd plugin offers (`netfix rpcd list`:
// the golden file src/internal/rpcd/testdata/list.golden.json when it
// exists, else the documented method set).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const P = require('./lib/paths');
const { pluginList } = require('./lib/contract');

const readJSON = f => JSON.parse(fs.readFileSync(f, 'utf8'));

// rpc.declare({ object: 'netfix', method: 'x', params: [ ... ] }) of a view.
function declaredCalls(file) {
	const src = fs.readFileSync(file, 'utf8');
	const out = [];
	for (const m of src.matchAll(/rpc\.declare\(\{([\s\S]*?)\}\)/g)) {
		const body = m[1];
		const object = /object:\s*'([^']+)'/.exec(body)?.[1];
		const method = /method:\s*'([^']+)'/.exec(body)?.[1];
		const params = /params:\s*\[([^\]]*)\]/.exec(body)?.[1];
		out.push({ object, method,
			params: params ? [ ...params.matchAll(/'([^']+)'/g) ].map(x => x[1]) : [] });
	}
	return out;
}

test('plugin method list', (t) => {
	const { list, source, file } = pluginList();
	t.diagnostic(source === 'golden'
		? `methods from ${file}`
		: 'no golden `netfix rpcd list` output yet: using the documented methods (status, check, history, flush)');
	assert.ok(Object.keys(list).length > 0);
});

test('ACL file: valid JSON, one group, least privilege, only listed methods', () => {
	const acl = readJSON(P.ACL);
	const { list } = pluginList();
	assert.deepEqual(Object.keys(acl), [ 'luci-app-netfix' ]);
	const g = acl['luci-app-netfix'];
	assert.equal(typeof g.description, 'string');
	assert.deepEqual(Object.keys(g).sort(), [ 'description', 'read', 'write' ]);

	assert.deepEqual(Object.keys(g.read).sort(), [ 'ubus', 'uci' ]);
	assert.deepEqual(Object.keys(g.write).sort(), [ 'ubus', 'uci' ]);
	assert.deepEqual(Object.keys(g.read.ubus), [ 'netfix' ], 'read grants no other ubus object');
	assert.deepEqual(Object.keys(g.write.ubus), [ 'netfix' ], 'write grants no other ubus object');
	// check runs a full probe on the router: only writers may ask for it
	// at will; readers get the daemon's document (status), which is at
	// most a sweep old, and the applied fixes (fixes, the ledger only).
	assert.deepEqual([ ...g.read.ubus.netfix ].sort(), [ 'fixes', 'history', 'status' ]);
	assert.deepEqual(g.write.ubus.netfix, [ 'check', 'flush', 'fix' ]);
	// netfix's own config (settings page), and firewall for the status
	// page's "Apply fix" (flow_offloading_hw), which stages and applies it
	// with LuCI's uci; nothing else.
	assert.deepEqual(g.read.uci, [ 'netfix', 'firewall' ]);
	assert.deepEqual(g.write.uci, [ 'netfix', 'firewall' ]);

	for (const level of [ 'read', 'write' ])
		for (const m of g[level].ubus.netfix) {
			assert.ok(!/[*?]/.test(m), `${level}: no wildcard (${m})`);
			assert.ok(Object.prototype.hasOwnProperty.call(list, m), `${level}: the plugin offers ${m}`);
		}
});

test('views call only methods the plugin offers and the ACL grants, with the plugin\'s parameters', () => {
	const acl = readJSON(P.ACL)['luci-app-netfix'];
	const granted = new Set([ ...acl.read.ubus.netfix, ...acl.write.ubus.netfix ]);
	const { list } = pluginList();
	const calls = declaredCalls(P.STATUS_JS).filter(c => c.object === 'netfix');

	// one call per poll: status; the document carries the last events
	assert.deepEqual(calls.map(c => c.method).sort(), [ 'check', 'flush', 'status' ]);
	for (const c of calls) {
		assert.ok(granted.has(c.method), `ACL grants netfix.${c.method}`);
		assert.ok(Object.prototype.hasOwnProperty.call(list, c.method), `plugin offers netfix.${c.method}`);
		assert.deepEqual([ ...c.params ].sort(), Object.keys(list[c.method]).sort(),
			`netfix.${c.method} is called with the parameters the plugin lists`);
	}
	// No other object but session.access (luci-base grants it to every
	// session), asked whether LuCI's apply is allowed: write access comes
	// from L.hasViewPermission(), and uci goes through LuCI's uci module.
	assert.deepEqual(declaredCalls(P.STATUS_JS).filter(c => c.object !== 'netfix').map(c => `${c.object}.${c.method}`), [ 'session.access' ]);
});

test('menu file: valid JSON, views that exist, the ACL group it depends on', () => {
	const menu = readJSON(P.MENU);
	const acl = readJSON(P.ACL);
	const nodes = Object.entries(menu);
	assert.ok(nodes.length >= 3);

	const [ rootPath, root ] = nodes[0];
	assert.match(rootPath, /^admin\/(status|network)\/netfix$/);
	assert.equal(root.action.type, 'firstchild');
	assert.deepEqual(root.depends.acl, [ 'luci-app-netfix' ]);
	for (const a of root.depends.acl)
		assert.ok(acl[a], `ACL group ${a} exists`);

	const views = [];
	for (const [ p, node ] of nodes) {
		assert.equal(typeof node.title, 'string', `${p} has a title`);
		assert.ok(p === rootPath || p.startsWith(rootPath + '/'), `${p} is below ${rootPath}`);
		if (node.action.type === 'view') {
			const file = path.join(P.RESOURCES, 'view', `${node.action.path}.js`);
			assert.ok(fs.existsSync(file), `${p}: ${path.relative(P.REPO, file)} exists`);
			views.push(node.action.path);
		}
		for (const a of (node.depends && node.depends.acl) || [])
			assert.ok(acl[a], `${p}: ACL group ${a} exists`);
	}
	assert.deepEqual(views.sort(), [ 'netfix/settings', 'netfix/status' ]);
});
