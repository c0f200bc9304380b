#!/usr/bin/env bash
# Makes sure a Docker engine answers and a local debian:bookworm-slim image exists.
# Idempotent: on a machine where both are present it returns in well under a second.
# Facts behind each step: ../shared/docker-ci.md (no registry here, apt does not start services).
set -euo pipefail

log_dir="${FORWARDER_DOCKER_LOG_DIR:-/tmp/forwarder-docker}"
mkdir -p "$log_dir"
dockerd_log="$log_dir/dockerd.log"
base_image="debian:bookworm-slim"
started=$(date +%s)

say() { printf 'docker-up: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

engine_answers() { timeout 10 docker info >/dev/null 2>&1; }
seconds() { echo "$(( $(date +%s) - started )) s"; }

ensure_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  if [ "${#missing[@]}" -gt 0 ]; then
    say "installing ${missing[*]} from Debian with apt-get (about 15 s)"
    # The mirror may serve a dated snapshot whose Release files are past Valid-Until.
    as_root apt-get -o Acquire::Check-Valid-Until=false update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
    say "installed ${missing[*]} ($(( $(date +%s) - started )) s so far)"
  fi
}

start_engine() {
  engine_answers && return 0
  # The Debian package puts its dockerd in /usr/sbin; a bare client may sit in /usr/local/bin.
  local dockerd_bin
  dockerd_bin=$(command -v dockerd || echo /usr/sbin/dockerd)
  say "starting $dockerd_bin (log: $dockerd_log)"
  as_root setsid nohup "$dockerd_bin" >>"$dockerd_log" 2>&1 < /dev/null &
  local dockerd_pid=$!
  for _ in $(seq 1 120); do
    if engine_answers; then
      say "the Docker engine answers ($(seconds) so far)"
      return 0
    fi
    if ! kill -0 "$dockerd_pid" 2>/dev/null; then
      say "dockerd exited before answering; last lines of $dockerd_log:"
      tail -n 30 "$dockerd_log" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
  say "the Docker engine did not answer within 60 s; last lines of $dockerd_log:"
  tail -n 30 "$dockerd_log" >&2 || true
  exit 1
}

ensure_base_image() {
  if docker image inspect "$base_image" >/dev/null 2>&1; then return 0; fi
  say "no local $base_image: trying docker pull (up to 20 s)"
  if timeout 20 docker pull -q "$base_image" >/dev/null 2>&1; then return 0; fi
  say "no registry: building $base_image with debootstrap from the Debian mirror (about 30 s; log: $log_dir/debootstrap.log)"
  local rootfs
  rootfs=$(mktemp -d /tmp/forwarder-rootfs.XXXXXX)
  if ! as_root debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian \
      >"$log_dir/debootstrap.log" 2>&1; then
    say "debootstrap failed; last lines of $log_dir/debootstrap.log:"
    tail -n 30 "$log_dir/debootstrap.log" >&2 || true
    exit 1
  fi
  # The mirror may serve a dated snapshot whose Release files are past Valid-Until.
  echo 'Acquire::Check-Valid-Until "false";' | as_root tee "$rootfs/etc/apt/apt.conf.d/99no-check-valid-until" >/dev/null
  as_root rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  say "importing the root file system as $base_image ($(seconds) so far)"
  as_root tar -C "$rootfs" --numeric-owner -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$base_image" >/dev/null
  as_root rm -rf "$rootfs"
}

engine_answers || say "no Docker engine answers: setting one up (first run on this machine: about a minute)"
ensure_packages
start_engine
ensure_base_image
say "engine and $base_image ready in $(seconds)"
