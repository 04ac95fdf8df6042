#!/usr/bin/env bash
# Installs the Debian packages behind the private test mail stack (@email-profiles/mail-stack):
# Dovecot (core + LMTP from apt, IMAP/POP3 extracted privately), Postfix, Cyrus IMAP/POP3,
# Cyrus SASL (sasldb + PLAIN/LOGIN/CRAM-MD5/NTLM plugins) and OpenSSL.
#
# Idempotent: when everything is already present it exits without touching apt.
# Must run as root on Debian bookworm (or a close relative). Starts no service.
#
# Why the private Dovecot folder: dovecot-imapd/dovecot-pop3d conflict with cyrus-imapd/cyrus-pop3d
# in apt, so they are downloaded at exactly the installed dovecot-core version and unpacked with
# dpkg-deb into DOVECOT_EXTRA (default /opt/email-profiles/dovecot-extra); the stack points
# Dovecot's services at the binaries there.
set -euo pipefail

DOVECOT_EXTRA="${EMAIL_PROFILES_DOVECOT_EXTRA:-/opt/email-profiles/dovecot-extra}"
export DEBIAN_FRONTEND=noninteractive

log() { printf 'install-mail-stack: %s\n' "$*"; }
die() {
  printf 'install-mail-stack: error: %s\n' "$*" >&2
  exit 1
}

if [[ "$(id -u)" != 0 ]]; then
  die "must run as root (try: sudo $0)"
fi

CYRUS_PACKAGES=(cyrus-imapd cyrus-pop3d cyrus-common cyrus-clients)
OTHER_PACKAGES=(dovecot-core dovecot-lmtpd postfix sasl2-bin libsasl2-modules openssl)
EXTRA_BINARIES=(imap imap-login pop3 pop3-login)
SASL_PLUGINS=(plain login crammd5 ntlm sasldb)

package_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" == "ii " ]]
}

sasl_plugin_present() {
  local found
  found=$(find /usr/lib -maxdepth 3 -path "*/sasl2/lib$1.so*" -print -quit 2>/dev/null)
  [[ -n "$found" ]]
}

missing_packages() {
  local pkg
  for pkg in "$@"; do
    package_installed "$pkg" || printf '%s\n' "$pkg"
  done
}

dovecot_version() { dpkg-query -W -f='${Version}' dovecot-core 2>/dev/null || true; }

extra_current() {
  local version bin
  version="$(dovecot_version)"
  [[ -n "$version" && -f "$DOVECOT_EXTRA/.version" ]] || return 1
  [[ "$(cat "$DOVECOT_EXTRA/.version")" == "$version" ]] || return 1
  for bin in "${EXTRA_BINARIES[@]}"; do
    [[ -x "$DOVECOT_EXTRA/usr/lib/dovecot/$bin" ]] || return 1
  done
}

# Never leave a Postfix master running from the default configuration (package scripts must not
# start one; this also covers machines with an init system). Stops it by its pid file only.
stop_default_postfix() {
  local pidfile=/var/spool/postfix/pid/master.pid pid
  [[ -r "$pidfile" ]] || return 0
  pid="$(tr -dc '0-9' <"$pidfile")"
  [[ -n "$pid" && -d "/proc/$pid" ]] || return 0
  if [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == */postfix/sbin/master ]]; then
    log "stopping a Postfix master (pid $pid) started by the package scripts"
    postfix stop >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
  fi
}

mapfile -t MISSING_CYRUS < <(missing_packages "${CYRUS_PACKAGES[@]}")
mapfile -t MISSING_OTHER < <(missing_packages "${OTHER_PACKAGES[@]}")
did_something=no

