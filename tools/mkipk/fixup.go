package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// member is one entry of a tar archive, kept whole so that it can be
// written back unchanged.
type member struct {
	hdr  *tar.Header
	body []byte
}

// opkgFixup corrects what nfpm's ipk gets wrong for opkg and returns the new
// package and its Installed-Size.
//
// Installed-Size:
// nfpm writes the sum of the file sizes divided by 1024, but opkg reads
// bytes: opkg-lede's verify_pkg_installable computes (installed_size+1023)/1024
// KiB and compares that with the free space of the overlay. A KiB figure
// there makes opkg start writing a 6 MB binary onto a flash with 6 KiB free.
// OpenWrt's ipkg-build stores the length of the uncompressed data.tar
// (`zcat data.tar.gz | wc -c`); so does this.
//
// conffiles: nfpm writes the file even when there is none, as one empty
// line; ipkg-build leaves it out, and so does this.
//
// Everything else stays as nfpm wrote it: entries, order and headers of the
// outer archive and of control.tar.gz, and data.tar.gz byte for byte.
func opkgFixup(ipk []byte) ([]byte, int64, error) {
	outer, err := readTarGz(ipk)
	if err != nil {
		return nil, 0, fmt.Errorf("read ipk: %w", err)
	}
	data := find(outer, "data.tar.gz")
	ctl := find(outer, "control.tar.gz")
	if data == nil || ctl == nil {
		return nil, 0, fmt.Errorf("ipk has no data.tar.gz or control.tar.gz")
	}
	size, err := gunzippedLen(data.body)
	if err != nil {
		return nil, 0, fmt.Errorf("data.tar.gz: %w", err)
	}

	inner, err := readTarGz(ctl.body)
	if err != nil {
		return nil, 0, fmt.Errorf("control.tar.gz: %w", err)
	}
	control := find(inner, "control")
	if control == nil {
		return nil, 0, fmt.Errorf("control.tar.gz has no control file")
	}
	control.body = withInstalledSize(control.body, size)
	if cf := find(inner, "conffiles"); cf != nil && strings.TrimSpace(string(cf.body)) == "" {
		inner = without(inner, cf)
	}
	if ctl.body, err = writeTarGz(inner); err != nil {
		return nil, 0, err
	}
	out, err := writeTarGz(outer)
	return out, size, err
}

// withInstalledSize replaces the Installed-Size line of a control file, or
// adds one after Architecture.
func withInstalledSize(control []byte, size int64) []byte {
	field := "Installed-Size: " + strconv.FormatInt(size, 10)
	var out []string
	placed := false
	for _, line := range strings.Split(strings.TrimRight(string(control), "\n"), "\n") {
		if strings.HasPrefix(line, "Installed-Size:") {
			continue
		}
		out = append(out, line)
		if strings.HasPrefix(line, "Architecture:") {
			out = append(out, field)
			placed = true
		}
	}
	if !placed {
		out = append(out, field)
	}
	return []byte(strings.Join(out, "\n") + "\n")
}

// find returns the member named name, with or without a leading "./".
func find(ms []member, name string) *member {
	for i := range ms {
		if strings.TrimPrefix(ms[i].hdr.Name, "./") == name {
			return &ms[i]
		}
	}
	return nil
}

func without(ms []member, drop *member) []member {
	var out []member
	for i := range ms {
		if &ms[i] != drop {
			out = append(out, ms[i])
		}
	}
	return out
}

func readTarGz(b []byte) ([]member, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	var ms []member
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return ms, nil
		}
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		ms = append(ms, member{hdr: h, body: body})
	}
}

func writeTarGz(ms []member) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, m := range ms {
		h := *m.hdr
		h.Size = int64(len(m.body))
		if err := tw.WriteHeader(&h); err != nil {
			return nil, fmt.Errorf("write %s: %w", h.Name, err)
		}
		if _, err := tw.Write(m.body); err != nil {
			return nil, fmt.Errorf("write %s: %w", h.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func gunzippedLen(b []byte) (int64, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return 0, err
	}
	defer zr.Close()
	return io.Copy(io.Discard, zr)
}
