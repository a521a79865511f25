#!/usr/bin/env bash
# The user's path, proved: pack the package (prepack builds the prebuilt binaries), then
# install the tarball into a fresh folder as an unprivileged user with no compiler on
# PATH and no Node headers, and run the quick start there. Run by .ci/run as root.
#   $1  the unprivileged user
set -euo pipefail
cd "$(dirname "$0")/.."
user="$1"

work=$(mktemp -d /tmp/nsjail-ts-pack-XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"

echo "package-check: npm pack"
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
tar -tzf "$work/$tarball" | sort > "$work/contents"
for must in package/dist/index.js package/dist/index.mjs package/dist/index.d.ts package/LICENSE \
  package/prebuilds/linux-x64/nsjail-ts.glibc.node package/prebuilds/linux-x64/nsjail-ts-init; do
  grep -qx "$must" "$work/contents" || { echo "package-check: $must is missing from the package"; exit 1; }
done
if grep -E '^package/(test|bench|examples|\.ci|src-ts|build|node_modules)/' "$work/contents"; then
  echo "package-check: the package holds files users do not need (above)"
  exit 1
fi
tar -tvzf "$work/$tarball" package/prebuilds/linux-x64/nsjail-ts-init | grep -q '^-rwxr-xr-x' ||
  { echo "package-check: the init program is not mode 0755 in the package"; exit 1; }

# A PATH with node and npm only: no cc, c++, make or python; a HOME without node-gyp's cache.
bin="$work/bin"
mkdir -p "$bin" "$work/home" "$work/app"
for tool in node npm npx; do ln -s "$(command -v $tool)" "$bin/$tool"; done
for tool in sh env cat; do ln -s "$(command -v $tool)" "$bin/$tool"; done
chown -R "$user" "$work/home" "$work/app"
cp examples/quickstart.mjs "$work/app/"
chmod a+r "$work/$tarball" "$work/app/quickstart.mjs"

echo "package-check: install as $user, with no compiler and no headers"
runuser -u "$user" -- env -i PATH="$bin" HOME="$work/home" sh -c "
  cd '$work/app' && npm init -y >/dev/null && npm install --no-audit --no-fund '$work/$tarball' && node quickstart.mjs
" | tee "$work/out"
grep -q '^uid=0(root)' "$work/out" || { echo "package-check: the quick start did not run"; exit 1; }
if [ -e "$work/app/node_modules/nsjail-ts/build" ]; then
  echo "package-check: the install built from source (build/ exists) instead of using the prebuilt binaries"
  exit 1
fi
echo "package-check: ok"
