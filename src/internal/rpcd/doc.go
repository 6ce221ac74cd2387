// Package rpcd implements the rpcd exec-plugin protocol behind
// `ubus call netfix <method>`.
//
// rpcd runs every executable in /usr/libexec/rpcd at start as
// `<plugin> list` and reads one JSON object mapping each method to an
// example of its arguments: a string example declares a string argument, a
// boolean a bool, a number an int32 (the numbers 8, 16 and 64 would declare
// int8/int16/int64 instead, so examples avoid them). A call runs
// `<plugin> call <method>` with the arguments as one JSON object on stdin
// (calls over HTTP add "ubus_rpc_session"). The reply is the first complete
// JSON object on stdout; anything else is "invalid argument", nothing is
// "no data". ubusd drops rpcd's whole connection if a reply nears 1 MiB, so
// every reply is capped far below that.
package rpcd
