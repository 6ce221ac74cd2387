// Package status defines the one JSON document that `netfix check --json`,
// `netfix status`, the rpcd plugin (`ubus call netfix status`) and the LuCI
// page all render. The Go side owns it; golden files pin its shape, and any
// incompatible change must bump SchemaVersion.
package status
