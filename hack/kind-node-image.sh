#!/usr/bin/env bash
# Makes the kind node image for $K8S_VERSION and prints its name. Order of preference:
#   1. KIND_NODE_IMAGE=kindest/node:vX.Y.Z@sha256:... (a published image, pulled by Docker);
#   2. already in the Docker engine, or saved in the cache ($KIND_NODE_DIR/node-image.tar): seconds;
#   3. kind's published kindest/node:$K8S_VERSION, only when already in the Docker engine: nothing is pulled
#      unless KIND_NODE_IMAGE asks for it, since tests reach only loopback and the networks they create;
#   4. built here, offline, from sources only (Go module proxy and Debian packages), then saved in the cache:
#      Kubernetes (hack/k8s-test-binaries.sh --node), etcd, coredns and pause at the versions kubeadm asks for,
#      containerd, runc and the CNI plugins at the versions of hack/lib/kind.sh, kind's base image on a Debian
#      bookworm root filesystem with those instead of Debian's containerd 1.6, runc and CNI plugins.
# See hack/README.md, "kind cluster", for what differs from kind's published images and what it costs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib/kind.sh
source hack/lib/kind.sh
KIND_LOG_TAG=kind-node-image

kind_docker_up
if [[ -n ${KIND_NODE_IMAGE:-} ]]; then
  docker image inspect "$KIND_NODE_IMAGE" >/dev/null 2>&1 || docker pull "$KIND_NODE_IMAGE" >&2 ||
    kind_die "cannot pull $KIND_NODE_IMAGE; unset KIND_NODE_IMAGE to build the node image here, offline"
  echo "$KIND_NODE_IMAGE"
  exit 0
fi
image=$KIND_LOCAL_NODE_IMAGE
saved=$KIND_NODE_DIR/node-image.tar
if docker image inspect "$image" >/dev/null 2>&1; then
  echo "$image"
  exit 0
fi
if docker image inspect "$KIND_PUBLISHED_NODE_IMAGE" >/dev/null 2>&1; then
  echo "$KIND_PUBLISHED_NODE_IMAGE"
  exit 0
fi

# One build at a time: two at once share the work directory and break each other's debootstrap.
mkdir -p "$KIND_NODE_DIR"
exec 9>"$KIND_NODE_DIR/.lock"
kind_log "waiting for lock $KIND_NODE_DIR/.lock"
flock 9
if [[ -f $saved ]]; then
  kind_stage load-node-image docker load -q -i "$saved" >&2
  echo "$image"
  exit 0
fi
kind_log "no node image here: building one (about 20 minutes on 2 cores, once)"

bin=$KIND_NODE_DIR/bin
work=$KIND_NODE_DIR/work
mkdir -p "$bin"
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

# go build MODULE@VERSION's main package PKG into $bin/NAME-VERSION, in a throwaway wrapper module (go mod raises
# its go line to the module's). GO_TAGS, GO_LDFLAGS and CGO_ENABLED (default 0): what the module's own build sets.
go_build_main() {
  local name=$1 module=$2 version=$3 pkg=$4 src
  [[ -x $bin/$name-$version ]] && return 0
  src=$work/src-$name
  mkdir -p "$src"
  printf 'module rlimit-injector.local/%s\n\ngo 1.24.0\n\nrequire %s %s\n' "$name" "$module" "$version" >"$src/go.mod"
  (cd "$src" && CGO_ENABLED=${CGO_ENABLED:-0} GOWORK=off GOFLAGS=-buildvcs=false nice go build -mod=mod -trimpath \
    -tags "${GO_TAGS:-}" -ldflags "-s -w ${GO_LDFLAGS:-}" -o "$bin/$name-$version.tmp" "$pkg") >&2 ||
    kind_die "go build $module@$version failed"
  mv "$bin/$name-$version.tmp" "$bin/$name-$version"
}

