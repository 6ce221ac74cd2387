package ct

import (
	"strconv"
	"strings"
)

// kernelVersion is a kernel release's major and minor number.
type kernelVersion struct{ major, minor int }

// parseRelease reads "6.6.73", "5.15.167-openwrt" or "6.18.44-fc-v857";
// ok is false for anything else.
func parseRelease(rel string) (v kernelVersion, ok bool) {
	maj, rest, found := strings.Cut(rel, ".")
	if !found {
		return v, false
	}
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	var err1, err2 error
	v.major, err1 = strconv.Atoi(maj)
	v.minor, err2 = strconv.Atoi(rest[:end])
	return v, err1 == nil && err2 == nil
}

func (v kernelVersion) atLeast(major, minor int) bool {
	return v.major > major || v.major == major && v.minor >= minor
}
