#!/usr/bin/env bash
# Builds the two Cloud Build builder images the generated cloudbuild.yaml uses, on the engine of
# scripts/engine/engine-up.sh, without any registry (offline: no Docker Hub, no gcr.io):
#   - gcr.io/cloud-builders/docker (+ :latest): a Debian rootfs whose entrypoint is `docker`, the client binary
#     of the host's Debian docker.io (the package also carries the daemon, so only /usr/bin/docker is taken;
#     it is the engine's own version, so client and daemon always agree on the API);
#   - gcr.io/google.com/cloudsdktool/cloud-sdk:slim (+ :latest): the same rootfs (bash, curl, ca-certificates,
#     python3) with the MACHINE's gcloud (/usr/lib/google-cloud-sdk, the same version) minus what `gcloud run /
#     logging / builds / auth / config` never load: the platform/ directory (emulators, google_appengine, bq,
#     gsutil, the bundled Python: Debian's python3 runs gcloud), the big binaries in bin/ (kubectl*, anthoscli,
#     kpt, cbt, spanner emulator, ...) and the cpython-3.12 bytecode (recompiled for the image's Python, so
#     every gcloud call in a step does not recompile what it imports). No entrypoint, CMD bash, like the real one.
# The rootfs (debootstrap minbase from the Debian mirror) is cached under ENGINE_ROOT/cache beside engine-up's;
# each image carries a mentor.recipe label (recipe + suite + gcloud version + docker client checksum), so a
# re-run with everything in place only inspects two images (a second or two).
# Needs: root, Debian, an engine (DOCKER_HOST, else engine-up.sh's ENGINE_ROOT/env), gcloud at /usr/lib/google-cloud-sdk.
# Env: ENGINE_ROOT (default /tmp/mentor-engine), ENGINE_DEBIAN_SUITE (default trixie), DEBIAN_MIRROR,
#      GCLOUD_SDK_ROOT (default /usr/lib/google-cloud-sdk), DOCKER_CLIENT (default /usr/bin/docker).
# Exit codes: 0 ready, 1 failed, 3 not root / not Debian / no gcloud / no engine.
set -euo pipefail
umask 022
ROOT=${ENGINE_ROOT:-/tmp/mentor-engine}; ROOT=${ROOT%/}
SUITE=${ENGINE_DEBIAN_SUITE:-trixie}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SDK=${GCLOUD_SDK_ROOT:-/usr/lib/google-cloud-sdk}; SDK=${SDK%/}
DOCKER_CLIENT=${DOCKER_CLIENT:-/usr/bin/docker}
DOCKER_TAGS=(gcr.io/cloud-builders/docker gcr.io/cloud-builders/docker:latest)
SDK_TAGS=(gcr.io/google.com/cloudsdktool/cloud-sdk:slim gcr.io/google.com/cloudsdktool/cloud-sdk:latest)
# bash and coreutils come with minbase; procps for `ps`/`kill -0` style checks in rollout scripts
BASE_PACKAGES=bash,curl,ca-certificates,python3,procps
BASE_RECIPE=1   # bump when the rootfs recipe changes: invalidates the cached rootfs (and so both images)
RECIPE=3        # bump when an image recipe below changes: rebuilds both images from the cached rootfs
log() { echo "[builder-images] $*"; }
die() { echo "[builder-images] ERROR: $*" >&2; exit 1; }
now() { date +%s%N; }
el() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", (b - a) / 1e9 }'; }
T0=$(now)

[ "$(id -u)" = 0 ] || { echo "[builder-images] must run as root (debootstrap, chroot)" >&2; exit 3; }
[ -f /etc/debian_version ] || { echo "[builder-images] needs Debian (debootstrap)" >&2; exit 3; }
if [ ! -x "$SDK/bin/gcloud" ] || [ ! -s "$SDK/VERSION" ]; then
  echo "[builder-images] no gcloud at $SDK (Debian package google-cloud-cli; set GCLOUD_SDK_ROOT)" >&2; exit 3
