#!/usr/bin/env bash
# Runs every libFuzzer target of tests/fuzz for SECONDS each (default 30), one after another,
# under ASan + UBSan, on a copy of its seed corpus in a temporary directory (the tree is not
# modified), plus what earlier runs kept in $CRMKPI_FUZZ_CORPUS/TARGET when that is set (and
# the new inputs are added there). Each target first replays tests/fuzz/regressions/TARGET/.
#   tests/fuzz/run_all.sh [SECONDS] [BUILD_DIR] [TARGET...]      (BUILD_DIR default build-fuzz)
#   tests/fuzz/run_all.sh 1800                                   # half an hour per target
# Exits non-zero when a target crashes, leaks, times out (-timeout=10) or fails a FUZZ_CHECK;
# the reproducer is copied to tests/fuzz/crashes/TARGET/ (not committed) and its path printed:
# replay it with `BUILD_DIR/tests/fuzz/fuzz_TARGET FILE`. The last lines of each target's
# libFuzzer log (executions, coverage) are printed.
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-30}
build=${2:-build-fuzz}
shift $(($# < 2 ? $# : 2))
targets=("$@")
((${#targets[@]})) || targets=(csv ini_model formula where values transcode)

work=$(mktemp -d "${TMPDIR:-/tmp}/crmkpi_fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
export TMPDIR=$work  # the targets' scratch files go there too
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
for t in "${targets[@]}"; do
  bin=$build/tests/fuzz/fuzz_$t
  if [ ! -x "$bin" ]; then
    echo "== fuzz_$t: $bin is missing (cmake --build $build --target fuzzers)" >&2
    failed+=("$t")
    continue
  fi
  # First the inputs that once failed (fixed since): each is run once.
  if ls tests/fuzz/regressions/"$t"/* > /dev/null 2>&1; then
    if ! "$bin" tests/fuzz/regressions/"$t"/* > "$work/regressions_$t" 2>&1; then
      echo "== fuzz_$t: a regression input fails again:" >&2
      tail -n 40 "$work/regressions_$t" >&2
      failed+=("$t")
      continue
    fi
    echo "== fuzz_$t: $(ls tests/fuzz/regressions/"$t" | wc -l) regression inputs pass"
  fi
  corpus=$work/corpus_$t
  mkdir -p "$corpus" "$work/artifacts_$t"
  cp tests/fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null || true
  if [ -n "${CRMKPI_FUZZ_CORPUS:-}" ]; then
    mkdir -p "$CRMKPI_FUZZ_CORPUS/$t"
    cp "$CRMKPI_FUZZ_CORPUS/$t"/* "$corpus"/ 2>/dev/null || true
  fi
  args=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10
        -print_final_stats=1 -artifact_prefix="$work/artifacts_$t/")
  [ -f tests/fuzz/dict/$t.dict ] && args+=(-dict=tests/fuzz/dict/$t.dict)
  # The reader's refill and chunking paths need inputs larger than libFuzzer's default 4 KB.
  [ "$t" = csv ] && args+=(-max_len=65536)
  [ "$t" = ini_model ] && args+=(-max_len=16384)
  echo "== fuzz_$t for ${seconds}s"
  "$bin" "${args[@]}" "$corpus" > "$work/log_$t" 2>&1
  rc=$?
  grep -E '^(Done [0-9]+ runs|stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added|stat::peak_rss_mb)' \
    "$work/log_$t" | sed 's/^/   /'
  if [ -n "${CRMKPI_FUZZ_CORPUS:-}" ]; then
    cp -n "$corpus"/* "$CRMKPI_FUZZ_CORPUS/$t"/ 2>/dev/null || true
  fi
  if [ $rc -ne 0 ] || ls "$work/artifacts_$t"/* > /dev/null 2>&1; then
    echo "== fuzz_$t FAILED (exit $rc); the end of its log:" >&2
    tail -n 60 "$work/log_$t" >&2
    mkdir -p tests/fuzz/crashes/"$t"
    for a in "$work/artifacts_$t"/*; do
      [ -e "$a" ] || continue
      cp "$a" tests/fuzz/crashes/"$t"/
      echo "   reproducer: tests/fuzz/crashes/$t/$(basename "$a")" >&2
    done
    failed+=("$t")
  fi
done
if ((${#failed[@]})); then
  echo "== fuzzers failed: ${failed[*]}" >&2
  exit 1
fi
echo "== fuzzers: ${targets[*]}: nothing found in ${seconds}s each"
