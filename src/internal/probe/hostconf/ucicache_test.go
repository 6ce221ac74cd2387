package hostconf

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeAged writes rel below root with its modification time set to mtime.
func writeAged(t testing.TB, root, rel, body string, mtime time.Time) {
	t.Helper()
	write(t, root, rel, body)
	if err := os.Chtimes(filepath.Join(root, rel), mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func TestUCICacheKeepsOnlyWhatItCanTrust(t *testing.T) {
	const rel = "etc/config/firewall"
	hourAgo := time.Now().Add(-time.Hour)
	defaults := func(on string) string {
		return "config defaults\n\toption flow_offloading '" + on + "'\n"
	}
	offloading := func(t *testing.T, c *UCICache, root string) (on string, fromCache bool) {
		t.Helper()
		u, body, err := c.read(root, rel, "defaults")
		if err != nil {
			t.Fatal(err)
		}
		v, _ := u.GetLast(u.Sections("defaults")[0], "flow_offloading")
		return v, body == nil
	}

	t.Run("an unchanged settled file is parsed once", func(t *testing.T) {
		root, c := t.TempDir(), &UCICache{}
		writeAged(t, root, rel, defaults("1"), hourAgo)
		if v, cached := offloading(t, c, root); v != "1" || cached {
			t.Fatalf("first read: %q from cache %v, want \"1\" read", v, cached)
		}
		if v, cached := offloading(t, c, root); v != "1" || !cached {
			t.Fatalf("second read: %q from cache %v, want \"1\" from the cache", v, cached)
		}
	})
	t.Run("a change of size, time or file is read again", func(t *testing.T) {
		root, c := t.TempDir(), &UCICache{}
		writeAged(t, root, rel, defaults("1"), hourAgo)
		offloading(t, c, root)
		// Same size, written in place, another time.
		writeAged(t, root, rel, defaults("0"), hourAgo.Add(time.Minute))
		if v, cached := offloading(t, c, root); v != "0" || cached {
			t.Fatalf("after an in-place edit: %q from cache %v, want \"0\" read", v, cached)
		}
		// Another file renamed into place (uci commit), same size and time.
		tmp := filepath.Join(root, "etc/config/.firewall-new")
		writeAged(t, root, "etc/config/.firewall-new", defaults("1"), hourAgo.Add(time.Minute))
		if err := os.Rename(tmp, filepath.Join(root, rel)); err != nil {
			t.Fatal(err)
		}
		if v, cached := offloading(t, c, root); v != "1" || cached {
			t.Fatalf("after a rename: %q from cache %v, want \"1\" read", v, cached)
		}
	})
	t.Run("a file modified a moment ago is not kept", func(t *testing.T) {
		// It may be rewritten within the same timestamp and look unchanged.
		root, c := t.TempDir(), &UCICache{}
		writeAged(t, root, rel, defaults("1"), time.Now())
		offloading(t, c, root)
		if _, cached := offloading(t, c, root); cached {
			t.Fatal("a file modified under a second ago came from the cache")
		}
	})
	t.Run("nothing is kept longer than the maximum age", func(t *testing.T) {
		root, c := t.TempDir(), &UCICache{}
		writeAged(t, root, rel, defaults("1"), hourAgo)
		offloading(t, c, root)
		for i := range c.kept {
			c.kept[i].at = c.kept[i].at.Add(-uciMaxAge)
		}
		if _, cached := offloading(t, c, root); cached {
			t.Fatal("a parse older than uciMaxAge came from the cache")
		}
	})
	t.Run("errors are never kept", func(t *testing.T) {
		root, c := t.TempDir(), &UCICache{}
		if _, _, err := c.read(root, rel, "defaults"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("missing file: %v, want fs.ErrNotExist", err)
		}
		writeAged(t, root, rel, "config defaults\n\toption flow_offloading '1\n", hourAgo)
		for i := 0; i < 2; i++ {
			_, body, err := c.read(root, rel, "defaults")
			if err == nil || body == nil {
				t.Fatalf("read %d of a broken file: err %v, body %q; want the parse error with the text", i, err, body)
			}
		}
		if len(c.kept) != 0 {
			t.Fatalf("the cache kept %d entries of failed reads", len(c.kept))
		}
	})
	t.Run("a nil cache reads every time", func(t *testing.T) {
		root := t.TempDir()
		writeAged(t, root, rel, defaults("1"), hourAgo)
		var c *UCICache
		for i := 0; i < 2; i++ {
			if v, cached := offloading(t, c, root); v != "1" || cached {
				t.Fatalf("read %d: %q from cache %v", i, v, cached)
			}
		}
	})
}

// TestUCICacheChanged: the sweep's pulse asks whether the next probe
// would read a kept file again, with stat calls only.
func TestUCICacheChanged(t *testing.T) {
	const rel = "etc/config/firewall"
	hourAgo := time.Now().Add(-time.Hour)
	body := "config defaults\n\toption flow_offloading '1'\n"
	kept := func(t *testing.T) (string, *UCICache) {
		t.Helper()
		root, c := t.TempDir(), &UCICache{}
		writeAged(t, root, rel, body, hourAgo)
		if _, _, err := c.read(root, rel, "defaults"); err != nil {
			t.Fatal(err)
		}
		if len(c.kept) != 1 {
			t.Fatalf("kept %d parses, want 1", len(c.kept))
		}
		return root, c
	}
	if !(*UCICache)(nil).Changed() {
		t.Error("no cache: unchanged, want changed (nothing is kept)")
	}
	if (&UCICache{}).Changed() {
		t.Error("empty cache: changed, want unchanged")
	}
	t.Run("unchanged", func(t *testing.T) {
		_, c := kept(t)
		if c.Changed() {
			t.Error("changed, want unchanged")
		}
	})
	t.Run("edited", func(t *testing.T) {
		root, c := kept(t)
		writeAged(t, root, rel, strings.Replace(body, "'1'", "'0'", 1), hourAgo.Add(time.Minute))
		if !c.Changed() {
			t.Error("unchanged after an edit")
		}
	})
	t.Run("removed", func(t *testing.T) {
		root, c := kept(t)
		if err := os.Remove(filepath.Join(root, rel)); err != nil {
			t.Fatal(err)
		}
		if !c.Changed() {
			t.Error("unchanged after the file was removed")
		}
	})
	t.Run("too old to trust", func(t *testing.T) {
		_, c := kept(t)
		c.kept[0].at = c.kept[0].at.Add(-uciMaxAge)
		if !c.Changed() {
			t.Error("unchanged past the maximum age")
		}
	})
}
