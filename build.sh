#!/usr/bin/env bash
# Restore, build and test everything (Linux/macOS). Extra arguments go to 'dotnet test',
# e.g. ./build.sh --filter "FullyQualifiedName~Native". --long runs the fuzz tests with ten times as many mutations
# (MLLAYERS_FUZZ_LONG=1; not passed on to dotnet).
set -euo pipefail
cd "$(dirname "$0")"
configuration=${CONFIGURATION:-Release}
args=()
for arg in "$@"; do
  if [ "$arg" = "--long" ]; then export MLLAYERS_FUZZ_LONG=1; else args+=("$arg"); fi
done
dotnet build MLLayers.sln -c "$configuration"
dotnet test MLLayers.sln -c "$configuration" --no-build ${args[@]+"${args[@]}"}
