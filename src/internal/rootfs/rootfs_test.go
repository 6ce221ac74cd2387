//go:build linux

package rootfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// image builds a root with a secret outside it and the links, FIFOs and
// devices an untrusted image can hold.
func image(t *testing.T) (root, secret string) {
	t.Helper()
	base := t.TempDir()
	root = filepath.Join(base, "root")
	secret = filepath.Join(base, "secret")
	must(t, os.WriteFile(secret, []byte("outside-token"), 0o600))
	must(t, os.MkdirAll(filepath.Join(root, "etc", "config"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "etc", "config", "inside"), []byte("inside-token"), 0o644))
	must(t, os.WriteFile(filepath.Join(root, "etc", "hosts"), []byte("image-hosts"), 0o644))
	links := map[string]string{
		"etc/config/relative-out": "../../../secret",
		"etc/config/absolute-out": secret,
		"etc/config/abs-in-image": "/etc/hosts",
		"etc/config/zero":         "/dev/zero",
		"etc/config/proc":         "/proc/self/root/" + strings.TrimPrefix(secret, "/"),
		"etc/config/to-inside":    "inside",
		"etc/config/loop":         "loop",
		"dirlink":                 filepath.Dir(secret),
	}
	for name, target := range links {
		must(t, os.Symlink(target, filepath.Join(root, name)))
	}
	must(t, syscall.Mkfifo(filepath.Join(root, "etc", "config", "fifo"), 0o600))
	return root, secret
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// readers are the two resolvers: openat2 (Linux 5.6+) and the walk for
// older kernels (OpenWrt 21.02 runs 5.4).
func readers(root string) map[string]func(rel string) ([]byte, error) {
	return map[string]func(string) ([]byte, error){
		"openat2": func(rel string) ([]byte, error) { return ReadFile(root, rel, MaxFile) },
		"walk": func(rel string) ([]byte, error) {
			fd, err := openIn(root, rel, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, true)
			if err != nil {
				return nil, &os.PathError{Op: "open", Path: rel, Err: errnoErr(err)}
			}
			return readOpen(os.NewFile(uintptr(fd), rel), MaxFile)
		},
	}
}

func TestReadFileStaysInRoot(t *testing.T) {
	t.Parallel()
	root, secret := image(t)
	tests := []struct {
		rel     string
		want    string // content; "" when refused
		wantErr error  // errors.Is target when refused; nil for any error
	}{
		{rel: "etc/config/inside", want: "inside-token"},
		{rel: "/etc/config/inside", want: "inside-token"},
		{rel: "etc/config/to-inside", want: "inside-token"},
		{rel: "etc/./config/../config/inside", want: "inside-token"},
		// An absolute link points into the image, as on the router.
		{rel: "etc/config/abs-in-image", want: "image-hosts"},
		// Links out of the root are resolved inside it, where the target
		// does not exist.
		{rel: "etc/config/relative-out", wantErr: fs.ErrNotExist},
		{rel: "etc/config/absolute-out", wantErr: fs.ErrNotExist},
		{rel: "../secret", wantErr: fs.ErrNotExist},
		{rel: "dirlink/secret", wantErr: fs.ErrNotExist},
		{rel: "etc/config/zero", wantErr: fs.ErrNotExist},
		{rel: "etc/config/proc"},
		{rel: "etc/config/loop"},
		// A FIFO opens without a writer and is refused, not waited on.
		{rel: "etc/config/fifo", wantErr: ErrNotRegular},
		{rel: "etc/config", wantErr: ErrNotRegular},
	}
	for name, read := range readers(root) {
		for _, tt := range tests {
			b, err := read(tt.rel)
			if tt.want != "" {
				if err != nil || string(b) != tt.want {
					t.Errorf("%s: read %s = %q, %v; want %q", name, tt.rel, b, err, tt.want)
				}
				continue
			}
			if err == nil || strings.Contains(string(b), "outside-token") {
				t.Errorf("%s: read %s = %q, %v; want a refusal", name, tt.rel, b, err)
				continue
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("%s: read %s error = %v; want %v", name, tt.rel, err, tt.wantErr)
			}
		}
	}
	if _, err := os.Stat(secret); err != nil {
		t.Fatal(err)
	}
}

// On the live system a link to /dev/zero reaches the device: it is
// refused as not regular instead of read until memory runs out.
func TestReadFileRefusesDevicesAndBigFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	must(t, os.Symlink("/dev/zero", filepath.Join(dir, "zero")))
	if _, err := ReadFile("", filepath.Join(dir, "zero"), MaxFile); !errors.Is(err, ErrNotRegular) {
		t.Errorf("link to /dev/zero: %v, want ErrNotRegular", err)
	}
	big := filepath.Join(dir, "big")
	must(t, os.WriteFile(big, make([]byte, 1025), 0o644))
	if _, err := ReadFile("", big, 1024); !errors.Is(err, ErrTooLarge) {
		t.Errorf("1025 bytes with a 1024 limit: %v, want ErrTooLarge", err)
	}
	if b, err := ReadFile("/", big, 1025); err != nil || len(b) != 1025 {
		t.Errorf("1025 bytes with a 1025 limit: %d, %v", len(b), err)
	}
}

