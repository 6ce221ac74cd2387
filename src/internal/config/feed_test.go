package config

import "testing"

// Both ways of handing text to go-uci give the same tree.
func TestFeedTempDir(t *testing.T) {
	t.Parallel()
	tree, name, err := feedTempDir("config netfix 'main'\n\toption heal '0'\n")
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := tree.GetLast(name, "main", "heal"); !ok || v != "0" {
		t.Errorf("heal = %q, %v", v, ok)
	}
}
