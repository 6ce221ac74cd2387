'use strict';
// The pure helpers of the status page (luci-app/.../netfix/format.js).
process.env.TZ = 'UTC';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const nf = require('./lib/module').loadFormat();

test('verdict: word, style and count of problems', () => {
	assert.deepEqual(nf.verdict(null).level, 'unknown');
	assert.equal(nf.verdict({ verdict: 'healthy', findings: [ { severity: 'info' } ] }).label, 'Healthy');
	const crit = nf.verdict({ verdict: 'critical', findings: [
		{ severity: 'critical' }, { severity: 'warning' }, { severity: 'info' }, { severity: 'ok' } ] });
	assert.deepEqual([ crit.level, crit.cls, crit.summary ], [ 'critical', 'critical', 'Problems found: 2' ]);
	assert.equal(nf.verdict({ verdict: 'warning', findings: null }).summary, 'Problems found: 0');
	const starting = nf.verdict({ verdict: 'unknown', findings: [], heal: { running: true, starting: true } });
	assert.deepEqual([ starting.level, starting.label ], [ 'unknown', 'Starting' ]);
	assert.equal(starting.summary, 'netfix is starting: the first check of this router is not finished yet.');
});

test('sortFindings puts the worst first and keeps the order of equals', () => {
	const fs = [ { id: 'a', severity: 'info' }, { id: 'b', severity: 'critical' },
		{ id: 'c', severity: 'warning' }, { id: 'd', severity: 'critical' }, { id: 'e', severity: 'bogus' } ];
	assert.deepEqual(nf.sortFindings(fs).map(f => f.id), [ 'b', 'd', 'c', 'a', 'e' ]);
	assert.deepEqual(nf.sortFindings(null), []);
});

test('formatTime: local time, Go zero time and junk', () => {
	assert.equal(nf.formatTime('2026-11-22T13:14:12Z'), '2026-11-22 13:14:12');
	assert.equal(nf.formatTime('2026-11-22T13:14:12.412345678+08:00'), '2026-11-22 05:14:12');
	assert.equal(nf.formatTime('0001-01-01T00:00:00Z'), '');
	assert.equal(nf.formatTime(''), '');
	assert.equal(nf.formatTime(undefined), '');
	assert.equal(nf.formatTime('yesterday'), 'yesterday');
});

test('formatLatency picks µs, ms or s', () => {
	const cases = [ [ 0, '0 µs' ], [ 412, '412 µs' ], [ 1430, '1.43 ms' ], [ 12800, '13 ms' ],
		[ 999999, '1000 ms' ], [ 2500000, '2.5 s' ], [ -1, '' ], [ null, '' ], [ 'x', '' ] ];
	for (const [ us, want ] of cases)
		assert.equal(nf.formatLatency(us), want, `formatLatency(${us})`);
});

test('formatFill and fillPercent', () => {
	assert.equal(nf.formatFill(395, 65536), '395 / 65536 (0.6 %)');
	assert.equal(nf.formatFill(7663, 7680), '7663 / 7680 (100 %)');
	assert.equal(nf.formatFill(12, 0), '12');
	assert.equal(nf.formatFill(undefined, 10), '');
	assert.equal(nf.fillPercent(50, 200), 25);
	assert.equal(nf.fillPercent(300, 200), 100);
	assert.equal(nf.fillPercent(1, 0), null);
});

test('firewallMode follows facts.Firewall.Mode', () => {
	assert.equal(nf.firewallMode(null), 'none');
	assert.equal(nf.firewallMode({ present: false, flow_offloading: true }), 'none');
	assert.equal(nf.firewallMode({ present: true, flow_offloading: false, flow_offloading_hw: true }), 'none');
	assert.equal(nf.firewallMode({ present: true, flow_offloading: true }), 'software');
	assert.equal(nf.firewallMode({ present: true, flow_offloading: true, flow_offloading_hw: true }), 'hardware');
});

test('device labels', () => {
	assert.equal(nf.hwOffloadLabel({ hw_tc_offload: true, hw_tc_offload_known: true }), 'Yes');
	assert.equal(nf.hwOffloadLabel({ hw_tc_offload: false, hw_tc_offload_known: true }), 'No');
	assert.equal(nf.hwOffloadLabel({ hw_tc_offload: true, hw_tc_offload_known: false }), 'Unknown');
	assert.equal(nf.deviceUpper({ master: 'br-lan' }), 'in br-lan');
	assert.equal(nf.deviceUpper({ parent: 'eth0' }), 'on eth0');
	assert.equal(nf.deviceUpper({}), '');
	assert.equal(nf.deviceKindLabel('bridge_port'), 'Bridge port');
	assert.equal(nf.deviceKindLabel('something_new'), 'something_new');
});

