#!/usr/bin/env bash
# Rebuilds build/local-feed/Patched.DistributedLock.Postgres.1.3.3.1.nupkg (see docs/restore-workaround.md).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet pack build/Patched.DistributedLock.Postgres/Patched.DistributedLock.Postgres.csproj -c Release
