'use strict';
// Where the things under test live, relative to this repository.
const path = require('node:path');

const REPO = path.resolve(__dirname, '..', '..', '..');
// NETFIX_LUCI_APP points the tests at another copy of luci-app/ (e.g. an
// older commit's, to check that a new test fails on the old page).
const APP = process.env.NETFIX_LUCI_APP ? path.resolve(process.env.NETFIX_LUCI_APP) : path.join(REPO, 'luci-app');

module.exports = {
	REPO,
	APP,
	HARNESS: path.join(__dirname, '..', 'harness'),
	// Real themes' stylesheets (test data only, see themes/README.md).
	THEMES: path.join(__dirname, '..', 'themes'),
	RESOURCES: path.join(APP, 'htdocs', 'luci-static', 'resources'),
	STATUS_JS: path.join(APP, 'htdocs', 'luci-static', 'resources', 'view', 'netfix', 'status.js'),
	SETTINGS_JS: path.join(APP, 'htdocs', 'luci-static', 'resources', 'view', 'netfix', 'settings.js'),
	FORMAT_JS: path.join(APP, 'htdocs', 'luci-static', 'resources', 'netfix', 'format.js'),
	MENU: path.join(APP, 'root', 'usr', 'share', 'luci', 'menu.d', 'luci-app-netfix.json'),
	ACL: path.join(APP, 'root', 'usr', 'share', 'rpcd', 'acl.d', 'luci-app-netfix.json'),
	POT: path.join(APP, 'po', 'templates', 'netfix.pot'),
	PO_DIR: path.join(APP, 'po'),
	// Written by the Go golden tests (src/internal/status) when they exist.
	GOLDEN_DOCS: path.join(REPO, 'src', 'internal', 'status', 'testdata'),
	// `netfix rpcd list` output, golden-tested by src/internal/rpcd.
	GOLDEN_LIST: path.join(REPO, 'src', 'internal', 'rpcd', 'testdata', 'list.golden.json'),
	// Shipped UCI config of the daemon.
	UCI_CONFIG: path.join(REPO, 'files', 'etc', 'config', 'netfix'),
	SCREENSHOT: path.join(REPO, 'docs', 'luci-status.png'),
	SCREENSHOT_ZH: path.join(REPO, 'docs', 'luci-status-zh.png')
};
