// Command ociimage writes the launcher image (OCI layout directory and
// oci-archive tarball) from prebuilt launcher binaries. Used by build.sh.
//
//	ociimage -out DIR -tar FILE [-tag TAG] -bin amd64=PATH -bin arm64/v8=PATH
//
// SOURCE_DATE_EPOCH, if set, is the mtime of every file (default 0).
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"rlimit-injector.io/launcher/internal/ociimage"
)

type binFlags []ociimage.Binary

func (b *binFlags) String() string { return fmt.Sprint(*b) }

// Set parses ARCH[/VARIANT]=PATH.
func (b *binFlags) Set(s string) error {
	plat, path, ok := strings.Cut(s, "=")
	if !ok || path == "" {
		return fmt.Errorf("want ARCH[/VARIANT]=PATH, got %q", s)
	}
	arch, variant, _ := strings.Cut(plat, "/")
	*b = append(*b, ociimage.Binary{Arch: arch, Variant: variant, Path: path})
	return nil
}

func main() {
	var bins binFlags
	out := flag.String("out", "", "OCI layout directory to (re)create")
	tarPath := flag.String("tar", "", "oci-archive tarball to write (optional)")
	tag := flag.String("tag", "latest", "reference name recorded in index.json")
	flag.Var(&bins, "bin", "ARCH[/VARIANT]=PATH of a launcher binary (repeat per platform)")
	flag.Parse()
	if *out == "" || len(bins) == 0 || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	epoch := int64(0)
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			fmt.Fprintf(os.Stderr, "ociimage: SOURCE_DATE_EPOCH=%q: %v\n", s, err)
			os.Exit(1)
		}
		epoch = v
	}
	digest, err := ociimage.Write(*out, bins, ociimage.Options{Epoch: epoch, Tag: *tag})
	if err == nil && *tarPath != "" {
		err = ociimage.WriteArchive(*out, *tarPath, epoch)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ociimage:", err)
		os.Exit(1)
	}
	fmt.Println(digest)
}
