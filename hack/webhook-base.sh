#!/usr/bin/env bash
# The webhook's base image for the host's platform, made here with no registry: a jlinked Java runtime holding only
# the modules the webhook uses, on the shared libraries that runtime links against, copied from this Debian host's
# packages. No shell, no package manager, no JDK tools; /etc/passwd names user 65532, the image's user (pom.xml).
# Cached in $RLIMIT_INJECTOR_CACHE/images/, keyed by the JDK's version, the modules, the libraries' package versions
# and this script; in Docker as rlimit-injector-e2e/webhook-base:<key>.
#
#   bash hack/webhook-base.sh     # builds it when missing; prints the path of its docker-save archive (for Jib's tar://)
#
# The modules: `jdeps --print-module-deps --ignore-missing-deps` on the jar lists java.base, java.desktop,
# java.instrument, java.naming, java.net.http, java.rmi, java.security.jgss, java.sql, jdk.management. Of those,
# java.desktop (Jackson's optional java.beans support, which tolerates its absence, and a Jetty leak preventer),
# java.instrument, java.rmi and java.security.jgss (Jetty's webapp, JNDI and SPNEGO parts, unused) are left out;
# java.sql stays (fabric8's Jackson module names java.sql.Date), java.naming too (Jetty's certificate aliases use
# javax.naming.ldap). Added: jdk.crypto.ec (EC certificates and keys, ECDHE), jdk.unsupported (sun.misc.Unsafe
# for the libraries that look for it). java.net.http is the registry check's and `check`'s HTTP client;
# jdk.management the JVM metrics'. Not needed: jdk.naming.dns (the JVM resolves through libc), jdk.zipfs,
# jdk.charsets (UTF-8 and ISO-8859-1 are java.base's), jdk.localedata.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib/kind.sh
source hack/lib/kind.sh
# shellcheck disable=SC2034 # kind_log's prefix
KIND_LOG_TAG=webhook-base
images_dir=$KIND_CACHE/images
mkdir -p "$images_dir"

modules=java.base,java.logging,java.management,java.naming,java.net.http,java.sql,jdk.crypto.ec,jdk.management,jdk.unsupported
# No default CDS archive, and the modules compressed (34 -> 15 MB): the webhook image brings its own class data
# archive (webhook-class-archive.sh), with the JDK's classes it uses already parsed in it, so these would only add
# 30 MB to the image. The debug symbols are already stripped in Debian's JDK.
jlink_flags=(--strip-debug --no-header-files --no-man-pages --compress=2)
jdk=$(dirname "$(dirname "$(readlink -f "$(command -v jlink)")")")

# The host's shared libraries the runtime in $1 links against, and the dynamic loader.
runtime_libraries() {
  find "$1" -type f \( -name '*.so' -o -path '*/bin/*' \) -exec ldd {} + 2>/dev/null |
    awk -v own="$1" '$2 == "=>" && $3 ~ /^\// && index($3, own) != 1 {print $3} $1 ~ /^\/.*ld-linux/ {print $1}' |
    sort -u
}

# shellcheck disable=SC2016 # dpkg-query's own format, in single quotes
key_inputs() {
  cat "$jdk/release"
  echo "$modules ${jlink_flags[*]}"
  # The packages of the libraries a runtime of the installed JDK links against, with their versions.
  find "$jdk/lib" "$jdk/bin/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -exec ldd {} + 2>/dev/null |
    awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u | xargs -r -n1 readlink -f | xargs -r dpkg -S 2>/dev/null |
    cut -d: -f1,2 | sort -u | xargs -r dpkg-query -W -f='${Package}:${Architecture} ${Version}\n' 2>/dev/null
  cat "${BASH_SOURCE[0]}"
}

key=$(key_inputs | sha256sum | cut -c1-12)
ref=rlimit-injector-e2e/webhook-base:$key
archive=$images_dir/webhook-base-$key.tar
kind_docker_up >/dev/null
if [[ -f $archive ]]; then
  docker image inspect "$ref" >/dev/null 2>&1 || docker load -q -i "$archive" >/dev/null
  echo "$archive"
  exit 0
fi

root=$(mktemp -d "$images_dir/.root.XXXXXX")
trap 'rm -rf "$root"' EXIT
kind_log "jlink $modules ($jdk)"
# Any jlink output goes to stderr: this script's stdout is only the archive's path.
jlink --add-modules "$modules" "${jlink_flags[@]}" --output "$root/opt/java" >&2
# java.security still lists the security providers of the modules left out (SunJGSS, XMLDSig, SunPCSC, JdkSASL,
# SunPKCS11). The JVM looks for a missing one on the class path, which instantiates every provider there:
# BouncyCastle's, about 700 classes and 9 MiB of heap for nothing (PERFORMANCE.md). Only the providers present stay.
provider_module() {
  case $1 in
    SUN | SunRsaSign | SunJSSE | SunJCE) echo java.base ;;
    SunEC) echo jdk.crypto.ec ;;
    SunJGSS) echo java.security.jgss ;;
    SunSASL) echo java.security.sasl ;;
    XMLDSig) echo java.xml.crypto ;;
    SunPCSC) echo java.smartcardio ;;
    JdkLDAP) echo java.naming ;;
    JdkSASL) echo jdk.security.jgss ;;
    SunPKCS11) echo jdk.crypto.cryptoki ;;
    *) echo unknown ;;
  esac
}
security=$root/opt/java/conf/security/java.security
present=$("$root/opt/java/bin/java" --list-modules | cut -d@ -f1)
kept=()
while read -r provider; do
  grep -qx "$(provider_module "$provider")" <<<"$present" && kept+=("$provider")
done < <(sed -n 's/^security\.provider\.[0-9]*=//p' "$security")
{
  sed '/^security\.provider\.[0-9]*=/d' "$security"
  for i in "${!kept[@]}"; do echo "security.provider.$((i + 1))=${kept[$i]}"; done
} >"$security.new"
mv "$security.new" "$security"
kind_log "security providers: ${kept[*]}"
for lib in $(runtime_libraries "$root/opt/java"); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
mkdir -p "$root/etc" "$root/tmp" "$root/home/nonroot"
chmod 1777 "$root/tmp"
chown 65532:65532 "$root/home/nonroot"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$root/etc/group"
# Debian's order: /etc/hosts (which the kubelet writes) before DNS; glibc's default without the file is the reverse.
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
tar -C "$root" --numeric-owner -c . | docker import --change 'ENV PATH=/opt/java/bin' \
  --change 'ENV JAVA_HOME=/opt/java' - "$ref" >/dev/null
docker save -o "$archive.tmp" "$ref"
mv "$archive.tmp" "$archive"
kind_log "$ref: $(docker image inspect -f '{{.Size}}' "$ref" | awk '{printf "%.1f", $1 / 1e6}') MB"
echo "$archive"
