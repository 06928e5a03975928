#!/usr/bin/env bash
# Checks from outside: Cloudflare's official Python SDK against `originpull sim` (the
# simulator speaks the API the way Cloudflare's own client expects), and the audit
# against a stand-in API (tests/standin).
set -euo pipefail
cd "$(dirname "$0")/../.."

target=$(cargo metadata --format-version 1 --no-deps --locked |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
venv="$target/sdk-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/sdk/requirements.txt
cargo build --locked --quiet
"$venv/bin/python" tests/sdk/python_sdk_check.py "$target/debug/originpull"
"$venv/bin/python" tests/sdk/paging_race.py "$target/debug/originpull"
# originpull audit and global against a stand-in API (standard library only), with the
# findings computed independently from SPEC section 6.
"$venv/bin/python" tests/standin/check.py "$target/debug/originpull"
