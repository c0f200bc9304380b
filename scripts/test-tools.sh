#!/usr/bin/env bash
# Debian packages the tests call as programs (a test that needs one fails, never skips, when it is missing):
#   prometheus   its promtool checks the /metrics exposition (PrometheusMetricsTest)
#   chromium, chromium-driver   the status page in a real headless browser (StatusPageBrowserTest)
#   haproxy, nginx-light   a real PROXY-protocol sender and receiver (ForwarderProtectionTest)
#   tshark       reads the pcap files of a capture back as Wireshark would (PcapTsharkTest, PcapFilesTest)
#   bsdextrautils  its hexdump -C is what --dump's layout is compared with (HexDumpTest)
#   redis-server, redis-tools, postgresql-client, openssl, curl   real clients (and a real Redis) whose first
#                bytes the protocol summaries must name (SummaryClientsTest)
# Installs only what is missing, with one line saying what; runs apt-get update at most once, and only then.
# Idempotent and quick when everything is present. Needs root (or sudo) for apt-get.
set -euo pipefail

packages=(prometheus chromium chromium-driver haproxy nginx-light tshark bsdextrautils redis-server redis-tools
  postgresql-client openssl curl)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
printf 'test-tools.sh: installing Debian packages the tests need: %s\n' "${missing[*]}" >&2
log=$(mktemp /tmp/test-tools.XXXXXX)
trap 'rm -f "$log"' EXIT
# apt's own chatter (debconf, needrestart) goes to the log, shown only when something fails.
if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 \
    sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@"' apt "${missing[@]}" >"$log" 2>&1; then
  cat "$log" >&2
  printf 'test-tools.sh: could not install: %s\n' "${missing[*]}" >&2
  exit 1
fi
