#!/usr/bin/env bash
# Builds the launcher for linux/amd64 and linux/arm64 and the launcher image.
#   bash src/launcher/build.sh OUTDIR
# Produces OUTDIR/launcher/linux-{amd64,arm64}/launch, OUTDIR/launcher/image/
# (OCI layout) and OUTDIR/launcher/image.tar (oci-archive). Idempotent; no network
# needed (standard library only). Env: LAUNCHER_VERSION (default: dev),
# IMAGE_TAG (default: LAUNCHER_VERSION), SOURCE_DATE_EPOCH (default 0), GO (default go).
set -euo pipefail

if [[ $# -ne 1 || -z "$1" ]]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$1"
out="$(cd "$1" && pwd)/launcher"
go="${GO:-go}"
version="${LAUNCHER_VERSION:-dev}"
tag="${IMAGE_TAG:-$version}"
max_bytes=$((3 * 1024 * 1024))

command -v "$go" >/dev/null || { echo "build.sh: '$go' not found; install Go >= 1.22" >&2; exit 1; }
cd "$here"

for arch in amd64 arm64; do
  dir="$out/linux-$arch"
  mkdir -p "$dir"
  CGO_ENABLED=0 GOOS=linux GOARCH="$arch" "$go" build -trimpath -buildvcs=false \
    -ldflags="-s -w -X main.version=$version" -o "$dir/launch.tmp" .
  mv -f "$dir/launch.tmp" "$dir/launch"
  size=$(stat -c %s "$dir/launch")
  if (( size > max_bytes )); then
    echo "build.sh: $dir/launch is $size bytes, over the 3 MiB budget" >&2
    exit 1
  fi
  echo "built $dir/launch ($size bytes)"
done

# The image tool runs on the build host, so it is built for the host.
tool="$out/.ociimage"
CGO_ENABLED=0 "$go" build -trimpath -buildvcs=false -o "$tool" ./cmd/ociimage
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-0}" "$tool" -out "$out/image" -tar "$out/image.tar" -tag "$tag" \
  -bin "amd64=$out/linux-amd64/launch" -bin "arm64/v8=$out/linux-arm64/launch" >"$out/image.digest"
rm -f "$tool"
echo "image $out/image (index $(cat "$out/image.digest")), archive $out/image.tar"
