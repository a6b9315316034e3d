#!/usr/bin/env bash
# Rebuild the vendored browser assets under designer/static/designer/vendor/ and the
# repository's THIRD_PARTY_NOTICES. Dev-only: needs Node >= 18 and the npm registry.
# The output is committed, so `pip install` never needs Node. See README.md.
set -euo pipefail

FRONTEND="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$FRONTEND")"
OUT="$REPO/designer/static/designer/vendor"
WORK="$FRONTEND/.build"
NM="$FRONTEND/node_modules"

cd "$FRONTEND"

# Exact versions from package-lock.json; no install scripts (the @carbon/* packages pulled in
# by form-js run telemetry postinstall hooks; esbuild's binary comes as an optional package).
npm ci --ignore-scripts --no-audit --no-fund

ESBUILD="$NM/.bin/esbuild"
rm -rf "$OUT" "$WORK"
mkdir -p "$OUT" "$WORK"

# bpmn-js: upstream production builds + assets ----------------------------------------------
D="$OUT/bpmn-js"
mkdir -p "$D/assets/bpmn-font/css" "$D/assets/bpmn-font/font"
cp "$NM/bpmn-js/dist/bpmn-navigated-viewer.production.min.js" \
   "$NM/bpmn-js/dist/bpmn-modeler.production.min.js" \
   "$NM/bpmn-js/LICENSE" "$D/"
cp "$NM/bpmn-js/dist/assets/diagram-js.css" "$NM/bpmn-js/dist/assets/bpmn-js.css" "$D/assets/"
cp "$NM/bpmn-js/dist/assets/bpmn-font/css/bpmn.css" "$D/assets/bpmn-font/css/"
cp "$NM/bpmn-js/dist/assets/bpmn-font/font/"bpmn.{eot,svg,ttf,woff,woff2} "$D/assets/bpmn-font/font/"

# motcua-modeler: our esbuild bundle (window.MotcuaModeler) ----------------------------------
D="$OUT/motcua-modeler"
mkdir -p "$D"
"$ESBUILD" src/modeler.js \
  --bundle --minify --format=iife --global-name=MotcuaModeler --target=es2020 \
  --legal-comments=eof --charset=utf8 \
  --banner:js="/*! motcua-modeler: bpmn-js + bpmn-js-properties-panel + motcua provider. Licences: LICENSE beside this file (bpmn.io licence: keep the watermark visible). */" \
  --loader:.woff2=file --loader:.woff=file --loader:.ttf=file --loader:.eot=file --loader:.svg=file \
  --asset-names='fonts/[name]-[hash]' \
  --metafile="$WORK/motcua-modeler.meta.json" \
  --outfile="$D/motcua-modeler.js" \
  --log-level=warning

# motcua-form-editor: our esbuild bundle of the form-js editor (window.MotcuaFormEditor) -----
D="$OUT/motcua-form-editor"
mkdir -p "$D"
"$ESBUILD" src/form-editor.js \
  --bundle --minify --format=iife --global-name=MotcuaFormEditor --target=es2020 \
  --legal-comments=eof --charset=utf8 \
  --banner:js="/*! motcua-form-editor: @bpmn-io/form-js-editor + motcua palette and labels. Licences: LICENSE beside this file (bpmn.io licence: keep the watermark visible). */" \
  --metafile="$WORK/motcua-form-editor.meta.json" \
  --outfile="$D/motcua-form-editor.js" \
  --log-level=warning

# form-js: the viewer UMD, minified (it ships unminified), and the stylesheets ---------------
# (the editor comes from motcua-form-editor above; its stylesheet is form-js-editor.css here)
D="$OUT/form-js"
mkdir -p "$D"
for name in form-viewer; do
  "$ESBUILD" "$NM/@bpmn-io/form-js/dist/$name.umd.js" --minify --legal-comments=inline \
    --charset=utf8 --outfile="$D/$name.umd.js" --log-level=warning
done
cp "$NM/@bpmn-io/form-js/dist/assets/form-js.css" \
   "$NM/@bpmn-io/form-js/dist/assets/form-js-editor.css" \
   "$NM/@bpmn-io/form-js/LICENSE" "$D/"

# htmx 2.0.x ----------------------------------------------------------------------------------
D="$OUT/htmx"
mkdir -p "$D"
cp "$NM/htmx.org/dist/htmx.min.js" "$NM/htmx.org/LICENSE" "$D/"

# Alpine.js: the tarball has no licence file; ours is copied from its repository -------------
D="$OUT/alpinejs"
mkdir -p "$D"
cp "$NM/alpinejs/dist/cdn.min.js" "$D/"
cp "$FRONTEND/licenses/alpinejs.LICENSE" "$D/LICENSE"

# VENDOR.json (sha256 of every file), motcua-modeler/LICENSE, THIRD_PARTY_NOTICES -------------
node scripts/manifests.mjs "$OUT" "$WORK" "$REPO/THIRD_PARTY_NOTICES"

du -sh "$OUT"
