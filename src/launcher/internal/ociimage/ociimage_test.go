package ociimage

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// buildLaunchers cross-compiles the real launcher for both platforms.
func buildLaunchers(t *testing.T) []Binary {
	t.Helper()
	dir := t.TempDir()
	var bins []Binary
	for _, p := range []struct{ arch, variant string }{{"amd64", ""}, {"arm64", "v8"}} {
		out := filepath.Join(dir, p.arch, "launch")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, "../..")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+p.arch)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", p.arch, err, b)
		}
		bins = append(bins, Binary{Arch: p.arch, Variant: p.variant, Path: out})
	}
	return bins
}

func blob(t *testing.T, dir, digest string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "blobs", "sha256", strings.TrimPrefix(digest, "sha256:")))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func decode(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

func TestImage(t *testing.T) {
	bins := buildLaunchers(t)
	work := t.TempDir()
	opt := Options{Epoch: 0, Tag: "test"}

	// Reproducible: two builds give the same digests and the same archive bytes.
	dirA, dirB := filepath.Join(work, "a"), filepath.Join(work, "b")
	digestA, err := Write(dirA, bins, opt)
	if err != nil {
		t.Fatal(err)
	}
	digestB, err := Write(dirB, bins, opt)
	if err != nil {
		t.Fatal(err)
	}
	if digestA != digestB {
		t.Errorf("index digests differ: %s vs %s", digestA, digestB)
	}
	for _, d := range []string{dirA, dirB} {
		if err := WriteArchive(d, d+".tar", opt.Epoch); err != nil {
			t.Fatal(err)
		}
	}
	tarA, _ := os.ReadFile(dirA + ".tar")
	tarB, _ := os.ReadFile(dirB + ".tar")
	if !bytes.Equal(tarA, tarB) {
		t.Error("archives differ between two builds")
	}
	checkArchive(t, tarA, dirA)

	var layoutFile struct{ ImageLayoutVersion string }
	decode(t, mustRead(t, filepath.Join(dirA, "oci-layout")), &layoutFile)
	if layoutFile.ImageLayoutVersion != "1.0.0" {
		t.Errorf("oci-layout: %+v", layoutFile)
	}
	var top Index
	decode(t, mustRead(t, filepath.Join(dirA, "index.json")), &top)
	if len(top.Manifests) != 1 || top.Manifests[0].MediaType != MediaTypeIndex || top.Manifests[0].Digest != digestA ||
		top.Manifests[0].Annotations[refNameAnnotation] != "test" {
		t.Fatalf("index.json: %+v", top)
	}
	var idx Index
	decode(t, blob(t, dirA, digestA), &idx)
	platforms := map[string]bool{}
	for _, m := range idx.Manifests {
		platforms[m.Platform.OS+"/"+m.Platform.Architecture] = true
		checkManifest(t, dirA, m)
	}
	if !platforms["linux/amd64"] || !platforms["linux/arm64"] || len(idx.Manifests) != 2 {
		t.Errorf("platforms: %v", platforms)
	}
}

func checkManifest(t *testing.T, dir string, desc Descriptor) {
	t.Helper()
	if desc.MediaType != MediaTypeManifest {
		t.Errorf("manifest media type %q", desc.MediaType)
	}
	var m Manifest
	decode(t, blob(t, dir, desc.Digest), &m)
	var cfg Config
	decode(t, blob(t, dir, m.Config.Digest), &cfg)
	if cfg.Architecture != desc.Platform.Architecture || cfg.OS != "linux" {
		t.Errorf("config platform %s/%s, index says %+v", cfg.OS, cfg.Architecture, desc.Platform)
	}
	if cfg.Config.User != "65532:65532" || len(cfg.Config.Entrypoint) != 1 || cfg.Config.Entrypoint[0] != "/launch" {
		t.Errorf("config: %+v", cfg.Config)
	}
	if len(m.Layers) != 1 || m.Layers[0].MediaType != MediaTypeLayer {
		t.Fatalf("layers: %+v", m.Layers)
	}
	gz := blob(t, dir, m.Layers[0].Digest)
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if zr.Name != "" || !zr.ModTime.IsZero() {
		t.Errorf("gzip header carries name %q / mtime %v", zr.Name, zr.ModTime)
	}
	tr := tar.NewReader(zr)
	hdr, err := tr.Next()
	if err != nil {
		t.Fatal(err)
	}
	if hdr.Name != "launch" || hdr.Typeflag != tar.TypeReg || hdr.Mode != 0o755 || hdr.Uid != 65532 || hdr.Gid != 65532 || hdr.ModTime.Unix() != 0 {
		t.Errorf("layer entry: %+v", hdr)
	}
	bin, err := io.ReadAll(tr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Next(); err != io.EOF {
		t.Errorf("layer has more than one entry (%v)", err)
	}
	if len(bin) > 3<<20 {
		t.Errorf("%s launcher is %d bytes, over 3 MiB", cfg.Architecture, len(bin))
	}
	// The amd64 binary from the layer must be the working launcher.
	if cfg.Architecture == runtime.GOARCH {
		p := filepath.Join(t.TempDir(), "launch")
		if err := os.WriteFile(p, bin, 0o755); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(p, "--version").Output()
		if err != nil || !strings.HasPrefix(string(out), "rlimit-injector launcher") {
			t.Errorf("launcher from the layer: %q %v", out, err)
		}
		if err := exec.Command(p, "--", "true").Run(); err != nil {
			t.Errorf("launch -- true: %v", err)
		}
	}
}

// checkArchive: the oci-archive holds exactly the files of the layout.
func checkArchive(t *testing.T, data []byte, dir string) {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(data))
	files := 0
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		files++
		content, _ := io.ReadAll(tr)
		if !bytes.Equal(content, mustRead(t, filepath.Join(dir, hdr.Name))) {
			t.Errorf("archive entry %s differs from the layout", hdr.Name)
		}
	}
	blobs, _ := os.ReadDir(filepath.Join(dir, "blobs", "sha256"))
	if files != len(blobs)+2 {
		t.Errorf("archive has %d files, layout %d", files, len(blobs)+2)
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
