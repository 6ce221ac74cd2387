//go:build !linux

package config

import uci "github.com/digineo/go-uci/v2"

func feed(text string) (uci.Tree, string, error) { return feedTempDir(text) }
