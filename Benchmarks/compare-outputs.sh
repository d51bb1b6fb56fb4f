#!/usr/bin/env bash
# The restructure's guard: every bundled scenario's outputs, byte for byte, from two leasesim binaries.
#
#   Benchmarks/compare-outputs.sh OLD_LEASESIM NEW_LEASESIM
#
# Runs each Scenarios/*.json plain, with --sample 1h, with --entity (the first client's id) and with --warm-up 1h, and
# compares timeline.csv, events.csv, summary.json and clients.csv. Exits 1 on any difference.
set -euo pipefail
cd "$(dirname "$0")/.."
old=${1:?usage: $0 OLD_LEASESIM NEW_LEASESIM}
new=${2:?usage: $0 OLD_LEASESIM NEW_LEASESIM}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
differences=0
for scenario in Scenarios/*.json; do
  name=$(basename "$scenario" .json)
  first=$(grep -o '"id": "[^"]*"' "$scenario" | sed -n 2p | cut -d'"' -f4) # the first client (the first id is a server's)
  for mode in plain sample entity warmup; do
    case $mode in
      plain) flags=() ;;
      sample) flags=(--sample 1h) ;;
      entity) flags=(--entity "${first:-none}*") ;;
      warmup) flags=(--warm-up 1h) ;;
    esac
    "$old" run "$scenario" --out "$work/old-$name-$mode" --quiet "${flags[@]}" 2>/dev/null || true
    "$new" run "$scenario" --out "$work/new-$name-$mode" --quiet "${flags[@]}" 2>/dev/null || true
    for file in timeline.csv events.csv summary.json clients.csv; do
      if ! cmp -s "$work/old-$name-$mode/$file" "$work/new-$name-$mode/$file"; then
        echo "DIFFERS: $name ($mode) $file"
        differences=$((differences + 1))
      fi
    done
  done
done
count=$(ls Scenarios/*.json | wc -l)
echo "compared $count scenarios x 4 modes x 4 files: $differences differ"
[ "$differences" -eq 0 ]