# The runtime first (it needs nothing else here).
# containerd, its CLI and its runc shim, as containerd's Makefile builds them but without cgo (no btrfs,
# devicemapper or zfs snapshotters: the node uses overlayfs); the version it reports is set as its Makefile does.
build_containerd() {
  local c
  for c in containerd ctr containerd-shim-runc-v2; do
    GO_TAGS="no_btrfs no_devmapper no_zfs" GO_LDFLAGS="-X github.com/containerd/containerd/v2/version.Version=$CONTAINERD_VERSION" \
      go_build_main "$c" github.com/containerd/containerd/v2 "$CONTAINERD_VERSION" "github.com/containerd/containerd/v2/cmd/$c"
  done
}
# runc as its Makefile's `static` target: cgo for seccomp (Debian's static libseccomp), linked statically.
build_runc() {
  [[ -x $bin/runc-$RUNC_VERSION ]] && return 0
  kind_apt_install gcc libc6-dev libseccomp-dev pkg-config
  CGO_ENABLED=1 GO_TAGS="seccomp netgo osusergo" GO_LDFLAGS="-extldflags -static" \
    go_build_main runc github.com/opencontainers/runc "$RUNC_VERSION" github.com/opencontainers/runc
  ! ldd "$bin/runc-$RUNC_VERSION" >/dev/null 2>&1 || kind_die "runc $RUNC_VERSION is not static: $(ldd "$bin/runc-$RUNC_VERSION")"
}
# The CNI plugins the node's bridge network uses (kind's Dockerfile builds the same but bridge, which kindnetd's
# network does not need), without cgo, with the version they report set as their release builds do.
CNI_PLUGINS=(ipam/host-local main/loopback main/ptp meta/portmap main/bridge)
build_cni() {
  local p
  for p in "${CNI_PLUGINS[@]}"; do
    GO_LDFLAGS="-X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=$CNI_PLUGINS_VERSION" \
      go_build_main "${p#*/}" github.com/containernetworking/plugins "$CNI_PLUGINS_VERSION" \
      "github.com/containernetworking/plugins/plugins/$p"
  done
}
kind_stage containerd build_containerd
kind_stage runc build_runc
kind_stage cni-plugins build_cni

