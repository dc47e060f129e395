#!/usr/bin/env bash
# A real cgroup v2 memory controller for the launcher: a small Debian guest under QEMU.
# This machine binds its memory controller to cgroup v1; most clusters run v2.
#
#   bash hack/cgroup-v2-guest.sh build     # make the guest once (root); prints its cache directory
#   bash hack/cgroup-v2-guest.sh run DIR   # boot with DIR as /payload, run /payload/run.sh, exit with its status
#   bash hack/cgroup-v2-guest.sh test      # the launcher's cgroup tests (a static test binary) in the guest
#   bash hack/cgroup-v2-guest.sh matrix    # hack/runtime-matrix.sh in the guest -> docs/runtime-matrix.md
#
# QEMU runs in software emulation (TCG): /dev/kvm on this machine kind is PVM, under which a stock
# kernel does not boot. The kernel is Debian's cloud kernel, unpacked from its package (memcg,
# cgroups and the serial console are built in; virtio and 9p are not), so the whole root file system
# travels in the initramfs. See hack/README.md, section "cgroup v2 guest".
#
# Environment: RLIMIT_INJECTOR_CACHE (default $HOME/.cache/rlimit-injector), GUEST_MEM (MiB, default
# 5120: the tests' 4000 MiB allocation must pass the kernel's overcommit check to reach the OOM
# killer; QEMU maps only what the guest touches), GUEST_CPUS (default 2), GUEST_TIMEOUT (seconds for
# one boot, default 600), GUEST_RUNTIMES=1 (the image with a JRE, as `matrix` uses).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
suite=bookworm
mirror=http://deb.debian.org/debian
# kmod loads brd, a RAM disk that gives the guest swap for the memory.swap.max case.
packages=python3-minimal,kmod,util-linux,mount
# A JRE for the runtime matrix only: with Node.js it made the initramfs 4x as large (126 MiB) and the
# boot twice as slow, which the tests do not need. A second image, cached under its own key.
if [[ ${GUEST_RUNTIMES:-} == 1 ]]; then
  packages+=,openjdk-17-jre-headless
fi
cache_root="${RLIMIT_INJECTOR_CACHE:-$HOME/.cache/rlimit-injector}/cgroup-v2-guest"
mem="${GUEST_MEM:-5120}"
cpus="${GUEST_CPUS:-2}"
boot_timeout="${GUEST_TIMEOUT:-600}"

log() { printf '[cgroup-v2-guest] %s\n' "$*" >&2; }
# Temporary directories, removed on exit however it comes.
tmpdirs=()
trap 'rm -rf "${tmpdirs[@]}"' EXIT
newtmp() { # VAR [TEMPLATE]: VAR = a new temporary directory
  local d
  d="$(mktemp -d ${2:+"$2"})"
  tmpdirs+=("$d")
  printf -v "$1" '%s' "$d"
}
die() {
  log "ERROR: $*"
  exit 1
}

# The guest's /init: cgroup v2 as the only hierarchy, the memory controller enabled for the
# root's children, then /payload/run.sh. QEMU exits 0 whatever the guest did, so the payload's
# status is printed on the console, where the host reads it.
init_script() {
  cat <<'EOF'
#!/bin/sh
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
ln -s /proc/self/fd /dev/fd # bash's <(...) needs it
mkdir /dev/shm && mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
echo +memory > /sys/fs/cgroup/cgroup.subtree_control
echo "cgroup-v2-guest: up after $(cut -d' ' -f1 /proc/uptime) s, kernel $(uname -r)"
cd /tmp
/payload/run.sh
echo "cgroup-v2-guest: payload exit $?"
echo o > /proc/sysrq-trigger
sleep 60
EOF
}

key="$suite-$(printf '%s\n' "$packages" "$(init_script)" | sha256sum | cut -c1-12)"
guest="$cache_root/$key"

