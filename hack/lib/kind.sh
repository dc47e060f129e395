# shellcheck shell=bash
# Sourced by hack/kind-*.sh: the versions, the cache, the Docker engine and the kind CLI of the project's kind
# cluster. Everything slow to make is cached under $KIND_CACHE, keyed by version. Progress goes to stderr.

# The one Kubernetes version, pinned in hack/k8s-test-binaries.sh (the API-server tests use it too); the images
# kubeadm wants (etcd, coredns, pause) follow from it.
K8S_VERSION="${K8S_VERSION:-$(sed -n 's/^K8S_VERSION="${K8S_VERSION:-\(v[0-9.]*\)}"$/\1/p' hack/k8s-test-binaries.sh)}"
[[ -n $K8S_VERSION ]] || { echo "hack/lib/kind.sh: no K8S_VERSION pinned in hack/k8s-test-binaries.sh" >&2; exit 1; }
export K8S_VERSION
KIND_VERSION="${KIND_VERSION:-v0.33.0}"
# Helm 4 for every script; Helm 3 (as helm3) for the one install the e2e makes with it, for users still on it.
HELM_VERSION="${HELM_VERSION:-v4.3.2}"
HELM3_VERSION="${HELM3_VERSION:-v3.21.4}"
CRICTL_VERSION="${CRICTL_VERSION:-v1.37.0}" # cri-tools' minor follows Kubernetes'
# The node's runtime, built from the module proxy, at the versions kind's images/base/Dockerfile names (image
# volumes, volumes[].image, need containerd 2.1 or newer); CNI plugins likewise, in place of Debian's 1.1.1.
CONTAINERD_VERSION="${CONTAINERD_VERSION:-v2.3.4}"
RUNC_VERSION="${RUNC_VERSION:-v1.4.3}"
CNI_PLUGINS_VERSION="${CNI_PLUGINS_VERSION:-v1.9.1}"
KIND_CLUSTER="${KIND_CLUSTER:-rlimit-injector}"
RLIMIT_INJECTOR_CACHE="${RLIMIT_INJECTOR_CACHE:-$HOME/.cache/rlimit-injector}"
KIND_CACHE="$RLIMIT_INJECTOR_CACHE"
# kind, helm, helm3, crictl, and the docker shim when needed; keyed by all four versions.
KIND_TOOLS="$KIND_CACHE/kind/$KIND_VERSION-helm-$HELM_VERSION-helm3-$HELM3_VERSION-crictl-$CRICTL_VERSION/bin"
# Keyed by everything built into the node image, so an image with another runtime is never reused.
KIND_NODE_KEY="$K8S_VERSION-containerd-$CONTAINERD_VERSION-runc-$RUNC_VERSION-cni-$CNI_PLUGINS_VERSION-kind-$KIND_VERSION"
KIND_NODE_DIR="$KIND_CACHE/kind-node/$KIND_NODE_KEY"
KIND_KUBECONFIG="$KIND_CACHE/kind/kubeconfig-$KIND_CLUSTER"
# The node image built here; KIND_NODE_IMAGE=... takes a published one (kindest/node:vX@sha256:...).
KIND_LOCAL_NODE_IMAGE="rlimit-injector/kind-node:$KIND_NODE_KEY"
KIND_PUBLISHED_NODE_IMAGE="kindest/node:$K8S_VERSION"

# dockerd and friends live in sbin, which a non-login root shell may not have in PATH.
PATH="$PATH:/usr/sbin:/sbin"

kind_log() { printf '[%s] %s\n' "${KIND_LOG_TAG:-kind}" "$*" >&2; }
kind_die() {
  kind_log "ERROR: $*"
  exit 1
}

# Runs "$@" and logs how long it took, as "stage NAME: Ns", also appended to $KIND_STAGE_LOG when set.
kind_stage() {
  local name=$1 start=$SECONDS
  shift
  kind_log "stage $name ..."
  # Returns the failure itself: inside $(...) errexit does not apply, and an empty answer went on as if it were one.
  "$@" || { local rc=$?; kind_log "stage $name failed (exit $rc)"; return "$rc"; }
  kind_log "stage $name: $((SECONDS - start))s"
  [[ -z ${KIND_STAGE_LOG:-} ]] || echo "stage $name: $((SECONDS - start))s" >>"$KIND_STAGE_LOG"
}

