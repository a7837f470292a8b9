#!/usr/bin/env bash
# Brings each shipped project's PublicAPI.Unshipped.txt in line with its code: adds the symbols the
# PublicApiAnalyzers report as undeclared (RS0016) and drops the ones reported as gone (RS0017).
# Run it after changing a public API, then review the diff of PublicAPI.Unshipped.txt like any code.
set -euo pipefail
cd "$(dirname "$0")/.."
for file in src/*/PublicAPI.Unshipped.txt; do
  project=$(dirname "$file")
  # Only this project's diagnostics: a dependency's undeclared symbols belong to the dependency's file.
  out=$(dotnet build "$project" --no-incremental -p:TreatWarningsAsErrors=false -f net10.0 2>&1 | grep -F "[$PWD/$project/" || true)
  added=$(grep -oP "RS0016: Symbol '\K.*?(?=' is not part of the declared public API)" <<<"$out" | sort -u || true)
  removed=$(grep -oP "RS0017: Symbol '\K.*?(?=' is part of the declared API)" <<<"$out" | sort -u || true)
  { grep -v '^#nullable enable$' "$file" || true; printf '%s\n' "$added"; } | grep -v '^$' \
    | grep -vxF -f <(printf '%s\n' "$removed" | grep -v '^$' || echo '\x00') | sort -u > "$file.tmp" || true
  { echo '#nullable enable'; cat "$file.tmp"; } > "$file"
  rm -f "$file.tmp"
  echo "$file: +$(grep -c . <<<"$added" || true) -$(grep -c . <<<"$removed" || true)"
done
