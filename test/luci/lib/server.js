'use strict';
// A localhost HTTP server standing in for the router's uhttpd: it serves the
// luci-app's htdocs and the test page, and answers ubus JSON-RPC like
// uhttpd-mod-ubus + rpcd would, checking every call against the real ACL
// file of the app (root/usr/share/rpcd/acl.d/luci-app-netfix.json).
//
// Each test makes its own session (its id goes into the page URL, and the
// page's rpc sends it with every call like LuCI does) with an ACL level and
// the replies of the netfix methods; the server logs the calls per session.
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const P = require('./paths');
const i18n = require('./i18n');

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'application/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8' };

// What an ACL level grants: { ubus: { object: [ methods ] }, uci: [ configs ], groups: { name: [levels] } }.
function grantsFor(level) {
	const acl = JSON.parse(fs.readFileSync(P.ACL, 'utf8'));
	const g = { ubus: {}, uci: { read: new Set(), write: new Set() }, groups: {} };
	for (const [ name, group ] of Object.entries(acl)) {
		const levels = level === 'write' ? [ 'read', 'write' ] : level === 'read' ? [ 'read' ] : [];
		g.groups[name] = levels.filter(l => group[l]);
		for (const l of levels) {
			const part = group[l] || {};
			for (const [ obj, methods ] of Object.entries(part.ubus || {}))
				g.ubus[obj] = [ ...new Set([ ...(g.ubus[obj] || []), ...methods ]) ];
			for (const c of part.uci || [])
				g.uci[l].add(c);
		}
	}
	return g;
}

// luci-base grants every logged-in session session.access; that's all a
// session needs beyond the app's own group here.
function allowed(grants, object, method) {
	if (object === 'session' && method === 'access')
		return true;
	return (grants.ubus[object] || []).includes(method) || (grants.ubus[object] || []).includes('*');
}

function sessionAccess(grants, { scope, object, function: fn }) {
	switch (scope) {
	case 'access-group': return (grants.groups[object] || []).includes(fn);
	case 'ubus': return allowed(grants, object, fn);
	case 'uci': return grants.uci[fn] ? grants.uci[fn].has(object) : false;
	default: return false;
	}
}

// A reply spec: a plain object is a successful answer; { $ubus: code } a
// non-zero ubus status; { $rpcError: { code, message } } a JSON-RPC error;
// a function gets the params and returns a spec.
function replyFor(spec, params) {
	if (typeof spec === 'function')
		spec = spec(params);
	if (spec == null)
		return { ubus: 4 };
	if (spec.$ubus != null)
		return { ubus: spec.$ubus };
	if (spec.$rpcError)
		return { rpcError: spec.$rpcError };
	return { data: spec };
}

// luci-base grants every session the uci methods; rpcd then checks the
// config against the session's uci read / write grants, and answers
// UBUS_STATUS_PERMISSION_DENIED (6) otherwise.
const UCI_READ = [ 'get', 'changes' ], UCI_WRITE = [ 'set', 'add', 'delete', 'rename', 'order' ];

function uciCall(s, method, params, out) {
	const conf = params.config;
	if (UCI_READ.includes(method) && !s.grants.uci.read.has(conf) ||
	    UCI_WRITE.includes(method) && !s.grants.uci.write.has(conf)) {
		s.denied.push({ object: 'uci', method, params });
		out.result = [ 6 ];
		return out;
	}
	s.uci[conf] = s.uci[conf] || {};
	switch (method) {
	case 'get':
		out.result = [ 0, { values: s.uci[conf] } ];
		return out;
	case 'set':
		if (!s.uci[conf][params.section]) {
			out.result = [ 4 ];
			return out;
		}
		s.uciStaged.push({ config: conf, section: params.section, values: params.values });
		out.result = [ 0 ];
		return out;
	default:
		out.result = [ 3 ];
		return out;
	}
}

