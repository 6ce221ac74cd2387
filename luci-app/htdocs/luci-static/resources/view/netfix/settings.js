'use strict';
'require view';
'require form';
'require netfix.format as nf';

/*
 * netfix settings: the `netfix` section called `main` of
 * /etc/config/netfix (files/etc/config/netfix lists every option with its
 * default; src/internal/config checks them the same way). The daemon
 * reloads when the file changes, so Save & Apply is all it takes.
 */

return view.extend({
	render() {
		let o;

		const m = new form.Map('netfix', _('netfix settings'),
			_('How netfix watches this router and whether it repairs stale offloaded flows by itself.'));

		const s = m.section(form.NamedSection, 'main', 'netfix', _('General'));
		s.addremove = false;

		o = s.option(form.Flag, 'enabled', _('Enable'),
			_('Run the netfix daemon. When it is off, the status page still shows what a one-time check finds.'));
		o.default = o.enabled;
		o.rmempty = false;

		o = s.option(form.Flag, 'heal', _('Repair stale flows'),
			_('When a host changes its MAC address or moves to another bridge port, delete its offloaded connections at once so its traffic follows it. Off: only watch and report.'));
		o.default = o.enabled;
		o.rmempty = false;

		o = s.option(form.Flag, 'dry_run', _('Dry run'),
			_('Only log and count what would be repaired; delete nothing.'));
		o.default = o.disabled;
		o.rmempty = false;
		o.depends('heal', '1');

		o = s.option(form.ListValue, 'log_level', _('Log level'),
			_('How much netfix writes to the system log (logread -e netfix).'));
		o.value('error', _('Errors only'));
		o.value('warn', _('Warnings and errors'));
		o.value('info', _('Information'));
		o.value('debug', _('Debug'));
		o.default = 'info';

		o = s.option(form.DynamicList, 'ignore_interface', _('Ignore interfaces'),
			_('Interfaces whose hosts are never repaired, for example a guest bridge. Use Linux device names such as br-guest.'));
		o.placeholder = 'br-guest';
		o.validate = function(section_id, value) {
			if (value == null || value === '' || nf.isDeviceName(value))
				return true;
			return _('Expecting an interface name of at most 15 bytes without spaces or slashes');
		};

		o = s.option(form.DynamicList, 'ignore_host', _('Ignore hosts'),
			_('IP addresses or prefixes (such as 192.168.1.2 or fd00::/64) whose connections netfix never deletes.'));
		o.datatype = 'ipaddr';
		o.placeholder = '192.168.1.2';

		o = s.option(form.Value, 'sweep_interval', _('Sweep interval'),
			_('Seconds between the daemon\'s looks at the kernel. Each reads the connection tracking table\'s size and counters; everything behind the findings is read again when they changed, at least every 2 minutes, and when this page asks for a status older than this interval or the firewall ruleset changed. 5 to 3600.'));
		o.datatype = 'range(5,3600)';
		o.default = '30';
		o.placeholder = '30';

		o = s.option(form.Value, 'repair_burst', _('Repairs per host per minute'),
			_('At most this many repairs of one host per minute, so two devices fighting over one IP address cannot cause a loop of deletes. 1 to 1000.'));
		o.datatype = 'range(1,1000)';
		o.default = '10';
		o.placeholder = '10';

		o = s.option(form.Flag, 'forwarding_guard', _('Guard forwarding'),
			_('When an interface that was forwarding is switched to forwarding 0 while the router still forwards, set it back to 1 at once (at most 5 times a minute) and record it. Every such switch is logged either way; the status page still names what switched it off.'));
		o.default = o.disabled;
		o.rmempty = false;

		o = s.option(form.Flag, 'conntrack_reclaim', _('Reclaim idle connections'),
			_('While the connection tracking table is at least 90 percent full, delete ESTABLISHED TCP entries silent for longer than the time below, oldest first, until it is under 75 percent. Nothing else is deleted and no kernel setting is changed. Off: the status page says how many it would free.'));
		o.default = o.disabled;
		o.rmempty = false;

		o = s.option(form.Value, 'reclaim_idle', _('Reclaim after idle seconds'),
			_('An ESTABLISHED entry must have been silent this long to be reclaimed. 300 to 432000.'));
		o.datatype = 'range(300,432000)';
		o.default = '3600';
		o.placeholder = '3600';
		o.depends('conntrack_reclaim', '1');

		o = s.option(form.Value, 'metrics_file', _('Prometheus metrics file'),
			_('After each sweep and each repair the daemon replaces this file with its metrics in Prometheus\'s text format, for prometheus-node-exporter-lua-netfix (which sets it to /var/run/netfix/metrics.prom when installed). Empty: no file; "off": no file anywhere.'));
		o.placeholder = '/var/run/netfix/metrics.prom';
		o.validate = function(section_id, value) {
			/* what the daemon accepts (config.go): unset, off or 0, or an
			   absolute path that does not name a directory */
			if (value == null || value === '' || value === 'off' || value === '0' || /^\/.*[^\/]$/.test(value))
				return true;
			return _('An absolute file path such as /var/run/netfix/metrics.prom, or off.');
		};

		return m.render();
	}
});
