#!/usr/bin/env bash
# Starts the REAL Pub/Sub emulator (`gcloud beta emulators pubsub start`, a Java program shipped with the
# machine's google-cloud-cli) detached, on 127.0.0.1:PORT, with a data directory of its own, and waits until it
# answers REST (GET /v1/projects/P/topics = 200; ~10-20 s). Idempotent: an emulator this script started for the
# same PUBSUB_ROOT and port that still answers is reused. Stop it with scripts/engine/pubsub-down.sh.
# It runs in a process group of its own (setsid: gcloud's Python, then java), whose leader's pid is recorded in
# PUBSUB_ROOT/pubsub.pid, so pubsub-down.sh stops exactly that group.
# Writes PUBSUB_ROOT/env (sourceable): PUBSUB_EMULATOR_HOST=127.0.0.1:PORT (the standard variable the Google
# clients and our emulator's --pubsub-host default read) and PUBSUB_PROJECT_ID. Prints the address last.
# No root needed.
# Env: PUBSUB_ROOT (default /tmp/mentor-pubsub), PUBSUB_PORT (default 8685), PUBSUB_PROJECT (default
#      mentor-demo), PUBSUB_START_TIMEOUT (seconds, default 90).
# Exit codes: 0 ready, 1 failed, 3 missing gcloud / its pubsub-emulator component / Java.
set -euo pipefail
ROOT=${PUBSUB_ROOT:-/tmp/mentor-pubsub}; ROOT=${ROOT%/}
PORT=${PUBSUB_PORT:-8685}
PROJECT=${PUBSUB_PROJECT:-mentor-demo}
WAIT=${PUBSUB_START_TIMEOUT:-90}
ADDR=127.0.0.1:$PORT
log() { echo "[pubsub-up] $*"; }
die() { echo "[pubsub-up] ERROR: $*" >&2; exit 1; }
missing() { echo "[pubsub-up] ERROR: $*" >&2; exit 3; }
case "$ROOT" in /*) ;; *) die "PUBSUB_ROOT must be an absolute path" ;; esac
case "$PORT" in ''|*[!0-9]*) die "PUBSUB_PORT must be a port number, got '$PORT'" ;; esac

command -v gcloud >/dev/null || missing "gcloud is not on PATH: install the Debian package google-cloud-cli (with google-cloud-cli-pubsub-emulator)"
SDK=$(dirname "$(dirname "$(readlink -f "$(command -v gcloud)")")")
[ -d "$SDK/platform/pubsub-emulator" ] \
  || missing "the Pub/Sub emulator component is missing under $SDK/platform: apt-get install google-cloud-cli-pubsub-emulator (or gcloud components install pubsub-emulator)"
command -v java >/dev/null \
  || missing "Java is missing: the Pub/Sub emulator is a Java program; apt-get install default-jre-headless (TESTING.md §4 expects Java on the machine)"

mkdir -p "$ROOT/data" "$ROOT/gcloud-config"
exec 9>"$ROOT/.lock"   # one pubsub-up per PUBSUB_ROOT
flock -w 120 9 || die "another pubsub-up holds $ROOT/.lock"

code() { curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://$ADDR/v1/projects/$PROJECT/topics" 2>/dev/null || true; }
# pid from the pid file if that process is alive and is the emulator started for this root and port
live_pid() {
  local p cmd
  [ -s "$ROOT/pubsub.pid" ] || return 1
  p=$(tr -dc 0-9 < "$ROOT/pubsub.pid"); [ -n "$p" ] || return 1
  cmd=$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null) || return 1
  case "$cmd" in *"emulators pubsub start"*"--host-port=$ADDR"*"--data-dir=$ROOT/data"*) echo "$p" ;; *) return 1 ;; esac
}
write_env() {
  printf '# written by scripts/engine/pubsub-up.sh; stop with scripts/engine/pubsub-down.sh\nexport PUBSUB_EMULATOR_HOST=%s\nexport PUBSUB_PROJECT_ID=%s\n' \
    "$ADDR" "$PROJECT" > "$ROOT/env.tmp" && mv "$ROOT/env.tmp" "$ROOT/env"
}

if pid=$(live_pid) && [ "$(code)" = 200 ]; then
  write_env
  log "reusing the Pub/Sub emulator (pid $pid) on $ADDR"
  echo "PUBSUB_EMULATOR_HOST=$ADDR"
  exit 0
fi
if [ -n "${pid:-}" ]; then   # ours but not answering: replace it
  log "the Pub/Sub emulator pid $pid does not answer on $ADDR; stopping it"
  kill -TERM -- "-$pid" 2>/dev/null || true; sleep 2; kill -KILL -- "-$pid" 2>/dev/null || true
fi
c=$(code)
[ "$c" = 000 ] || [ -z "$c" ] || die "127.0.0.1:$PORT is already taken by another server (HTTP $c); set PUBSUB_PORT"

T0=$(date +%s)
rm -f "$ROOT/pubsub.pid" "$ROOT/env"
# its own gcloud configuration (never the user's), no prompts (a prompt would wait forever detached)
env CLOUDSDK_CONFIG="$ROOT/gcloud-config" CLOUDSDK_CORE_DISABLE_PROMPTS=1 CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=1 \
  setsid gcloud beta emulators pubsub start --host-port="$ADDR" --project="$PROJECT" --data-dir="$ROOT/data" \
  >"$ROOT/pubsub.log" 2>&1 </dev/null 9>&- &
pid=$!
echo "$pid" > "$ROOT/pubsub.pid"
log "starting the Pub/Sub emulator (pid $pid) on $ADDR, project $PROJECT (log $ROOT/pubsub.log)"
for _ in $(seq 1 $((WAIT * 2))); do
  if [ "$(code)" = 200 ]; then
    write_env
    log "ready in $(( $(date +%s) - T0 )) s"
    echo "PUBSUB_EMULATOR_HOST=$ADDR"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
tail -15 "$ROOT/pubsub.log" >&2 || true
kill -TERM -- "-$pid" 2>/dev/null || true; sleep 1; kill -KILL -- "-$pid" 2>/dev/null || true
rm -f "$ROOT/pubsub.pid"
die "the Pub/Sub emulator did not answer GET http://$ADDR/v1/projects/$PROJECT/topics within $WAIT s (log: $ROOT/pubsub.log)"
