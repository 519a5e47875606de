#!/usr/bin/env bash
# `npm run package`: the installable salesiq-devkit-<version>.vsix in the project root.
# Builds the production bundles in a staging copy (so dist/ keeps its development build with source maps, and
# vsce never walks node_modules, .tools or .git), packages with vsce offline, then lists the VSIX and refuses
# one that holds anything but the runtime files (.vscodeignore is an allow-list).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/ensure-deps.sh >/dev/null

version="$(node -p "require('./package.json').version")"
out="$root/salesiq-devkit-$version.vsix"
stage="$(mktemp -d -t salesiq-package-XXXXXX)"
trap 'rm -rf "$stage"' EXIT

cp -r package.json README.md CHANGELOG.md .vscodeignore esbuild.js tsconfig.json src media "$stage/"
ln -s "$root/node_modules" "$stage/node_modules"
(cd "$stage" && node esbuild.js --production)
rm "$stage/node_modules"

# Offline and self-contained: the bundles carry their dependencies (--no-dependencies); no repository or
# LICENSE file yet; README links stay relative, and the images they name ship inside the VSIX.
(cd "$stage" && "$root/node_modules/.bin/vsce" package --no-dependencies --allow-missing-repository --skip-license \
  --no-rewrite-relative-links --out "$out")

# python3 is already a prerequisite (code-server's native builds); unzip is not.
listing="$(python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$out")"
forbidden="$(grep -E '^extension/(src|test|out|bench|scripts|node_modules|\.tools|\.artifacts)/|\.map$|\.ts$|sandbox' <<<"$listing" || true)"
if [[ -n "$forbidden" ]]; then
  echo "package: the VSIX holds files it must not ship:" >&2
  echo "$forbidden" >&2
  rm -f "$out"
  exit 1
fi
for f in package.json $(cd "$stage" && ls dist/*.js); do
  grep -qx "extension/$f" <<<"$listing" || { echo "package: extension/$f is missing from the VSIX" >&2; rm -f "$out"; exit 1; }
done

echo "package: $out"
