#!/usr/bin/env bash
# Make sure the system programs listed in scripts/system-packages.txt are present.
# As root: installs the missing ones with apt-get. Otherwise: prints the exact command to run.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
while read -r cmd pkg _; do
    [[ -z "${cmd}" || "${cmd}" == \#* ]] && continue
    # A command counts as present however it was installed (e.g. nodesource's nodejs ships npm).
    command -v "${cmd}" >/dev/null 2>&1 || missing+=("${pkg}")
done < scripts/system-packages.txt

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

echo "ensure-system: missing system packages: ${missing[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-system: no apt-get here; install the equivalents of: ${missing[*]}" >&2
    exit 1
fi
if [[ "$(id -u)" -ne 0 ]]; then
    echo "ensure-system: run this, then try again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
