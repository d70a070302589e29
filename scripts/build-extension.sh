#!/usr/bin/env bash
# Builds the Chromium (Manifest V3) extension from the trunk build in dist/ (`make extension`):
#   target/extension/                          unpacked, as shipped (no host permission at install)
#   target/whm-transfer-console-extension.zip  the same, zipped
#   target/extension-test/                     for the e2e test only: pre-grants http://127.0.0.1/*,
#                                              since a permission prompt cannot be answered headless
# The console is the extension's index.html (dist/index.html plus the bridge script), also its side panel.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/index.html ] || { echo "build-extension: dist/ is missing: run 'make build'" >&2; exit 1; }
command -v node >/dev/null || { echo "build-extension: node is needed (Node.js 20)" >&2; exit 1; }
command -v zip >/dev/null || { echo "build-extension: zip is needed (apt-get install zip)" >&2; exit 1; }

out=target/extension
test_out=target/extension-test
zip_file=target/whm-transfer-console-extension.zip
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
[ -n "$version" ] || { echo "build-extension: no version in Cargo.toml" >&2; exit 1; }

rm -rf "$out" "$test_out" "$zip_file"
mkdir -p "$out"
cp -R dist/. "$out/"
cp www/extension/sw.js www/extension/relay.js www/extension/bridge.js "$out/"

# Chromium refuses to load an extension holding a file or folder whose name starts with "_".
if find "$out" -name '_*' | grep -q .; then
  echo "build-extension: names starting with '_' are reserved in extensions:" >&2
  find "$out" -name '_*' >&2
  exit 1
fi

# The bridge must define whmRelay before the app starts: a classic script before the (deferred) loader.
loader='<script src="boot.js" defer></script>'
grep -qF "$loader" "$out/index.html" || { echo "build-extension: $out/index.html has no boot.js loader" >&2; exit 1; }
node - "$out/index.html" "$loader" <<'JS'
const fs = require("fs");
const [file, loader] = process.argv.slice(2);
const html = fs.readFileSync(file, "utf8");
fs.writeFileSync(file, html.replace(loader, `<script src="bridge.js"></script>\n    ${loader}`));
JS

# The manifest, with the app's version.
node - www/extension/manifest.json "$out/manifest.json" "$version" <<'JS'
const fs = require("fs");
const [src, dst, version] = process.argv.slice(2);
const m = JSON.parse(fs.readFileSync(src, "utf8"));
m.version = version;
if (m.host_permissions || (m.content_scripts || []).length) {
  console.error("build-extension: the shipped manifest must grant no host at install");
  process.exit(1);
}
fs.writeFileSync(dst, JSON.stringify(m, null, 2) + "\n");
JS

(cd "$out" && zip -qrX "../$(basename "$zip_file")" .)

cp -R "$out" "$test_out"
node - "$test_out/manifest.json" <<'JS'
const fs = require("fs");
const [file] = process.argv.slice(2);
const m = JSON.parse(fs.readFileSync(file, "utf8"));
m.name += " (test build)";
m.host_permissions = ["http://127.0.0.1/*"];
fs.writeFileSync(file, JSON.stringify(m, null, 2) + "\n");
JS

echo "extension: $out/ (load unpacked), $zip_file ($(du -h "$zip_file" | cut -f1)); test build: $test_out/"
