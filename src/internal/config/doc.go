// Package config turns /etc/config/netfix into a checked Config: defaults
// for what is missing, validation with the file, line and option of every
// problem, and warnings that never stop the daemon (it runs on defaults
// rather than dying on a typo).
package config
