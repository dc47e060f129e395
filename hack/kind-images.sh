#!/usr/bin/env bash
# The images the end-to-end run needs besides the project's own, all made here from Debian packages (no registry):
#   rlimit-injector-e2e/jre       Debian's openjdk-17-jre-headless with Alloc.class: the JVM test image
#   rlimit-injector-e2e/python    python3, ENTRYPOINT python3 /app/alloc.py, CMD 64
#   rlimit-injector-e2e/node      Debian's nodejs, with /app/alloc.js
#   rlimit-injector-e2e/alloc-c   FROM scratch: a static C allocator, /alloc
# The allocators are hack/runtime-matrix's. Each Debian root filesystem is debootstrapped once and saved in
# $RLIMIT_INJECTOR_CACHE/images/, keyed by its package list. (The webhook's own base: hack/webhook-base.sh.)
#
#   bash hack/kind-images.sh            # builds what is missing into Docker; prints the image names
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib/kind.sh
source hack/lib/kind.sh
KIND_LOG_TAG=kind-images
images_dir=$KIND_CACHE/images
mkdir -p "$images_dir"

kind_docker_up >/dev/null

# debian_image NAME PACKAGE,...: a bookworm minbase root filesystem with the packages, as image
# rlimit-injector-e2e/NAME-base:<key>, from Docker, else from its saved archive, else debootstrapped. Prints the
# archive's path (the image is in Docker either way).
debian_image() {
  local name=$1 packages=$2 key ref archive root
  key=$(printf 'bookworm %s' "$packages" | sha256sum | cut -c1-12)
  ref=rlimit-injector-e2e/$name-base:$key
  archive=$images_dir/$name-base-$key.tar
  if [[ ! -f $archive ]]; then
    if ! docker image inspect "$ref" >/dev/null 2>&1; then
      kind_apt_install debootstrap
      root=$(mktemp -d "$images_dir/.root.XXXXXX")
      mkdir -p "$KIND_CACHE/debs"
      kind_log "debootstrap $name: $packages"
      debootstrap --variant=minbase --cache-dir="$KIND_CACHE/debs" --include="$packages" \
        bookworm "$root" http://deb.debian.org/debian >"$root.log" 2>&1 ||
        kind_die "debootstrap $name failed: $(tail -5 "$root.log")"
      # No package manager state or documentation in a runtime image.
      rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/usr/share/doc "$root"/usr/share/man \
        "$root"/usr/share/locale "$root"/usr/share/info
      tar -C "$root" -c . | docker import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        - "$ref" >/dev/null
      rm -rf "$root" "$root.log"
    fi
    # Saved even when Docker had the image, so a pruned Docker gets it back without debootstrap.
    docker save -o "$archive.tmp" "$ref"
    mv "$archive.tmp" "$archive"
  elif ! docker image inspect "$ref" >/dev/null 2>&1; then
    docker load -q -i "$archive" >/dev/null
  fi
  echo "$archive"
}

# built REF DIR: a legacy `docker build` of DIR/Dockerfile (FROM a local image or scratch: nothing is pulled).
built() {
  local out
  out=$(DOCKER_BUILDKIT=0 docker build -q -t "$1" "$2" 2>&1) || kind_die "docker build $1 failed: $out"
  echo "$1"
}

jre_key=$(basename "$(debian_image jre openjdk-17-jre-headless)" .tar)
python_key=$(basename "$(debian_image python python3)" .tar)
node_key=$(basename "$(debian_image node nodejs)" .tar)
tag_of() { echo "rlimit-injector-e2e/${1%-base-*}-base:${1##*-base-}"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
assets=hack/runtime-matrix
mkdir -p "$work"/{jre,python,node,c}

javac --release 17 -d "$work/jre" "$assets/Alloc.java"
printf 'FROM %s\nCOPY Alloc.class /app/\nWORKDIR /app\n' "$(tag_of "$jre_key")" >"$work/jre/Dockerfile"
built rlimit-injector-e2e/jre:e2e "$work/jre"

cp "$assets/alloc.py" "$work/python/"
printf 'FROM %s\nCOPY alloc.py /app/\nENTRYPOINT ["python3", "/app/alloc.py"]\nCMD ["64"]\n' \
  "$(tag_of "$python_key")" >"$work/python/Dockerfile"
built rlimit-injector-e2e/python:e2e "$work/python"

cp "$assets/alloc.js" "$work/node/"
printf 'FROM %s\nCOPY alloc.js /app/\n' "$(tag_of "$node_key")" >"$work/node/Dockerfile"
built rlimit-injector-e2e/node:e2e "$work/node"

kind_apt_install gcc libc6-dev
gcc -O1 -static -o "$work/c/alloc" "$assets/alloc.c"
printf 'FROM scratch\nCOPY alloc /alloc\nENTRYPOINT ["/alloc"]\n' >"$work/c/Dockerfile"
built rlimit-injector-e2e/alloc-c:e2e "$work/c"