test('eventChange: MAC when it changed, else the bridge port', () => {
	assert.deepEqual(nf.eventChange({ old_mac: 'aa', new_mac: 'bb' }), [ 'aa', 'bb' ]);
	assert.deepEqual(nf.eventChange({ old_mac: 'aa', new_mac: 'aa', old_port: 'wlan0', new_port: 'wlan1' }),
		[ 'wlan0', 'wlan1' ]);
	assert.deepEqual(nf.eventChange({ old_port: 'eth1', new_port: 'eth2' }), [ 'eth1', 'eth2' ]);
	assert.deepEqual(nf.eventChange({ new_mac: 'bb' }), [ '?', 'bb' ]);
	assert.equal(nf.eventChange({ reason: 'reconcile' }), null);
});

test('eventFlows marks dry runs', () => {
	assert.equal(nf.eventFlows({ flows_deleted: 3 }), '3');
	assert.equal(nf.eventFlows({ flows_deleted: 2, dry_run: true }), '2 (dry run, not deleted)');
	assert.equal(nf.eventFlows({}), '0');
});

test('pickEvents: history first, then the document; newest first; capped', () => {
	const ev = (t, ip) => ({ time: t, ip });
	const doc = { heal: { events_total: 7, last_events: [ ev('2026-01-01T00:00:01Z', 'a') ] } };
	const hist = { events: [ ev('2026-01-01T00:00:01Z', 'x'), ev('2026-01-01T00:00:03Z', 'y'),
		ev('2026-01-01T00:00:02Z', 'z') ], total: 40 };

	let p = nf.pickEvents(hist, doc, 2);
	assert.deepEqual(p.events.map(e => e.ip), [ 'y', 'z' ]);
	assert.equal(p.total, 40);

	p = nf.pickEvents({ error: 'daemon not running' }, doc, 20);
	assert.deepEqual(p.events.map(e => e.ip), [ 'a' ]);
	assert.equal(p.total, 7);

	p = nf.pickEvents(null, { heal: { last_events: null } }, 20);
	assert.deepEqual(p, { events: [], total: 0 });
});

test('isDocument and errorText', () => {
	assert.equal(nf.isDocument({ schema: 1, verdict: 'healthy' }), true);
	assert.equal(nf.isDocument({ error: 'boom', schema: 1, verdict: 'x' }), false);
	assert.equal(nf.isDocument([]), false);
	assert.equal(nf.isDocument(4), false);
	assert.equal(nf.errorText({ error: 'daemon not running' }), 'daemon not running');
	assert.equal(nf.errorText(new Error('RPC call failed')), 'RPC call failed');
	assert.equal(nf.errorText(null), 'No answer');
});

test('isIPAddress', () => {
	for (const ok of [ '192.168.1.240', '0.0.0.0', '255.255.255.255', 'fd00::240', '::', '::1',
		'fe80::1:2:3:4', '2001:db8:0:0:0:0:0:1', '::ffff:192.168.1.1', ' 10.0.0.1 ' ])
		assert.equal(nf.isIPAddress(ok), true, ok);
	for (const bad of [ '', '256.1.1.1', '1.2.3', '01.2.3.4', '192.168.1.0/24', 'fd00::/64', ':1::',
		'1::2::3', '1:2:3:4:5:6:7:8:9', 'host.lan', '<img src=x>', 'fe80::1%br-lan', null ])
		assert.equal(nf.isIPAddress(bad), false, String(bad));
});

test('isDeviceName follows the daemon (1..15 bytes, no / space tab)', () => {
	for (const ok of [ 'br-lan', 'eth0.2', 'wg0', 'lan1@eth0', 'x'.repeat(15) ])
		assert.equal(nf.isDeviceName(ok), true, ok);
	for (const bad of [ '', 'x'.repeat(16), 'br lan', 'a/b', 'a\tb', 'ééééééééé' ])
		assert.equal(nf.isDeviceName(bad), false, bad);
});

test('countLabel marks dry-run counts', () => {
	assert.equal(nf.countLabel(6, false), '6');
	assert.equal(nf.countLabel(6, true), '6 (dry run, not deleted)');
	assert.equal(nf.countLabel(undefined, false), '0');
});
