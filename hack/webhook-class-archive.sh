#!/usr/bin/env bash
# The webhook image's class data archive (AppCDS), made by running the image itself: a training start of `serve`
# records the classes it loads, up to the end of its warm-up, which sends the built-in AdmissionReview through TLS,
# HTTP/2, Javalin and the handler; then the image's own JVM dumps them into one static archive. Started with it, the
# webhook maps about 6,400 classes parsed and verified instead of loading them from the jars: ready sooner and 6-7
# MiB less RSS (PERFORMANCE.md). The archive is valid only for that image's runtime and class path, which is why it
# is made from the image and not from the host's JDK.
#
#   bash hack/webhook-class-archive.sh IMAGE DIR   # IMAGE in Docker; writes DIR/app/cds/webhook.jsa
#
# The training runs with no network and the chart's JVM flags and memory limit (lib/webhook.sh), as the user who
# runs this script, so DIR stays theirs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib/kind.sh
source hack/lib/kind.sh
# shellcheck source=lib/webhook.sh
source hack/lib/webhook.sh
image=$1
out=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/rlimit-injector-cds.XXXXXX")
container=rlimit-injector-cds-$$
kind_docker_up >/dev/null
trap 'docker rm -f "$container" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
webhook_test_certificate "$work"
run=(docker run --network none --user "$(id -u):$(id -g)" -v "$work:/training")

# The chart's flags: the archive must agree with the runtime's on compressed pointers; the collector's (serial)
# decides that no heap objects are archived, as the JDK 17 maps them only for G1.
docker_flags=(-e "JAVA_TOOL_OPTIONS=$(chart_jvm_flags) -XX:DumpLoadedClassList=/training/classes.lst")
"${run[@]}" -d --name "$container" --memory "$(chart_memory_limit_bytes)" "${docker_flags[@]}" "$image" \
  serve --host 127.0.0.1 --launcher-image-check=false --no-registry --shutdown-delay-seconds 0 \
  --tls-cert /training/tls.crt --tls-key /training/tls.key >/dev/null
for ((i = 0; ; i++)); do
  docker logs "$container" 2>&1 | grep -q 'warmed up through HTTPS' && break
  if [[ $(docker inspect -f '{{.State.Running}}' "$container") != true ]] || ((i >= 600)); then
    docker logs "$container" >&2
    echo "webhook-class-archive.sh: the training start of $image did not warm up" >&2
    exit 1
  fi
  sleep 0.2
done
docker stop -t 30 "$container" >/dev/null

# The dump warns of every class it leaves out (JFR's event classes, proxies generated at run time); those are
# expected, so its log is shown only if it fails.
# shellcheck disable=SC2046 # the flags, word by word
if ! "${run[@]}" --rm --entrypoint java "$image" $(chart_jvm_flags) -Xshare:dump \
  -XX:SharedClassListFile=/training/classes.lst -XX:SharedArchiveFile=/training/webhook.jsa \
  -cp @/app/jib-classpath-file >"$work/dump.log" 2>&1; then
  cat "$work/dump.log" >&2
  exit 1
fi
mkdir -p "$out/app/cds"
mv "$work/webhook.jsa" "$out/app/cds/webhook.jsa"
echo "webhook-class-archive.sh: $(wc -l <"$work/classes.lst") classes listed, archive" \
  "$(du -m "$out/app/cds/webhook.jsa" | cut -f1) MB" >&2
