package fix

import (
	"fmt"
)

// Change is one object a fix adds to the system: an nftables table, chain
// or rule, a sysctl value, a file.
type Change struct {
	// Object names it for people and logs, e.g.
	// `rule inet netfix raw_prerouting: iifname "br-lan137" notrack`.
	Object string `json:"object"`
	// Command is what a person would type to make the same change; dry
	// runs print it.
	Command string `json:"command"`
	// UndoCommand is what a person would type to remove it.
	UndoCommand string `json:"undo_command,omitempty"`
	// Data is what the action needs to find and remove exactly this
	// object later (a rule handle, the value a sysctl had before).
	Data map[string]string `json:"data,omitempty"`
}

// Action is one kind of automatic fix. Implementations must be
// idempotent: Plan after a successful Apply returns no changes.
type Action interface {
	// ID names the action; findings refer to it in fix_action.
	ID() string
	// Plan reads the live state and returns the changes still missing to
	// reach what args ask for; none when the fix is already in place.
	Plan(args map[string]string) ([]Change, error)
	// Apply makes the planned changes and returns those it made, with the
	// Data that Undo needs.
	Apply(args map[string]string, plan []Change) ([]Change, error)
	// Undo removes exactly the given changes, which Apply returned. A
	// change that is already gone is not an error; a change someone else
	// has modified since is left alone and reported in the result.
	Undo(changes []Change) (removed []Change, err error)
}

// Registry maps action ids to actions.
type Registry struct {
	actions map[string]Action
}

// NewRegistry builds a registry; two actions with one id are a
// programming error, reported rather than silently shadowed.
func NewRegistry(actions ...Action) (*Registry, error) {
	r := &Registry{actions: map[string]Action{}}
	for _, a := range actions {
		if _, dup := r.actions[a.ID()]; dup {
			return nil, fmt.Errorf("fix action %q registered twice", a.ID())
		}
		r.actions[a.ID()] = a
	}
	return r, nil
}

// Lookup returns the action with this id.
func (r *Registry) Lookup(id string) (Action, bool) {
	a, ok := r.actions[id]
	return a, ok
}
