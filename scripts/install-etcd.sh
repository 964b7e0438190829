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

label=install-etcd
# shellcheck source=lib/apt-install.sh
source "$(dirname "$0")/lib/apt-install.sh"
apt_install_missing

command -v etcd >/dev/null 2>&1 && command -v etcdctl >/dev/null 2>&1 \
  || explain "apt-get finished but etcd/etcdctl are still not on PATH."
echo "install-etcd: $(etcd --version | head -n 1)"