# install_tools TOOL=PACKAGE...: apt-get installs the packages of the missing tools.
install_tools() {
  local spec missing=()
  for spec in "$@"; do
    command -v "${spec%%=*}" >/dev/null || missing+=("${spec#*=}")
  done
  ((${#missing[@]})) || return 0
  [[ $(id -u) == 0 ]] || die "missing ${missing[*]}: run as root or apt-get install them"
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >&2
}

build() {
  if [[ ! -f $guest/ready ]]; then
    [[ $(id -u) == 0 ]] || die "the first build needs root (debootstrap)"
    install_tools qemu-system-x86_64=qemu-system-x86 debootstrap=debootstrap cpio=cpio zstd=zstd
    mkdir -p "$cache_root"
    exec 9>"$cache_root/.lock"
    flock 9 # a second caller waits for the first build instead of repeating it
    [[ -f $guest/ready ]] || build_locked
    exec 9>&-
  fi
  echo "$guest"
}

build_locked() {
  local start tmp kpkg kver
  start=$(date +%s)
  newtmp tmp "$cache_root/.build.XXXXXX"
  log "building the guest into $guest (first run only; about 3 minutes)"

  # The kernel: unpacked from its package, not installed (no initramfs-tools, no bootloader).
  apt-get update -qq
  kpkg="$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-/ {print $2; exit}')"
  [[ -n $kpkg ]] || die "no linux-image-cloud-amd64 in apt's lists"
  kver="${kpkg#linux-image-}"
  (cd "$tmp" && apt-get download -q "$kpkg" >&2 2>/dev/null)
  dpkg-deb -x "$tmp/${kpkg}"_*.deb "$tmp/kernel"

  debootstrap --variant=minbase --include="$packages" "$suite" "$tmp/rootfs" "$mirror" >"$tmp/debootstrap.log" 2>&1 ||
    die "debootstrap failed: $(tail -5 "$tmp/debootstrap.log")"
  rm -rf "$tmp/rootfs"/var/cache/apt/* "$tmp/rootfs"/var/lib/apt/lists/* \
    "$tmp/rootfs"/usr/share/{doc,man,info,locale}
  mkdir -p "$tmp/rootfs/lib/modules/$kver"
  cp "$tmp/kernel/lib/modules/$kver/kernel/drivers/block/brd.ko" "$tmp/rootfs/lib/modules/$kver/"
  init_script >"$tmp/rootfs/init"
  chmod 755 "$tmp/rootfs/init"

  (cd "$tmp/rootfs" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) | zstd -q -3 -T0 >"$tmp/base.cpio.zst"
  mkdir -p "$guest.new"
  cp "$tmp/kernel/boot/vmlinuz-$kver" "$guest.new/vmlinuz"
  mv "$tmp/base.cpio.zst" "$guest.new/"
  {
    echo "suite $suite, packages $packages"
    echo "kernel $kpkg $(dpkg-deb -f "$tmp/${kpkg}"_*.deb Version)"
    echo "root file system $(du -sm "$tmp/rootfs" | cut -f1) MiB, initramfs $(du -m "$guest.new/base.cpio.zst" | cut -f1) MiB (zstd)"
    echo "built $(date -u +%Y-%m-%dT%H:%MZ) in $(($(date +%s) - start)) s"
  } >"$guest.new/VERSION"
  touch "$guest.new/ready"
  rm -rf "$guest"
  mv "$guest.new" "$guest"
  log "$(tr '\n' ';' <"$guest/VERSION")"
}

# run DIR: boots the guest with DIR as /payload; the console goes to stdout; the exit status is the payload's.
run() {
  local src="$1" work status
  [[ -x $src/run.sh ]] || die "$src/run.sh is missing or not executable"
  build >/dev/null
  install_tools qemu-system-x86_64=qemu-system-x86 cpio=cpio
  newtmp work
  mkdir "$work/root"
  cp -a "$src" "$work/root/payload"
  # The uncompressed payload first: the kernel then unpacks the zstd base after it; appended
  # after the compressed archive, it is lost whenever that archive's size is not a multiple of 4.
  (cd "$work/root" && find . -print0 | cpio --null -o -H newc --quiet) >"$work/initrd"
  cat "$guest/base.cpio.zst" >>"$work/initrd"
  timeout "$boot_timeout" qemu-system-x86_64 -accel tcg -M pc -m "$mem" -smp "$cpus" \
    -display none -serial stdio -monitor none -no-reboot -nic none \
    -kernel "$guest/vmlinuz" -initrd "$work/initrd" -append "console=ttyS0 quiet panic=-1" \
    </dev/null | stdbuf -oL tr -d '\r' | tee "$work/console" || true # the status is read from the console
  status="$(sed -n 's/^cgroup-v2-guest: payload exit \([0-9]*\)$/\1/p' "$work/console" | tail -1)"
  [[ -n $status ]] || die "the guest never reported the payload's exit status (no boot, a crash or the ${boot_timeout}s timeout)"
  return "$status"
}

# test: the launcher's cgroup tests (TestCgroup*, with the v2-only ones of cgroup_v2_test.go) as one
# static test binary in the guest; fails unless every one of them ran and passed there.
test_launcher() {
  local payload names n
  command -v go >/dev/null || die "go is required to build the test binary"
  newtmp payload
  (cd "$repo/src/launcher" &&
    CGO_ENABLED=0 go test -c -tags cgroupv2guest -o "$payload/launcher.test" . &&
    CGO_ENABLED=0 go build -trimpath -o "$payload/launch" .)
  names="$(RLIMIT_INJECTOR_TEST_LAUNCHER="$payload/launch" "$payload/launcher.test" -test.list '^TestCgroup')"
  cat >"$payload/run.sh" <<'EOF'
#!/bin/sh
# Swap on a RAM disk for the memory.swap.max case, then the tests, with skips turned into failures.
insmod /lib/modules/*/brd.ko rd_nr=1 rd_size=524288 && mkswap -q /dev/ram0 && swapon /dev/ram0 || exit 1
RLIMIT_INJECTOR_NO_SKIP=1 RLIMIT_INJECTOR_TEST_LAUNCHER=/payload/launch \
  /payload/launcher.test -test.run '^TestCgroup' -test.v -test.count=1
EOF
  chmod 755 "$payload/run.sh"
  # A separate shell: errexit would not hold inside a function called as `run ... || die`.
  bash "$0" run "$payload" | tee "$payload/console" || die "the tests failed in the guest"
  n=0
  for name in $names; do
    grep -q "^--- PASS: $name " "$payload/console" || die "$name did not pass in the guest"
    n=$((n + 1))
  done
  ! grep -q -- '--- SKIP' "$payload/console" || die "a test skipped in the guest"
  log "all $n cgroup tests ran and passed under cgroup v2"
}

# matrix: hack/runtime-matrix.sh in the image with a JRE, its programs built here by its own
# build_programs (PREBUILT); the result replaces the "cgroup v2, in a QEMU guest" part at the end of
# docs/runtime-matrix.md. Node.js is the host's own binary (standalone, glibc only, as the guest's),
# so that both parts measure the same Node.
matrix() {
  local payload doc="$repo/docs/runtime-matrix.md" marker="## cgroup v2, in a QEMU guest"
  command -v node >/dev/null || die "node is required (the host's Node.js runs in the guest)"
  newtmp payload
  mkdir -p "$payload/prebuilt" "$payload/bin"
  cp "$(readlink -f "$(command -v node)")" "$payload/bin/node"
  (
    assets="$repo/hack/runtime-matrix" work="$payload/prebuilt"
    java_home="${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
    # shellcheck source=runtime-matrix/lib.sh
    source "$assets/lib.sh"
    build_programs
    mv "$launch" "$work/launch"
    rm -rf "$work/build"
    echo "$c_label" >"$work/c-label"
  )
  cp -r "$repo/hack" "$payload/"
  cat >"$payload/run.sh" <<'EOF'
#!/bin/sh
# Kernel messages (the OOM killer's) off the console, which carries the file back.
dmesg -n 1
PATH=/payload/bin:$PATH PREBUILT=/payload/prebuilt CASE_TIMEOUT=300 OUT=/tmp/matrix.md \
  MATRIX_CMD="bash hack/cgroup-v2-guest.sh matrix" bash /payload/hack/runtime-matrix.sh >/dev/null || exit
echo "=== runtime-matrix.md"
cat /tmp/matrix.md
echo "=== end"
EOF
  chmod 755 "$payload/run.sh"
  GUEST_RUNTIMES=1 bash "$0" run "$payload" | tee "$payload/console" || die "the matrix failed in the guest"
  sed -n '/^=== runtime-matrix.md$/,/^=== end$/p' "$payload/console" | sed '1d;$d' >"$payload/v2.md"
  grep -q 'cgroup v2 memory controller' "$payload/v2.md" || die "no cgroup v2 matrix came back from the guest"
  {
    # The cgroup v1 part without any old v2 part (and without its trailing blank lines).
    awk -v m="$marker" '$0 == m {exit} /^$/ {blank++; next} {while (blank) {print ""; blank--} print}' "$doc"
    echo
    sed -e 's/^## /### /' -e "s/^# Runtime matrix (measured)\$/$marker/" "$payload/v2.md"
  } >"$payload/doc.md"
  mv "$payload/doc.md" "$doc"
  log "wrote the cgroup v2 part of docs/runtime-matrix.md"
}

case "${1:-}" in
  build) build ;;
  test) test_launcher ;;
  matrix) matrix ;;
  run)
    [[ $# == 2 ]] || die "usage: $0 run DIR"
    run "$2"
    ;;
  *)
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
