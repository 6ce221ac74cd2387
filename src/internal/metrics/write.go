package metrics

import (
	"fmt"
	"os"
	"path/filepath"
)

// WriteFile replaces path with data atomically: a temporary file in the
// same directory, synced, then renamed over path, so a scraper (the
// textfile collector, the Lua collector) reads the old exposition or the
// new one, never half of one. The file is world-readable (0644): node
// exporter runs as its own user and the metrics hold no secret.
func WriteFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write metrics: %w (does the directory %s exist and can netfix write there? option metrics_file in the netfix config names the file)", err, dir)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write metrics file %s: %w", path, err)
	}
	return nil
}