if ((${#MISSING_CYRUS[@]} + ${#MISSING_OTHER[@]} > 0)) || ! extra_current; then
  log "updating apt package lists"
  apt-get update -qq

  # Package scripts must not start services: use a policy-rc.d (101 = action forbidden) unless the
  # machine already has one; removed again on exit.
  temp_policy=no
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    temp_policy=yes
  fi
  cleanup() {
    if [[ "$temp_policy" == yes ]]; then rm -f /usr/sbin/policy-rc.d; fi
    if [[ -n "${download_dir:-}" ]]; then rm -rf "$download_dir"; fi
  }
  trap cleanup EXIT

  # Postfix: no debconf prompt, and no system configuration (the stack uses private config dirs).
  echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections

  if ((${#MISSING_CYRUS[@]} > 0)); then
    log "installing ${MISSING_CYRUS[*]}"
    apt-get install -y -qq --no-install-recommends "${CYRUS_PACKAGES[@]}" >/dev/null
    did_something=yes
  fi
  if ((${#MISSING_OTHER[@]} > 0)); then
    log "installing ${MISSING_OTHER[*]}"
    apt-get install -y -qq --no-install-recommends "${OTHER_PACKAGES[@]}" >/dev/null
    did_something=yes
  fi
  stop_default_postfix

  if ! extra_current; then
    version="$(dovecot_version)"
    [[ -n "$version" ]] || die "dovecot-core is not installed"
    log "downloading dovecot-imapd and dovecot-pop3d $version into $DOVECOT_EXTRA"
    download_dir="$(mktemp -d)"
    chmod 755 "$download_dir"
    chown _apt "$download_dir" 2>/dev/null || true
    (cd "$download_dir" && apt-get download -qq "dovecot-imapd=$version" "dovecot-pop3d=$version")
    rm -rf "$DOVECOT_EXTRA"
    mkdir -p "$DOVECOT_EXTRA"
    for deb in "$download_dir"/*.deb; do
      dpkg-deb -x "$deb" "$DOVECOT_EXTRA"
    done
    # Dovecot runs these as dovenull (login) and mail (imap/pop3): world-readable and executable,
    # and the parent folder traversable (only adds the x bit, so it is safe for any parent).
    chmod a+x "$(dirname "$DOVECOT_EXTRA")"
    chmod -R a+rX "$DOVECOT_EXTRA"
    printf '%s\n' "$version" >"$DOVECOT_EXTRA/.version"
    did_something=yes
  fi
fi

# Postfix's "No configuration" leaves no /etc/postfix/main.cf, but `postfix -c DIR` reads it to
# find alternate_config_directories (the stack adds its slot directories there when it starts).
if [[ ! -e /etc/postfix/main.cf ]]; then
  log "creating a minimal /etc/postfix/main.cf (no system mail service is configured)"
  printf '%s\n' \
    '# Minimal file written by email-profiles scripts/install-mail-stack.sh: Postfix is not' \
    '# configured as this machine'"'"'s MTA. The test mail stack runs private Postfix instances whose' \
    '# configuration directories are listed in alternate_config_directories.' \
    'compatibility_level = 3.6' >/etc/postfix/main.cf
  did_something=yes
fi

# Verify the result.
for pkg in "${CYRUS_PACKAGES[@]}" "${OTHER_PACKAGES[@]}"; do
  package_installed "$pkg" || die "package $pkg is not installed"
done
extra_current || die "Dovecot IMAP/POP3 binaries missing in $DOVECOT_EXTRA"
for plugin in "${SASL_PLUGINS[@]}"; do
  sasl_plugin_present "$plugin" || die "Cyrus SASL plugin lib$plugin.so not found"
done
for bin in /usr/sbin/dovecot /usr/lib/dovecot/lmtp /usr/sbin/postfix /usr/lib/cyrus/bin/master \
  /usr/sbin/saslpasswd2 /usr/bin/openssl; do
  [[ -x "$bin" ]] || die "$bin is missing"
done

if [[ "$did_something" == yes ]]; then
  log "done: Dovecot $(dovecot_version), Postfix $(dpkg-query -W -f='${Version}' postfix)," \
    "Cyrus $(dpkg-query -W -f='${Version}' cyrus-imapd); private Dovecot IMAP/POP3 in $DOVECOT_EXTRA"
else
  log "everything already installed (nothing to do)"
fi
