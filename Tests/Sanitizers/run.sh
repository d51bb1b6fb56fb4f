#!/usr/bin/env bash
# Runs the whole test suite under a sanitizer, in its own build directory.
#
#   Tests/Sanitizers/run.sh address     # AddressSanitizer and LeakSanitizer (harness leaks suppressed: lsan.supp)
#   Tests/Sanitizers/run.sh thread      # ThreadSanitizer (the writer threads, signal cleanup, test parallelism)
#
# Exits non-zero on any report or failed test.
set -euo pipefail
cd "$(dirname "$0")/../.."
kind=${1:?usage: $0 address|thread}
export SWIFT_BACKTRACE=enable=no
export LSAN_OPTIONS="suppressions=$PWD/Tests/Sanitizers/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export TSAN_OPTIONS="halt_on_error=0:second_deadlock_stack=1"
log=.build-$kind/sanitizer.log
mkdir -p .build-$kind
swift test --sanitize="$kind" --build-path .build-$kind 2>&1 | tee "$log" | grep -E "Test run with|✘|SUMMARY: (Address|Thread|Leak)Sanitizer" || true
if grep -qE "SUMMARY: (Address|Thread|Leak)Sanitizer|✘" "$log"; then
  echo "$kind sanitizer: reports or failures (see $log)" >&2
  exit 1
fi
echo "$kind sanitizer: clean"
