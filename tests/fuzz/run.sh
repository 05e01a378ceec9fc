#!/bin/sh
# make fuzz: runs each libFuzzer target for SECONDS from its seed corpus, then prints executions
# and crashes per target. Usage: tests/fuzz/run.sh BUILD_DIR SECONDS TARGET...
#   reads  tests/fuzz/corpus/TARGET/ and tests/fuzz/regressions/TARGET/ (never written)
#   writes BUILD_DIR/corpus/TARGET/ (new inputs), BUILD_DIR/artifacts/TARGET/ (crashes),
#          BUILD_DIR/TARGET.log (libFuzzer's output)
# A crash: copy the artifact into tests/fuzz/regressions/TARGET/ once fixed, so that
# `make test` (test-fuzz-replay) replays it from then on.
# Exit status: 0 when no target crashed, 1 otherwise.
set -u
build=$1
seconds=$2
shift 2
here=$(dirname "$0")
summary=""
failed=0
for target in "$@"; do
  corpus="$build/corpus/$target"
  artifacts="$build/artifacts/$target"
  log="$build/$target.log"
  mkdir -p "$corpus" "$artifacts"
  before=$(ls "$artifacts" | wc -l)
  inputs="$here/corpus/$target"
  [ -d "$here/regressions/$target" ] && inputs="$inputs $here/regressions/$target"
  echo "fuzz-$target: ${seconds}s, log in $log"
  # shellcheck disable=SC2086 # $inputs is a list of directories
  "$build/fuzz-$target" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
    -max_len=1024 -dict="$here/$target.dict" -artifact_prefix="$artifacts/" \
    "$corpus" $inputs > "$log" 2>&1
  status=$?
  executions=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  crashes=$(( $(ls "$artifacts" | wc -l) - before ))
  if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then
    crashes=1 # it stopped on something it did not write down: see the log
  fi
  [ "$crashes" -ne 0 ] && failed=1
  if [ -z "$executions" ]; then
    executions="?"
    failed=1
  fi
  summary="$summary$(printf '%-14s %12s executions %3s crashes  %6s corpus files' \
    "$target" "$executions" "$crashes" "$(ls "$corpus" | wc -l)")
"
  if [ "$crashes" -ne 0 ]; then
    grep -m 3 -E 'invariant failed|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error' \
      "$log" | sed 's/^/    /'
  fi
done
echo
echo "fuzzing summary (${seconds}s per target):"
printf '%s' "$summary"
if [ "$failed" -ne 0 ]; then
  echo "crashes found: artifacts in $build/artifacts/, logs in $build/*.log"
fi
exit "$failed"
