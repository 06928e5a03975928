#!/usr/bin/env bash
# Installs the web servers whose own config checks test `origin-config`, and the nginx
# that `verify-origin` is tried against (tests/origin_servers.rs), and PyYAML. Debian packages; where
# they cannot be installed, those tests print that they skipped and why.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
have nginx || need+=(nginx)
have apache2 || have httpd || need+=(apache2)
have haproxy || need+=(haproxy)
have caddy || need+=(caddy)
# Traefik and Envoy are not packaged: their snippets are read as YAML instead.
python3 -c 'import yaml' >/dev/null 2>&1 || need+=(python3-yaml)
# `originpull man | man -l -` is rendered by tests/toolbox.rs.
have man || need+=(man-db)
if [ ${#need[@]} -eq 0 ]; then
  echo "web servers: all present"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "web servers: cannot install ${need[*]} (needs root and apt-get); their tests will skip"
  exit 0
fi

# The packages must not start their services: the tests start their own servers, on
# ports of their own, and a stray nginx on port 80 helps nobody.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  trap 'rm -f "$policy"' EXIT
fi
export DEBIAN_FRONTEND=noninteractive
echo "web servers: installing ${need[*]}"
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
