#!/usr/bin/env bash
# Makes sure everything the test suite needs is installed:
#   etcd, etcdctl  (etcd-server, etcd-client)  the tests run a real etcd
#   openssl                                    the TLS tests make their certificates with it
#   go             (golang-go)                 the Go interop tests build test/go/interop ...
#   Debian's Go sources of etcd 3.4 and grpc-go (golang-etcd-server-dev, golang-google-grpc-dev)
#                                              ... offline, in GOPATH mode over /usr/share/gocode
#   chromium                                   the dashboard's browser test drives it headless
#   promtool       (prometheus)                checks rollcall/metrics' exposition format
# Does nothing when all are present. Otherwise installs the missing Debian/Ubuntu packages with
# one `apt-get update` and one `apt-get install` (as root, or through sudo when that works without
# a password), or prints what to run and exits 1. scripts/install-etcd.sh installs only what the
# demo needs.
set -euo pipefail

gocode=/usr/share/gocode/src
missing=()
command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || missing+=(etcd-client)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v go >/dev/null 2>&1 || missing+=(golang-go)
[ -d "$gocode/go.etcd.io/etcd/clientv3/naming/resolver" ] || missing+=(golang-etcd-server-dev)
[ -d "$gocode/google.golang.org/grpc/health/grpc_health_v1" ] || missing+=(golang-google-grpc-dev)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: etcd, etcdctl, openssl, go, Debian's etcd/grpc-go Go sources, chromium and promtool found; nothing to do"
  exit 0
fi

explain() {
  echo "install-deps: missing ${missing[*]}. $1" >&2
  echo "  Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  echo "  elsewhere: install etcd, etcdctl and openssl (macOS: brew install etcd openssl); without Debian's" >&2
  echo "  Go packages the Go interop tests are skipped outside CI (they need $gocode from" >&2
  echo "  golang-etcd-server-dev and golang-google-grpc-dev)" >&2
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

# In a container without systemd, keep etcd-server's init script from starting a system etcd
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

echo "install-deps: installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"

command -v etcd >/dev/null 2>&1 && command -v etcdctl >/dev/null 2>&1 && command -v go >/dev/null 2>&1 \
  && [ -d "$gocode/go.etcd.io/etcd/clientv3/naming/resolver" ] \
  && [ -x /usr/bin/chromium ] && command -v promtool >/dev/null 2>&1 \
  || explain "apt-get finished but something is still missing."
echo "install-deps: $(etcd --version | head -n 1); $(go version)"
