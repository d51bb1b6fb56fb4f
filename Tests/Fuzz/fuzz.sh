#!/usr/bin/env bash
# Fuzzes leasesim's input readers with libFuzzer (AddressSanitizer on): the scenario loader (each valid input is
# also run briefly with invariants checked), the trace reader, `--set` overrides (applied to the quickstart
# scenario, which then runs briefly), the runs.csv reader of `leasesim merge` (with points.csv computed) and the
# license-server log reader (FlexNet and RLM).
#
#   Tests/Fuzz/fuzz.sh [scenario|trace|override|runs|log|both|all] [SECONDS]   (default: both = scenario and trace,
#                                                                            600 seconds each)
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
  case "$kind" in
    scenario) cp Scenarios/*.json "$corpus"/ ;;
    trace) cp Scenarios/traces/*.csv "$corpus"/ ;;
    override) printf '%s\n' 'policy.renewalInterval=2h' 'clients[gw-east].allocations.users.muc=220' \
                'servers[ls-1].licenses[0].count=400' 'network={"latency": "80ms"}' > "$corpus/seed-overrides.txt" ;;
    runs) printf 'run,point,replication,seed,x,status,events,users.deniedUserHours,error\n0,0,0,71,1h,ok,3228,7.403,\n1,0,1,11,1h,failed,,,"bad, ""x"""\n2,1,0,71,2h,ok,-5,0.0630,\n' \
            > "$corpus/seed-runs.csv" ;;
    log) printf '%s\n' '22:15:00 (lmgrd) FlexNet Licensing (v11.13) started on srv (linux) (1/8/2017)' \
           ' 9:49:51 (ansyslmd) OUT: "hpc" alice@node17  (8 licenses) ' ' 0:01:00 (ansyslmd) DENIED: "s" c d@h  (x (-4,342:104 "r"))' \
           '16:42:19 (ansyslmd) IN: "hpc" alice@node17  (8 licenses) ' ' 6:15:00 (lmgrd) TIMESTAMP 1/9/2017' > "$corpus/seed-flexnet.log"
         printf '%s\n' 'START srv 12/31/2024 23:00:00' 'INUSE s 5.0 3 a w "x" 1 1db 1db 10 12/31 23:00:00' \
           'OUT s 5.0 3 b w2 "x" 1 2 0 1dc 1dc 48 "" "" "" 12/31 23:30:00' 'DENY s 5.0 c w3 "x" 1 -22 1 48 12/31 23:50' \
           '01/01/2025 00:00' 'IN 1 s 5.0 a w "x" 1 1 0 1db 01/01 00:10:00' 'SHUTDOWN admin srv 01/01 02:00:00' > "$corpus/seed-rlm.log" ;;
  esac
  echo "fuzzing the $kind reader for $seconds s"
  # No Swift backtracer under the fuzzer: libFuzzer and ASan report the crash themselves.
  local dict=Tests/Fuzz/$kind.dict
  [ -f "$dict" ] || dict=Tests/Fuzz/scenario.dict
  SWIFT_BACKTRACE=enable=no LEASESIM_FUZZ_TARGET=$kind "$binary" "$corpus" -dict="$dict" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix=.build-fuzz/findings/$kind- 2>&1 | grep -E "^(#[0-9]+ +(DONE|INITED)|stat::|==[0-9]+==|SUMMARY|artifact_prefix|Test unit)" || true
}

case "$target" in
  scenario|trace|override|runs|log) run "$target" ;;
  both) run scenario; run trace ;;
  all) run scenario; run trace; run override; run runs; run log ;;
  *) echo "usage: $0 [scenario|trace|override|runs|log|both|all] [SECONDS]" >&2; exit 2 ;;
esac
findings=$(ls .build-fuzz/findings 2>/dev/null | wc -l)
echo "findings: $findings (in .build-fuzz/findings)"
[ "$findings" -eq 0 ]