fi
[ -x "$DOCKER_CLIENT" ] || { echo "[builder-images] no docker client at $DOCKER_CLIENT (Debian docker.io; engine-up.sh installs it)" >&2; exit 3; }
# the engine: DOCKER_HOST as given, else engine-up.sh's
if [ -z "${DOCKER_HOST:-}" ]; then
  [ -s "$ROOT/env" ] || { echo "[builder-images] no engine: set DOCKER_HOST or run scripts/engine/engine-up.sh first ($ROOT/env is missing)" >&2; exit 3; }
  # shellcheck disable=SC1091
  DOCKER_HOST=$(. "$ROOT/env" && echo "$DOCKER_HOST")
fi
export DOCKER_HOST
timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1 \
  || { echo "[builder-images] the engine at $DOCKER_HOST does not answer: run scripts/engine/engine-up.sh" >&2; exit 3; }
command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install debootstrap; engine-up.sh installs it)"

GCLOUD_VERSION=$(cat "$SDK/VERSION")
DOCKER_SUM=$(sha256sum "$DOCKER_CLIENT" | cut -c1-12)
BASE_STAMP=$(printf '%s|%s|%s|%s' "$BASE_RECIPE" "$SUITE" "$MIRROR" "$BASE_PACKAGES" | sha256sum | cut -c1-12)
BASE_TAR=$ROOT/cache/builder-base-$SUITE-$BASE_STAMP.tar
DOCKER_STAMP=$BASE_STAMP-$RECIPE-docker-$DOCKER_SUM
SDK_STAMP=$BASE_STAMP-$RECIPE-gcloud-$GCLOUD_VERSION
mkdir -p "$ROOT/cache"
# one builder-images run at a time per ENGINE_ROOT
exec 8>"$ROOT/.builder-images.lock"
flock -w 900 8 || die "another builder-images.sh holds $ROOT/.builder-images.lock"

label() { docker image inspect -f '{{ index .Config.Labels "mentor.recipe" }}' "$1" 2>/dev/null || true; }
umount_below() {
  local m
  awk -v r="$1/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
}
# Every recipe's image is also kept as mentor-builders/NAME:STAMP, so switching between checkouts with different
# recipes (branches, worktrees sharing one engine) re-tags in milliseconds instead of rebuilding.
keep() { docker tag "$1" "mentor-builders/$2:$3"; }
from_kept() { # NAME STAMP TAG...: re-tags a kept image of that recipe; false if there is none
  local kept=mentor-builders/$1:$2; shift 2
  [ "$(label "$kept")" = "${kept##*:}" ] || return 1
  tag_all "$kept" "$@"
}
tag_all() { # SOURCE TAG...
  local src=$1 t; shift
  for t in "$@"; do [ "$t" = "$src" ] || docker tag "$src" "$t"; done
}

