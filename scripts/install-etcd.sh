#!/usr/bin/env bash
# Makes sure the test prerequisites are installed: etcd and etcdctl (rollcall's tests and
# `rollcall etcd` run a real etcd), and openssl (the TLS tests make their certificates with it).
# Does nothing when they are already on PATH. Otherwise installs the Debian/Ubuntu packages
# with apt-get (as root, or through sudo when that works without a password), or prints what
# to run and exits 1.
set -euo pipefail

missing=()
command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || missing+=(etcd-client)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-etcd: etcd, etcdctl and openssl found ($(command -v etcd)); nothing to do"
  exit 0
fi

explain() {
  echo "install-etcd: missing ${missing[*]}. $1" >&2
  echo "  Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y etcd-server etcd-client openssl" >&2
  echo "  macOS:         brew install etcd openssl" >&2
  echo "  or download etcd from https://github.com/etcd-io/etcd/releases and set ROLLCALL_ETCD_BIN=/path/to/etcd" >&2
  exit 1
}

command -v apt-get >/dev/null 2>&1 || explain "No apt-get here; install them yourself:"

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  explain "Not root and sudo needs a password; run:"
fi

# In a container without systemd, keep the package's init script from starting a system etcd
# (it may fail there and fail the install); the Docker images ship the same policy-rc.d.
policy=/usr/sbin/policy-rc.d
added_policy=no
if [ ! -d /run/systemd/system ] && [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod 755 "$policy"
  added_policy=yes
fi
cleanup() { if [ "$added_policy" = yes ]; then "${sudo[@]}" rm -f "$policy"; fi; }
trap cleanup EXIT

echo "install-etcd: installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"

command -v etcd >/dev/null 2>&1 && command -v etcdctl >/dev/null 2>&1 \
  || explain "apt-get finished but etcd/etcdctl are still not on PATH."
echo "install-etcd: $(etcd --version | head -n 1)"
