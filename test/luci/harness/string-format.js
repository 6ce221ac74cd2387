/*
 * String.prototype.format as LuCI provides it (a printf subset: %s %d %f
 * %x %X %q %%, with width, zero padding and precision). Loaded by the test
 * page before the LuCI shim, and by the Node tests through require().
 */
(function(StringCtor) {
	'use strict';

	if (StringCtor.prototype.format)
		return;

	Object.defineProperty(StringCtor.prototype, 'format', {
		configurable: true,
		writable: true,
		value: function() {
			const args = arguments;
			let n = 0;
			return this.replace(/%(-)?(0)?(\d+)?(?:\.(\d+))?([sdfxXq%])/g, (m, left, zero, width, prec, type) => {
				if (type == '%')
					return '%';
				const a = args[n++];
				let s;
				switch (type) {
				case 'd': s = Math.floor(+a || 0).toFixed(0); break;
				case 'f': s = (prec != null) ? (+a || 0).toFixed(+prec) : String(+a || 0); break;
				case 'x': s = Math.floor(+a || 0).toString(16); break;
				case 'X': s = Math.floor(+a || 0).toString(16).toUpperCase(); break;
				case 'q': s = (a == null || typeof(a) == 'object') ? '' : String(a).replace(/"/g, '&#34;').replace(/'/g, '&#39;'); break;
				default: s = (a == null || typeof(a) == 'object') ? '' : String(a);
				}
				if (width && s.length < +width)
					s = left ? s + ' '.repeat(+width - s.length) : (zero ? '0' : ' ').repeat(+width - s.length) + s;
				return s;
			});
		}
	});
})(String);
