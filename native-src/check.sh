#!/usr/bin/env bash
# Native checks beyond the plain C tests: sanitizers, valgrind and libFuzzer.
#
#   native-src/check.sh ci              everything CI runs: asan, tsan 3, valgrind, fuzz 30 (about 5 min)
#   native-src/check.sh asan            all ctest tests under AddressSanitizer + UndefinedBehaviorSanitizer (gcc)
#   native-src/check.sh tsan [RUNS]     all ctest tests under ThreadSanitizer, RUNS times (default 3)
#   native-src/check.sh valgrind        all ctest tests under valgrind memcheck
#   native-src/check.sh fuzz [SECONDS]  replay fuzz/regressions, then run every libFuzzer harness SECONDS
#                                       seconds (default 600: the long run; CI uses 30)
#
# Builds go to $PC_CHECK_DIR (default target/native-check in this checkout), one directory per kind; fuzz corpora stay
# there between runs (seeds are generated, never committed) and crash inputs land in its artifacts/.
# Missing tools (cmake, gcc, valgrind, clang-14 + libclang-rt-14-dev) are installed with apt-get when
# running as root, as on a fresh Debian CI machine.
set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${PC_CHECK_DIR:-$(dirname "$SRC")/target/native-check}"
JOBS="${PC_CHECK_JOBS:-2}"
CLANG="${PC_CLANG:-clang-14}"
HARNESSES=(fuzz_run fuzz_api fuzz_jobs)

# Every sanitizer stops the run at its first report, with a stack.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1"
export TSAN_OPTIONS="halt_on_error=1:abort_on_error=1:second_deadlock_stack=1"

log() { printf '\n=== %s\n' "$*"; }

