// Package fix applies and undoes the repairs a finding offers, on request
// only (`netfix fix apply|undo <finding-id>`, `ubus call netfix fix`): the
// daemon never applies one by itself.
//
// Each repair is an Action, written as desired state in the manner of
// tailscale's linuxfw: Plan reads what is there and returns the changes
// still missing (none when the fix is in place, so a second apply changes
// nothing), Apply makes exactly those and returns them with whatever Undo
// needs to find them again, and Undo removes exactly what Apply recorded
// and nothing else. The Ledger keeps those records and an event for every
// apply and undo, so an undo after a restart still knows what netfix
// added.
//
// A finding offers an automatic fix by naming an action in its FixAction
// field (with FixArgs for this host, e.g. the bridge name); the Runner
// refuses when the finding is not present now or names no action.
package fix
