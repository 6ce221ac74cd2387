/*
 * The small part of the LuCI browser runtime that the netfix views use,
 * written for the tests from LuCI's documented behaviour (luci.js, rpc.js):
 *
 *   L.require(name)       loads /luci-static/resources/<name>.js, reads its
 *                         'require x [as y]' lines, loads those first and
 *                         instantiates the class the file returns;
 *   view                  a class whose constructor runs load() → render()
 *                         and puts the nodes into #view;
 *   rpc.declare()         ubus over JSON-RPC ("call" with the session id),
 *                         with LuCI's expect / reject / filter semantics;
 *   poll, dom, E(), _(), N_(), String.prototype.format, L.resolveDefault, L.bind.
 *
 * Two details are kept on purpose because the views' safety depends on them:
 * dom.append() assigns a non-array string child through innerHTML (only array
 * members become text nodes), and a null array member becomes the text
 * "null". A view that passes router data the wrong way shows it here too.
 *
 * Test hooks live in window.__luciTest.
 */
(function(window, document) {
	'use strict';

	const params = new URLSearchParams(window.location.search);

	const test = window.__luciTest = {
		sid: params.get('sid') || '00000000000000000000000000000000',
		lang: params.get('lang') || 'en',
		pollAdds: [],        /* [ interval, ... ] of every poll.add() */
		missingStrings: [],  /* _() strings the catalog lacks (lang != en) */
		errors: [],
		ready: null
	};

	/* ---- classes ------------------------------------------------------ */

	function extendClass(Parent, props) {
		const Cls = function() {
			if (!(this instanceof Cls))
				throw new TypeError('Constructor must not be called without "new"');
			if (typeof(this.__init__) == 'function')
				this.__init__.apply(this, arguments);
		};
		Cls.prototype = Object.create(Parent.prototype);
		Object.keys(props || {}).forEach(k => {
			Object.defineProperty(Cls.prototype, k, { value: props[k], writable: true, configurable: true });
		});
		Object.defineProperty(Cls.prototype, 'constructor', { value: Cls, writable: true });
		Cls.extend = p => extendClass(Cls, p);
		Cls.isSubclass = c => typeof(c) == 'function' && c.prototype instanceof Cls;
		return Cls;
	}

	const BaseClass = function() {};
	BaseClass.extend = p => extendClass(BaseClass, p);
	BaseClass.isSubclass = c => typeof(c) == 'function' && c.prototype instanceof BaseClass;
	BaseClass.prototype.varargs = function(args, offset) {
		return Array.prototype.slice.call(arguments, 2).concat(Array.prototype.slice.call(args, offset));
	};

	/* String.prototype.format comes from string-format.js, loaded before. */

	/* ---- dom ---------------------------------------------------------- */

	const dom = {
		elem(e) {
			return e != null && typeof(e) == 'object' && 'nodeType' in e;
		},

		append(node, children) {
			if (!this.elem(node))
				return null;

			if (Array.isArray(children)) {
				for (let i = 0; i < children.length; i++) {
					if (this.elem(children[i]))
						node.appendChild(children[i]);
					else
						node.appendChild(document.createTextNode('' + children[i]));
				}
				return node.lastChild;
			}
			if (typeof(children) == 'function')
				return this.append(node, children(node));
			if (this.elem(children))
				return node.appendChild(children);
			if (children != null) {
				/* LuCI does exactly this with a plain string child. */
				node.innerHTML = '' + children;
				return node.lastChild;
			}
			return null;
		},

		content(node, children) {
			if (!this.elem(node))
				return null;
			while (node.firstChild)
				node.removeChild(node.firstChild);
			return this.append(node, children);
		},

		attr(node, key, val) {
			if (!this.elem(node))
				return null;
			let attr = null;
			if (key != null && typeof(key) == 'object')
				attr = key;
			else if (typeof(key) == 'string')
				attr = { [key]: val };
			for (const k in attr) {
				if (!Object.prototype.hasOwnProperty.call(attr, k) || attr[k] == null)
					continue;
				if (typeof(attr[k]) == 'function')
					node.addEventListener(k, attr[k]);
				else if (typeof(attr[k]) == 'object')
					node.setAttribute(k, JSON.stringify(attr[k]));
				else
					node.setAttribute(k, attr[k]);
			}
		},

		create(html, attr, data) {
			if (!(attr instanceof Object) || Array.isArray(attr)) {
				data = attr;
				attr = null;
			}
			let elem;
			if (this.elem(html))
				elem = html;
			else if (String(html).charCodeAt(0) === 60) {
				const tpl = document.createElement('template');
				tpl.innerHTML = html;
				elem = tpl.content.firstChild;
			}
			else
				elem = document.createElement(html);
			if (!elem)
				return null;
			this.attr(elem, attr);
			this.append(elem, data);
			return elem;
		},

		findClassInstance() { return null; }
	};

	/* ---- poll --------------------------------------------------------- */

	const poll = {
		queue: [],
		tick: 0,
		timer: null,

		add(fn, interval) {
			if (interval == null || interval <= 0)
				interval = L.env.pollinterval;
			if (isNaN(interval) || typeof(fn) != 'function')
				throw new TypeError('Invalid argument to LuCI.poll.add()');
			test.pollAdds.push(interval);
			if (this.queue.some(e => e.fn === fn))
				return false;
			this.queue.push({ fn: fn, i: interval >>> 0, r: true });
			return true;
		},

		remove(fn) {
			const len = this.queue.length;
			this.queue = this.queue.filter(e => e.fn !== fn);
			return this.queue.length != len;
		},

		step() {
			poll.queue.forEach(e => {
				if ((poll.tick % e.i) != 0 || !e.r)
					return;
				e.r = false;
				Promise.resolve(e.fn()).finally(() => { e.r = true; });
			});
			poll.tick = (poll.tick + 1) % 4294967296;
		},

		start() {
			if (this.timer != null)
				return false;
			this.timer = window.setInterval(this.step, 1000);
			return true;
		},

		stop() {
			if (this.timer == null)
				return false;
			window.clearInterval(this.timer);
			this.timer = null;
			return true;
		},

		active() { return this.timer != null; }
	};

	/* Runs every polled function once, now; resolves when all are done. */
	test.pollNow = () => Promise.all(poll.queue.map(e => e.fn()));

	/* ---- rpc ---------------------------------------------------------- */

	let rpcRequestID = 1;

	const ubusStatusText = [ 'Command OK', 'Invalid command', 'Invalid argument', 'Method not found',
		'Resource not found', 'No data received', 'Permission denied', 'Request timeout',
		'Not supported', 'Unspecified error', 'Connection lost' ];

	const rpc = {
		declare(options) {
			return function() {
				const args = Array.prototype.slice.call(arguments);
				const params = {};
				let off = 0;
				if (Array.isArray(options.params))
					for (; off < options.params.length; off++)
						params[options.params[off]] = args[off];
				const priv = [ undefined, undefined ].concat(args.slice(off));

				const msg = {
					jsonrpc: '2.0',
					id: rpcRequestID++,
					method: 'call',
					params: [ test.sid, options.object, options.method, params ]
				};

				return window.fetch('/ubus', {
					method: 'POST',
					headers: { 'Content-Type': 'application/json' },
					body: JSON.stringify(msg)
				}).then(res => {
					if (!res.ok)
						L.raise('RPCError', 'RPC call to %s/%s failed with HTTP error %d: %s',
							options.object, options.method, res.status, res.statusText || '?');
					return res.json();
				}).then(reply => {
					if (!L.isObject(reply) || reply.jsonrpc != '2.0')
						L.raise('RPCError', 'RPC call to %s/%s returned invalid message frame',
							options.object, options.method);
					if (L.isObject(reply.error) && reply.error.code && reply.error.message)
						L.raise('RPCError', 'RPC call to %s/%s failed with error %d: %s',
							options.object, options.method, reply.error.code, reply.error.message);

					let ret = null;
					if (Array.isArray(reply.result)) {
						if (options.reject && reply.result[0] !== 0)
							L.raise('RPCError', 'RPC call to %s/%s failed with ubus code %d: %s',
								options.object, options.method, reply.result[0],
								ubusStatusText[reply.result[0]] || 'Unknown error code');
						ret = (reply.result.length > 1) ? reply.result[1] : reply.result[0];
					}

					if (options.expect) {
						const key = Object.keys(options.expect)[0];
						if (ret != null && key != '')
							ret = ret[key];
						const type = Object.prototype.toString;
						if (ret == null || type.call(ret) != type.call(options.expect[key]))
							ret = options.expect[key];
					}

					if (typeof(options.filter) == 'function') {
						priv[0] = ret;
						priv[1] = params;
						ret = options.filter.apply(this, priv);
					}

					return ret;
				});
			};
		},

		getSessionID() { return test.sid; }
	};

	/* ---- uci (uci.js): staged changes through ubus uci ------------------- */

	const uciGet = rpc.declare({ object: 'uci', method: 'get', params: [ 'config' ], expect: { values: {} } });
	const uciSet = rpc.declare({ object: 'uci', method: 'set', params: [ 'config', 'section', 'values' ] });

	const uci = {
		state: { values: {}, changes: {} },

		/* Reads whole configs, as uci.js does with ubus uci get. */
		load(packages) {
			return Promise.all(L.toArray(packages).map(conf =>
				uciGet(conf).then(values => { this.state.values[conf] = values; })))
				.then(() => L.toArray(packages));
		},

		/* Sections of a config (of one type), in file order (.index). */
		sections(conf, type) {
			return Object.values(this.state.values[conf] || {})
				.filter(s => type == null || s['.type'] == type)
				.sort((a, b) => (a['.index'] || 0) - (b['.index'] || 0));
		},

		get(conf, sid, opt) {
			const c = this.state.changes[conf] && this.state.changes[conf][sid];
			if (c && opt != null && Object.prototype.hasOwnProperty.call(c, opt))
				return c[opt];
			const sec = (this.state.values[conf] || {})[sid];
			return (sec && opt != null) ? sec[opt] : sec;
		},

		/* Stages a change locally; save() sends it. */
		set(conf, sid, opt, val) {
			const c = this.state.changes[conf] = this.state.changes[conf] || {};
			(c[sid] = c[sid] || {})[opt] = val;
		},

		/* Sends the staged changes to rpcd (ubus uci set), which keeps them
		 * in the session's delta until an apply. */
		save() {
			const calls = [];
			for (const [ conf, secs ] of Object.entries(this.state.changes))
				for (const [ sid, values ] of Object.entries(secs))
					calls.push(uciSet(conf, sid, values));
			this.state.changes = {};
			return Promise.all(calls);
		}
	};

	/* ---- ui (ui.js): the part the netfix page uses ---------------------- */

	const ui = {
		changes: {
			/* LuCI's apply: POST admin/uci/apply_rollback (or apply_unchecked)
			 * with the session; with rollback, the answer carries a token and
			 * the page confirms with it (admin/uci/confirm) once it can still
			 * reach the router, else rpcd rolls the change back. */
			apply(checked) {
				const q = new URLSearchParams({ sid: test.sid, token: 'harness-token' });
				window.fetch(L.url('admin/uci', checked ? 'apply_rollback' : 'apply_unchecked') + '?' + q, { method: 'POST' })
					.then(r => (r.status === (checked ? 200 : 204)) ? (checked ? r.json() : null) : Promise.reject(new Error('apply: HTTP ' + r.status)))
					.then(tok => {
						if (checked && tok && typeof(tok.token) == 'string')
							return window.fetch(L.url('admin/uci', 'confirm') + '?' + new URLSearchParams(tok), { method: 'POST' });
					})
					.catch(err => test.errors.push(String(err)));
			}
		}
	};

	/* ---- view --------------------------------------------------------- */

	const View = extendClass(BaseClass, {
		__init__() {
			const vp = document.getElementById('view');
			dom.content(vp, E('div', { 'class': 'spinning' }, [ 'Loading view…' ]));

			test.ready = Promise.resolve(this.load())
				.then(data => this.render(data))
				.then(nodes => {
					dom.content(vp, nodes);
					dom.append(vp, this.addFooter());
					poll.start();
					document.body.setAttribute('data-view-ready', '1');
				})
				.catch(err => {
					test.errors.push(String(err && err.stack || err));
					dom.content(vp, E('div', { 'class': 'alert-message error', 'id': 'view-error' }, [ String(err) ]));
					document.body.setAttribute('data-view-ready', 'error');
				});
		},

		load() { return null; },
		render() { return null; },

		/* Save / Apply / Reset buttons unless the view switched them off. */
		addFooter() {
			const buttons = [];
			if (this.handleSaveApply)
				buttons.push(E('button', { 'class': 'cbi-button cbi-button-apply' }, [ 'Save & Apply' ]));
			if (this.handleSave)
				buttons.push(E('button', { 'class': 'cbi-button cbi-button-save' }, [ 'Save' ]));
			if (this.handleReset)
				buttons.push(E('button', { 'class': 'cbi-button cbi-button-reset' }, [ 'Reset' ]));
			return buttons.length ? E('div', { 'class': 'cbi-page-actions' }, buttons) : document.createDocumentFragment();
		}
	});

	/* ---- L ------------------------------------------------------------ */

	const builtins = { baseclass: BaseClass, view: View, dom: dom, poll: poll, rpc: rpc, uci: uci, ui: ui };
	const loaded = {};

	const L = window.L = {
		env: { pollinterval: 5, sessionid: test.sid, resource: '/luci-static/resources' },

		isObject(v) { return v != null && typeof(v) == 'object'; },

		toArray(v) {
			if (v == null) return [];
			if (Array.isArray(v)) return v;
			return [ v ];
		},

		bind(fn, self) {
			return Function.prototype.bind.apply(fn, [ self ].concat(Array.prototype.slice.call(arguments, 2)));
		},

		resolveDefault(value, defvalue) {
			return Promise.resolve(value).catch(() => defvalue);
		},

		/* LuCI appends the call stack to the message of the errors it
		 * raises; a page that shows err.message as is shows the frames. */
		raise(type, fmt) {
			const msg = fmt ? String.prototype.format.apply(fmt, Array.prototype.slice.call(arguments, 2)) : 'Unspecified error';
			const e = new Error(msg + '\n  at ClassConstructor.handleCallReply (' + window.location.origin +
				'/luci-static/resources/rpc.js?v=25.001:11:3)');
			e.name = type || 'Error';
			throw e;
		},

		error() {
			try { L.raise.apply(L, arguments); }
			catch (e) { test.errors.push(String(e)); throw e; }
		},

		resource() {
			return [ L.env.resource ].concat(Array.prototype.slice.call(arguments)).join('/');
		},

		url() {
			return [ '/cgi-bin/luci' ].concat(Array.prototype.slice.call(arguments)).join('/');
		},

		/* luci.js: null without any access to the view's ACL groups, false
		 * with read-only access, true with write access to one of them. The
		 * page's env.nodespec comes from the dispatcher (here the server). */
		hasViewPermission() {
			if (!L.isObject(L.env.nodespec) || !L.env.nodespec.satisfied)
				return null;
			return !L.env.nodespec.readonly;
		},

		require(name, from) {
			from = from || [];
			if (builtins[name])
				return Promise.resolve(builtins[name]);
			if (loaded[name])
				return loaded[name];
			if (from.indexOf(name) != -1)
				return Promise.reject(new Error('Circular dependency: ' + from.concat(name).join(' → ')));

			const url = L.resource(name.replace(/\./g, '/') + '.js');

			loaded[name] = window.fetch(url).then(res => {
				if (!res.ok)
					throw new Error('Cannot load ' + url + ': HTTP ' + res.status);
				return res.text();
			}).then(source => {
				/* 'require x' / 'require x as y' directives at the top */
				const deps = [], names = [];
				const re = /^\s*(?:(['"])(?:use strict|require[ \t]+(\S+?)(?:[ \t]+as[ \t]+([a-zA-Z_]\w*))?)\1\s*;?|\/\*[\s\S]*?\*\/|\/\/[^\n]*)\s*/;
				let rest = source, m;
				while ((m = re.exec(rest)) != null && m[0].length) {
					if (m[2]) {
						deps.push(L.require(m[2], from.concat(name)));
						names.push(m[3] || m[2].replace(/[^a-zA-Z0-9_]/g, '_'));
					}
					rest = rest.slice(m[0].length);
				}

				return Promise.all(deps).then(instances => {
					const factory = new Function([ 'window', 'document', 'L' ].concat(names).join(','),
						source + '\n//# sourceURL=' + url);
					const Cls = factory.apply(factory, [ window, document, L ].concat(instances));
					if (typeof(Cls) != 'function' || !(Cls.prototype instanceof BaseClass))
						throw new TypeError('"' + name + '" factory yields invalid constructor');
					return new Cls();
				});
			});

			return loaded[name];
		}
	};

	window.E = function() { return dom.create.apply(dom, arguments); };

	/* ---- translations ------------------------------------------------- */

	let catalog = {};

	const has = k => Object.prototype.hasOwnProperty.call(catalog, k) && catalog[k] !== '';
	const missing = s => { if (test.missingStrings.indexOf(s) < 0) test.missingStrings.push(s); };

	window._ = function(s) {
		if (test.lang == 'en')
			return s;
		if (has(s))
			return catalog[s];
		missing(s);
		return s;
	};

	/* LuCI's N_(): the catalog's Plural-Forms picks the form; the key is
	 * msgid + "\u0002" + form index, as po2lmo writes it. */
	let pluralOf = null;
	window.N_ = function(n, s, p) {
		if (test.lang == 'en')
			return (n != 1) ? p : s;
		if (pluralOf == null)
			pluralOf = new Function('n', 'var nplurals, plural; ' + (catalog[''] || 'plural=(n != 1);') + '; return +plural;');
		const k = s + '\u0002' + pluralOf(n);
		if (has(k))
			return catalog[k];
		missing(s);
		return (n != 1) ? p : s;
	};

	/* ---- boot --------------------------------------------------------- */

	window.addEventListener('error', ev => test.errors.push(String(ev.message)));
	window.addEventListener('unhandledrejection', ev => test.errors.push(String(ev.reason && ev.reason.stack || ev.reason)));

	const catalogLoaded = (test.lang == 'en')
		? Promise.resolve()
		: window.fetch('/i18n/' + encodeURIComponent(test.lang) + '.json')
			.then(res => res.json()).then(c => { catalog = c; });

	/* The theme: the bootstrap stand-in (harness/theme.css), which marks
	 * dark mode on the root element as bootstrap does; or a real theme's
	 * stylesheets from test/luci/themes/<name>/ (test data, see its
	 * README), loaded the way the theme's header template loads them:
	 * argon's dark.css inside @media (prefers-color-scheme: dark) (its
	 * "follow the browser" mode, the default), so dark=1 with argon means
	 * a browser that prefers dark (the test emulates it). */
	const theme = params.get('theme') || 'bootstrap';
	let themeLoaded = Promise.resolve();
	if (theme === 'bootstrap') {
		if (params.get('dark') === '1')
			document.documentElement.setAttribute('data-darkmode', 'true');
	}
	else if (theme === 'argon') {
		const link = document.querySelector('link[rel=stylesheet]');
		link.href = '/themes/argon/cascade.css';
		themeLoaded = Promise.all([
			new Promise(r => { link.onload = r; link.onerror = r; }),
			window.fetch('/themes/argon/dark.css').then(res => res.text()).then(css => {
				const st = document.createElement('style');
				/* argon's mode 'dark' includes dark.css as it is */
				st.textContent = (params.get('argonmode') === 'dark') ? css : '@media (prefers-color-scheme: dark) {\n' + css + '\n}';
				document.head.appendChild(st);
			})
		]);
	}

	/* What LuCI's dispatcher puts into env.nodespec for this page and
	 * session: the ACL groups the menu node depends on, and whether the
	 * session may write any of them. */
	const nodespecLoaded = window.fetch('/env/nodespec.json?' + new URLSearchParams({ sid: test.sid, view: params.get('view') || 'view.netfix.status' }))
		.then(res => res.json()).then(spec => { L.env.nodespec = spec; });

	test.boot = Promise.all([ catalogLoaded, nodespecLoaded, themeLoaded ]).then(() => {
		document.documentElement.setAttribute('lang', test.lang.replace('_', '-'));
		/* The page frame shows the menu titles of the app (menu.d), translated
		 * like LuCI's menu would be. */
		document.querySelectorAll('[data-i18n]').forEach(el => { el.textContent = window._(el.textContent); });
		return L.require(params.get('view') || 'view.netfix.status');
	}).catch(err => {
		test.errors.push(String(err && err.stack || err));
		document.body.setAttribute('data-view-ready', 'error');
	});
})(window, document);
