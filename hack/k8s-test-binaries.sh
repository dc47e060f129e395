#!/usr/bin/env bash
# Installs (once) and locates the Kubernetes control-plane binaries used by the
# integration tests: etcd, kube-apiserver, kube-controller-manager and kubectl,
# all for one pinned Kubernetes version.
#
# Usage:
#   hack/k8s-test-binaries.sh                       # prints the bin dir
#   hack/k8s-test-binaries.sh --kube-api-test-dir   # prints a dir D with
#       D/k8s/<X.Y.Z>-linux-amd64/{etcd,kube-apiserver,kubectl}
#       (layout of io.fabric8:kube-api-test; use it as KUBE_API_TEST_DIR)
#   hack/k8s-test-binaries.sh --node                # also kubeadm, kubelet, kube-scheduler and
#       kube-proxy, for a kind node image (hack/kind-node-image.sh); prints the bin dir
#
# stdout carries exactly one line (the directory); all progress goes to stderr.
# See hack/README.md, section "Kubernetes test binaries".
#
# Environment:
#   RLIMIT_INJECTOR_CACHE   cache root (default: $HOME/.cache/rlimit-injector)
#   K8S_VERSION             override the pinned version (default below); each
#                           version has its own cache dir, k8s/<version>/ (hack/test.sh
#                           builds the oldest claimed one, v1.35.4, this way)
#   ETCD_SOURCE             debian (default; falls back to go if apt cannot
#                           install it) or go
#   ETCD_GO_VERSION         etcd version for ETCD_SOURCE=go (default: the one
#                           kubernetes' go.mod uses, v3.7.0 for v1.37.2)
#
# Only the Go module proxy and Debian apt are used: kube-apiserver,
# kube-controller-manager and kubectl are built from the k8s.io/kubernetes Go
# module; etcd comes from Debian's etcd-server package (3.4.23 on bookworm), or
# is built from go.etcd.io/etcd/server/v3.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.37.2}"
# etcd: Debian's etcd-server package (default), or ETCD_SOURCE=go to build
# go.etcd.io/etcd/server/v3 (ETCD_GO_VERSION, default: the etcd client version
# in kubernetes' go.mod, v3.7.0 for v1.37.2).
ETCD_SOURCE="${ETCD_SOURCE:-debian}"
ETCD_GO_VERSION="${ETCD_GO_VERSION:-}"

CACHE_ROOT="${RLIMIT_INJECTOR_CACHE:-$HOME/.cache/rlimit-injector}"
VERSION_DIR="$CACHE_ROOT/k8s/$K8S_VERSION"
BIN_DIR="$VERSION_DIR/bin"
case "$(uname -m)" in
  x86_64 | amd64) GOARCH_HOST=amd64 ;;
  aarch64 | arm64) GOARCH_HOST=arm64 ;;
  *) GOARCH_HOST=unsupported ;;
esac
# kube-api-test wants the version without the leading "v" and a -<os>-<arch> suffix.
KAT_DIR="$VERSION_DIR/kube-api-test"
KAT_BIN_DIR="$KAT_DIR/k8s/${K8S_VERSION#v}-linux-$GOARCH_HOST"

mode=bin
case "${1:-}" in
  "") ;;
  --kube-api-test-dir) mode=kat ;;
  --node) mode=node ;;
  -h | --help)
    sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "unknown argument: $1 (try --help)" >&2
    exit 2
    ;;
esac

# What each mode needs built from k8s.io/kubernetes (etcd comes separately).
KUBERNETES_COMMANDS=(kube-apiserver kube-controller-manager kubectl)
if [[ $mode == node ]]; then
  KUBERNETES_COMMANDS+=(kubeadm kubelet kube-scheduler kube-proxy)
fi

