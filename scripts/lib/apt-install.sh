# Sourced by scripts/install-*.sh: installs the Debian packages named in the `missing` array with
# one `apt-get update` and one `apt-get install`, as root or through password-less sudo; otherwise
# calls the caller's `explain` function (which prints what to run and exits 1).
# Needs: `missing` (non-empty array), `label` (message prefix), `explain` (function).

apt_install_missing() {
  command -v apt-get >/dev/null 2>&1 || explain "No apt-get here; install them yourself:"

  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      explain "Not root and sudo needs a password; run:"
    fi
  fi

  # In a container without systemd, keep a package's init script (etcd-server's, prometheus')
  # from starting a system service (it may fail there and fail the install); the Docker images
  # ship the same policy-rc.d.
  local policy=/usr/sbin/policy-rc.d
  local added_policy=no
  if [ ! -d /run/systemd/system ] && [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    added_policy=yes
  fi

  echo "$label: installing ${missing[*]} with apt-get"
  local status=0
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get update && \
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" || status=$?
  if [ "$added_policy" = yes ]; then "${sudo[@]}" rm -f "$policy"; fi
  return "$status"
}
