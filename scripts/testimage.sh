#!/usr/bin/env bash
# testimage.sh [--rebuild]
#
# Builds the local base image used by ctxsweep's Docker tests,
# ctxsweep/testbase:bookworm: a Debian bookworm minbase with python3, git,
# ca-certificates and patch (no registry needed). Needs root and a running
# engine (DOCKER_HOST, see scripts/dockerd.sh).
#
# The root filesystem is made with debootstrap from the Debian mirror named in
# the apt sources and cached as a tarball, so that later runs on the same
# machine only `docker import` it (seconds). Nothing happens when the image
# already exists. --rebuild drops the cached tarball and the image first.
#
# Environment: CTXSWEEP_TESTIMAGE (image name), CTXSWEEP_CACHE_DIR (default
# /var/cache/ctxsweep), CTXSWEEP_DEBIAN_MIRROR (overrides the mirror).
set -euo pipefail

IMAGE=${CTXSWEEP_TESTIMAGE:-ctxsweep/testbase:bookworm}
CACHE=${CTXSWEEP_CACHE_DIR:-/var/cache/ctxsweep}
TARBALL=$CACHE/testbase-bookworm.tar
SUITE=bookworm
PACKAGES=python3,git,ca-certificates,patch

say() { echo "testimage.sh: $*" >&2; }

rebuild=0
case "${1:-}" in
"") ;;
--rebuild) rebuild=1 ;;
*) echo "usage: $0 [--rebuild]" >&2; exit 2 ;;
esac

if ! docker version >/dev/null 2>&1; then
  say "no Docker engine answers (DOCKER_HOST=${DOCKER_HOST:-unset}); run: eval \"\$(scripts/dockerd.sh start)\""
  exit 1
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/testbase.lock"
command -v flock >/dev/null && flock 9

if [ "$rebuild" = 1 ]; then
  rm -f "$TARBALL"
  docker image rm "$IMAGE" >/dev/null 2>&1 || true
fi

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  say "$IMAGE already exists"
  exit 0
fi

# debian_mirror prints the first Debian mirror that serves $SUITE itself (not
# -security or -updates) in /etc/apt/sources.list or sources.list.d/*.{list,sources}.
debian_mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    # deb [options] URI SUITE COMPONENTS...
    awk -v suite="$SUITE" '
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == suite) { print $i; exit }
      }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    # deb822 stanzas: Types / URIs / Suites, separated by blank lines.
    awk -v suite="$SUITE" '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && uris != "") {
          split(uris, u, " "); print u[1]; found = 1; exit
        }
        types = ""; uris = ""; suites = ""
      }
      /^[ \t]*$/ { flush(); next }
      /^[ \t]*#/ { next }
      tolower($1) == "types:"  { $1 = ""; types = $0; sub(/^ +/, "", types) }
      tolower($1) == "uris:"   { $1 = ""; uris = $0; sub(/^ +/, "", uris) }
      tolower($1) == "suites:" { $1 = ""; suites = $0; sub(/^ +/, "", suites) }
      END { if (!found) flush() }' "$f"
  done
}

build_rootfs() {
  if ! command -v debootstrap >/dev/null; then
    say "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >&2
  fi
  local mirror=${CTXSWEEP_DEBIAN_MIRROR:-}
  if [ -z "$mirror" ]; then
    mirror=$(debian_mirror | head -n 1)
  fi
  if [ -z "$mirror" ]; then
    mirror=http://deb.debian.org/debian
    say "no $SUITE mirror found in the apt sources; using $mirror"
  fi
  local root
  root=$(mktemp -d "$CACHE/rootfs.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$root' '$TARBALL.tmp'" EXIT
  say "debootstrap $SUITE from $mirror (packages: $PACKAGES)"
  local t0=$SECONDS
  if ! debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$root" "$mirror" \
    >"$CACHE/debootstrap.log" 2>&1; then
    say "debootstrap failed; last lines of $CACHE/debootstrap.log:"
    tail -n 30 "$CACHE/debootstrap.log" >&2
    [ -f "$root/debootstrap/debootstrap.log" ] && tail -n 30 "$root/debootstrap/debootstrap.log" >&2
    exit 1
  fi
  say "debootstrap took $((SECONDS - t0))s"
  # Keep the image small: no package caches, docs, man pages or locales.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin \
    "$root"/var/lib/apt/lists/* "$root"/var/log/* \
    "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/*
  tar --numeric-owner -C "$root" -cf "$TARBALL.tmp" .
  mv "$TARBALL.tmp" "$TARBALL"
  rm -rf "$root"
  trap - EXIT
  say "cached the root filesystem in $TARBALL ($(du -h "$TARBALL" | cut -f1))"
}

t0=$SECONDS
if [ -s "$TARBALL" ]; then
  say "using the cached root filesystem $TARBALL"
else
  build_rootfs
fi
docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["/bin/bash"]' \
  --message "ctxsweep test base ($SUITE minbase + $PACKAGES)" \
  - "$IMAGE" <"$TARBALL" >/dev/null
say "built $IMAGE in $((SECONDS - t0))s"
