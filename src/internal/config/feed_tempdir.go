package config

import (
	"os"
	"path/filepath"

	uci "github.com/digineo/go-uci/v2"
)

// feedTempDir parses text with go-uci, which reads configs only from a
// directory, through a private temporary one: where no memory file can be
// made (non-Linux builds, kernels without memfd_create).
func feedTempDir(text string) (uci.Tree, string, error) {
	dir, err := os.MkdirTemp("", "netfix-uci-")
	if err != nil {
		return nil, "", err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "c"), []byte(text), 0o600); err != nil {
		return nil, "", err
	}
	tree := uci.NewTree(dir)
	if err := tree.LoadConfig("c", true); err != nil {
		return nil, "", err
	}
	return tree, "c", nil
}
