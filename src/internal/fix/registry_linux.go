package fix

// Actions is every fix action this build can apply, one line each.
// Findings name them in fix_action.
func Actions() (*Registry, error) {
	return NewRegistry(conntrackIdle{})
}
