#!/usr/bin/env bash
# One-command set-up of crmkpi on Debian 12 (as root, or a user with sudo):
#   bash .ci/setup.sh example   install what is missing, build, run the main job on examples/
#   bash .ci/setup.sh test      install what is missing, build, run the whole test suite
#                               (Release with -Werror, then again under ASan + UBSan,
#                               then each libFuzzer target for 30 s when clang is there)
set -euo pipefail
mode=${1:-example}
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

# 1. Debian packages the build and the tests need (installed only when missing).
packages=(g++ cmake ninja-build pkg-config libcli11-dev libfmt-dev libhowardhinnant-date-dev
          libutf8proc-dev libre2-dev libuchardet-dev libxlsxwriter-dev catch2 libfccp-dev libxml2-utils python3 python3-jsonschema tzdata ccache
          clang libclang-rt-14-dev)
# Only the tests need these: dpkg-dev (dpkg-shlibdeps, for the .deb CPack makes), man-db and zsh
# (the installed man page and completions are checked; tests/integration/package_test.py);
# chromium with a Japanese font (the HTML dashboards are rendered in headless Chromium);
# postgresql (the SQL of `crmkpi sql` runs on a throw-away cluster: tests/integration/
# sql_engines_test.py) and Node.js with npm (DuckDB and node-sql-parser, tests/sql/package.json).
if [ "$mode" = test ]; then
  packages+=(dpkg-dev man-db zsh chromium fonts-ipafont-gothic postgresql)
  # By command, not by package: a Node.js from elsewhere (NodeSource's nodejs bundles npm and
  # conflicts with Debian's npm package) serves as well.
  if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
    packages+=(nodejs npm)
  fi
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "== installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The tests' Node packages (tests/sql/package-lock.json), once per clone.
if [ "$mode" = test ] && [ ! -d tests/sql/node_modules ]; then
  echo "== npm ci --prefix tests/sql"
  npm ci --prefix tests/sql --no-audit --no-fund --loglevel=error > /dev/null
fi

# Which passes `test` runs: all of them unless CRMKPI_SETUP_PASSES names fewer (the set-up
# script's own test, tests/integration/setup_test.py, runs it again with "release" only).
want() { [[ " ${CRMKPI_SETUP_PASSES:-release asan fuzz} " == *" $1 "* ]]; }

# 2. Build (warnings are errors). ccache, when installed, makes a rebuild in another clone cheap.
launcher=()
if command -v ccache > /dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="$PWD"
fi
build() {  # build DIR [cmake args...]
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja -DCRMKPI_WERROR=ON "${launcher[@]}" "$@" > /dev/null
  cmake --build "$dir" -j "$jobs"
}

case "$mode" in
  example)
    build build -DCMAKE_BUILD_TYPE=Release -DCRMKPI_BUILD_TESTS=OFF -DCRMKPI_SANITIZE=OFF
    echo "== build/crmkpi report examples/deals.csv --by owner --stages ... --opportunity-stage Qualification"
    ./build/crmkpi report examples/deals.csv --by owner \
      --stages "Prospecting,Qualification,Proposal,Negotiation,Closed Won" \
      --opportunity-stage Qualification
    ;;
  test)
    # Every option the test passes need is set here explicitly: an earlier `example` run caches
    # CRMKPI_BUILD_TESTS=OFF in build/, and a test pass over a build without tests would pass.
    build build -DCMAKE_BUILD_TYPE=Release -DCRMKPI_BUILD_TESTS=ON -DCRMKPI_SANITIZE=OFF
    echo "== tests (Release)"
    ctest --test-dir build --output-on-failure --no-tests=error -j "$jobs"
    if want asan; then
      # -O1 -g1: sanitizer builds need no full optimisation or debug info, and compile in about
      # half the time on a 2-core machine.
      build build-asan -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" \
        -DCRMKPI_SANITIZE=ON -DCRMKPI_BUILD_TESTS=ON
      echo "== tests (AddressSanitizer + UndefinedBehaviorSanitizer)"
      # Not the two that test what another program makes of crmkpi's output (a browser's
      # rendering, a database's answer to the compiled SQL): the Release pass runs them, and the
      # C++ they reach is run under the sanitizers by the goldens and sql_docs. Nor the two that
      # test the product of a Release build (setup_script builds and tests one of its own;
      # package makes the .deb): under this pass they would test the same Release build again.
      # Nor long_result (report and tree with and without --metrics on every example and golden
      # definition: 142 s here, where the reader it reaches runs under the sanitizers in unit/all
      # and golden/bad_metrics_file and check_metrics). This keeps .ci/run near its 25-minute
      # aim on two cores.
      ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir build-asan --output-on-failure --no-tests=error -j "$jobs" \
        -E '^(html_browser|sql_engines|setup_script|package|long_result)$'
    fi
    if want fuzz; then
      # The libFuzzer targets (tests/fuzz, docs/design.md "Fuzzing"), 30 s each under ASan +
      # UBSan on copies of their seed corpora; a crash fails the run. Needs clang and its
      # libFuzzer runtime (clang, libclang-rt-14-dev); -O1 -g1 and only the fuzzers are built.
      if command -v clang++ > /dev/null && echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' |
           clang++ -fsanitize=fuzzer -x c++ - -o /dev/null 2> /dev/null; then
        CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja "${launcher[@]}" -DCRMKPI_FUZZ=ON \
          -DCRMKPI_BUILD_TESTS=OFF -DCRMKPI_WERROR=OFF -DCMAKE_BUILD_TYPE=Debug \
          "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" > /dev/null
        cmake --build build-fuzz -j "$jobs" --target fuzzers
        echo "== fuzzers (libFuzzer + AddressSanitizer + UndefinedBehaviorSanitizer), 30 s each"
        bash tests/fuzz/run_all.sh 30 build-fuzz
      else
        echo "== fuzzers skipped: clang++ with libFuzzer (Debian: clang libclang-rt-14-dev) not found"
      fi
    fi
    ;;
  *)
    echo "usage: bash .ci/setup.sh example|test" >&2
    exit 2
    ;;
esac
