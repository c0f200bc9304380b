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

maven_started=$(now_ms)
maven_status=0
mvn -B -ntp verify "$@" || maven_status=$?
say "mvn verify took $(seconds_since "$maven_started") s (exit status $maven_status)"

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
say "all tests passed; whole run took $(seconds_since "$run_started") s"
