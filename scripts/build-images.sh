#!/usr/bin/env bash
# Builds kubelite's local container images with `docker import` (no registry is reachable).
# Each images/<name>/image.conf is a recipe (see images/README.md): a rootfs made from Debian's
# busybox-static plus the recipe's rootfs/ overlay and copied binaries. Every image carries the label
# io.kubelite.image.hash, a hash of everything that went into it; an image whose hash matches is
# left alone, so running this again is fast and changes nothing.
#
# Usage: scripts/build-images.sh [name...]     (default: every recipe under images/)
# Env:   KUBELITE_BUSYBOX   the static busybox binary (default /usr/bin/busybox)
set -euo pipefail
self=$(readlink -f "$0")
cd "$(dirname "$self")/.."

busybox=${KUBELITE_BUSYBOX:-/usr/bin/busybox}
hash_label=io.kubelite.image.hash

if [ ! -x "$busybox" ]; then
  echo "build-images: $busybox not found (install busybox-static)" >&2
  exit 1
fi
if ! docker info >/dev/null 2>&1; then
  echo "build-images: no Docker daemon answers" >&2
  exit 1
fi

work=$(mktemp -d /tmp/kubelite-images.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Values of one directive in a recipe: `conf_values FILE KEY` prints the rest of each `KEY ...` line.
conf_values() {
  awk -v k="$2" '$1 == k { sub(/^[^ \t]+[ \t]+/, ""); print }' "$1"
}

# A binary and the shared libraries (and loader) it needs, one absolute path per line.
binary_closure() {
  echo "$1"
  ldd "$1" | awk '/=> \// { print $3 } /^[ \t]*\/[^ ]+ \(/ { print $1 }'
}

recipe_hash() {
  local dir=$1 conf=$1/image.conf
  {
    sha256sum "$self" "$busybox"
    (cd "$dir" && find . \( -type f -o -type l \) -print | LC_ALL=C sort | while read -r f; do
      stat -c '%n %a' "$f"
      if [ -L "$f" ]; then readlink "$f"; else sha256sum "$f"; fi
    done)
    conf_values "$conf" binary | while read -r bin; do
      binary_closure "$bin" | while read -r f; do sha256sum "$(readlink -f "$f")"; done
    done
  } | sha256sum | cut -c1-16
}

make_rootfs() {
  local dir=$1 root=$2 conf=$1/image.conf
  mkdir -p "$root"/{bin,etc,proc,sys,dev,root,tmp,var/run}
  chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  cp "$busybox" "$root/bin/busybox"
  local applets
  applets=$(conf_values "$conf" applets)
  [ "$applets" = all ] && applets=$("$busybox" --list)
  for a in $applets; do
    [ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"
  done
  conf_values "$conf" binary | while read -r bin; do
    binary_closure "$bin" | while read -r f; do
      mkdir -p "$root$(dirname "$f")"
      cp -L "$f" "$root$f"
    done
  done
  if [ -d "$dir/rootfs" ]; then
    cp -a "$dir/rootfs/." "$root/"
  fi
}

build() {
  local dir=$1 conf=$1/image.conf name tag hash current old
  name=$(basename "$dir")
  tag=$(conf_values "$conf" tag)
  [ -n "$tag" ] || { echo "build-images: $conf has no tag" >&2; return 1; }
  hash=$(recipe_hash "$dir")
  current=$(docker image inspect -f "{{index .Config.Labels \"$hash_label\"}}" "$tag" 2>/dev/null || true)
  if [ "$current" = "$hash" ]; then
    echo "build-images: $tag up to date ($hash)"
    return 0
  fi
  old=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
  local root=$work/$name
  make_rootfs "$dir" "$root"
  local changes=(--change "LABEL $hash_label=$hash io.kubelite.image=$name")
  while IFS= read -r c; do changes+=(--change "$c"); done < <(conf_values "$conf" change)
  tar -C "$root" --numeric-owner --owner=0 --group=0 -cf - . |
    docker import "${changes[@]}" --message "kubelite build-images $name $hash" - "$tag" >/dev/null
  echo "build-images: built $tag ($hash)"
  # The previous build of this tag is now dangling: remove it unless a container still uses it.
  if [ -n "$old" ] && [ "$old" != "$(docker image inspect -f '{{.Id}}' "$tag")" ]; then
    docker rmi "$old" >/dev/null 2>&1 || true
  fi
}

names=("$@")
if [ "${#names[@]}" -eq 0 ]; then
  for conf in images/*/image.conf; do names+=("$(basename "$(dirname "$conf")")"); done
fi
for name in "${names[@]}"; do
  [ -f "images/$name/image.conf" ] || { echo "build-images: no recipe images/$name/image.conf" >&2; exit 1; }
  build "images/$name"
done
