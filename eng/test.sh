#!/usr/bin/env bash
# The README's test command. Before running anything it makes sure the tools some tests drive are there:
# kubectl, the official Python client, spin and gcc, promtool, Chromium, curl and jq, Node.js with npm (and
# s3rver from tools/s3rver's lock file). Missing ones are installed with apt-get when it can (as root, or with
# sudo that needs no password); otherwise it says once which are missing and the one command that installs
# them, and goes on. Then it runs `dotnet test` (its arguments are passed on: `eng/test.sh -c Release --no-build`
# is what .ci/run runs), keeps TRX results in artifacts/test-results and ends with one line
# "N passed, N failed" (", N skipped" when any were). With the tools installed, `dotnet test` alone is the
# inner loop. ROOSTHA_NO_INSTALL=1 only reports.
set -uo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

python="${ROOSTHA_PYTHON:-/usr/bin/python3}"      # Debian's python3 sees Debian's python3-kubernetes
chromium="${ROOSTHA_CHROMIUM:-/usr/bin/chromium}" # the headless status-page tests use this path

missing=()    # tools, as shown to the user
packages=()   # the Debian packages that provide them
notes=()      # tools apt-get must not install here
check_tools() {
  missing=() packages=() notes=()
  if [ -z "${ROOSTHA_KUBECTL:-}" ] && ! command -v kubectl >/dev/null 2>&1 \
     && ! ls /usr/lib/google-cloud-sdk/bin/kubectl.1.* >/dev/null 2>&1; then
    missing+=(kubectl) packages+=(kubernetes-client)
  fi
  if ! "$python" -c 'import kubernetes' >/dev/null 2>&1; then
    missing+=("the Python kubernetes client ($python)") packages+=(python3-kubernetes)
  fi
  local tool package
  for tool in spin:spin gcc:gcc promtool:prometheus curl:curl jq:jq; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || { missing+=("${tool%%:*}") packages+=("${tool#*:}"); }
  done
  [ -x "$chromium" ] || { missing+=("chromium ($chromium)") packages+=(chromium); }
  # Node.js: Debian's nodejs and npm only where there is no Node.js at all. A Node.js from elsewhere
  # (NodeSource, nvm) brings its own npm, and Debian's npm would conflict with it ("held broken packages").
  if ! command -v node >/dev/null 2>&1; then
    missing+=(node) packages+=(nodejs)
    command -v npm >/dev/null 2>&1 || { missing+=(npm) packages+=(npm); }
  elif ! command -v npm >/dev/null 2>&1; then
    missing+=(npm) notes+=("npm: install it with your Node.js ($(command -v node)); Debian's npm package would replace that Node.js")
  fi
}

check_tools
if (( ${#packages[@]} > 0 )) && [ "${ROOSTHA_NO_INSTALL:-}" != 1 ] && command -v apt-get >/dev/null 2>&1; then
  as_root=()
  can_install=1
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then as_root=(sudo -n); else can_install=0; fi
  fi
  if (( can_install )); then
    echo "eng/test.sh: installing ${packages[*]}"
    "${as_root[@]}" apt-get update -qq >/dev/null 2>&1
    # One package at a time when the whole line fails, so that one unavailable package does not stop the rest.
    if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null 2>&1; then
      for package in "${packages[@]}"; do
        "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null 2>&1 \
          || echo "eng/test.sh: apt-get could not install $package" >&2
      done
    fi
    check_tools
  fi
fi
if (( ${#missing[@]} > 0 )); then
  {
    list=$(printf '%s, ' "${missing[@]}")
    echo "eng/test.sh: missing tools: ${list%, }."
    echo "  The tests that drive them fail, each naming what to install, until you run (Debian or Ubuntu):"
    if (( ${#packages[@]} > 0 )); then echo "    sudo apt-get install -y ${packages[*]}"; fi
    for note in "${notes[@]}"; do echo "    ($note)"; done
  } >&2
fi

if [ "${CI:-}" = true ]; then   # the versions in the CI log
  for k in /usr/lib/google-cloud-sdk/bin/kubectl.1.* "$(command -v kubectl || true)"; do
    [ -x "$k" ] && echo "kubectl: $k $("$k" version --client 2>/dev/null | head -n1)"
  done
  "$python" -c 'import kubernetes; print("python kubernetes client", kubernetes.__version__)' 2>/dev/null
  spin -V 2>/dev/null; promtool --version 2>&1 | head -n1; "$chromium" --version 2>/dev/null; node --version 2>/dev/null
fi

# The S3 store's tests run s3rver, installed into tools/s3rver/node_modules from its lock file.
if [ ! -d tools/s3rver/node_modules/s3rver ] && command -v npm >/dev/null 2>&1; then
  npm ci --prefix tools/s3rver --no-audit --no-fund --loglevel=error >/dev/null \
    || echo "eng/test.sh: npm ci --prefix tools/s3rver failed; the S3 tests will say what is missing" >&2
fi

results=artifacts/test-results
rm -rf "$results"
dotnet test "$@" --logger trx --results-directory "$results"
test_rc=$?

passed=0 failed=0 skipped=0 files=0
counter() { grep -o "<Counters [^>]*>" "$2" | head -n1 | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
shopt -s nullglob
for trx in "$results"/*.trx; do
  files=$((files + 1))
  total=$(counter total "$trx"); executed=$(counter executed "$trx")
  passed=$((passed + $(counter passed "$trx")))
  failed=$((failed + $(counter failed "$trx") + $(counter error "$trx") + $(counter timeout "$trx") + $(counter aborted "$trx")))
  # xunit's skipped tests are counted as not executed: in notExecuted, or only as total minus executed.
  not_executed=$(counter notExecuted "$trx")
  if (( total - executed > not_executed )); then not_executed=$((total - executed)); fi
  skipped=$((skipped + not_executed))
done

status=0
if (( test_rc != 0 )); then echo "dotnet test exited with $test_rc" >&2; status=1; fi
if (( files == 0 )); then echo "no TRX results in $results" >&2; status=1; fi
if (( failed > 0 )); then status=1; fi
if (( passed + failed == 0 )); then echo "no test ran" >&2; status=1; fi

line="$passed passed, $failed failed"
if (( skipped > 0 )); then line="$line, $skipped skipped"; fi
echo "$line"
exit "$status"