func TestExists(t *testing.T) {
	t.Parallel()
	root, _ := image(t)
	for rel, want := range map[string]bool{
		"etc/config/inside":       true,
		"etc/config/fifo":         true,
		"etc/config/absolute-out": false,
		"etc/config/relative-out": false,
		"etc/missing":             false,
	} {
		if got := Exists(root, rel); got != want {
			t.Errorf("Exists(%s) = %v, want %v", rel, got, want)
		}
	}
}

// ReadDir and Stat resolve like ReadFile: a directory link out of the root
// lists nothing outside it, a link to /dev/zero names nothing, and an
// entry's type is its own (fstatat in the directory, never a path).
func TestReadDirAndStatStayInRoot(t *testing.T) {
	t.Parallel()
	root, _ := image(t)
	must(t, os.Mkdir(filepath.Join(root, "etc", "config", "sub"), 0o755))
	must(t, os.Symlink("/etc/config", filepath.Join(root, "confdir")))

	if ents, err := ReadDir(root, "dirlink"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadDir(dirlink) = %v, %v; want fs.ErrNotExist (its target is outside)", ents, err)
	}
	if _, err := ReadDir(root, "etc/config/inside"); err == nil {
		t.Error("ReadDir of a file: want an error")
	}
	ents, err := ReadDir(root, "confdir") // an absolute link inside the image
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		if e.Dir {
			got = append(got, e.Name+"/")
		} else {
			got = append(got, e.Name)
		}
	}
	want := "abs-in-image absolute-out fifo inside loop proc relative-out sub/ to-inside zero"
	if strings.Join(got, " ") != want {
		t.Errorf("ReadDir(confdir) = %q, want %q", strings.Join(got, " "), want)
	}
	for _, useWalk := range []bool{false, true} {
		fd, err := openIn(root, "confdir/sub", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, useWalk)
		if err != nil {
			t.Errorf("walk=%v: open confdir/sub as a directory: %v", useWalk, err)
			continue
		}
		unix.Close(fd)
		if _, err := openIn(root, "dirlink", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, useWalk); !errors.Is(err, unix.ENOENT) {
			t.Errorf("walk=%v: open dirlink as a directory: %v, want ENOENT", useWalk, err)
		}
	}

	for _, rel := range []string{"etc/config/absolute-out", "etc/config/relative-out", "etc/config/zero", "dirlink/secret"} {
		if fi, err := Stat(root, rel); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Stat(%s) = %v, %v; want fs.ErrNotExist", rel, fi, err)
		}
	}
	a, err1 := Stat(root, "etc/config/inside")
	b, err2 := Stat(root, "etc/config/to-inside")
	if err1 != nil || err2 != nil || !os.SameFile(a, b) || !a.Mode().IsRegular() {
		t.Errorf("Stat of a file and of a link to it: %v %v, same %v", err1, err2, err1 == nil && err2 == nil && os.SameFile(a, b))
	}
	if fi, err := Stat(root, "etc/config/fifo"); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("Stat(fifo) = %v, %v; want a named pipe, without waiting", fi, err)
	}
}

func TestReadDirIsBounded(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dir := filepath.Join(root, "etc", "sysctl.d")
	must(t, os.MkdirAll(dir, 0o755))
	for i := 0; i < MaxDirEntries; i++ {
		must(t, os.WriteFile(filepath.Join(dir, strconv.Itoa(i)), nil, 0o644))
	}
	if ents, err := ReadDir(root, "etc/sysctl.d"); err != nil || len(ents) != MaxDirEntries {
		t.Fatalf("ReadDir of %d names: %d, %v", MaxDirEntries, len(ents), err)
	}
	must(t, os.WriteFile(filepath.Join(dir, "one-more"), nil, 0o644))
	if _, err := ReadDir(root, "etc/sysctl.d"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadDir of %d names: %v, want ErrTooLarge", MaxDirEntries+1, err)
	}
}
