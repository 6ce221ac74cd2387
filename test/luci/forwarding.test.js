'use strict';
// The pure helpers of the IP forwarding section (luci-app/.../netfix/
// forwarding.js), over the S3 golden document the Go tests write.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const P = require('./lib/paths');
const { load, baseclass, loadFormat } = require('./lib/module');
const { loadDoc } = require('./lib/contract');

const Cls = load(path.join(P.APP, 'htdocs/luci-static/resources/netfix/forwarding.js'), { baseclass, 'netfix.format': loadFormat() });
const fw = new Cls();

test('S3: the uplink with forwarding off comes first, the management NIC is not flagged', () => {
	const doc = loadDoc('doc_s3_critical').doc;
	const rows = fw.interfaceRows(doc);
	assert.deepEqual(rows.map(r => [ r.name, r.problem ]), [ [ 'eno1', true ], [ 'docker0', false ], [ 'eno2', false ] ]);
	assert.equal(rows[0].roles, 'default route');
	assert.equal(rows[0].managedBy, '/etc/systemd/network/10-eno1.network');
	assert.equal(rows[2].roles, 'none (not flagged)');
	assert.equal(fw.counterText(doc.forwarding.counters), '10312 (+312 in 10 s)');
	assert.equal(fw.networkdLabel(doc.forwarding.networkd), 'running (systemd 257)');
});

test('counters, networkd states and events read as sentences', () => {
	assert.equal(fw.counterText({ in_addr_errors: 5 }), '5 (one sample)');
	assert.equal(fw.counterText(null), '0 (one sample)');
	assert.equal(fw.networkdLabel({ state: 'not_running' }), 'not running');
	assert.equal(fw.networkdLabel({ state: 'timeout', error: 'no answer within 2s' }), 'D-Bus failed: no answer within 2s');
	assert.equal(fw.networkdLabel(undefined), 'not asked');
	assert.equal(fw.eventText({ family: 'ipv4', interface: 'eno1', old: true, new: false, restored: true }),
		'ipv4 on eno1: 1 → 0 · set back to 1 by the forwarding guard');
	assert.equal(fw.eventText({ family: 'ipv4', interface: 'eno1', old: true, new: false, error: 'EPERM' }),
		'ipv4 on eno1: 1 → 0 · restore failed: EPERM');
	assert.deepEqual(fw.interfaceRows({}), []);
});
