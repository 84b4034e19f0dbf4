#!/usr/bin/env bash
# The base image of STARE's container image, as a docker-save tarball, made without a container
# engine or registry: Debian's C and C++ runtime and zlib (the packages of this machine's Debian,
# unpacked, no maintainer scripts), a Java runtime cut from this JDK by jlink (the modules STARE
# uses), /tmp, and the user stare (10001). No shell, no package manager. The image profile of the
# deploy module gives it to Jib as `tar://` (docs/kubernetes.md).
#   usage: base-image.sh OUT.tar
set -euo pipefail
out=${1:?usage: base-image.sh OUT.tar}
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/debs" "$work/rootfs" "$work/image"

echo "base image: Debian packages libc6 libgcc-s1 libstdc++6 zlib1g" >&2
(cd "$work/debs" && apt-get download -q libc6 libgcc-s1 libstdc++6 zlib1g 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2)
for deb in "$work"/debs/*.deb; do
  dpkg -x "$deb" "$work/rootfs"
done
rm -rf "$work/rootfs/usr/share/doc" "$work/rootfs/usr/share/lintian" "$work/rootfs/usr/share/locale"

echo "base image: a Java runtime from $(dirname "$(dirname "$(readlink -f "$(command -v jlink)")")")" >&2
jlink --add-modules java.se,jdk.unsupported,jdk.crypto.ec,jdk.management,jdk.jfr,jdk.naming.dns,jdk.zipfs,jdk.net \
  --strip-debug --no-header-files --no-man-pages --output "$work/rootfs/opt/java"

mkdir -p "$work/rootfs/tmp" "$work/rootfs/etc" "$work/rootfs/proc" "$work/rootfs/data"
chmod 1777 "$work/rootfs/tmp"
printf 'root:x:0:0:root:/root:/nonexistent\nstare:x:10001:10001:stare:/data:/nonexistent\n' > "$work/rootfs/etc/passwd"
printf 'root:x:0:\nstare:x:10001:\n' > "$work/rootfs/etc/group"

# Everything owned by root, but the working directory /data, which is the user's.
tar -C "$work/rootfs" --numeric-owner --owner=0 --group=0 --sort=name --mtime=@0 --exclude=./data \
  -cf "$work/image/layer.tar" .
tar -C "$work/rootfs" --numeric-owner --owner=10001 --group=10001 --mtime=@0 --no-recursion \
  -rf "$work/image/layer.tar" ./data
diff_id=$(sha256sum "$work/image/layer.tar" | cut -d' ' -f1)
cat > "$work/image/config.json" <<JSON
{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/opt/java/bin:/usr/bin:/bin","JAVA_HOME=/opt/java"],"User":"10001:10001","WorkingDir":"/data"},"rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]}}
JSON
config_id=$(sha256sum "$work/image/config.json" | cut -d' ' -f1)
mv "$work/image/config.json" "$work/image/$config_id.json"
printf '[{"Config":"%s.json","RepoTags":["stare-base:latest"],"Layers":["layer.tar"]}]\n' "$config_id" > "$work/image/manifest.json"
tar -C "$work/image" --numeric-owner --owner=0 --group=0 -cf "$out" manifest.json "$config_id.json" layer.tar
echo "base image: $out ($(du -h "$out" | cut -f1))" >&2