k8s_bin=$(kind_stage kubernetes bash hack/k8s-test-binaries.sh --node)
# The images kubeadm will ask the node for, e.g. registry.k8s.io/etcd:3.6.5-0.
mapfile -t wanted < <("$k8s_bin/kubeadm" config images list --kubernetes-version "$K8S_VERSION" 2>/dev/null)
image_of() { printf '%s\n' "${wanted[@]}" | grep -E "/$1:" || kind_die "kubeadm asks for no $1 image"; }
etcd_ref=$(image_of etcd)
coredns_ref=$(image_of coredns)
pause_ref=$(image_of pause)
etcd_version=v${etcd_ref##*:}
etcd_version=${etcd_version%-*}
coredns_version=${coredns_ref##*:}
pause_version=${pause_ref##*:}

kind_stage etcd go_build_main etcd go.etcd.io/etcd/server/v3 "$etcd_version" go.etcd.io/etcd/server/v3
kind_stage coredns go_build_main coredns github.com/coredns/coredns "$coredns_version" github.com/coredns/coredns
# pause is C, shipped in the Kubernetes module.
if [[ ! -x $bin/pause-$pause_version ]]; then
  kind_apt_install gcc libc6-dev
  gcc -Os -Wall -Werror -static -DVERSION="v$pause_version" -o "$bin/pause-$pause_version" \
    "$(kind_module_dir "k8s.io/kubernetes@$K8S_VERSION")/build/pause/linux/pause.c"
  strip "$bin/pause-$pause_version"
fi

kind_tools # crictl goes into the base image, kind builds the node image
kind_src=$(kind_module_dir "sigs.k8s.io/kind@$KIND_VERSION")
files=$kind_src/images/base/files

# --- kind's base image: what images/base/Dockerfile installs, from Debian's packages and the runtime built above -
build_base() {
  local r=$work/base
  kind_apt_install debootstrap
  mkdir -p "$KIND_CACHE/debs"
  debootstrap --variant=minbase --cache-dir="$KIND_CACHE/debs" \
    --include=systemd,systemd-sysv,dbus,conntrack,iptables,nftables,iproute2,ethtool,util-linux,mount,kmod,libseccomp2,pigz,fuse-overlayfs,e2fsprogs,bash,ca-certificates,curl,jq,procps \
    bookworm "$r" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
    kind_die "debootstrap failed: $(tail -5 "$work/debootstrap.log")"
  # kind's own files, as its Dockerfile copies them.
  install -m0755 "$files"/usr/local/bin/* "$r/usr/local/bin/"
  mkdir -p "$r/kind" "$r/LICENSES" "$r/etc/systemd/system/kubelet.service.d" "$r/etc/kubernetes/manifests"
  cp -r "$files/kind/." "$r/kind/"
  chmod -R a+rX "$r/kind"
  chmod 0755 "$r"/kind/bin/*
  cp "$files"/LICENSES/* "$r/LICENSES/"
  install -m0644 "$files/etc/crictl.yaml" "$r/etc/"
  install -D -m0644 "$files/etc/containerd/config.toml" "$r/etc/containerd/config.toml"
  install -m0644 "$files/etc/default/kubelet" "$r/etc/default/"
  install -m0644 "$files"/etc/sysctl.d/* "$r/etc/sysctl.d/"
  find "$files/etc/systemd/system" -maxdepth 1 -type f -exec install -m0644 {} "$r/etc/systemd/system/" \;
  install -m0644 "$files"/etc/systemd/system/kubelet.service.d/* "$r/etc/systemd/system/kubelet.service.d/"
  # Nodes here may lack CAP_SYS_RESOURCE (see lib/kind.sh), which a negative oom_score_adj needs.
  sed -i -e "s#sandbox_image = .*#sandbox_image = \"$pause_ref\"#" \
    -e 's#restrict_oom_score_adj = false#restrict_oom_score_adj = true#' "$r/etc/containerd/config.toml"
  # Where kind's Dockerfile puts them: containerd's unit runs /usr/local/bin/containerd, which finds the rest in PATH.
  local c
  for c in containerd ctr containerd-shim-runc-v2; do
    install -m0755 "$bin/$c-$CONTAINERD_VERSION" "$r/usr/local/bin/$c"
  done
  install -m0755 "$bin/runc-$RUNC_VERSION" "$r/usr/local/sbin/runc"
  install -m0755 "$KIND_TOOLS/crictl" "$r/usr/local/bin/crictl"
  mkdir -p "$r/opt/cni/bin"
  for c in "${CNI_PLUGINS[@]}"; do
    install -m0755 "$bin/${c#*/}-$CNI_PLUGINS_VERSION" "$r/opt/cni/bin/${c#*/}"
  done
  # No kindnetd offline: one node, one bridge (kind create runs with disableDefaultCNI).
  mkdir -p "$r/etc/cni/net.d"
  cat >"$r/etc/cni/net.d/10-bridge.conflist" <<'EOF'
{"cniVersion": "0.4.0", "name": "bridge", "plugins": [
  {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.244.0.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}
EOF
  # Without --privileged (the docker shim) /sys and the cgroup mounts come read-only and /dev/kmsg is missing:
  # the entrypoint makes them as --privileged would, before anything else. A no-op on a privileged node.
  awk '/^# validate state$/ && !done {
      print "# rlimit-injector: writable /sys and cgroups, and /dev/kmsg, also without --privileged"
      print "mount -o remount,rw /sys || true"
      print "if findmnt -rn -t tmpfs /sys/fs/cgroup >/dev/null; then mount -o remount,rw /sys/fs/cgroup || true; fi"
      print "for m in $(findmnt -rn -o TARGET -t cgroup,cgroup2); do mount -o remount,bind,rw \"$m\" || true; done"
      print "[ -e /dev/kmsg ] || mknod -m 0640 /dev/kmsg c 1 11 || true"
      print ""; done = 1 }
    { print }' "$files/usr/local/bin/entrypoint" >"$r/usr/local/bin/entrypoint"
  grep -q 'also without --privileged' "$r/usr/local/bin/entrypoint" || kind_die "kind's entrypoint changed: no '# validate state'"
  # The Dockerfile's RUN steps.
  chroot "$r" /bin/bash -euc '
    find /lib/systemd/system/sysinit.target.wants/ -name systemd-tmpfiles-setup.service -delete
    rm -f /lib/systemd/system/multi-user.target.wants/* /etc/systemd/system/*.wants/* \
      /lib/systemd/system/local-fs.target.wants/* /lib/systemd/system/sockets.target.wants/*udev* \
      /lib/systemd/system/sockets.target.wants/*initctl* /lib/systemd/system/basic.target.wants/*
    echo ReadKMsg=no >>/etc/systemd/journald.conf
    ln -sf /usr/lib/systemd/systemd /sbin/init
    systemctl enable kubelet.service containerd.service undo-mount-hacks.service
    systemctl mask systemd-binfmt.service
    ctr oci spec | jq ".hooks.createContainer[.hooks.createContainer | length] |= . + {\"path\": \"/kind/bin/mount-product-files.sh\"}" |
      jq "del(.process.rlimits)" >/etc/containerd/cri-base.json
  ' >&2
  rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin "$r"/usr/share/doc "$r"/usr/share/man "$r"/usr/share/locale
  tar -C "$r" -c . | docker import --change 'ENV container=docker' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]' - rlimit-injector/kind-base:import >/dev/null
  # docker import cannot set STOPSIGNAL; a build of one metadata line on the local image can.
  local out
  out=$(printf 'FROM rlimit-injector/kind-base:import\nSTOPSIGNAL SIGRTMIN+3\n' |
    DOCKER_BUILDKIT=0 docker build -q -t rlimit-injector/kind-base:build - 2>&1) || kind_die "docker build failed: $out"
  docker rmi rlimit-injector/kind-base:import >/dev/null
}

# --- the Kubernetes server tarball `kind build node-image --type file` reads -----------------------------------
# image REF NAME DIR FILE: FROM scratch, FILE as /usr/local/bin/NAME and ENTRYPOINT, DIR's files (if any) added.
image() {
  local ref=$1 binary=$2 extra=$3 d
  d=$(mktemp -d "$work/image.XXXXXX")
  mkdir -p "$d/usr/local/bin" "$d/tmp" "$d/etc"
  chmod 1777 "$d/tmp"
  cp "$4" "$d/usr/local/bin/$binary"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534::/:/sbin/nologin\n' >"$d/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$d/etc/group"
  [[ -z $extra ]] || cp -a "$extra/." "$d/"
  tar -C "$d" -c . | docker import --change 'ENV PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENTRYPOINT [\"/usr/local/bin/$binary\"]" - "$ref" >/dev/null
  rm -rf "$d"
}

# kube-proxy needs iptables (its nft backend) and conntrack: those of the base root filesystem, with their libraries.
iptables_files() {
  local r=$work/base x=$work/iptables f lib t
  mkdir -p "$x/usr/sbin" "$x/lib64" "$x/usr/lib/x86_64-linux-gnu" "$x/etc"
  for f in /usr/sbin/xtables-nft-multi /usr/sbin/nft /usr/sbin/conntrack; do cp -a "$r$f" "$x$f"; done
  for t in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
    ln -sf xtables-nft-multi "$x/usr/sbin/$t"
  done
  cp -a "$r/usr/lib/x86_64-linux-gnu/xtables" "$x/usr/lib/x86_64-linux-gnu/"
  for lib in $(for f in /usr/sbin/xtables-nft-multi /usr/sbin/nft /usr/sbin/conntrack /usr/lib/x86_64-linux-gnu/xtables/*.so; do
    chroot "$r" ldd "${f#"$r"}"; done 2>/dev/null | grep -o '/[^ ]*\.so[^ ]*' | sort -u); do
    mkdir -p "$x$(dirname "$lib")"
    cp -L "$r$lib" "$x$lib"
  done
  cp -a "$r/etc/ethertypes" "$r/etc/protocols" "$r/etc/services" "$x/etc/" 2>/dev/null || true
  echo "$x"
}

build_tarball() {
  local out=$work/out/kubernetes server c extras
  server=$out/server/bin
  mkdir -p "$server"
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    image "registry.k8s.io/$c:$K8S_VERSION" "$c" "" "$k8s_bin/$c"
    docker save -o "$server/$c.tar" "registry.k8s.io/$c:$K8S_VERSION"
  done
  image "registry.k8s.io/kube-proxy:$K8S_VERSION" kube-proxy "$(iptables_files)" "$k8s_bin/kube-proxy"
  image "$etcd_ref" etcd "" "$bin/etcd-$etcd_version"
  image "$coredns_ref" coredns "" "$bin/coredns-$coredns_version"
  image "$pause_ref" pause "" "$bin/pause-$pause_version"
  # kind's build pulls every image it wants that its archives lack: the network and storage add-ons it always
  # bundles get stand-ins (pause) under their names, never run (no kindnetd: disableDefaultCNI).
  mapfile -t extras < <(grep -rhoE 'docker\.io/kindest/(kindnetd|local-path-provisioner|local-path-helper):[^"]+' \
    "$kind_src/pkg/build/nodeimage/" | sort -u)
  for c in "${extras[@]}"; do image "$c" pause "" "$bin/pause-$pause_version"; done
  # kind reads the tags of an archive from its `repositories` file when it comes first, and compares full names:
  # every other image goes into kube-proxy.tar that way.
  local m=$work/multi
  mkdir -p "$m"
  docker save "registry.k8s.io/kube-proxy:$K8S_VERSION" "$etcd_ref" "$coredns_ref" "$pause_ref" "${extras[@]}" |
    tar -C "$m" -x
  sed -i 's#"kindest/#"docker.io/kindest/#g' "$m/manifest.json" "$m/repositories"
  (cd "$m" && tar -cf "$server/kube-proxy.tar" repositories manifest.json $(ls | grep -vxE 'repositories|manifest.json'))
  for c in kubeadm kubelet kubectl; do cp "$k8s_bin/$c" "$server/"; done
  echo -n "$K8S_VERSION" >"$out/version"
  tar -C "$work/out" -cf "$work/kubernetes-server-linux-amd64.tar.gz" -I 'gzip -1' kubernetes
  docker rmi "registry.k8s.io/kube-apiserver:$K8S_VERSION" "registry.k8s.io/kube-controller-manager:$K8S_VERSION" \
    "registry.k8s.io/kube-scheduler:$K8S_VERSION" "registry.k8s.io/kube-proxy:$K8S_VERSION" "$etcd_ref" \
    "$coredns_ref" "$pause_ref" "${extras[@]}" >/dev/null
}

build_node() {
  kind_cli build node-image --type file "$work/kubernetes-server-linux-amd64.tar.gz" \
    --base-image rlimit-injector/kind-base:build --image "$image" >&2
  docker rmi rlimit-injector/kind-base:build >/dev/null
  docker save -o "$saved.tmp" "$image"
  mv "$saved.tmp" "$saved"
}

kind_stage base-image build_base
kind_stage server-tarball build_tarball
kind_stage kind-build-node-image build_node
echo "$image"
