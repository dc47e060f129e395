// Package ociimage writes the launcher image as an OCI image layout (and the
// same as an oci-archive tarball) without Docker or a network: FROM scratch,
// one file /launch, user 65532:65532, one manifest per platform under an
// image index. Everything is byte-for-byte reproducible: fixed mtimes,
// owners and order, and gzip without a timestamp or name.
package ociimage

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// Media types from the OCI image spec.
const (
	MediaTypeIndex    = "application/vnd.oci.image.index.v1+json"
	MediaTypeManifest = "application/vnd.oci.image.manifest.v1+json"
	MediaTypeConfig   = "application/vnd.oci.image.config.v1+json"
	MediaTypeLayer    = "application/vnd.oci.image.layer.v1.tar+gzip"
	refNameAnnotation = "org.opencontainers.image.ref.name"
)

// The image's only file and its non-root owner (the "nonroot" uid of distroless).
const (
	FileName = "launch"
	UID      = 65532
	GID      = 65532
)

// Binary is the launcher for one platform.
type Binary struct {
	Arch    string // GOARCH: amd64, arm64
	Variant string // e.g. v8 for arm64; may be empty
	Path    string
}

// Options fix what would otherwise vary between builds.
type Options struct {
	Epoch int64  // mtime of every file and the config's "created" (SOURCE_DATE_EPOCH)
	Tag   string // org.opencontainers.image.ref.name in index.json
}

type Platform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
	Variant      string `json:"variant,omitempty"`
}

type Descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Platform    *Platform         `json:"platform,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

type Index struct {
	SchemaVersion int          `json:"schemaVersion"`
	MediaType     string       `json:"mediaType"`
	Manifests     []Descriptor `json:"manifests"`
}

type Manifest struct {
	SchemaVersion int          `json:"schemaVersion"`
	MediaType     string       `json:"mediaType"`
	Config        Descriptor   `json:"config"`
	Layers        []Descriptor `json:"layers"`
}

type ImageConfig struct {
	User       string   `json:"User"`
	Entrypoint []string `json:"Entrypoint"`
	WorkingDir string   `json:"WorkingDir"`
}

type Config struct {
	Created      string      `json:"created"`
	Architecture string      `json:"architecture"`
	OS           string      `json:"os"`
	Variant      string      `json:"variant,omitempty"`
	Config       ImageConfig `json:"config"`
	RootFS       struct {
		Type    string   `json:"type"`
		DiffIDs []string `json:"diff_ids"`
	} `json:"rootfs"`
}

// layout collects blobs in memory; the launcher image is a few MiB.
type layout struct {
	blobs map[string][]byte // digest -> content
}

func (l *layout) add(mediaType string, data []byte) Descriptor {
	sum := sha256.Sum256(data)
	d := "sha256:" + hex.EncodeToString(sum[:])
	l.blobs[d] = data
	return Descriptor{MediaType: mediaType, Digest: d, Size: int64(len(data))}
}

func (l *layout) addJSON(mediaType string, v any) (Descriptor, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return Descriptor{}, err
	}
	return l.add(mediaType, data), nil
}

// Write replaces dir with an OCI image layout holding bins and returns the
// digest of the image index.
func Write(dir string, bins []Binary, opt Options) (string, error) {
	l := &layout{blobs: map[string][]byte{}}
	idx := Index{SchemaVersion: 2, MediaType: MediaTypeIndex}
	for _, b := range bins {
		desc, err := l.addImage(b, opt.Epoch)
		if err != nil {
			return "", err
		}
		idx.Manifests = append(idx.Manifests, desc)
	}
	idxDesc, err := l.addJSON(MediaTypeIndex, idx)
	if err != nil {
		return "", err
	}
	if opt.Tag != "" {
		idxDesc.Annotations = map[string]string{refNameAnnotation: opt.Tag}
	}
	top, err := json.Marshal(Index{SchemaVersion: 2, MediaType: MediaTypeIndex, Manifests: []Descriptor{idxDesc}})
	if err != nil {
		return "", err
	}

	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	blobDir := filepath.Join(dir, "blobs", "sha256")
	if err := os.MkdirAll(blobDir, 0o755); err != nil {
		return "", err
	}
	files := map[string][]byte{
		"oci-layout": []byte(`{"imageLayoutVersion":"1.0.0"}`),
		"index.json": top,
	}
	for d, data := range l.blobs {
		files[filepath.Join("blobs", "sha256", d[len("sha256:"):])] = data
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return "", err
		}
	}
	return idxDesc.Digest, nil
}

// addImage adds the layer, config and manifest of one platform.
func (l *layout) addImage(b Binary, epoch int64) (Descriptor, error) {
	bin, err := os.ReadFile(b.Path)
	if err != nil {
		return Descriptor{}, err
	}
	layerTar, err := layerTar(bin, epoch)
	if err != nil {
		return Descriptor{}, err
	}
	gz, err := gzipBytes(layerTar)
	if err != nil {
		return Descriptor{}, err
	}
	layer := l.add(MediaTypeLayer, gz)

	diffID := sha256.Sum256(layerTar)
	cfg := Config{
		Created:      time.Unix(epoch, 0).UTC().Format(time.RFC3339),
		Architecture: b.Arch,
		OS:           "linux",
		Variant:      b.Variant,
		Config: ImageConfig{
			User:       fmt.Sprintf("%d:%d", UID, GID),
			Entrypoint: []string{"/" + FileName},
			WorkingDir: "/",
		},
	}
	cfg.RootFS.Type = "layers"
	cfg.RootFS.DiffIDs = []string{"sha256:" + hex.EncodeToString(diffID[:])}
	cfgDesc, err := l.addJSON(MediaTypeConfig, cfg)
	if err != nil {
		return Descriptor{}, err
	}

	desc, err := l.addJSON(MediaTypeManifest, Manifest{
		SchemaVersion: 2,
		MediaType:     MediaTypeManifest,
		Config:        cfgDesc,
		Layers:        []Descriptor{layer},
	})
	desc.Platform = &Platform{Architecture: b.Arch, OS: "linux", Variant: b.Variant}
	return desc, err
}

// layerTar is the filesystem diff: the single file /launch, mode 0755.
func layerTar(bin []byte, epoch int64) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	hdr := &tar.Header{
		Typeflag: tar.TypeReg,
		Name:     FileName,
		Mode:     0o755,
		Uid:      UID,
		Gid:      GID,
		Size:     int64(len(bin)),
		ModTime:  time.Unix(epoch, 0),
		Format:   tar.FormatUSTAR,
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, err
	}
	if _, err := tw.Write(bin); err != nil {
		return nil, err
	}
	err := tw.Close()
	return buf.Bytes(), err
}

// gzipBytes compresses with an empty gzip header: no name, mtime 0.
func gzipBytes(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	err = zw.Close()
	return buf.Bytes(), err
}

// WriteArchive tars the layout dir into an oci-archive (the layout at the
// root of the tarball), in sorted order with fixed owners and mtimes.
func WriteArchive(dir, tarPath string, epoch int64) error {
	var names []string
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(names)

	tmp := tarPath + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	tw := tar.NewWriter(f)
	for _, name := range names {
		p := filepath.Join(dir, filepath.FromSlash(name))
		info, err := os.Stat(p)
		if err != nil {
			return err
		}
		hdr := &tar.Header{Name: name, ModTime: time.Unix(epoch, 0), Format: tar.FormatUSTAR}
		if info.IsDir() {
			hdr.Typeflag, hdr.Name, hdr.Mode = tar.TypeDir, name+"/", 0o755
		} else {
			hdr.Typeflag, hdr.Mode, hdr.Size = tar.TypeReg, 0o644, info.Size()
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if !info.IsDir() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if _, err := tw.Write(data); err != nil {
				return err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, tarPath)
}
