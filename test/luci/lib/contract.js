'use strict';
// What the Go side promises the LuCI app.
// Status documents: the ones the Go golden tests write from the real code
// (src/internal/status/testdata/doc_*.json), so the page is tested against
// what netfix really sends. Methods: what `netfix rpcd list` offers.
const fs = require('node:fs');
const path = require('node:path');
const P = require('./paths');

const NAMES = [ 'doc_healthy', 'doc_s1_critical', 'doc_s1_healed', 'doc_daemon_down', 'doc_s2_critical', 'doc_s3_critical', 'doc_s4_docker' ];

function loadDoc(name) {
	if (!NAMES.includes(name))
		throw new Error(`unknown document ${name}`);
	const file = path.join(P.GOLDEN_DOCS, `${name}.json`);
	if (!fs.existsSync(file))
		throw new Error(`${path.relative(P.REPO, file)} is missing: the Go golden tests of src/internal/status write it`);
	return { doc: JSON.parse(fs.readFileSync(file, 'utf8')), file: path.relative(P.REPO, file) };
}

// Methods of the ubus object netfix as the rpcd plugin lists them: the
// golden `netfix rpcd list` output when it exists, else the documented set.
const DOCUMENTED_LIST = {
	status: {},
	check: {},
	history: { limit: 32 },
	flush: { ip: 'string', dry_run: true }
};

function pluginList() {
	if (fs.existsSync(P.GOLDEN_LIST))
		return { list: JSON.parse(fs.readFileSync(P.GOLDEN_LIST, 'utf8')), source: 'golden',
			file: path.relative(P.REPO, P.GOLDEN_LIST) };
	return { list: DOCUMENTED_LIST, source: 'documented', file: null };
}

module.exports = { NAMES, loadDoc, pluginList };
