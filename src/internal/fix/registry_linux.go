package fix

// Actions is every fix action this build can apply, one line each.
// Findings name them in fix_action. root prefixes the files actions write
// ("" is /; tests use a scratch directory).
func Actions(root string) (*Registry, error) {
	return NewRegistry(
		conntrackIdle{},
		notrack{root: root},
	)
}