install_pkgs() { # install_pkgs <debian package>...
  if [[ $(id -u) -ne 0 ]]; then
    echo "check.sh: missing tools; install them: apt-get install -y $*" >&2
    exit 2
  fi
  log "installing $*"
  if [[ -z "${PC_CHECK_APT_UPDATED:-}" ]]; then apt-get update -qq; export PC_CHECK_APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

need() { # need <command> <debian package>...
  local cmd="$1"; shift
  command -v "$cmd" >/dev/null 2>&1 || install_pkgs "$@"
}

base_tools() { need cmake cmake; need gcc gcc; need make make; }

# configure_and_build <dir> <cmake args...>
# Every step below returns non-zero on failure itself: `set -e` is off inside functions called from `||`.
configure_and_build() {
  local dir="$1"; shift
  mkdir -p "$dir"
  if ! { cmake -S "$SRC" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" "$@" &&
         cmake --build "$dir" -j"$JOBS"; } >"$dir/build.log" 2>&1; then
    tail -30 "$dir/build.log"
    echo "FAIL: build in $dir (log: $dir/build.log)"
    return 1
  fi
}

run_asan() {
  base_tools
  log "C tests under ASan + UBSan"
  configure_and_build "$OUT/asan" -DCMAKE_C_COMPILER=gcc \
    "-DPC_SANITIZE=-fsanitize=address,undefined;-fno-sanitize-recover=all;-fno-omit-frame-pointer" || return 1
  (cd "$OUT/asan" && PC_TEST_BYE_ROUNDS=20 ctest --output-on-failure -j1)
}

run_tsan() {
  local runs="${1:-3}"
  base_tools
  log "C tests under TSan, $runs runs"
  # target_clones' ifunc resolver runs before TSan is initialised: build without the clones.
  configure_and_build "$OUT/tsan" -DCMAKE_C_COMPILER=gcc -DPC_TARGET_CLONES=OFF \
    "-DPC_SANITIZE=-fsanitize=thread;-fno-omit-frame-pointer" || return 1
  (cd "$OUT/tsan" && PC_TEST_BYE_ROUNDS=20 ctest --output-on-failure -j1 --repeat "until-fail:$runs")
}

run_valgrind() {
  base_tools
  need valgrind valgrind
  log "C tests under valgrind memcheck"
  # ctest prefixes every test command with the "emulator": each test executable runs under valgrind, and
  # so do the worker processes it starts (--trace-children): a worker's error or leak makes it exit 1,
  # which its test reports.
  # --fair-sched=yes: valgrind runs one thread at a time, and by default a thread that keeps computing
  # (an endless gcd scan on a pool worker) could hold it off from the thread that cancels it for minutes:
  # pcompute_gcd_simd_env_tests' cancel test timed out at 300 s in CI and >60 s here, 5 s with fair scheduling.
  configure_and_build "$OUT/valgrind" -DCMAKE_C_COMPILER=gcc \
    "-DCMAKE_CROSSCOMPILING_EMULATOR=valgrind;--fair-sched=yes;--trace-children=yes;--error-exitcode=1;--leak-check=full;--errors-for-leak-kinds=definite;--show-leak-kinds=definite;--track-origins=yes;--quiet" || return 1
  # valgrind runs gcd_brute's AVX2 path ~6x slower than its scalar loop (measured with
  # pcompute_gcd_simd_bench under valgrind), which pushed pcompute_tests past its timeout: the tests run
  # the scalar path, except pcompute_gcd_simd_tests, which forces every path the (emulated) CPU has.
  # PC_TEST_LOOSE_TIMING: a test that needs two calls within a millisecond of each other only reports
  (cd "$OUT/valgrind" && PCOMPUTE_SIMD=scalar PC_TEST_BYE_ROUNDS=10 PC_TEST_LOOSE_TIMING=1 ctest --output-on-failure -j1)
}

# A few seeds per harness, so a short run starts from every kernel and every operation.
make_seeds() {
  local corpus="$1" harness="$2" i
  mkdir -p "$corpus"
  [[ -n "$(ls -A "$corpus")" ]] && return 0
  case "$harness" in
    fuzz_run) # kernel id, n as a small number, then zeros (the generator fills the rest)
      for i in $(seq 0 15); do printf "$(printf '\\x%02x\\x%02x' "$i" $((8 << 2 | 2)))" > "$corpus/seed-kernel-$i"; done ;;
    fuzz_api)
      for i in $(seq 0 7); do printf "$(printf '\\x%02x' "$i")%.0s" 1 2 3 4 > "$corpus/seed-$i"; done ;;
    fuzz_jobs) # create a job on pool 0, start it, wait; then a destroy racing with a wait
      printf '\x00\x00\x02\x00\x01\x06\x02\x03\x00\x00\x05\x00\x03' > "$corpus/seed-create-start-wait"
      printf '\x01\x01\x02\x01\x00\x02\x02\x01\x0b\x21\x00\x00\x05\x01\x03' > "$corpus/seed-submit-destroy" ;;
  esac
}

