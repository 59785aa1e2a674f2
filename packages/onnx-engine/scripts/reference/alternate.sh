#!/usr/bin/env bash
# Issue 7's comparison in one go: `clip-vg bench --engine onnx --json` and ORT on the plain PyTorch export
# (time_export.cjs), alternated pair by pair so that both see the same machine; one JSON line per run.
#   packages/onnx-engine/scripts/reference/alternate.sh /tmp/ref-clipvg.onnx [pairs=5]
# Run from the repository root after `npx nx run-many -t build`. The export comes from export_clipvg.py.
set -euo pipefail
export_file=${1:?usage: alternate.sh EXPORT.onnx [pairs]}
pairs=${2:-5}
here=$(dirname "$0")
for ((i = 1; i <= pairs; i++)); do
  node apps/cli/dist/cli.js bench --engine onnx --json 2>/dev/null
  NODE_PATH=$PWD/node_modules node "$here/time_export.cjs" "$export_file"
done