log() { printf '[k8s-test-binaries] %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

all_present() {
  local f
  for f in etcd "${KUBERNETES_COMMANDS[@]}"; do
    [[ -x "$BIN_DIR/$f" ]] || return 1
  done
  if [[ $mode == kat ]]; then
    for f in etcd kube-apiserver kubectl; do
      [[ -x "$KAT_BIN_DIR/$f" ]] || return 1
    done
  fi
}

print_result() {
  if [[ $mode == kat ]]; then
    printf '%s\n' "$KAT_DIR"
  else
    printf '%s\n' "$BIN_DIR"
  fi
}

# Fast path: everything is there, do nothing else (no go, no apt).
if all_present; then
  print_result
  exit 0
fi

[[ "$(uname -s)" == Linux ]] || die "only Linux is supported"
[[ $GOARCH_HOST != unsupported ]] || die "unsupported architecture $(uname -m)"

command -v go >/dev/null || die "go is required (Go >= 1.24) to build Kubernetes"
mkdir -p "$BIN_DIR"

# Serialise concurrent runs (two test suites starting at once).
exec 9>"$VERSION_DIR/.lock"
if command -v flock >/dev/null; then
  log "waiting for lock $VERSION_DIR/.lock"
  flock 9
fi
# Leftovers of a killed build (we hold the lock, so nobody else is building).
rm -rf "$VERSION_DIR"/.build.*

# Build-time metadata for component-base/version (what /version reports).
ver_no_v="${K8S_VERSION#v}"
K8S_MAJOR="${ver_no_v%%.*}"
rest="${ver_no_v#*.}"
K8S_MINOR="${rest%%.*}"
STAGING_VERSION="v0.${ver_no_v#*.}" # v1.37.2 -> v0.37.2

# Prints the ./staging/... replacements of kubernetes' go.mod, one module path
# a line. Handles both the block form and single-line replace directives.
staging_modules() {
  awk '
    /^replace[ \t]*\($/ { inblock = 1; next }
    inblock && /^\)/     { inblock = 0; next }
    inblock              { if ($3 ~ /^\.\/staging\//) print $1; next }
    /^replace[ \t]/      { if ($4 ~ /^\.\/staging\//) print $2 }
  ' "$1"
}

# Prints the path of kubernetes' go.mod for $K8S_VERSION (downloads the module).
kubernetes_gomod() {
  local json f
  # Run outside any module (VERSION_DIR has no go.mod) so the answer does not
  # depend on the wrapper's state.
  json="$(cd "$VERSION_DIR" && GOFLAGS="" GOWORK=off go mod download -json "k8s.io/kubernetes@$K8S_VERSION")" ||
    die "go mod download k8s.io/kubernetes@$K8S_VERSION failed: $json"
  f="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
  [[ -f $f ]] || die "cannot find kubernetes go.mod in: $json"
  printf '%s\n' "$f"
}

# Builds Go main packages from k8s.io/kubernetes into $BIN_DIR, atomically.
# Args: package paths relative to k8s.io/kubernetes (e.g. cmd/kube-apiserver).
build_kubernetes() {
  local src="$VERSION_DIR/src" gomod_file n m pkgs=() tmpout start
  mkdir -p "$src"
  log "resolving k8s.io/kubernetes@$K8S_VERSION via the Go module proxy"
  gomod_file="$(kubernetes_gomod)"

  # Wrapper module: same go/godebug lines as kubernetes itself, so the runtime
  # defaults match an upstream build; staging modules point at their
  # published v0.X.Y (generated from kubernetes' own replace block).
  local tmpmod
  tmpmod="$(mktemp "$src/go.mod.XXXXXX")"
  {
    echo "module rlimit-injector.local/k8s-test-binaries"
    echo
    grep -E '^(go|godebug) ' "$gomod_file"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    n=0
    while read -r m; do
      printf '\t%s => %s %s\n' "$m" "$m" "$STAGING_VERSION"
      n=$((n + 1))
    done < <(staging_modules "$gomod_file")
    echo ")"
  } >"$tmpmod"
  ((n > 0)) || die "found no ./staging replace directives in $gomod_file"
  if ! cmp -s "$tmpmod" "$src/go.mod"; then
    mv "$tmpmod" "$src/go.mod"
    rm -f "$src/go.sum"
  else
    rm -f "$tmpmod"
  fi
  log "wrapper module $src/go.mod: $n staging modules -> $STAGING_VERSION"

  local p
  for p in "$@"; do pkgs+=("k8s.io/kubernetes/$p"); done
  local vpkg ldflags="-s -w"
  for vpkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $vpkg.gitVersion=$K8S_VERSION"
    ldflags+=" -X $vpkg.gitMajor=$K8S_MAJOR"
    ldflags+=" -X $vpkg.gitMinor=$K8S_MINOR"
    ldflags+=" -X $vpkg.gitTreeState=clean"
    ldflags+=" -X $vpkg.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    # The module proxy does not tell us the commit: empty rather than the
    # "$Format:%H$" placeholder.
    ldflags+=" -X $vpkg.gitCommit="
  done

  tmpout="$(mktemp -d "$VERSION_DIR/.build.XXXXXX")"
  # shellcheck disable=SC2064 # expand now: the path is fixed
  trap "rm -rf '$tmpout'" EXIT
  start=$SECONDS
  log "go build ${pkgs[*]} (a first build takes about 7 min on 2 cores)"
  (
    cd "$src"
    # -mod=mod lets go fill go.sum from the proxy; the go.mod we wrote already
    # pins everything through kubernetes' own requirements.
    CGO_ENABLED=0 GOOS=linux GOARCH="$GOARCH_HOST" GOWORK=off \
      go build -mod=mod -trimpath -buildvcs=false -ldflags "$ldflags" \
      -o "$tmpout/" "${pkgs[@]}"
  ) >&2 || die "go build failed"
  for p in "$@"; do
    mv -f "$tmpout/$(basename "$p")" "$BIN_DIR/$(basename "$p")"
  done
  rm -rf "$tmpout"
  trap - EXIT
  log "built $* in $((SECONDS - start))s"
}

# etcd from Debian (apt-get install etcd-server), symlinked into $BIN_DIR.
# Returns non-zero if it cannot be installed (no apt, no root/sudo, apt error).
install_etcd_debian() {
  local sudo=()
  if [[ ! -x /usr/bin/etcd ]]; then
    command -v apt-get >/dev/null || { log "apt-get not available"; return 1; }
    if [[ $(id -u) -ne 0 ]]; then
      sudo -n true 2>/dev/null || { log "not root and no passwordless sudo"; return 1; }
      sudo=(sudo -n)
    fi
    log "installing Debian package etcd-server"
    # The package's own service is not needed (and in a container without an
    # init system it is not started); we only use the binary.
    if ! { "${sudo[@]}" apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq etcd-server; } >&2; then
      log "apt-get install etcd-server failed"
      return 1
    fi
  fi
  ln -sfn /usr/bin/etcd "$BIN_DIR/etcd"
}

# etcd built from go.etcd.io/etcd/server/v3, whose root package is the etcd
# server's main. Version: $ETCD_GO_VERSION, else the etcd client version that
# kubernetes' go.mod requires (the etcd that Kubernetes release was tested with).
install_etcd_go() {
  local src="$VERSION_DIR/etcd-src" version="$ETCD_GO_VERSION" tmpout start
  if [[ -z $version ]]; then
    version="$(awk '$1 == "go.etcd.io/etcd/client/v3" { print $2; exit }' "$(kubernetes_gomod)")"
    [[ -n $version ]] || die "cannot find go.etcd.io/etcd/client/v3 in kubernetes' go.mod"
  fi
  mkdir -p "$src"
  printf 'module rlimit-injector.local/etcd\n\ngo 1.24.0\n\nrequire go.etcd.io/etcd/server/v3 %s\n' \
    "$version" >"$src/go.mod"
  tmpout="$(mktemp -d "$VERSION_DIR/.build.XXXXXX")"
  # shellcheck disable=SC2064 # expand now: the path is fixed
  trap "rm -rf '$tmpout'" EXIT
  start=$SECONDS
  log "go build go.etcd.io/etcd/server/v3@$version"
  (
    cd "$src"
    CGO_ENABLED=0 GOWORK=off go build -mod=mod -trimpath -buildvcs=false -ldflags "-s -w" \
      -o "$tmpout/etcd" go.etcd.io/etcd/server/v3
  ) >&2 || die "go build etcd failed"
  rm -f "$BIN_DIR/etcd" # may be a symlink to the Debian binary
  mv -f "$tmpout/etcd" "$BIN_DIR/etcd"
  rm -rf "$tmpout"
  trap - EXIT
  log "built etcd $version in $((SECONDS - start))s"
}

missing=()
for b in "${KUBERNETES_COMMANDS[@]}"; do
  [[ -x "$BIN_DIR/$b" ]] || missing+=("cmd/$b")
done
if ((${#missing[@]} > 0)); then
  build_kubernetes "${missing[@]}"
fi

if [[ ! -x "$BIN_DIR/etcd" ]]; then
  case "$ETCD_SOURCE" in
    debian) install_etcd_debian || {
      log "falling back to building etcd from the Go module proxy"
      install_etcd_go
    } ;;
    go) install_etcd_go ;;
    *) die "ETCD_SOURCE must be debian or go" ;;
  esac
fi

if [[ $mode == kat ]]; then
  mkdir -p "$KAT_BIN_DIR"
  for b in etcd kube-apiserver kubectl; do
    ln -sfn "$BIN_DIR/$b" "$KAT_BIN_DIR/$b"
  done
fi

all_present || die "binaries still missing in $BIN_DIR"
log "ready: $BIN_DIR"
print_result