# Debian packages, installed once (apt-get update first).
kind_apt_install() {
  local missing=() p
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
  ((${#missing[@]} == 0)) && return 0
  [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null ||
    kind_die "missing packages ${missing[*]}: install them (apt-get install ${missing[*]}) or run as root on Debian"
  kind_log "apt-get install ${missing[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
    >&2 || kind_die "apt-get install ${missing[*]} failed"
}

# A Docker engine that answers: the one running, else Debian's docker.io started here (its log in
# /var/log/rlimit-injector-dockerd.log). Then the two things kind needs from it, checked, not assumed:
# a memory cgroup controller, and --privileged containers (sets KIND_NEEDS_SHIM when those fail).
kind_docker_up() {
  if ! docker info >/dev/null 2>&1; then
    if ! command -v dockerd >/dev/null; then
      kind_apt_install docker.io
    fi
    command -v dockerd >/dev/null || kind_die "no Docker engine: install one (Debian: apt-get install docker.io)"
    if [[ $(id -u) -ne 0 ]]; then
      pgrep -x dockerd >/dev/null &&
        kind_die "the Docker engine runs but does not answer you ($(docker info 2>&1 | tail -n 1)):" \
          "join the docker group or run as root"
      kind_die "no Docker engine runs and only root can start one: run this as root, or start dockerd"
    fi
    if ! pgrep -x dockerd >/dev/null; then
      kind_log "starting dockerd (log: /var/log/rlimit-injector-dockerd.log)"
      # setsid: the daemon outlives this script and is not in its process group.
      setsid dockerd >>/var/log/rlimit-injector-dockerd.log 2>&1 </dev/null &
    fi
    local i
    for i in $(seq 60); do
      docker info >/dev/null 2>&1 && break
      sleep 1
    done
    docker info >/dev/null 2>&1 ||
      kind_die "dockerd did not answer within 60 s; see the end of /var/log/rlimit-injector-dockerd.log"
  fi
  [[ $(docker info --format '{{.MemoryLimit}}') == true ]] ||
    kind_die "Docker reports no memory cgroup controller (docker info: MemoryLimit false): kind nodes and the" \
      "pods' memory limits need it. On cgroup v2 enable the memory controller; on cgroup v1 boot with" \
      "cgroup_enable=memory"
  kind_privileged_probe
}

# kind starts every node with `docker run --privileged`. Where root's capability bounding set lacks a
# capability (CAP_SYS_RESOURCE on this project's CI machines), Docker cannot grant it and runc fails with
# "unable to apply caps". Probes with a tiny static image; on that failure, puts a `docker` shim first in
# kind's PATH that asks for every capability but the missing ones instead.
kind_privileged_probe() {
  local out probe=rlimit-injector/kind-probe:1
  if ! docker image inspect "$probe" >/dev/null 2>&1; then
    command -v gcc >/dev/null || kind_apt_install gcc libc6-dev
    local d
    d=$(mktemp -d)
    printf 'int main(void) { return 0; }\n' >"$d/true.c"
    gcc -static -Os -o "$d/true" "$d/true.c"
    tar -C "$d" -c true | docker import --change 'ENTRYPOINT ["/true"]' - "$probe" >/dev/null
    rm -rf "$d"
  fi
  KIND_NEEDS_SHIM=
  if out=$(docker run --rm --privileged "$probe" 2>&1); then
    return 0
  fi
  if [[ $out != *"apply caps"* ]]; then
    kind_die "docker run --privileged fails here: $out"
  fi
  kind_missing_caps
  [[ -n $KIND_MISSING_CAPS ]] || kind_die "docker run --privileged fails, but no capability is missing: $out"
  docker run --rm "${KIND_PRIVILEGED_ARGS[@]}" "$probe" >/dev/null 2>&1 ||
    kind_die "even without ${KIND_MISSING_CAPS} a near-privileged container fails: $(docker run --rm \
      "${KIND_PRIVILEGED_ARGS[@]}" "$probe" 2>&1)"
  KIND_NEEDS_SHIM=1
  kind_write_shim
}

# Capabilities Docker's --privileged asks for (all the kernel knows) that root's bounding set lacks, in
# KIND_MISSING_CAPS; KIND_PRIVILEGED_ARGS: --privileged without them.
kind_missing_caps() {
  local bnd last names=() i
  bnd=$((16#$(awk '/^CapBnd/ {print $2}' /proc/self/status)))
  last=$(cat /proc/sys/kernel/cap_last_cap)
  # Names of capabilities 0..40, in kernel order.
  names=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP LINUX_IMMUTABLE
    NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE
    SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL
    SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE)
  KIND_PRIVILEGED_ARGS=(--cap-add=ALL)
  KIND_MISSING_CAPS=
  for ((i = 0; i <= last && i < ${#names[@]}; i++)); do
    if (((bnd >> i & 1) == 0)); then
      KIND_MISSING_CAPS+="${KIND_MISSING_CAPS:+ }${names[i]}"
      KIND_PRIVILEGED_ARGS+=("--cap-drop=${names[i]}")
    fi
  done
  # What --privileged gives besides capabilities: writable /proc and /sys, every device.
  KIND_PRIVILEGED_ARGS+=(--security-opt systempaths=unconfined --security-opt apparmor=unconfined
    "--device-cgroup-rule=a *:* rwm" --device /dev/kmsg)
}

# $KIND_TOOLS/shim/docker: `docker run --privileged` becomes the arguments above, `docker exec --privileged`
# a plain exec (the node's processes already hold every capability the machine allows).
kind_write_shim() {
  local real
  real=$(command -v docker)
  mkdir -p "$KIND_TOOLS/shim"
  {
    echo '#!/usr/bin/env bash'
    echo "# Written by hack/lib/kind.sh: kind's --privileged, minus what this machine's root lacks."
    printf 'privileged=('
    printf '%q ' "${KIND_PRIVILEGED_ARGS[@]}"
    echo ')'
    echo 'args=()'
    echo 'for a in "$@"; do'
    echo '  if [[ $a == --privileged ]]; then'
    echo '    [[ ${1:-} == run ]] && args+=("${privileged[@]}")'
    echo '  else'
    echo '    args+=("$a")'
    echo '  fi'
    echo 'done'
    echo "exec $real \"\${args[@]}\""
  } >"$KIND_TOOLS/shim/docker.tmp"
  chmod 0755 "$KIND_TOOLS/shim/docker.tmp"
  if cmp -s "$KIND_TOOLS/shim/docker.tmp" "$KIND_TOOLS/shim/docker"; then
    rm "$KIND_TOOLS/shim/docker.tmp"
    return 0
  fi
  mv "$KIND_TOOLS/shim/docker.tmp" "$KIND_TOOLS/shim/docker"
  kind_log "docker run --privileged fails here (root lacks ${KIND_MISSING_CAPS// /, }); kind runs its nodes with" \
    "every other capability instead, through $KIND_TOOLS/shim/docker"
}

# kind itself, with the shim first in its PATH when the probe asked for it.
kind_cli() {
  if [[ -n ${KIND_NEEDS_SHIM:-} ]]; then
    PATH="$KIND_TOOLS/shim:$KIND_TOOLS:$PATH" "$KIND_TOOLS/kind" "$@"
  else
    PATH="$KIND_TOOLS:$PATH" "$KIND_TOOLS/kind" "$@"
  fi
}

# kind, helm, helm3 and crictl (or those named) from the Go module proxy, once per version, into $KIND_TOOLS.
kind_tools() {
  mkdir -p "$KIND_TOOLS"
  local -A pkgs=(
    [kind]="sigs.k8s.io/kind@$KIND_VERSION"
    [helm]="helm.sh/helm/v4/cmd/helm@$HELM_VERSION"
    [helm3]="helm.sh/helm/v3/cmd/helm@$HELM3_VERSION"
    [crictl]="sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION"
  )
  local -A ldflags=(
    [kind]=""
    [helm]="-X helm.sh/helm/v4/internal/version.version=$HELM_VERSION"
    [helm3]="-X helm.sh/helm/v3/internal/version.version=$HELM3_VERSION"
    [crictl]="-X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION"
  )
  local t tmp
  for t in ${*:-kind helm helm3 crictl}; do
    [[ -x $KIND_TOOLS/$t ]] && continue
    command -v go >/dev/null || kind_die "go is required to build $t"
    kind_log "go install ${pkgs[$t]}"
    # Into a directory of its own and then renamed: both helms' commands are called helm.
    tmp=$(mktemp -d "$KIND_TOOLS/.install.XXXXXX")
    (cd /tmp && CGO_ENABLED=0 GOWORK=off GOFLAGS=-buildvcs=false GOBIN="$tmp" \
      nice go install -trimpath -ldflags "-s -w ${ldflags[$t]}" "${pkgs[$t]}") >&2 || kind_die "go install ${pkgs[$t]} failed"
    mv "$tmp/$(basename "${pkgs[$t]%@*}")" "$KIND_TOOLS/$t"
    rm -rf "$tmp"
  done
}

# The directory of a Go module's source for VERSION (downloads it).
kind_module_dir() {
  (cd /tmp && GOFLAGS= GOWORK=off go mod download -json "$1") |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p'
}

# True when `kind-cluster.sh up` has a node image without building one.
kind_node_image_cached() {
  [[ -n ${KIND_NODE_IMAGE:-} || -f $KIND_NODE_DIR/node-image.tar ]] ||
    docker image inspect "$KIND_PUBLISHED_NODE_IMAGE" >/dev/null 2>&1
}

kind_kubectl() { "$KIND_K8S_BIN/kubectl" --kubeconfig "$KIND_KUBECONFIG" "$@"; }
