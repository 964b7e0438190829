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

label=install-deps
# shellcheck source=lib/apt-install.sh
source "$(dirname "$0")/lib/apt-install.sh"
apt_install_missing

command -v etcd >/dev/null 2>&1 && command -v etcdctl >/dev/null 2>&1 && command -v go >/dev/null 2>&1 \
  && [ -d "$gocode/go.etcd.io/etcd/clientv3/naming/resolver" ] \
  && [ -x /usr/bin/chromium ] && command -v promtool >/dev/null 2>&1 \
  || explain "apt-get finished but something is still missing."
echo "install-deps: $(etcd --version | head -n 1); $(go version)"
