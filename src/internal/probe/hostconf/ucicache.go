package hostconf

import (
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/netfix/netfix/src/internal/config"
	"github.com/netfix/netfix/src/internal/rootfs"
)

// UCICache keeps the UCI sections a probe parsed (the firewall's defaults
// and zones, the network's interfaces) for the next probe while each file
// is the same one, unchanged: the daemon's sweep then costs a stat per
// file instead of a read and a parse (the firewall twice). With a
// 20k-entry ipset in the firewall a sweep took 8.1 ms of CPU on the x86
// host, 1.2-1.4 ms with the cache (BenchmarkSweepGather). The daemon keeps
// one; a nil cache reads afresh every time. Without one of the
// caller's, probe.Gather uses a cache of its own for the one probe
// (`netfix check`, OneProbe), so the firewall, which two parts of the
// probe read, is parsed once. Safe for concurrent probes.
type UCICache struct {
	mu   sync.Mutex
	kept []uciKept // a probe reads three: a list is all it takes
	// once: the cache of one probe (OneProbe): every parse is kept for
	// the rest of the probe, without a stat, so the firewall is read and
	// parsed once, not twice.
	once bool
}

type uciKept struct {
	key       string // root, file and section types
	root, rel string
	fi        fs.FileInfo // the file as it was read
	u         *config.UCI
	at        time.Time
}

const (
	// uciSettle: a file modified this recently before it was read may be
	// rewritten in place within the same timestamp (the kernel stamps in
	// clock ticks of a few ms, jffs2 overlays in whole seconds) and look
	// unchanged, so its parse is not kept. uci commit renames a new file
	// into place, which is another file anyway.
	uciSettle = 2 * time.Second
	// uciMaxAge bounds how long a parse is trusted however the file looks.
	uciMaxAge = 10 * time.Minute
)

// OneProbe makes c the cache of one probe (probe.Gather without a
// session of the caller's): every parse is kept for the rest of the
// probe without a stat, so the firewall, which two parts of the probe
// read, is read and parsed once. Call it before the probe's first read.
func (c *UCICache) OneProbe() { c.once = true }

// read returns the sections of the given types of rel below root, as
// config.ReadUCI parses them. body is the file's text when it was read and
// nil when the parse came from the cache or the file could not be read:
// with an error, a nil body is rootfs.ReadFile's error and a text
// config.ReadUCI's. A file that failed is never kept.
func (c *UCICache) read(root, rel string, types ...string) (u *config.UCI, body []byte, err error) {
	if c == nil {
		return readParseUCI(root, rel, types)
	}
	key := root + "\x00" + rel + "\x00" + strings.Join(types, "\x00")
	if c.once {
		c.mu.Lock()
		defer c.mu.Unlock()
		if i := c.find(key); i >= 0 {
			return c.kept[i].u, nil, nil
		}
		u, body, err = readParseUCI(root, rel, types)
		if err == nil {
			c.kept = append(c.kept, uciKept{key: key, root: root, rel: rel, u: u})
		}
		return u, body, err
	}
	fi, serr := rootfs.Stat(root, rel)
	now := time.Now()
	c.mu.Lock()
	if i := c.find(key); i >= 0 && c.kept[i].fresh(fi, serr, now) {
		u = c.kept[i].u
		c.mu.Unlock()
		return u, nil, nil
	}
	c.mu.Unlock()
	u, body, err = readParseUCI(root, rel, types)
	c.mu.Lock()
	defer c.mu.Unlock()
	// Looked up again: a concurrent probe may have changed the list.
	if i := c.find(key); i >= 0 {
		c.kept = append(c.kept[:i], c.kept[i+1:]...)
	}
	// Kept with the identity taken before the read: a change during the
	// read only makes the next probe read again.
	if err == nil && serr == nil && now.Sub(fi.ModTime()) >= uciSettle {
		c.kept = append(c.kept, uciKept{key: key, root: root, rel: rel, fi: fi, u: u, at: now})
	}
	return u, body, err
}

// Changed reports whether the next probe would read a kept file again: it
// changed, went away, or its parse is older than uciMaxAge. A file that
// was missing or broken is not kept, so its repair is seen by the next
// full probe, not here. The daemon asks every sweep, so each file costs
// one stat by its path, not the five system calls of a lookup confined to
// the root (rootfs.Stat): nothing is read here, and a link that leads out
// of the root at worst makes the answer "changed", and the full probe
// that follows reads confined.
func (c *UCICache) Changed() bool {
	if c == nil {
		return true
	}
	c.mu.Lock()
	kept := append([]uciKept(nil), c.kept...)
	c.mu.Unlock()
	now := time.Now()
	for _, k := range kept {
		fi, err := os.Stat(rootfs.Join(k.root, k.rel))
		if !k.fresh(fi, err, now) {
			return true
		}
	}
	return false
}

// fresh says whether k may stand for the file that stat found at now.
func (k uciKept) fresh(fi fs.FileInfo, statErr error, now time.Time) bool {
	return statErr == nil && unchanged(k.fi, fi) && now.Sub(k.at) < uciMaxAge
}

// find returns the index of key's entry, -1 if none; c.mu is held.
func (c *UCICache) find(key string) int {
	for i := range c.kept {
		if c.kept[i].key == key {
			return i
		}
	}
	return -1
}

// unchanged: the same file (device and inode), size and modification time.
func unchanged(a, b fs.FileInfo) bool {
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

// readParseUCI reads rel below root like every probe read (inside the
// root, a regular file, at most rootfs.MaxFile) and parses the sections
// of the given types.
func readParseUCI(root, rel string, types []string) (*config.UCI, []byte, error) {
	body, err := rootfs.ReadFile(root, rel, rootfs.MaxFile)
	if err != nil {
		return nil, nil, err
	}
	u, err := config.ReadUCI(rootfs.Join(root, rel), body, types...)
	return u, body, err
}
