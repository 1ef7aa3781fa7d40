#!/bin/bash
# Builds a local stand-in for node:20-bookworm-slim (no image registry is reachable here), used only by
# the container tests and never published: a debootstrap'ed Debian bookworm (minbase) with this machine's
# Node.js and npm, the `node` user (uid/gid 1000, as in the official image) and this machine's extra CA
# certificates (registry traffic is re-signed, so npm inside `docker build` must trust that CA).
# Usage: base-image.sh ROOTFS_CACHE_DIR   (needs DOCKER_HOST pointing at a running engine)
set -euo pipefail
cache=${1:?rootfs cache dir}
docker=${DOCKER:-/usr/bin/docker}
tag=node:20-bookworm-slim
if "$docker" image inspect "$tag" >/dev/null 2>&1; then exit 0; fi
mkdir -p "$cache"
rootfs="$cache/rootfs"
if [ ! -f "$cache/.done" ]; then
  rm -rf "$rootfs"
  mkdir -p "$rootfs"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1
  # The official slim image keeps no apt lists or caches either.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin
  touch "$cache/.done"
fi
node_bin=$(readlink -f "$(command -v node)")
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
install -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
rm -rf "$rootfs/usr/local/lib/node_modules/npm"
mkdir -p "$rootfs/usr/local/lib/node_modules"
cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
mkdir -p "$rootfs/usr/local/share/ca-certificates"
cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/" 2>/dev/null || true
chroot "$rootfs" update-ca-certificates >/dev/null 2>&1
chroot "$rootfs" sh -c 'getent group node >/dev/null || groupadd --gid 1000 node; id node >/dev/null 2>&1 || useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
tar -C "$rootfs" -c . | "$docker" import \
  --change 'ENV NODE_VERSION='"$("$node_bin" --version | tr -d v)" \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  --change 'CMD ["node"]' \
  - "$tag" >/dev/null
echo "built local stand-in $tag"
