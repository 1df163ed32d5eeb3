#!/usr/bin/env bash
# Stops the Pub/Sub emulator scripts/engine/pubsub-up.sh started: the process group whose leader pid is in
# PUBSUB_ROOT/pubsub.pid (gcloud's Python and its java child), only if that pid is still the emulator started
# for this root. SIGTERM, up to 10 s, then SIGKILL. The data directory stays; PURGE=1 deletes PUBSUB_ROOT.
# Env: PUBSUB_ROOT (default /tmp/mentor-pubsub), PURGE=1.
set -u
ROOT=${PUBSUB_ROOT:-/tmp/mentor-pubsub}; ROOT=${ROOT%/}
log() { echo "[pubsub-down] $*"; }
[ -d "$ROOT" ] || { log "nothing to do ($ROOT does not exist)"; exit 0; }

group_alive() { [ -n "$(pgrep -g "$1" 2>/dev/null || true)" ]; }
pid=""
if [ -s "$ROOT/pubsub.pid" ]; then
  p=$(tr -dc 0-9 < "$ROOT/pubsub.pid")
  cmd=$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null || true)
  case "$cmd" in *"emulators pubsub start"*"--data-dir=$ROOT/data"*) pid=$p ;; esac
  # the leader gone but its java child left in the group (the leader was killed alone): the group still counts
  if [ -z "$pid" ] && [ -n "$p" ] && group_alive "$p" \
    && pgrep -g "$p" -a 2>/dev/null | grep -q 'cloud-pubsub-emulator'; then pid=$p; fi
fi
if [ -z "$pid" ]; then
  log "no Pub/Sub emulator of $ROOT is running"
else
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do group_alive "$pid" || break; sleep 0.2; done
  if group_alive "$pid"; then
    log "still running after 10 s: SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 25); do group_alive "$pid" || break; sleep 0.2; done
  fi
  group_alive "$pid" && { log "ERROR: process group $pid is still alive"; exit 1; }
  log "stopped the Pub/Sub emulator (process group $pid)"
fi
rm -f "$ROOT/pubsub.pid" "$ROOT/env"
[ "${PURGE:-0}" = 1 ] && { rm -rf "$ROOT"; log "deleted $ROOT"; }
exit 0
