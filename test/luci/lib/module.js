'use strict';
// Evaluates a LuCI JS module (a file that starts with 'require x [as y]'
// lines and returns a class) in Node, with the dependencies the caller
// hands in by name. Good for the pure parts (netfix/format.js) and for
// recording what a form view declares (settings.js).
const fs = require('node:fs');
require('../harness/string-format.js'); // String.prototype.format, as LuCI has it

if (typeof globalThis._ !== 'function')
	globalThis._ = s => s;

function requires(source) {
	const out = [];
	const re = /^\s*(?:(['"])(?:use strict|require[ \t]+(\S+?)(?:[ \t]+as[ \t]+([a-zA-Z_]\w*))?)\1\s*;?|\/\*[\s\S]*?\*\/|\/\/[^\n]*)\s*/;
	let rest = source, m;
	while ((m = re.exec(rest)) != null && m[0].length) {
		if (m[2])
			out.push({ module: m[2], name: m[3] || m[2].replace(/[^a-zA-Z0-9_]/g, '_') });
		rest = rest.slice(m[0].length);
	}
	return out;
}

// A minimal baseclass: extend() makes a class with props on its prototype.
const baseclass = {
	extend(props) {
		const Cls = function() {};
		Object.assign(Cls.prototype, props);
		Cls.extend = p => { const C = baseclass.extend(p); Object.setPrototypeOf(C.prototype, Cls.prototype); return C; };
		return Cls;
	}
};

function load(file, deps = {}) {
	const source = fs.readFileSync(file, 'utf8');
	const reqs = requires(source);
	for (const r of reqs)
		if (!(r.module in deps))
			throw new Error(`${file} requires ${r.module}; the test gave no stand-in for it`);
	const factory = new Function([ 'window', 'document', 'L' ].concat(reqs.map(r => r.name)).join(','), source);
	const L = { bind: (fn, self, ...a) => fn.bind(self, ...a), resolveDefault: (p, d) => Promise.resolve(p).catch(() => d) };
	return factory(globalThis, undefined, L, ...reqs.map(r => deps[r.module]));
}

// netfix/format.js as the instance LuCI's require would hand a view.
function loadFormat() {
	const P = require('./paths');
	const Cls = load(P.FORMAT_JS, { baseclass });
	return new Cls();
}

module.exports = { load, requires, baseclass, loadFormat };
