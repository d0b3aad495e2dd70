#!/usr/bin/env bash
# Builds the release bundle that firmware/install.sh installs to /opt/schoolgate:
#   schoolgate-<version>-<arch>.tar.gz  with  schoolgate/{dist,node_modules,firmware,systemd,
#   package.json,package-lock.json,README.md,BUNDLE}
# node_modules holds production dependencies only, with native addons (classic-level, raw-socket,
# epoll) built for the machine that runs this script: build the Pi's bundle on arm64 (a Pi, or an
# arm64 CI runner) with the same Node major as Debian 13 (Node 20). BUNDLE records version, arch
# and Node's module ABI; install.sh refuses a bundle that does not match the target.
#
# usage: firmware/make-bundle.sh [--out DIR] [--no-ci] [--no-build]
#   --out DIR   where the .tar.gz goes (default: the current directory); its path is printed last
#   --no-ci     use the checkout's node_modules as they are (skip `npm ci`)
#   --no-build  use dist/ as it is (skip `npm run build`)
set -euo pipefail

out=$PWD
run_ci=1
run_build=1
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=${2:?--out needs a folder}; shift 2 ;;
    --no-ci) run_ci=0; shift ;;
    --no-build) run_build=0; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "make-bundle.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
if [ ! -f package.json ] || [ ! -d src ]; then echo "make-bundle.sh: $repo is not a schoolgate checkout" >&2; exit 1; fi
out=$(cd "$out" && pwd)

if [ "$run_ci" = 1 ]; then npm ci --no-audit --no-fund; fi
if [ "$run_build" = 1 ]; then npm run --silent build; fi
[ -f dist/cli.js ] || { echo "make-bundle.sh: no dist/cli.js (run without --no-build)" >&2; exit 1; }

version=$(node -p 'require("./package.json").version')
arch=$(node -p 'process.arch')
abi=$(node -p 'process.versions.modules')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage="$work/schoolgate"
mkdir -p "$stage"
cp -a package.json package-lock.json README.md dist firmware systemd "$stage/"
# Our own addon (native/udp-batch): node_modules links to it; its compiled .node and loader, not the build tree.
mkdir -p "$stage/native/udp-batch/build/Release"
cp -a native/udp-batch/package.json native/udp-batch/index.cjs "$stage/native/udp-batch/"
cp -a native/udp-batch/build/Release/udp_batch.node "$stage/native/udp-batch/build/Release/"
# Production dependencies only (not TypeScript, eslint, tap, esbuild, Playwright…): the top-level
# packages `npm ls` names (nested ones come with their parents), then npm prune for the rest.
mkdir -p "$stage/node_modules"
npm ls --omit=dev --all --parseable 2>/dev/null | sed -n "s|^$repo/||p" \
  | grep -E '^node_modules/(@[^/]+/)?[^/]+$' | sort -u | while read -r dep; do
    mkdir -p "$stage/$(dirname "$dep")"
    cp -a "$dep" "$stage/$dep"
  done
mkdir -p "$stage/node_modules/@schoolgate"
ln -sfn ../../native/udp-batch "$stage/node_modules/@schoolgate/udp-batch"
(cd "$stage" && npm prune --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null)
rm -rf "$stage/node_modules/.cache"
find "$stage/node_modules" -mindepth 1 -maxdepth 1 -type d -empty -delete
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
cat >"$stage/BUNDLE" <<EOF
version=$version
arch=$arch
modules=$abi
node=$(node -v)
commit=$commit
EOF

file="$out/schoolgate-$version-$arch.tar.gz"
# Reproducible enough for a checksum: sorted names, fixed owner, commit time as mtime.
mtime=$(git log -1 --format=%ct 2>/dev/null || date +%s)
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" -C "$work" -czf "$file.tmp" schoolgate
mv "$file.tmp" "$file"
echo "$file"