// What LuCI's dispatcher computes for env.nodespec: the acl groups every
// node on the path to the view depends on; satisfied when the session has
// any of them, read-only unless one of them is granted for writing.
function nodespecFor(grants, viewPath) {
	const menu = JSON.parse(fs.readFileSync(P.MENU, 'utf8'));
	const acls = [];
	for (const [ p, node ] of Object.entries(menu))
		if ((viewPath === p || viewPath.startsWith(p + '/')) && node.depends && Array.isArray(node.depends.acl))
			acls.push(...node.depends.acl);
	const levels = acls.map(a => grants.groups[a] || []);
	return {
		satisfied: acls.length === 0 || levels.some(l => l.length > 0),
		readonly: acls.length > 0 && !levels.some(l => l.includes('write')),
		depends: { acl: acls }
	};
}

function startServer() {
	const sessions = new Map();
	const requests = [];
	const zh = () => i18n.translations('zh_Hans');

	function sendFile(res, file) {
		fs.readFile(file, (err, data) => {
			if (err) {
				res.writeHead(404, { 'Content-Type': 'text/plain' });
				return res.end('not found');
			}
			res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
				'Cache-Control': 'no-store' });
			res.end(data);
		});
	}

	function within(root, rel) {
		const file = path.resolve(root, '.' + path.posix.normalize('/' + rel));
		return file.startsWith(root + path.sep) ? file : null;
	}

	function ubus(body) {
		const out = { jsonrpc: '2.0', id: body.id };
		if (body.method !== 'call' || !Array.isArray(body.params) || body.params.length < 3) {
			out.error = { code: -32600, message: 'Invalid request' };
			return out;
		}
		const [ sid, object, method, params = {} ] = body.params;
		const s = sessions.get(sid);
		if (!s) {
			out.error = { code: -32002, message: 'Access denied' };
			return out;
		}
		s.calls.push({ object, method, params });
		if (object === 'uci')
			return uciCall(s, method, params, out);
		if (!allowed(s.grants, object, method)) {
			s.denied.push({ object, method, params });
			out.error = { code: -32002, message: 'Access denied' };
			return out;
		}
		if (object === 'session' && method === 'access') {
			out.result = [ 0, { access: sessionAccess(s.grants, params) } ];
			return out;
		}
		if (object !== 'netfix') {
			out.error = { code: -32000, message: 'Object not found' };
			return out;
		}
		if (!Object.prototype.hasOwnProperty.call(s.replies, method)) {
			out.result = [ 3 ];
			return out;
		}
		const r = replyFor(s.replies[method], params);
		if (r.rpcError)
			out.error = r.rpcError;
		else if (r.ubus != null)
			out.result = [ r.ubus ];
		else
			out.result = [ 0, r.data ];
		return out;
	}

	const server = http.createServer((req, res) => {
		const url = new URL(req.url, 'http://127.0.0.1');
		requests.push(url.pathname);

		if (req.method === 'POST' && url.pathname === '/ubus') {
			let body = '';
			req.on('data', c => { body += c; });
			req.on('end', () => {
				let reply;
				try {
					const msg = JSON.parse(body);
					reply = Array.isArray(msg) ? msg.map(ubus) : ubus(msg);
				}
				catch (e) {
					reply = { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } };
				}
				res.writeHead(200, { 'Content-Type': 'application/json' });
				res.end(JSON.stringify(reply));
			});
			return;
		}

		if (req.method === 'GET' && url.pathname.startsWith('/harness/')) {
			const f = within(P.HARNESS, url.pathname.slice('/harness/'.length));
			return f ? sendFile(res, f) : res.writeHead(403).end();
		}
		if (req.method === 'GET' && url.pathname.startsWith('/themes/')) {
			const f = within(P.THEMES, url.pathname.slice('/themes/'.length));
			return f ? sendFile(res, f) : res.writeHead(403).end();
		}
		if (req.method === 'GET' && url.pathname.startsWith('/luci-static/resources/')) {
			const f = within(P.RESOURCES, url.pathname.slice('/luci-static/resources/'.length));
			return f ? sendFile(res, f) : res.writeHead(403).end();
		}
		if (req.method === 'GET' && url.pathname === '/env/nodespec.json') {
			const sess = sessions.get(url.searchParams.get('sid'));
			const view = (url.searchParams.get('view') || 'view.netfix.status').replace(/^view\./, '').replace(/\./g, '/');
			const menu = JSON.parse(fs.readFileSync(P.MENU, 'utf8'));
			const node = Object.keys(menu).find(p => menu[p].action && menu[p].action.path === view);
			res.writeHead(200, { 'Content-Type': TYPES['.json'] });
			return res.end(JSON.stringify(sess && node ? nodespecFor(sess.grants, node) : { satisfied: false }));
		}
		// LuCI's apply with rollback (ui.changes.apply): the dispatcher
		// commits the session's staged uci changes, reloads the services and
		// arms a rollback timer; the page's confirm with the token stops it.
		if (req.method === 'POST' && url.pathname.startsWith('/cgi-bin/luci/admin/uci/')) {
			const action = url.pathname.slice('/cgi-bin/luci/admin/uci/'.length);
			const entry = [ ...sessions.values() ].find(x => action === 'confirm'
				? x.applyToken && x.applyToken === url.searchParams.get('token')
				: x === sessions.get(url.searchParams.get('sid')));
			if (!entry) {
				res.writeHead(403);
				return res.end();
			}
			if (action !== 'confirm' && !(entry.grants.groups['luci-base'] || []).includes('write')) {
				entry.denied.push({ object: 'admin/uci', method: action });
				res.writeHead(403);
				return res.end();
			}
			entry.applies.push({ action, staged: entry.uciStaged.slice() });
			if (action === 'apply_rollback' && entry.uciStaged.length) {
				entry.applyToken = crypto.randomBytes(8).toString('hex');
				res.writeHead(200, { 'Content-Type': TYPES['.json'] });
				return res.end(JSON.stringify({ token: entry.applyToken }));
			}
			if (action === 'confirm')
				entry.applyToken = null;
			res.writeHead(204);
			return res.end();
		}
		if (req.method === 'GET' && url.pathname === '/i18n/zh_Hans.json') {
			res.writeHead(200, { 'Content-Type': TYPES['.json'] });
			return res.end(JSON.stringify(zh()));
		}
		res.writeHead(404, { 'Content-Type': 'text/plain' });
		res.end('not found');
	});

	return new Promise((resolve, reject) => {
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const base = `http://127.0.0.1:${server.address().port}`;
			resolve({
				base,
				requests,

				// A new ubus session; returns its id.
				// luciBase: the levels of luci-base this login has (LuCI's
				// own group, which its apply needs for writing); by default
				// the same as acl.
				session({ acl = 'write', replies = {}, uci = {}, luciBase } = {}) {
					const sid = crypto.randomBytes(16).toString('hex');
					const grants = grantsFor(acl);
					grants.groups['luci-base'] = luciBase || (acl === 'write' ? [ 'read', 'write' ] : acl === 'read' ? [ 'read' ] : []);
					sessions.set(sid, { grants, replies: { ...replies }, calls: [], denied: [],
						uci: JSON.parse(JSON.stringify(uci)), uciStaged: [], applies: [], applyToken: null });
					return sid;
				},

				// uci set calls rpcd staged for the session, and the apply /
				// confirm requests it got, in order.
				uciStaged(sid) {
					return sessions.get(sid).uciStaged;
				},

				applies(sid) {
					return sessions.get(sid).applies;
				},

				// Changes the replies of a session (e.g. before a poll).
				reply(sid, replies) {
					Object.assign(sessions.get(sid).replies, replies);
				},

				calls(sid, method) {
					const c = sessions.get(sid).calls;
					return method ? c.filter(x => `${x.object}.${x.method}` === method) : c;
				},

				denied(sid) {
					return sessions.get(sid).denied;
				},

				pageURL(sid, extra = {}) {
					const q = new URLSearchParams({ sid, ...extra });
					return `${base}/harness/index.html?${q}`;
				},

				close() {
					return new Promise(r => { server.closeAllConnections?.(); server.close(() => r()); });
				}
			});
		});
	});
}

module.exports = { startServer, grantsFor };
