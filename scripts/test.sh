#!/usr/bin/env bash
# The project's test command (README, .ci/run): brings up a Docker engine and the local base image, then runs
# every unit test (Surefire) and integration test (Failsafe, Testcontainers). Meant for a fresh Debian machine with
# JDK 17 and Maven, no Docker engine and no registry; extra arguments go to Maven (e.g. -pl forwarder-it -am).
set -euo pipefail
cd "$(dirname "$0")/.."

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
seconds_since() { awk -v ms=$(( $(now_ms) - $1 )) 'BEGIN { printf "%.1f", ms / 1000 }'; }
say() { printf 'test.sh: %s\n' "$*" >&2; }

run_started=$(now_ms)
bash scripts/docker-up.sh
bash scripts/test-tools.sh
say "Docker bootstrap took $(seconds_since "$run_started") s"

summary=forwarder-it/target/failsafe-reports/failsafe-summary.xml
marker=$(mktemp /tmp/forwarder-test.XXXXXX)
trap 'rm -f "$marker"' EXIT

# Maven's whole output goes to a file; the console gets the modules, one line per test class, warnings, errors and
# the result. Each test class's own output (logs, containers, forwarder processes) is in
# MODULE/target/surefire-reports/ and failsafe-reports/ (redirectTestOutputToFile in the parent POM).
mkdir -p target
maven_log=target/test-run.log
say "running mvn verify (the whole Maven log: $maven_log; each test class's output: */target/*-reports/*-output.txt)"
maven_started=$(now_ms)
set +o pipefail
# An [ERROR] line is shown with the lines that continue it (an assertion's message, a compiler error's context).
mvn -B -ntp verify "$@" 2>&1 | tee "$maven_log" | awk '
  /^\[ERROR\]/ { err = 1; print; fflush(); next }
  /^\[/ { err = 0 }
  err { print; fflush(); next }
  /^\[INFO\] Tests run: .*, Failures: 0, Errors: 0, Skipped: 0$/ { next }
  /^\[WARNING\]|Tests run:|BUILD (SUCCESS|FAILURE)|Building forwarder|(SUCCESS|FAILURE|SKIPPED) \[/ { print; fflush() }'
maven_status=${PIPESTATUS[0]}
set -o pipefail
say "mvn verify took $(seconds_since "$maven_started") s (exit status $maven_status)"

# Unit test counts of this run, summed over Surefire's reports.
unit_counts() {
  local files heads
  mapfile -t files < <(find . -path '*/target/surefire-reports/TEST-*.xml' -newer "$marker" 2>/dev/null)
  if [ "${#files[@]}" -eq 0 ]; then echo "none ran"; return; fi
  heads=$(grep -h -o '<testsuite [^>]*>' "${files[@]}")
  sum() { grep -o " $1=\"[0-9]*\"" <<<"$heads" | tr -dc '0-9\n' | awk '{ s += $1 } END { print s + 0 }'; }
  echo "run=$(sum tests) failures=$(sum failures) errors=$(sum errors) skipped=$(sum skipped)"
}

figures=forwarder-it/target/reload-under-load.txt
if [ -n "$(find "$figures" -newer "$marker" 2>/dev/null)" ]; then say "$(cat "$figures")"; fi
say "whole run took $(seconds_since "$run_started") s"
say "unit tests: $(unit_counts)"
# Failsafe fails the build on failures and on zero tests, but not on skipped ones: a test skipped for want of
# Docker would pass quietly. Check the summary this run wrote.
if [ -n "$(find "$summary" -newer "$marker" 2>/dev/null)" ]; then
  field() { sed -n "s:.*<$1>\([0-9]*\)</$1>.*:\1:p" "$summary"; }
  say "integration tests: run=$(field completed) failures=$(field failures) errors=$(field errors) skipped=$(field skipped)"
  [ "$maven_status" -eq 0 ] || exit "$maven_status"
  if [ "$(field skipped)" != "0" ]; then
    say "integration tests were skipped; they must run"
    exit 1
  fi
elif [ "$maven_status" -ne 0 ]; then
  exit "$maven_status"
elif [ "${CI:-}" = "true" ]; then
  say "integration tests did not run ($summary not written); in CI they must"
  exit 1
fi
say "all tests passed"
