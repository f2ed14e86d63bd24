# Starts a throwaway Dovecot IMAP server on a free loopback port inside $1 (a temporary folder), for the mail tests.
# It has its own config file (nothing under /etc/dovecot is read or changed), plaintext login without TLS, and two
# users, "support" and "other", both with the password "imap-test-pass" and a Maildir under the temporary folder.
# Sets DOVECOT_PORT; dovecot_stop stops it. Needs the dovecot-imapd package (scripts/test installs it).

DOVECOT_PASSWORD="imap-test-pass"

# shellcheck source=scripts/lib/ports.sh
. "$(dirname "${BASH_SOURCE[0]}")/ports.sh"

dovecot_start() {
  local work="$1"
  local dir="$work/dovecot"
  local mail_user login_user internal_user
  DOVECOT_DIR="$dir"
  DOVECOT_CONFIG="$dir/dovecot.conf"
  DOVECOT_PORT="$(free_port 51143)" || { echo "no free port for Dovecot" >&2; return 1; }
  if [ "$(id -u)" = 0 ]; then
    # Mail is stored as an unprivileged system user; the login and internal processes use Dovecot's own users.
    getent passwd vmail >/dev/null \
      || useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin vmail \
      || { echo "could not create the vmail user" >&2; return 1; }
    mail_user=vmail
    login_user=dovenull; getent passwd dovenull >/dev/null || login_user=vmail
    internal_user=dovecot; getent passwd dovecot >/dev/null || internal_user=vmail
  else
    mail_user="$(id -un)"; login_user="$mail_user"; internal_user="$mail_user"
  fi
  rm -rf "$dir"
  mkdir -p "$dir/run" "$dir/state" "$dir/home/support" "$dir/home/other"
  chmod 755 "$work" "$dir"
  [ "$(id -u)" = 0 ] && chown -R "$mail_user:" "$dir/home"
  {
    echo "support:{PLAIN}$DOVECOT_PASSWORD"
    echo "other:{PLAIN}$DOVECOT_PASSWORD"
  } >"$dir/users"
  chmod 644 "$dir/users"
  cat >"$DOVECOT_CONFIG" <<EOF
base_dir = $dir/run
state_dir = $dir/state
instance_name = sportello-test-$DOVECOT_PORT
log_path = $dir/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = $login_user
default_internal_user = $internal_user
first_valid_uid = $(id -u "$mail_user")
last_valid_uid = 0
mail_location = maildir:~/Maildir
# Dovecot clears its children's environment: under faketime (a run with the clock moved) they must keep the same
# clock as the master, or the login process and the auth process disagree and every login is dropped.
import_environment = TZ CORE_OUTOFMEM CORE_ERROR LISTEN_PID LISTEN_FDS LD_PRELOAD FAKETIME FAKETIME_DONT_FAKE_MONOTONIC
passdb {
  driver = passwd-file
  args = scheme=PLAIN $dir/users
}
userdb {
  driver = static
  args = uid=$mail_user gid=$(id -gn "$mail_user") home=$dir/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $DOVECOT_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
EOF
  /usr/sbin/dovecot -c "$DOVECOT_CONFIG" >"$dir/start.log" 2>&1 \
    || { cat "$dir/start.log" "$dir/dovecot.log" >&2 2>/dev/null; DOVECOT_DIR=""; return 1; }
  local tries
  for tries in $(seq 1 75); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$DOVECOT_PORT") 2>/dev/null; then
      export DOVECOT_PORT
      return 0
    fi
    sleep 0.2
  done
  echo "Dovecot did not accept connections on 127.0.0.1:$DOVECOT_PORT" >&2
  cat "$dir/start.log" "$dir/dovecot.log" >&2 2>/dev/null || true
  dovecot_stop
  return 1
}

# Stops only the Dovecot that dovecot_start started (the master process named in its own base_dir).
dovecot_stop() {
  [ -n "${DOVECOT_DIR:-}" ] || return 0
  local pidfile="$DOVECOT_DIR/run/master.pid" pid tries
  if [ -f "$pidfile" ]; then
    pid="$(cat "$pidfile" 2>/dev/null || true)"
    /usr/sbin/dovecot -c "$DOVECOT_CONFIG" stop >/dev/null 2>&1 || { [ -n "$pid" ] && kill "$pid" 2>/dev/null; } || true
    if [ -n "$pid" ]; then
      for tries in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  DOVECOT_DIR=""
}
