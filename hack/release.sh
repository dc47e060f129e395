#!/usr/bin/env bash
# The release, one step per subcommand: .github/workflows/release.yml runs them on a version tag, and
# src/test/java/io/rlimitinjector/release/ReleaseTest runs every step that needs no public registry or OIDC token.
#
#   bash hack/release.sh tools                        # helm, actionlint, cyclonedx-gomod, built once; a PATH prefix
#   bash hack/release.sh lint                         # actionlint on .github/workflows
#   REGISTRY=ghcr.io/o bash hack/release.sh images OUT VERSION
#                                                     # both images, multi-arch, pushed; OUT/digests.env names them
#   bash hack/release.sh sbom OUT VERSION             # OUT/webhook.cdx.json (Maven), OUT/launcher.cdx.json (Go)
#   bash hack/release.sh sign OUT                     # cosign keyless: signs both digests, attaches each SBOM
#   bash hack/release.sh chart OUT VERSION [DIGESTS]  # OUT/rlimit-injector-VERSION.tgz; DIGESTS (a digests.env)
#                                                     # writes both images' repository and digest into its values
#   bash hack/release.sh push-chart TGZ REGISTRY      # helm push to oci://REGISTRY/charts; PLAIN_HTTP=1 for no TLS
#
# VERSION has no leading v (1.2.3). Tools are cached under ${RLIMIT_INJECTOR_CACHE:-~/.cache/rlimit-injector}, keyed
# by version: helm where hack/lib/kind.sh builds it, the others in tools/NAME/VERSION/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib/kind.sh
source hack/lib/kind.sh
KIND_LOG_TAG=release

ACTIONLINT_VERSION=v1.7.12
CYCLONEDX_GOMOD_VERSION=v1.10.0
TOOLS_DIR="$RLIMIT_INJECTOR_CACHE/tools"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

usage() {
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# go_tool NAME PACKAGE VERSION: go install into TOOLS_DIR/NAME/VERSION once; prints that directory.
go_tool() {
  local dir="$TOOLS_DIR/$1/$3"
  if [[ ! -x $dir/$1 ]]; then
    command -v go >/dev/null || kind_die "go is required to build $1"
    kind_log "go install $2@$3"
    mkdir -p "$dir.tmp"
    (cd /tmp && CGO_ENABLED=0 GOWORK=off GOFLAGS=-buildvcs=false GOBIN="$dir.tmp" \
      nice go install -trimpath -ldflags "-s -w" "$2@$3") >&2 || kind_die "go install $2@$3 failed"
    rm -rf "$dir" && mv "$dir.tmp" "$dir" # never a half-written binary in place
  fi
  echo "$dir"
}

# tool_dir NAME: the directory of helm, actionlint or cyclonedx-gomod, built if missing.
tool_dir() {
  case $1 in
    helm) kind_tools helm && echo "$KIND_TOOLS" ;;
    actionlint) go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION" ;;
    cyclonedx-gomod)
      go_tool cyclonedx-gomod github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod "$CYCLONEDX_GOMOD_VERSION" ;;
  esac
}

tools() { echo "$(tool_dir helm):$(tool_dir actionlint):$(tool_dir cyclonedx-gomod)"; }

# use_tools NAME...: those tools first on PATH, so a step runs the versions pinned here.
use_tools() {
  local t
  for t in "$@"; do PATH="$(tool_dir "$t"):$PATH"; done
}

