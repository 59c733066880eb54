#!/usr/bin/env bash
# Restore, build and test everything (Linux/macOS). Extra arguments go to 'dotnet test',
# e.g. ./build.sh --filter "FullyQualifiedName~Native".
set -euo pipefail
cd "$(dirname "$0")"
configuration=${CONFIGURATION:-Release}
dotnet build MLLayers.sln -c "$configuration"
dotnet test MLLayers.sln -c "$configuration" --no-build "$@"