run_fuzz() {
  local seconds="${1:-600}" h status=0
  need cmake cmake; need make make
  need "$CLANG" clang-14 libclang-rt-14-dev
  # clang without the runtime package links nothing: check for libFuzzer itself
  if ! echo 'int LLVMFuzzerTestOneInput(const char*d,long n){(void)d;(void)n;return 0;}' |
      "$CLANG" -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then
    install_pkgs libclang-rt-14-dev
  fi
  log "libFuzzer harnesses, $seconds s each"
  configure_and_build "$OUT/fuzz" -DCMAKE_C_COMPILER="$CLANG" -DPC_FUZZ=ON || return 1
  mkdir -p "$OUT/artifacts"
  for h in "${HARNESSES[@]}"; do
    local bin="$OUT/fuzz/fuzz/$h" corpus="$OUT/corpus/$h"
    local regressions=("$SRC"/fuzz/regressions/"$h"-*)
    if [[ -e "${regressions[0]}" ]]; then
      echo "--- $h: replaying ${#regressions[@]} saved crash inputs"
      if ! timeout -k 10 900 "$bin" -rss_limit_mb=2048 -timeout=60 "${regressions[@]}" >"$OUT/artifacts/$h-replay.log" 2>&1; then
        grep -E 'FUZZ_CHECK|runtime error|ERROR:|Running:' "$OUT/artifacts/$h-replay.log" | tail -6 || true
        echo "FAIL: $h: a saved crash input still fails (log: $OUT/artifacts/$h-replay.log)"
        status=1
        continue
      fi
    fi
    make_seeds "$corpus" "$h"
    echo "--- $h: fuzzing $seconds s"
    local logf="$OUT/artifacts/$h.log"
    if timeout -k 10 $((seconds + 300)) "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=30 -rss_limit_mb=2048 \
        -artifact_prefix="$OUT/artifacts/$h-" "$corpus" >"$logf" 2>&1; then
      echo "$h: $(grep -E 'stat::number_of_executed_units' "$logf" | awk '{print $2}') executions, corpus $(ls "$corpus" | wc -l) inputs"
    else
      grep -E 'FUZZ_CHECK|runtime error|ERROR:|SUMMARY|Test unit written' "$logf" | head -8 || true
      echo "FAIL: $h found a failing input (log: $logf); reproduce with: $bin <input>;"
      echo "      keep it as a regression: cp <input> $SRC/fuzz/regressions/$h-<what-it-shows>"
      status=1
    fi
  done
  # The operation sequences again under ThreadSanitizer: the saved crash inputs (some fail only under
  # TSan: a destroyed mutex is invisible to ASan) and the corpus grown above, replayed 3 times by a
  # plain program (fuzz/replay_main.c: TSan builds carry no libFuzzer, see fuzz/CMakeLists.txt).
  configure_and_build "$OUT/fuzz-tsan" -DCMAKE_C_COMPILER="$CLANG" -DPC_FUZZ=ON -DPC_FUZZ_SANITIZE=thread || return 1
  make_seeds "$OUT/corpus/fuzz_jobs" fuzz_jobs
  local saved=("$SRC"/fuzz/regressions/fuzz_jobs-*) logf="$OUT/artifacts/fuzz_jobs-tsan.log" round
  [[ -e "${saved[0]}" ]] || saved=()
  echo "--- fuzz_jobs under TSan: replaying ${#saved[@]} saved and $(ls "$OUT/corpus/fuzz_jobs" | wc -l) corpus inputs, 3 times"
  for round in 1 2 3; do
    if ! timeout -k 10 600 "$OUT/fuzz-tsan/fuzz/fuzz_jobs" "${saved[@]}" "$OUT/corpus/fuzz_jobs" >"$logf" 2>&1; then
      grep -E 'FUZZ_CHECK|WARNING: ThreadSanitizer|SUMMARY|^    #[0-3] ' "$logf" | head -12 || true
      echo "FAIL: fuzz_jobs under TSan (log: $logf)"
      status=1
      break
    fi
  done
  return $status
}

timed() { # timed <label> <command...>: runs it, records "label seconds status"
  local label="$1" start end rc=0; shift
  start=$(date +%s)
  "$@" || rc=$?
  end=$(date +%s)
  TIMES+=("$(printf '%-10s %4ds  %s' "$label" $((end - start)) "$([[ $rc -eq 0 ]] && echo ok || echo FAILED)")")
  return $rc
}

mode="${1:-ci}"
mkdir -p "$OUT"
case "$mode" in
  asan) run_asan ;;
  tsan) run_tsan "${2:-3}" ;;
  valgrind) run_valgrind ;;
  fuzz) run_fuzz "${2:-600}" ;;
  ci)
    TIMES=(); failed=0
    timed asan run_asan || failed=1
    timed tsan run_tsan 3 || failed=1
    timed valgrind run_valgrind || failed=1
    timed fuzz run_fuzz "${PC_CHECK_FUZZ_SECONDS:-30}" || failed=1
    log "summary"
    printf '%s\n' "${TIMES[@]}"
    exit $failed ;;
  *) sed -n '2,16p' "${BASH_SOURCE[0]}"; exit 2 ;;
esac