# actionlint runs shellcheck on every run: script when it finds it, so it is required here (apt-get install shellcheck).
lint() {
  command -v shellcheck >/dev/null || kind_die "lint: shellcheck is required (apt-get install shellcheck)"
  use_tools actionlint
  actionlint -no-color -oneline .github/workflows/*.yml # named: no git repository needed
}

images() {
  local out=$1 version=$2
  [[ -n ${REGISTRY:-} ]] || kind_die "images: REGISTRY is required"
  mkdir -p "$out"
  DIGESTS="$out/digests.env" TAG="$version" bash hack/build-images.sh >&2
  cat "$out/digests.env"
}

sbom() {
  local out=$1 version=$2 module=$scratch/launcher
  use_tools cyclonedx-gomod
  mkdir -p "$out"
  out=$(cd "$out" && pwd)
  # The webhook image's Java dependencies: runtime scope, as Jib puts them on its classpath.
  mvn -B -q org.cyclonedx:cyclonedx-maven-plugin:makeBom -DoutputDirectory="$out" -DoutputName=webhook.cdx >&2
  # The launcher, as built for the image (src/launcher/build.sh). cyclonedx-gomod takes the main module's version
  # from git (a tag on HEAD) and fails without a repository it can read (a git worktree is one it cannot), so it
  # reads a copy committed and tagged with the release version.
  cp -r src/launcher "$module"
  git -C "$module" init -q
  git -C "$module" add -A
  git -C "$module" -c user.name=release -c user.email=release@localhost -c commit.gpgsign=false \
    commit -q -m "launcher $version"
  git -C "$module" tag "v$version"
  CGO_ENABLED=0 GOOS=linux GOARCH=amd64 cyclonedx-gomod app -json -std -packages -output "$out/launcher.cdx.json" \
    "$module" >&2
  echo "$out/webhook.cdx.json"
  echo "$out/launcher.cdx.json"
}

sign() {
  local out=$1 webhook launcher
  command -v cosign >/dev/null || kind_die "sign: cosign is required"
  webhook=$(sed -n 's/^WEBHOOK_IMAGE=//p' "$out/digests.env")
  launcher=$(sed -n 's/^LAUNCHER_IMAGE=//p' "$out/digests.env")
  [[ $webhook == *@sha256:* && $launcher == *@sha256:* ]] || kind_die "sign: $out/digests.env names no digests"
  cosign sign --yes "$webhook"
  cosign sign --yes "$launcher"
  cosign attest --yes --type cyclonedx --predicate "$out/webhook.cdx.json" "$webhook"
  cosign attest --yes --type cyclonedx --predicate "$out/launcher.cdx.json" "$launcher"
}

# The chart with its version and appVersion set to VERSION and, given a digests.env, both images pinned by digest
# in values.yaml (the install defaults). Prints the package's path.
chart() {
  local out=$1 version=$2 digests=${3:-} work=$scratch/chart
  use_tools helm
  mkdir -p "$out"
  mkdir -p "$work"
  cp -r charts/rlimit-injector "$work/"
  if [[ -n $digests ]]; then
    local webhook launcher
    webhook=$(sed -n 's/^WEBHOOK_IMAGE=//p' "$digests")
    launcher=$(sed -n 's/^LAUNCHER_IMAGE=//p' "$digests")
    [[ $webhook == *@sha256:* && $launcher == *@sha256:* ]] || kind_die "chart: $digests names no digests"
    # The repository and digest lines of the two top-level blocks image: and launcherImage:, and no others.
    awk -v wr="${webhook%@*}" -v wd="${webhook#*@}" -v lr="${launcher%@*}" -v ld="${launcher#*@}" '
      /^[^ #]/ { block = $1 }
      block == "image:" && /^  repository: / { print "  repository: " wr; n++; next }
      block == "image:" && /^  digest: / { print "  digest: \"" wd "\""; n++; next }
      block == "launcherImage:" && /^  repository: / { print "  repository: " lr; n++; next }
      block == "launcherImage:" && /^  digest: / { print "  digest: \"" ld "\""; n++; next }
      { print }
      END { if (n != 4) { print "chart: " n " of the 4 image lines found in values.yaml" > "/dev/stderr"; exit 1 } }
    ' charts/rlimit-injector/values.yaml >"$work/rlimit-injector/values.yaml"
  fi
  helm package "$work/rlimit-injector" --version "$version" --app-version "$version" --destination "$out" >&2
  [[ -f $out/rlimit-injector-$version.tgz ]] || kind_die "chart: no $out/rlimit-injector-$version.tgz from helm package"
  echo "$out/rlimit-injector-$version.tgz"
}

push_chart() {
  local tgz=$1 registry=$2
  use_tools helm
  helm push "$tgz" "oci://$registry/charts" ${PLAIN_HTTP:+--plain-http} >&2
}

case "${1:-}" in
  tools) tools ;;
  lint) lint ;;
  images) (($# == 3)) || usage && images "$2" "$3" ;;
  sbom) (($# == 3)) || usage && sbom "$2" "$3" ;;
  sign) (($# == 2)) || usage && sign "$2" ;;
  chart) (($# == 3 || $# == 4)) || usage && chart "$2" "$3" "${4:-}" ;;
  push-chart) (($# == 3)) || usage && push_chart "$2" "$3" ;;
  *) usage ;;
esac
