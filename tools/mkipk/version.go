package main

import (
	"fmt"
	"regexp"
)

// OpenWrt spells a package version <PKG_VERSION>-r<PKG_RELEASE> for ipk and
// apk alike (include/package-defaults.mk). The 25.12 SDK builds apk, whose
// version grammar is strict: digits separated by dots, one optional letter,
// then optional suffixes such as _rc1 or _git20250101, and the release as a
// plain number. A "0.1.0-dev" or a `git describe` string fails there, so it
// is refused here too, where the mistake is cheaper to find.
var (
	apkVersion = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]*)*$`)
	apkRelease = regexp.MustCompile(`^[1-9][0-9]*$`)
)

// checkVersion reports whether version and release make a version that
// both opkg and apk accept.
func checkVersion(version, release string) error {
	if !apkVersion.MatchString(version) {
		return fmt.Errorf("version %q: want digits and dots, an optional letter and _rc1/_git20250101-style suffixes (apk refuses anything else; OpenWrt 25.12 builds apk)", version)
	}
	if !apkRelease.MatchString(release) {
		return fmt.Errorf("release %q: want a positive number (PKG_RELEASE)", release)
	}
	return nil
}

// fullVersion is the Version field: 0.1.0-r1.
func fullVersion(version, release string) string {
	return version + "-r" + release
}
