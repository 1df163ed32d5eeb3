#!/usr/bin/env bash
# Brings up a real Docker engine test bed on Debian, as root, without Docker Hub:
#   - dockerd (Debian docker.io) on its own socket, data-root and exec-root under ENGINE_ROOT;
#     full mode first (overlay2 + bridge/NAT, so `-p` works), else minimal (vfs, no iptables, no bridge, or a
#     bridge of its own when another dockerd runs: `--bridge=none` would delete that engine's docker0);
#   - python:3.11-slim: a Debian (trixie: Python 3.13, FastAPI 0.115, pydantic 2, uvicorn 0.32) rootfs made
#     offline by debootstrap from the Debian mirror, carrying what FastAPI apps' requirements pull in
#     (fastapi[all]/[standard] minus fastapi-cli, uvicorn[standard], pydantic-settings, gunicorn, httpx) and
#     Poetry 2.1 with poetry-plugin-export, so that `pip install -r requirements.txt` of those (unpinned, or
#     pinned to the installed versions) and `poetry export` are no-ops / work without an index
#     (relax-metadata.py makes Debian's metadata agree with what is installed); the rootfs tar is cached under
#     ENGINE_ROOT/cache (re-runs take seconds);
#   - busybox:latest (from the host's busybox-static);
#   - two local registries (Debian docker-registry): open on 127.0.0.1:5000, htpasswd-auth on 127.0.0.1:5001.
# Writes ENGINE_ROOT/env (sourceable; DOCKER_HOST, DOCKER_SOCKET, ENGINE_MODE, REGISTRY_OPEN, REGISTRY_AUTH,
# REGISTRY_USER, REGISTRY_PASS). Idempotent: a still-running engine / registry from an earlier run is reused.
# Stop everything with scripts/engine/engine-down.sh (PURGE=1 also deletes ENGINE_ROOT, cache included).
#
# Env: ENGINE_ROOT (default /tmp/mentor-engine), ENGINE_DEBIAN_SUITE (default trixie),
#      DEBIAN_MIRROR (default http://deb.debian.org/debian), ENGINE_FORCE_MINIMAL=1 (skip the full-mode attempt),
#      ENGINE_REGISTRY_OPEN_PORT (default 5000), ENGINE_REGISTRY_AUTH_PORT (default 5001),
#      ENGINE_BRIDGE / ENGINE_BRIDGE_CIDR (full mode: a bridge of its own instead of docker0; automatic when
#      another dockerd already runs on this host).
# Exit codes: 0 ready, 1 failed, 3 not root / not Debian.
set -euo pipefail
umask 022
ROOT=${ENGINE_ROOT:-/tmp/mentor-engine}; ROOT=${ROOT%/}
SUITE=${ENGINE_DEBIAN_SUITE:-trixie}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
OPEN_PORT=${ENGINE_REGISTRY_OPEN_PORT:-5000}
AUTH_PORT=${ENGINE_REGISTRY_AUTH_PORT:-5001}
REQUESTED_MODE=full; [ "${ENGINE_FORCE_MINIMAL:-0}" = 1 ] && REQUESTED_MODE=minimal
SOCK=$ROOT/docker.sock
export DOCKER_HOST=unix://$SOCK
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Everything in the image besides minbase. passwd/adduser: Dockerfiles run `useradd` / `adduser --system`.
# Then what generated and users' Dockerfiles install: fastapi[all] / [standard] (email-validator, jinja2,
# python-multipart (FastAPI's; python3-multipart is another project), itsdangerous, yaml, ujson, orjson,
# pydantic-settings, pydantic-extra-types), uvicorn[standard] (uvloop, httptools, watchfiles, websockets,
# dotenv), gunicorn (python3-gunicorn is the module, gunicorn the command), typer, and Poetry with its export
# plugin. python3-cffi-backend by name: debootstrap does not resolve the virtual python3-cffi-backend-api-*
# that python3-cryptography (poetry -> keyring -> secretstorage) depends on.
PY_PACKAGES=python3,python3-pip,python3-fastapi,python3-uvicorn,uvicorn,python3-httpx,passwd,adduser,ca-certificates
PY_PACKAGES+=,python3-email-validator,python3-jinja2,python3-python-multipart,python3-itsdangerous,python3-yaml
PY_PACKAGES+=,python3-ujson,python3-orjson,python3-pydantic-settings,python3-pydantic-extra-types
PY_PACKAGES+=,python3-uvloop,python3-httptools,python3-watchfiles,python3-websockets,python3-dotenv
PY_PACKAGES+=,python3-gunicorn,gunicorn,python3-typer
PY_PACKAGES+=,python3-poetry,python3-poetry-core,python3-poetry-plugin-export,python3-cffi-backend
PY_TAGS="python:3.11-slim python:3.11 python:3.12-slim python:3.13-slim"
RECIPE=5   # bump when the image recipe below changes: invalidates the cached rootfs and the imported image
# relax-metadata.py is part of the recipe: editing it rebuilds the image too
RELAX_SUM=$(sha256sum "$HERE/relax-metadata.py" | cut -c1-12)
STAMP=$(printf '%s|%s|%s|%s|%s' "$RECIPE" "$SUITE" "$MIRROR" "$PY_PACKAGES" "$RELAX_SUM" | sha256sum | cut -c1-12)
BASE_TAR=$ROOT/cache/python-$SUITE-$STAMP.tar