build_base() {
  local rfs=$ROOT/builder-rootfs t
  t=$(now)
  umount_below "$rfs"; rm -rf "$rfs"
  log "debootstrap $SUITE ($BASE_PACKAGES) from $MIRROR (first time only, ~1 min)"
  if ! debootstrap --variant=minbase --include="$BASE_PACKAGES" "$SUITE" "$rfs" "$MIRROR" >"$ROOT/builder-debootstrap.log" 2>&1; then
    umount_below "$rfs"; tail -20 "$ROOT/builder-debootstrap.log" >&2
    die "debootstrap failed (log: $ROOT/builder-debootstrap.log)"
  fi
  umount_below "$rfs"
  rm -rf "$rfs"/var/cache/apt/archives/*.deb "$rfs"/var/cache/apt/*.bin "$rfs"/var/lib/apt/lists/* \
    "$rfs"/usr/share/man/* "$rfs"/usr/share/info/* "$rfs"/usr/share/locale/* "$rfs"/var/log/*.log "$rfs"/var/log/apt/*
  find "$rfs/usr/share/doc" -type f ! -name copyright -delete 2>/dev/null || true
  : > "$rfs/etc/resolv.conf"; echo localhost > "$rfs/etc/hostname"
  tar --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -C "$rfs" -cf "$BASE_TAR.tmp" .
  mv "$BASE_TAR.tmp" "$BASE_TAR"
  rm -rf "$rfs"
  find "$ROOT/cache" -maxdepth 1 -name "builder-base-$SUITE-*.tar" ! -name "$(basename "$BASE_TAR")" -delete
  log "builder rootfs built and cached ($(du -m "$BASE_TAR" | cut -f1) MB): $(el "$t")"
}

STAGE=$ROOT/builder-stage
cleanup() { umount_below "$STAGE"; rm -rf "$STAGE"; }
trap cleanup EXIT
stage_base() { cleanup; mkdir -p "$STAGE"; tar -xf "$BASE_TAR" -C "$STAGE"; }
import_stage() { # TAG STAMP [docker import -c ...]
  local tag=$1 stamp=$2; shift 2
  tar --numeric-owner -C "$STAGE" -c . | docker import -c "LABEL mentor.recipe=$stamp" -c "LABEL mentor.builder=$tag" "$@" - "$tag" >/dev/null \
    || die "docker import $tag failed"
}
PATH_ENV='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

# ---------------------------------------------------------------------------------------- docker builder
t=$(now)
if [ "$(label gcr.io/cloud-builders/docker)" = "$DOCKER_STAMP" ]; then
  log "gcr.io/cloud-builders/docker present (recipe $DOCKER_STAMP)"
  keep gcr.io/cloud-builders/docker docker "$DOCKER_STAMP"
elif from_kept docker "$DOCKER_STAMP" "${DOCKER_TAGS[@]}"; then
  log "gcr.io/cloud-builders/docker re-tagged from mentor-builders/docker:$DOCKER_STAMP"
else
  [ -s "$BASE_TAR" ] || build_base
  t=$(now); stage_base
  install -m 755 "$DOCKER_CLIENT" "$STAGE/usr/bin/docker"
  import_stage gcr.io/cloud-builders/docker "$DOCKER_STAMP" -c "$PATH_ENV" -c 'ENV LANG=C.UTF-8' -c 'ENTRYPOINT ["/usr/bin/docker"]'
  tag_all gcr.io/cloud-builders/docker "${DOCKER_TAGS[@]}"
  out=$(docker run --rm --network none gcr.io/cloud-builders/docker --version 2>&1) \
    || { docker rmi -f "${DOCKER_TAGS[@]}" >/dev/null 2>&1 || true; die "gcr.io/cloud-builders/docker does not run: $out"; }
  keep gcr.io/cloud-builders/docker docker "$DOCKER_STAMP"
  log "imported gcr.io/cloud-builders/docker ($out): $(el "$t")"
fi

# ------------------------------------------------------------------------------------- cloud-sdk builder
t=$(now)
if [ "$(label gcr.io/google.com/cloudsdktool/cloud-sdk:slim)" = "$SDK_STAMP" ]; then
  log "gcr.io/google.com/cloudsdktool/cloud-sdk:slim present (recipe $SDK_STAMP)"
  keep gcr.io/google.com/cloudsdktool/cloud-sdk:slim cloud-sdk "$SDK_STAMP"
elif from_kept cloud-sdk "$SDK_STAMP" "${SDK_TAGS[@]}"; then
  log "gcr.io/google.com/cloudsdktool/cloud-sdk:slim re-tagged from mentor-builders/cloud-sdk:$SDK_STAMP"
else
  [ -s "$BASE_TAR" ] || build_base
  t=$(now); stage_base
  dest=$STAGE/usr/lib/google-cloud-sdk
  mkdir -p "$dest/bin"
  # the SDK's own files, without platform/ and without the cpython-3.12 bytecode of the bundled Python
  tar -C "$SDK" --exclude='__pycache__' --exclude='*.pyc' -cf - .install README VERSION properties \
    completion.bash.inc data lib | tar -C "$dest" -xf -
  for f in gcloud bootstrapping gcloud-crc32c docker-credential-gcloud git-credential-gcloud.sh; do
    [ -e "$SDK/bin/$f" ] && cp -a "$SDK/bin/$f" "$dest/bin/"
  done
  find "$dest/bin/bootstrapping" -name '__pycache__' -prune -exec rm -rf {} +
  ln -sf ../lib/google-cloud-sdk/bin/gcloud "$STAGE/usr/bin/gcloud"
  ln -sf ../lib/google-cloud-sdk/bin/docker-credential-gcloud "$STAGE/usr/bin/docker-credential-gcloud"
  # bytecode for the image's python3, both cores (its process pool needs /dev/shm); -q: a module that does
  # not compile is gcloud's to fix and is never imported by the commands used here
  mkdir -p "$STAGE/dev/shm"; mount -t tmpfs tmpfs "$STAGE/dev/shm" || die "cannot mount a tmpfs on $STAGE/dev/shm"
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 chroot "$STAGE" /usr/bin/python3 -m compileall -q -j 0 \
    /usr/lib/google-cloud-sdk/lib /usr/lib/google-cloud-sdk/bin/bootstrapping >"$ROOT/builder-compileall.log" 2>&1 || true
  grep -q Traceback "$ROOT/builder-compileall.log" && die "compileall crashed in the image rootfs (log: $ROOT/builder-compileall.log)"
  umount_below "$STAGE"
  import_stage gcr.io/google.com/cloudsdktool/cloud-sdk:slim "$SDK_STAMP" -c "$PATH_ENV:/usr/lib/google-cloud-sdk/bin" \
    -c 'ENV LANG=C.UTF-8' -c 'ENV CLOUDSDK_PYTHON=/usr/bin/python3' -c "LABEL mentor.gcloud-version=$GCLOUD_VERSION" -c 'CMD ["bash"]'
  tag_all gcr.io/google.com/cloudsdktool/cloud-sdk:slim "${SDK_TAGS[@]}"
  # gcloud must run in the image, at the host's version, with the command groups the deploy step uses
  out=$(docker run --rm --network none -e CLOUDSDK_CORE_DISABLE_PROMPTS=1 -e CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=1 \
    gcr.io/google.com/cloudsdktool/cloud-sdk:slim bash -ec '
      gcloud version --format="value(\"Google Cloud SDK\")"
      for g in run logging builds auth config; do gcloud $g --help >/dev/null; done
      gcloud run services update-traffic --help >/dev/null
      curl --version >/dev/null' 2>&1) \
    || { docker rmi -f "${SDK_TAGS[@]}" >/dev/null 2>&1 || true; die "gcloud does not run in cloud-sdk:slim: $out"; }
  [ "$(echo "$out" | tail -1)" = "$GCLOUD_VERSION" ] \
    || { docker rmi -f "${SDK_TAGS[@]}" >/dev/null 2>&1 || true; die "cloud-sdk:slim has gcloud '$out', the host $GCLOUD_VERSION"; }
  size=$(docker image inspect -f '{{.Size}}' gcr.io/google.com/cloudsdktool/cloud-sdk:slim | awk '{ printf "%d MB", $1 / 1e6 }')
  keep gcr.io/google.com/cloudsdktool/cloud-sdk:slim cloud-sdk "$SDK_STAMP"
  log "imported gcr.io/google.com/cloudsdktool/cloud-sdk:slim (gcloud $GCLOUD_VERSION, $size): $(el "$t")"
fi
# the images an earlier recipe left untagged (docker import moved the tags): gone, not 600 MB per rebuild
docker image prune -f --filter dangling=true --filter "label=mentor.builder" >/dev/null 2>&1 || true
log "ready in $(el "$T0")"
