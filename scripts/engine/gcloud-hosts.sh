#!/usr/bin/env bash
# Makes the host names the real gcloud uses for the emulator resolve to 127.0.0.1, via /etc/hosts (root).
# Why: gcloud calls Cloud Run on a REGIONAL host it derives from the endpoint override by prefixing the region
# (`http://run.mentor-emulator.localhost:PORT/` is called as `http://us-central1-run.mentor-emulator.localhost:PORT/`),
# so the override cannot be an IP address, and nothing resolves `*.localhost` names on Debian by default.
# Writes one marked block (replaced on every run, so it is idempotent), for the global name and each region.
#   sudo bash scripts/engine/gcloud-hosts.sh            add or refresh the block
#   sudo bash scripts/engine/gcloud-hosts.sh --remove   remove it
# Env: MENTOR_GCLOUD_HOST (default run.mentor-emulator.localhost), MENTOR_GCLOUD_REGIONS (space-separated,
#      default: the regions the emulator lists), HOSTS_FILE (default /etc/hosts; for tests of this script).
# Exit codes: 0 done (or already so), 3 not root and the file is not writable.
set -euo pipefail
HOSTS_FILE=${HOSTS_FILE:-/etc/hosts}
BASE=${MENTOR_GCLOUD_HOST:-run.mentor-emulator.localhost}
REGIONS=${MENTOR_GCLOUD_REGIONS:-"asia-east1 asia-northeast1 asia-south1 asia-southeast1 australia-southeast1 europe-west1 \
europe-west2 europe-west3 europe-west4 northamerica-northeast1 southamerica-east1 us-central1 us-east1 us-east4 us-west1 us-west2"}
BEGIN="# BEGIN mentor-emulator (scripts/engine/gcloud-hosts.sh)"
END="# END mentor-emulator"

names="$BASE"
for r in $REGIONS; do names="$names $r-$BASE"; done
block="$BEGIN"$'\n'
for n in $names; do block="$block""127.0.0.1 $n"$'\n'; done
block="$block$END"

current=$(cat "$HOSTS_FILE" 2>/dev/null || true)
# Everything outside our block, as it was.
others=$(printf '%s\n' "$current" | awk -v b="$BEGIN" -v e="$END" '$0==b{skip=1;next} $0==e{skip=0;next} !skip')
if [ "${1:-}" = "--remove" ]; then wanted="$others"; else wanted="$others"$'\n'"$block"; fi
wanted=$(printf '%s\n' "$wanted" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}')

if [ "$(printf '%s\n' "$current")" = "$(printf '%s\n' "$wanted")" ]; then
  echo "gcloud-hosts: $HOSTS_FILE already up to date"
  exit 0
fi
if [ ! -w "$HOSTS_FILE" ]; then
  echo "gcloud-hosts: cannot write $HOSTS_FILE: run as root (sudo bash $0)" >&2
  exit 3
fi
# In place (not a rename): /etc/hosts is often a bind mount in containers.
printf '%s\n' "$wanted" > "$HOSTS_FILE"
if [ "${1:-}" = "--remove" ]; then echo "gcloud-hosts: removed the block from $HOSTS_FILE"
else echo "gcloud-hosts: $HOSTS_FILE maps $(echo $names | wc -w) names (*-$BASE) to 127.0.0.1"; fi