T0=$(date +%s%N)
now() { date +%s%N; }
el() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", (b - a) / 1e9 }'; }
log() { echo "[engine-up] $*"; }
die() { echo "[engine-up] ERROR: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || { echo "[engine-up] must run as root (starts dockerd, uses apt-get and debootstrap)" >&2; exit 3; }
[ -f /etc/debian_version ] || { echo "[engine-up] needs Debian (apt: docker.io, debootstrap, docker-registry)" >&2; exit 3; }
case "$ROOT" in /*) ;; *) die "ENGINE_ROOT must be an absolute path" ;; esac
[ -d "$ROOT" ] || { mkdir -p "$ROOT"; chmod 700 "$ROOT"; }   # holds the registry credentials
mkdir -p "$ROOT"/{data,exec,cache,reg-open,reg-auth}
# one engine-up at a time per ENGINE_ROOT (fd 9 is closed for every daemon started below)
exec 9>"$ROOT/.lock"
flock -w 600 9 || die "another engine-up holds $ROOT/.lock"

# ------------------------------------------------------------------------------------------------ apt
APT_PACKAGES="docker.io debootstrap docker-registry apache2-utils busybox-static curl ca-certificates iptables iproute2 procps"
missing=""
for p in $APT_PACKAGES; do
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || missing="$missing $p"
done
if [ -n "$missing" ]; then
  t=$(now); export DEBIAN_FRONTEND=noninteractive
  log "apt-get install$missing"
  # keep the packages' init scripts from starting a system dockerd / registry on :5000 while installing
  policy_added=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; policy_added=1
  fi
  rc=0
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null; } || rc=$?
  [ "$policy_added" = 1 ] && rm -f /usr/sbin/policy-rc.d
  [ "$rc" = 0 ] || die "apt-get install$missing failed (exit $rc)"
  log "apt: $(el "$t")"
fi

# --------------------------------------------------------------------------------------------- helpers
ping_sock() { curl -fsS --max-time 3 --unix-socket "$SOCK" http://engine/_ping >/dev/null 2>&1; }
# pid from FILE if that process is alive and its command line contains PATTERN (guards against reused pids)
live_pid() {
  local f=$1 pat=$2 p
  [ -s "$f" ] || return 1
  p=$(tr -dc 0-9 < "$f"); [ -n "$p" ] || return 1
  kill -0 "$p" 2>/dev/null || return 1
  local cmd; cmd=$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null) || return 1
  # that program, and started for this ENGINE_ROOT (its command line names a file under it)
  case "$cmd" in *"$pat"*"$ROOT/"*) ;; *) return 1 ;; esac
  echo "$p"
}
# unmounts everything below DIR (deepest first): for leftovers of an interrupted debootstrap or dockerd
umount_below() {
  local m
  for m in $(awk -v r="$1/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do umount -l "$m" 2>/dev/null || true; done
}
http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$1" 2>/dev/null || true; }

# ---------------------------------------------------------------------------------------------- engine
# Full mode uses the default bridge docker0, unless ENGINE_BRIDGE names another one, or another dockerd
# already runs on this host (two engines on one docker0 would hand out the same container IPs): then this
# engine gets a bridge of its own (created here, deleted by engine-down.sh).
BRIDGE_ARGS=()
choose_bridge() {
  local want=${ENGINE_BRIDGE:-} cidr=${ENGINE_BRIDGE_CIDR:-} n i
  if [ -z "$want" ]; then
    [ -n "$(pgrep -x dockerd || true)" ] || return 0
    want=mentor$(printf %s "$ROOT" | sha256sum | cut -c1-6)
    log "another dockerd runs on this host: this engine gets its own bridge $want"
  fi
  [ "$want" = docker0 ] && return 0
  if ! ip link show "$want" >/dev/null 2>&1; then
    if [ -z "$cidr" ]; then
      n=$(( 0x$(printf %s "$ROOT" | sha256sum | cut -c1-2) ))
      for i in $(seq 0 255); do
        ip -4 route show | grep -q "^10\.213\.$(( (n + i) % 256 ))\." || { cidr=10.213.$(( (n + i) % 256 )).1/24; break; }
      done
      [ -n "$cidr" ] || die "no free 10.213.x.0/24 subnet for bridge $want"
    fi
    ip link add "$want" type bridge && ip addr add "$cidr" dev "$want" && ip link set "$want" up \
      || die "cannot create bridge $want ($cidr)"
    echo "$want" > "$ROOT/bridge"   # ours: engine-down.sh deletes it
  fi
  BRIDGE_ARGS=(--bridge="$want")
}

start_dockerd() {
  rm -f "$SOCK" "$ROOT/dockerd.pid"
  setsid dockerd --host "unix://$SOCK" --data-root "$ROOT/data" --exec-root "$ROOT/exec" \
    --pidfile "$ROOT/dockerd.pid" "$@" >"$ROOT/dockerd.log" 2>&1 </dev/null 9>&- &
  local pid=$! i
  for i in $(seq 1 150); do
    if ping_sock; then echo "$pid" > "$ROOT/dockerd.pid"; return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$ROOT/dockerd.pid"
  return 1
}

t=$(now)
if pid=$(live_pid "$ROOT/dockerd.pid" dockerd) && ping_sock; then
  ENGINE_MODE=$(cat "$ROOT/mode" 2>/dev/null || echo full)
  log "reusing the running dockerd (pid $pid, $ENGINE_MODE)"
else
  if pid=$(live_pid "$ROOT/dockerd.pid" dockerd); then   # alive but not answering: replace it
    log "dockerd pid $pid does not answer on $SOCK; stopping it"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  umount_below "$ROOT/exec"; umount_below "$ROOT/data"   # leftovers of a dockerd that was killed
  ENGINE_MODE=full
  [ "$REQUESTED_MODE" = minimal ] || choose_bridge
  if [ "$REQUESTED_MODE" = minimal ] || ! start_dockerd ${BRIDGE_ARGS[@]+"${BRIDGE_ARGS[@]}"}; then
    if [ "$REQUESTED_MODE" != minimal ]; then
      log "full-mode dockerd (overlay2 + bridge) failed; falling back to vfs without iptables. Last log lines:"
      tail -5 "$ROOT/dockerd.log" 2>/dev/null | sed 's/^/    /' || true
    fi
    ENGINE_MODE=minimal
    # --bridge=none makes dockerd DELETE docker0: never do that under another engine; use a bridge of our own
    MIN_NET=(--bridge=none)
    if [ -n "$(pgrep -x dockerd || true)" ]; then
      [ ${#BRIDGE_ARGS[@]} -gt 0 ] || choose_bridge
      MIN_NET=(${BRIDGE_ARGS[@]+"${BRIDGE_ARGS[@]}"})
    fi
    start_dockerd --storage-driver=vfs --iptables=false ${MIN_NET[@]+"${MIN_NET[@]}"} \
      || { tail -20 "$ROOT/dockerd.log" >&2; die "dockerd did not start in minimal mode either (log: $ROOT/dockerd.log)"; }
  fi
  echo "$ENGINE_MODE" > "$ROOT/mode"
  log "dockerd up (pid $(cat "$ROOT/dockerd.pid"), $ENGINE_MODE, $(docker info -f '{{.Driver}}' 2>/dev/null)): $(el "$t")"
fi

# ---------------------------------------------------------------------------------------- base images
image_label() { docker image inspect -f '{{ index .Config.Labels "mentor.recipe" }}' "$1" 2>/dev/null || true; }

build_rootfs() {
  local rfs=$ROOT/rootfs t
  t=$(now)
  umount_below "$rfs"; rm -rf "$rfs"
  log "debootstrap $SUITE ($PY_PACKAGES) from $MIRROR (first time only, ~1 min)"
  if ! debootstrap --variant=minbase --include="$PY_PACKAGES" "$SUITE" "$rfs" "$MIRROR" >"$ROOT/debootstrap.log" 2>&1; then
    umount_below "$rfs"; tail -20 "$ROOT/debootstrap.log" >&2
    die "debootstrap failed (log: $ROOT/debootstrap.log)"
  fi
  umount_below "$rfs"
  # `pip install -r requirements.txt` must be a no-op offline: no PEP 668 marker, no index (PIP_NO_INDEX in
  # the image), and Debian's metadata made to agree with what is installed (pip's resolver re-checks the
  # requirements of installed distributions): relax-metadata.py relaxes stale pins and drops extra-only
  # requirements Debian does not package, printing each one. Clean environment: the host's PIP_* must not leak.
  rm -f "$rfs"/usr/lib/python3*/EXTERNALLY-MANAGED
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 chroot "$rfs" /usr/bin/python3 - \
    < "$HERE/relax-metadata.py" > "$ROOT/relax-metadata.log" 2>&1 \
    || { cat "$ROOT/relax-metadata.log" >&2; umount_below "$rfs"; die "relax-metadata.py failed in the rootfs"; }
  sed 's/^/    /' "$ROOT/relax-metadata.log"
  # the official image has python/pip in /usr/local/bin
  ln -sf /usr/bin/python3 "$rfs/usr/local/bin/python"; ln -sf /usr/bin/python3 "$rfs/usr/local/bin/python3"
  ln -sf /usr/bin/pip3 "$rfs/usr/local/bin/pip"; ln -sf /usr/bin/pip3 "$rfs/usr/local/bin/pip3"
  rm -rf "$rfs"/var/cache/apt/archives/*.deb "$rfs"/var/cache/apt/*.bin "$rfs"/var/lib/apt/lists/* \
    "$rfs"/usr/share/man/* "$rfs"/usr/share/info/* "$rfs"/usr/share/locale/* "$rfs"/var/log/*.log "$rfs"/var/log/apt/*
  find "$rfs/usr/share/doc" -type f ! -name copyright -delete 2>/dev/null || true
  : > "$rfs/etc/resolv.conf"; echo localhost > "$rfs/etc/hostname"
  tar --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -C "$rfs" -cf "$BASE_TAR.tmp" .
  mv "$BASE_TAR.tmp" "$BASE_TAR"
  rm -rf "$rfs"
  find "$ROOT/cache" -maxdepth 1 -name "python-$SUITE-*.tar" ! -name "$(basename "$BASE_TAR")" -delete
  log "rootfs built and cached ($(du -m "$BASE_TAR" | cut -f1) MB): $(el "$t")"
}

verify_python_image() {
  # what generated and users' Dockerfiles do: pip install -r requirements.txt (unpinned, with extras, into
  # --prefix for a multi-stage build), poetry export, useradd/adduser, uvicorn/gunicorn; each pip install must
  # be a no-op (nothing under the prefix) since there is no index
  docker run --rm --network none python:3.11-slim sh -ec '
    python --version
    python -c "import fastapi, pydantic, starlette, uvicorn, httpx; print(\"fastapi\", fastapi.__version__, \"pydantic\", pydantic.VERSION, \"starlette\", starlette.__version__)"
    python -c "import jinja2, python_multipart, email_validator, itsdangerous, yaml, ujson, orjson, uvloop, httptools, watchfiles, websockets, dotenv, pydantic_settings, pydantic_extra_types, typer, gunicorn"
    python -m uvicorn --version
    gunicorn --version
    poetry --version
    poetry export --help >/dev/null
    command -v useradd >/dev/null && command -v adduser >/dev/null
    useradd --system --no-create-home probe1 && adduser --system --no-create-home probe2 >/dev/null
    noop() { # requirement...: pip install -r of these installs nothing
      printf "%s\n" "$@" > /tmp/requirements.txt
      pip install --no-cache-dir --prefix=/install -r /tmp/requirements.txt >/tmp/pip.log 2>&1 || { cat /tmp/pip.log; exit 1; }
      [ ! -e /install ] || { echo "pip installed something for $*:"; find /install | head; exit 1; }
      echo "no-op: pip install $*"
    }
    noop fastapi uvicorn
    noop "fastapi[all]"
    noop "fastapi[standard]"
    noop "uvicorn[standard]" gunicorn
    noop poetry poetry-plugin-export
    pip check >/dev/null
    pip install -q --upgrade pip >/tmp/pip.log 2>&1 || { cat /tmp/pip.log; exit 1; }
  ' 2>&1 | sed 's/^/    /'
  return "${PIPESTATUS[0]}"
}

t=$(now)
if [ "$(image_label python:3.11-slim)" = "$STAMP" ]; then
  log "python:3.11-slim present (recipe $STAMP)"
else
  [ -s "$BASE_TAR" ] || build_rootfs
  t=$(now)
  docker import \
    -c "LABEL mentor.recipe=$STAMP" -c "LABEL mentor.debian-suite=$SUITE" \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV LANG=C.UTF-8' -c 'ENV PYTHONUNBUFFERED=1' -c 'ENV PIP_NO_INDEX=1' \
    -c 'ENV PIP_DISABLE_PIP_VERSION_CHECK=1' -c 'ENV PIP_ROOT_USER_ACTION=ignore' -c 'CMD ["python3"]' \
    "$BASE_TAR" python:3.11-slim >/dev/null || die "docker import of $BASE_TAR failed"
  for tag in $PY_TAGS; do [ "$tag" = python:3.11-slim ] || docker tag python:3.11-slim "$tag"; done
  log "imported python:3.11-slim (+ ${PY_TAGS#python:3.11-slim }): $(el "$t")"
  t=$(now)
  verify_python_image || { docker rmi -f $PY_TAGS >/dev/null 2>&1 || true; die "python:3.11-slim failed its checks"; }
  log "python:3.11-slim verified (pip no-ops incl. fastapi[all], poetry export, gunicorn, useradd/adduser, uvicorn): $(el "$t")"
fi

t=$(now)
if [ "$(image_label busybox:latest)" = "$STAMP" ]; then
  log "busybox:latest present"
else
  BB=$ROOT/bbroot; rm -rf "$BB"; mkdir -p "$BB"/{bin,etc,tmp,root}
  cp /bin/busybox "$BB/bin/busybox"
  for a in $("$BB/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$BB/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$BB/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$BB/etc/group"
  chmod 1777 "$BB/tmp"
  tar --numeric-owner -C "$BB" -c . | docker import -c "LABEL mentor.recipe=$STAMP" -c 'CMD ["/bin/sh"]' - busybox:latest >/dev/null \
    || die "docker import busybox failed"
  rm -rf "$BB"
  log "imported busybox:latest: $(el "$t")"
fi

# ------------------------------------------------------------------------------------------ registries
# credentials: generated once per ENGINE_ROOT, kept so a reused auth registry keeps matching; never printed
if [ ! -s "$ROOT/registry-credentials" ]; then
  (umask 077; printf 'mentor\n%s\n' "$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | cut -c1-20)" > "$ROOT/registry-credentials")
fi
REG_USER=$(sed -n 1p "$ROOT/registry-credentials"); REG_PASS=$(sed -n 2p "$ROOT/registry-credentials")
# add/update only our user: other entries (and a running registry's view of them) stay valid
if ! htpasswd -vb "$ROOT/htpasswd" "$REG_USER" "$REG_PASS" >/dev/null 2>&1; then
  [ -s "$ROOT/htpasswd" ] || (umask 077; : > "$ROOT/htpasswd")
  htpasswd -Bb "$ROOT/htpasswd" "$REG_USER" "$REG_PASS" >/dev/null 2>&1 || die "htpasswd failed"
fi

start_registry() { # name port want-code [auth]
  local name=$1 port=$2 want=$3 auth=${4:-} pid code
  if pid=$(live_pid "$ROOT/$name.pid" docker-registry) && [ "$(http_code "http://127.0.0.1:$port/v2/")" = "$want" ]; then
    log "reusing registry $name on 127.0.0.1:$port (pid $pid)"; return 0
  fi
  [ -n "${pid:-}" ] && { kill -TERM "$pid" 2>/dev/null || true; sleep 0.5; }
  code=$(http_code "http://127.0.0.1:$port/v2/")
  [ "$code" = 000 ] || [ -z "$code" ] || die "127.0.0.1:$port is already taken by another server (HTTP $code); set ENGINE_REGISTRY_OPEN_PORT / ENGINE_REGISTRY_AUTH_PORT"
  {
    printf 'version: 0.1\nlog:\n  level: warn\n  accesslog: {disabled: true}\n'
    printf 'http:\n  addr: 127.0.0.1:%s\n  secret: %s\n' "$port" "$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    printf 'storage:\n  filesystem: {rootdirectory: %s}\n  delete: {enabled: true}\n' "$ROOT/$name"
    [ -n "$auth" ] && printf 'auth:\n  htpasswd: {realm: mentor-test, path: %s}\n' "$ROOT/htpasswd"
    true
  } > "$ROOT/$name.yml"
  # clean environment: the registry reads REGISTRY_* variables as configuration (REGISTRY_AUTH from a
  # sourced env file would override the auth section)
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin setsid docker-registry serve "$ROOT/$name.yml" >"$ROOT/$name.log" 2>&1 </dev/null 9>&- &
  echo $! > "$ROOT/$name.pid"
  for _ in $(seq 1 100); do
    [ "$(http_code "http://127.0.0.1:$port/v2/")" = "$want" ] && return 0
    kill -0 "$(cat "$ROOT/$name.pid")" 2>/dev/null || break
    sleep 0.1
  done
  tail -10 "$ROOT/$name.log" >&2
  die "registry $name did not answer $want on 127.0.0.1:$port (log: $ROOT/$name.log)"
}
t=$(now)
start_registry reg-open "$OPEN_PORT" 200
start_registry reg-auth "$AUTH_PORT" 401 auth
log "registries: open 127.0.0.1:$OPEN_PORT, auth 127.0.0.1:$AUTH_PORT: $(el "$t")"

(umask 077; cat > "$ROOT/env.tmp" <<EOF
# written by scripts/engine/engine-up.sh; stop with scripts/engine/engine-down.sh
export DOCKER_HOST=unix://$SOCK
export DOCKER_SOCKET=$SOCK
export ENGINE_MODE=$ENGINE_MODE
export REGISTRY_OPEN=127.0.0.1:$OPEN_PORT
export REGISTRY_AUTH=127.0.0.1:$AUTH_PORT
export REGISTRY_USER=$REG_USER
export REGISTRY_PASS=$REG_PASS
EOF
) && mv "$ROOT/env.tmp" "$ROOT/env"
log "ready in $(el "$T0") ($ENGINE_MODE mode): source $ROOT/env"
