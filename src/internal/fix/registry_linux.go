package fix

import "github.com/netfix/netfix/src/internal/env"

// Actions is every fix action this build can apply, one line each.
// Findings name them in fix_action. e says where the files actions write
// are (fw4's include directory below its root).
func Actions(e env.Env) (*Registry, error) {
	return NewRegistry(
		conntrackIdle{},
		notrack{includeDir: e.IncludeDir()},
	)
}
