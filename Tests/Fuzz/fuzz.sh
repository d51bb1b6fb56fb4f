#!/usr/bin/env bash
# Fuzzes leasesim's input readers with libFuzzer (AddressSanitizer on): the scenario loader (each valid input is
# also run briefly with invariants checked) and the trace reader.
#
#   Tests/Fuzz/fuzz.sh [scenario|trace|both] [SECONDS]     (default: both, 600 seconds each)
#
# Seeds come from Scenarios/ (copied into .build-fuzz/corpus-*, which grows as the fuzzer finds new paths);
# crashes are written to .build-fuzz/findings/. Every crash found becomes a regression test in
# Tests/LeaseScenarioTests/FuzzRegressionTests.swift.
set -euo pipefail
cd "$(dirname "$0")/../.."
target=${1:-both}
seconds=${2:-600}

LEASESIM_FUZZ=1 swift build -c release --product leasesim-fuzz --build-path .build-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld
binary=.build-fuzz/release/leasesim-fuzz
mkdir -p .build-fuzz/findings

run() {
  local kind=$1 corpus=.build-fuzz/corpus-$1
  mkdir -p "$corpus"
  if [ "$kind" = scenario ]; then cp Scenarios/*.json "$corpus"/; else cp Scenarios/traces/*.csv "$corpus"/; fi
  echo "fuzzing the $kind reader for $seconds s"
  # No Swift backtracer under the fuzzer: libFuzzer and ASan report the crash themselves.
  SWIFT_BACKTRACE=enable=no LEASESIM_FUZZ_TARGET=$kind "$binary" "$corpus" -dict=Tests/Fuzz/$kind.dict \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix=.build-fuzz/findings/$kind- 2>&1 | grep -E "^(#[0-9]+ +(DONE|INITED)|stat::|==[0-9]+==|SUMMARY|artifact_prefix|Test unit)" || true
}

case "$target" in
  scenario|trace) run "$target" ;;
  both) run scenario; run trace ;;
  *) echo "usage: $0 [scenario|trace|both] [SECONDS]" >&2; exit 2 ;;
esac
findings=$(ls .build-fuzz/findings 2>/dev/null | wc -l)
echo "findings: $findings (in .build-fuzz/findings)"
[ "$findings" -eq 0 ]
