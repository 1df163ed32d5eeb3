#!/usr/bin/env bash
# Stops what scripts/engine/engine-up.sh started, by the PIDs it recorded under ENGINE_ROOT only (a PID is
# signalled only if that process is still the dockerd / docker-registry it was). Containers are removed first
# so dockerd exits fast and leaves no docker-proxy or shim behind. Images, the rootfs cache and registry data
# stay, so the next engine-up takes seconds; PURGE=1 deletes ENGINE_ROOT as well.
# Env: ENGINE_ROOT (default /tmp/mentor-engine), PURGE=1.
set -u
ROOT=${ENGINE_ROOT:-/tmp/mentor-engine}; ROOT=${ROOT%/}
SOCK=$ROOT/docker.sock
log() { echo "[engine-down] $*"; }
[ -d "$ROOT" ] || { log "nothing to do ($ROOT does not exist)"; exit 0; }

live_pid() { # FILE PATTERN -> pid if alive and still that program
  local p
  [ -s "$1" ] || return 1
  p=$(tr -dc 0-9 < "$1"); [ -n "$p" ] || return 1
  kill -0 "$p" 2>/dev/null || return 1
  local cmd; cmd=$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null) || return 1
  # that program, and started for this ENGINE_ROOT (its command line names a file under it)
  case "$cmd" in *"$2"*"$ROOT/"*) ;; *) return 1 ;; esac
  echo "$p"
}
# signals every recorded daemon at once (SIGTERM), waits up to 15 s, then SIGKILLs what is left
stop_all() { # FILE:PATTERN:NAME ...
  local spec f pat name p pids=() names=() i
  for spec in "$@"; do
    IFS=: read -r f pat name <<< "$spec"
    if p=$(live_pid "$f" "$pat"); then kill -TERM "$p" 2>/dev/null && { pids+=("$p"); names+=("$name"); }; fi
    rm -f "$f"
  done
  for _ in $(seq 1 150); do
    local alive=0
    for p in ${pids[@]+"${pids[@]}"}; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for i in ${pids[@]+"${!pids[@]}"}; do
    p=${pids[$i]}
    if kill -0 "$p" 2>/dev/null; then log "${names[$i]} (pid $p) ignored SIGTERM for 15 s: SIGKILL"; kill -KILL "$p" 2>/dev/null || true; fi
    log "stopped ${names[$i]} (pid $p)"
  done
}

if live_pid "$ROOT/dockerd.pid" dockerd >/dev/null && [ -S "$SOCK" ]; then
  ids=$(curl -fsS --max-time 10 --unix-socket "$SOCK" 'http://engine/containers/json?all=1' 2>/dev/null \
    | grep -o '"Id":"[0-9a-f]*"' | cut -d'"' -f4)
  n=0
  for id in $ids; do
    curl -fsS --max-time 30 -X DELETE --unix-socket "$SOCK" "http://engine/containers/$id?force=1&v=1" >/dev/null 2>&1 && n=$((n + 1))
  done
  [ "$n" = 0 ] || log "removed $n container(s)"
fi
# dockerd stops the containerd it started
stop_all "$ROOT/reg-open.pid:docker-registry:registry reg-open" "$ROOT/reg-auth.pid:docker-registry:registry reg-auth" \
  "$ROOT/dockerd.pid:dockerd:dockerd"
sleep 0.2
rm -f "$SOCK"
if [ -s "$ROOT/bridge" ]; then   # a bridge engine-up.sh created for this engine
  br=$(cat "$ROOT/bridge")
  if ! live_pid "$ROOT/dockerd.pid" dockerd >/dev/null && ip link show "$br" >/dev/null 2>&1; then
    ip link del "$br" 2>/dev/null && log "deleted bridge $br"
  fi
  rm -f "$ROOT/bridge"
fi

if [ "${PURGE:-0}" = 1 ]; then
  # only a directory engine-up.sh made (it holds .lock), never / or a relative path
  case "$ROOT" in /?*) ;; *) log "refusing to purge '$ROOT'"; exit 1 ;; esac
  [ -e "$ROOT/.lock" ] || { log "refusing to purge $ROOT: no .lock, not an engine-up.sh directory"; exit 1; }
  for m in $(awk -v r="$ROOT/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$ROOT"
  log "purged $ROOT"
fi
log "done"
