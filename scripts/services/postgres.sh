#!/usr/bin/env bash
# A throwaway PostgreSQL for the registry's tests, on loopback only.
#
#   scripts/services/postgres.sh start   # prints the URL of a fresh database (and writes it to
#                                        # target/services/postgres/env as ALIPAY_ISV_TEST_POSTGRES_URL)
#   scripts/services/postgres.sh url     # prints the URL of the running one
#   scripts/services/postgres.sh newdb   # creates a fresh empty database in the running server, prints its URL
#   scripts/services/postgres.sh stop    # stops it and removes its data: nothing is left running
#   scripts/services/postgres.sh halt    # stops the server, keeping its data (a database outage in a test)
#   scripts/services/postgres.sh resume  # starts the halted server again: same port, data and users
#
# `start` installs PostgreSQL from Debian's packages when initdb/pg_ctl are missing (without letting the
# package create or start a cluster of its own), runs initdb into a fresh directory as the `postgres` OS
# user (the server refuses to run as root), starts the server on 127.0.0.1 on a free port with
# scram-sha-256 logins and TLS (a throwaway CA, whose certificate is ALIPAY_ISV_TEST_POSTGRES_CA in the
# env file), and creates a test role with a random password and a database for this run. Both commands
# are idempotent: `start` on a running service prints its URL, `stop` on a stopped one does nothing.
set -euo pipefail

# shellcheck source=scripts/services/common.sh
source "$(dirname "$0")/common.sh" postgres

find_bin() {
  local candidate
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return 0
  fi
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$candidate/pg_ctl" && -x "$candidate/initdb" && -x "$candidate/postgres" ]]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

install_postgres() {
  log "PostgreSQL is not installed: installing it from Debian's packages"
  # The package must not create and start a cluster of its own on port 5432.
  mkdir -p /etc/postgresql-common
  if [[ ! -e /etc/postgresql-common/createcluster.conf ]]; then
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq --no-install-recommends postgresql postgresql-client >/dev/null 2>&1; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends postgresql postgresql-client >/dev/null
  fi
}

# The directory the server's files live in: under target/ when the postgres user can reach it, else a
# private directory under /tmp (a clone under /root is not reachable by other users).
state_dir() {
  if [[ -f "$root/state" ]]; then
    cat "$root/state"
  fi
}

running() {
  local state bin
  state="$(state_dir)"
  [[ -n "$state" && -f "$state/data/postmaster.pid" ]] || return 1
  bin="$(cat "$root/bin")"
  runuser -u postgres -- "$bin/pg_ctl" -D "$state/data" status >/dev/null 2>&1
}

start() {
  if running; then
    cat "$root/url"
    return 0
  fi
  stop_quietly
  local bin state port password database
  bin="$(find_bin)" || { install_postgres; bin="$(find_bin)"; } || {
    log "PostgreSQL could not be installed (no initdb/pg_ctl found after apt-get install postgresql)"
    return 1
  }
  id postgres >/dev/null 2>&1 || { log "the postgres OS user is missing"; return 1; }
  mkdir -p "$root"
  if runuser -u postgres -- test -x "$root"; then
    state="$root/server"
    mkdir -p "$state"
  else
    state="$(mktemp -d /tmp/alipay-isv-postgres.XXXXXX)"
  fi
  echo "$state" > "$root/state"
  echo "$bin" > "$root/bin"
  mkdir -p "$state/run"
  chown postgres: "$state" "$state/run"
  chmod 700 "$state"
  runuser -u postgres -- "$bin/initdb" -D "$state/data" -U postgres --encoding=UTF8 --no-locale \
    --auth-local=trust --auth-host=scram-sha-256 >"$root/initdb.log" 2>&1 || {
    cat "$root/initdb.log" >&2
    return 1
  }
  port="$(free_port)"
  {
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $port"
    echo "unix_socket_directories = '$state/run'"
    echo "password_encryption = 'scram-sha-256'"
    echo "max_connections = 200"
  } >> "$state/data/postgresql.conf"
  if command -v openssl >/dev/null 2>&1; then
    make_tls "$state/tls" postgres
    {
      echo "ssl = on"
      echo "ssl_cert_file = '$state/tls/server.pem'"
      echo "ssl_key_file = '$state/tls/server.key'"
    } >> "$state/data/postgresql.conf"
    cp "$state/tls/ca.pem" "$root/ca.pem"
  fi
  cat > "$state/data/pg_hba.conf" <<EOF
local all postgres trust
host all all 127.0.0.1/32 scram-sha-256
EOF
  runuser -u postgres -- "$bin/pg_ctl" -D "$state/data" -l "$state/server.log" -w -t 60 start >/dev/null || {
    cat "$state/server.log" >&2
    return 1
  }
  password="$(random_hex 16)"
  database="registry_$(date +%s)_$$"
  runuser -u postgres -- "$bin/psql" -q -h "$state/run" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE $test_user LOGIN PASSWORD '$password'" \
    -c "CREATE DATABASE $database OWNER $test_user ENCODING 'UTF8' TEMPLATE template0" >/dev/null
  publish "postgres://$test_user:$password@127.0.0.1:$port/$database" ALIPAY_ISV_TEST_POSTGRES
}

# A fresh database NAME owned by the test user, in the running server.
new_database() {
  local state bin port
  state="$(state_dir)"
  bin="$(cat "$root/bin")"
  port="$(sed -E 's#.*:([0-9]+)/[^/]*$#\1#' "$root/url")"
  runuser -u postgres -- "$bin/psql" -q -h "$state/run" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE DATABASE $1 OWNER $test_user ENCODING 'UTF8' TEMPLATE template0" >/dev/null
}

halt() {
  local state bin
  state="$(state_dir)"
  bin="$(cat "$root/bin")"
  runuser -u postgres -- "$bin/pg_ctl" -D "$state/data" -m fast -w -t 30 stop >/dev/null
}

resume() {
  local state bin
  state="$(state_dir)"
  bin="$(cat "$root/bin")"
  runuser -u postgres -- "$bin/pg_ctl" -D "$state/data" -l "$state/server.log" -w -t 60 start >/dev/null || {
    tail -n 30 "$state/server.log" >&2
    return 1
  }
}

stop_quietly() {
  local state bin pid
  state="$(state_dir)"
  if [[ -n "$state" && -d "$state/data" ]]; then
    bin="$(cat "$root/bin" 2>/dev/null || true)"
    if [[ -n "$bin" && -f "$state/data/postmaster.pid" ]]; then
      runuser -u postgres -- "$bin/pg_ctl" -D "$state/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
    fi
    if [[ -f "$state/data/postmaster.pid" ]]; then
      pid="$(head -1 "$state/data/postmaster.pid")"
      if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
      fi
    fi
  fi
  if [[ -n "$state" && "$state" != "$root"* ]]; then
    rm -rf "$state"
  fi
  rm -rf "$root"
}

dispatch "$@"
