#!/usr/bin/env bash
# Builds the two images, and pushes them when given a registry.
#
#   bash hack/build-images.sh                        # tarballs only
#   REGISTRY=ghcr.io/me bash hack/build-images.sh    # build and push both; prints the digests for Helm
#
# Outputs without REGISTRY:
#   target/launcher/image.tar  launcher image (OCI archive, multi-arch); built offline by src/launcher/build.sh
#   target/jib-image.tar       webhook image (Jib) on the jlinked base that hack/webhook-base.sh makes here for
#                              the host's platform (no registry), unless BASE_IMAGE says otherwise, with the class
#                              data archive that hack/webhook-class-archive.sh trains in it (a pushed multi-arch
#                              image has none: its platforms cannot all run here)
# Environment:
#   REGISTRY    push to REGISTRY/rlimit-injector:TAG and REGISTRY/launcher:TAG (needs credentials for skopeo
#               and Jib, e.g. from `docker login` or `skopeo login`)
#   TAG         image tag (default: the Maven project version)
#   BASE_IMAGE  webhook base image (docker://IMAGE, tar:///PATH or a registry reference); a push defaults to
#               eclipse-temurin:21-jre (pom.xml), which exists for both platforms
#   DIGESTS     with REGISTRY: a file to write the pushed references to, as WEBHOOK_IMAGE=REPO@DIGEST and
#               LAUNCHER_IMAGE=REPO@DIGEST lines (hack/release.sh reads it)
# The launcher image and a pushed webhook image are reproducible: same sources, same digests (Jib fixes timestamps; so
# does the launcher writer). The local webhook image's archive comes from a training run, whose class list varies.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Maven 3.8 colours even forced output: strip the escapes.
version=$(mvn -B -q org.apache.maven.plugins:maven-help-plugin:3.5.1:evaluate -Dexpression=project.version \
  -DforceStdout | sed 's/\x1b\[[0-9;]*m//g')
tag="${TAG:-${version,,}}" # Jib rejects upper case in a tag
base=()
if [[ -n ${BASE_IMAGE:-} ]]; then
  base=("-Djib.from.image=$BASE_IMAGE")
elif [[ -z ${REGISTRY:-} ]]; then
  base=("-Djib.from.image=tar://$(bash hack/webhook-base.sh)")
fi

# The jar and the launcher image; tests are for hack/test.sh.
IMAGE_TAG="$tag" mvn -B -q -DskipTests package

if [[ -z ${REGISTRY:-} ]]; then
  # A tarball holds one platform: the host's.
  arch=$(uname -m)
  case "$arch" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; esac
  jib=(mvn -B -q "${base[@]}" -Djib.from.platforms="linux/$arch" -Dimage.name="rlimit-injector:$tag")
  # Built twice: the first image trains the class data archive (webhook-class-archive.sh), which the second adds as
  # a layer of its own, the layers below unchanged, so the archive matches the class path it was made for.
  rm -rf target/class-archive
  "${jib[@]}" -Djib.outputPaths.tar=target/jib-image-training.tar jib:buildTar
  docker load -q -i target/jib-image-training.tar >/dev/null
  bash hack/webhook-class-archive.sh "rlimit-injector:$tag" target/class-archive
  "${jib[@]}" -Djib.extraDirectories.paths=target/class-archive \
    -Djib.container.jvmFlags=-XX:SharedArchiveFile=/app/cds/webhook.jsa jib:buildTar
  # -Xshare:on fails the start if the archive cannot be used, where the image's default (auto) would start slower.
  docker load -q -i target/jib-image.tar >/dev/null
  check=$(docker run --rm --network none -e JAVA_TOOL_OPTIONS=-Xshare:on "rlimit-injector:$tag" --help 2>&1) ||
    { echo "$check" >&2; echo "build-images.sh: the webhook image cannot use its class data archive" >&2; exit 1; }
  echo "webhook image:  target/jib-image.tar"
  echo "launcher image: target/launcher/image.tar"
  exit 0
fi

command -v skopeo >/dev/null || { echo "build-images.sh: skopeo is required to push the launcher image" >&2; exit 1; }
webhook="$REGISTRY/rlimit-injector:$tag"
launcher="$REGISTRY/launcher:$tag"
mvn -B -q "${base[@]}" -Dimage.name="$webhook" jib:build
skopeo copy --all "oci:target/launcher/image:$tag" "docker://$launcher"

webhook_digest=$(skopeo inspect --format '{{.Digest}}' "docker://$webhook")
launcher_digest=$(skopeo inspect --format '{{.Digest}}' "docker://$launcher")
echo "pushed $webhook@$webhook_digest"
echo "pushed $launcher@$launcher_digest"
if [[ -n ${DIGESTS:-} ]]; then
  printf 'WEBHOOK_IMAGE=%s\nLAUNCHER_IMAGE=%s\n' "${webhook%:*}@$webhook_digest" "${launcher%:*}@$launcher_digest" >"$DIGESTS"
fi
echo "install by digest with:"
echo "  --set image.repository=$REGISTRY/rlimit-injector --set image.digest=$webhook_digest \\"
echo "  --set launcherImage.repository=$REGISTRY/launcher --set launcherImage.digest=$launcher_digest"
