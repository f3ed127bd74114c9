#!/usr/bin/env bash
# A throwaway MariaDB (the MySQL the registry's MySQL store speaks to) for the tests, on loopback only.
#
#   scripts/services/mysql.sh start   # prints the URL of a fresh database (and writes it to
#                                     # target/services/mysql/env as ALIPAY_ISV_TEST_MYSQL_URL)
#   scripts/services/mysql.sh url     # prints the URL of the running one
#   scripts/services/mysql.sh newdb   # creates a fresh empty database in the running server, prints its URL
#   scripts/services/mysql.sh halt    # stops the server, keeping its data (a database outage in a test)
#   scripts/services/mysql.sh resume  # starts the halted server again: same port, data and users
#   scripts/services/mysql.sh stop    # stops it and removes its data: nothing is left running
#
# `start` installs MariaDB from Debian's packages when mariadbd/mysqld are missing (without letting the
# package start a server of its own), runs mariadb-install-db into a fresh directory under
# target/services/mysql, starts the server on 127.0.0.1 on a free port with TLS (a throwaway CA, whose
# certificate is ALIPAY_ISV_TEST_MYSQL_CA in the env file), and creates for this run a database and a user
# with a random password, allowed that database and the ones named `<database>_…` (a test makes its own).
# Both commands are idempotent: `start` on a running service prints its URL, `stop` on a stopped one does
# nothing.
set -euo pipefail

# shellcheck source=scripts/services/common.sh
source "$(dirname "$0")/common.sh" mysql

# The first of the named programs found on PATH or in /usr/sbin.
find_program() {
  local name
  for name in "$@"; do
    if command -v "$name" >/dev/null 2>&1; then
      command -v "$name"
      return 0
    fi
    if [[ -x "/usr/sbin/$name" ]]; then
      echo "/usr/sbin/$name"
      return 0
    fi
  done
  return 1
}

find_server() { find_program mariadbd mysqld; }

install_mariadb() {
  log "MariaDB is not installed: installing it from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  # The package must not start a server of its own on port 3306: a policy-rc.d that says no while it
  # installs (unless the machine already has one).
  local policy=/usr/sbin/policy-rc.d added=""
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    added=1
  fi
  local status=0
  if ! apt-get install -y -qq --no-install-recommends mariadb-server mariadb-client >/dev/null 2>&1; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends mariadb-server mariadb-client >/dev/null || status=$?
  fi
  [[ -n "$added" ]] && rm -f "$policy"
  return "$status"
}

running() {
  local pid
  [[ -f "$root/pid" ]] || return 1
  pid="$(cat "$root/pid")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null
}

# The client programs, as `mariadb`/`mysql` and `mariadb-admin`/`mysqladmin`, talking to the server's
# socket as the database's root.
client() { "$(find_program mariadb mysql)" --no-defaults -S "$(cat "$root/socket")" -u root "$@"; }
admin() { "$(find_program mariadb-admin mysqladmin)" --no-defaults -S "$(cat "$root/socket")" -u root "$@"; }

# Starts the server of the data directory under $root (as `start` set it up: its program, port, socket
# and TLS files) and waits until it answers.
launch() {
  local server port state run as_user=() tls=()
  server="$(cat "$root/server-program")"
  port="$(cat "$root/port")"
  state="$root/server"
  run="$(cat "$root/run")"
  [[ "$(id -u)" == 0 ]] && as_user=(--user=root)
  if [[ -f "$state/tls/server.pem" ]]; then
    tls=(--ssl-ca="$state/tls/ca.pem" --ssl-cert="$state/tls/server.pem" --ssl-key="$state/tls/server.key")
  fi
  setsid "$server" --no-defaults --datadir="$state/data" "${as_user[@]}" \
    --bind-address=127.0.0.1 --port="$port" --socket="$run/mysqld.sock" --pid-file="$run/mysqld.pid" \
    --log-error="$state/server.log" --skip-name-resolve --skip-log-bin \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci --max-connections=300 \
    --innodb-buffer-pool-size=64M "${tls[@]}" </dev/null >/dev/null 2>&1 &
  echo $! > "$root/pid"
  local ready=""
  for _ in $(seq 1 600); do
    if ! running; then
      break
    fi
    if admin status >/dev/null 2>&1; then
      ready=1
      break
    fi
    sleep 0.1
  done
  if [[ -z "$ready" ]]; then
    log "MariaDB did not start:"
    tail -n 30 "$state/server.log" >&2 || true
    return 1
  fi
}

# Stops the server process (its data, port and users stay for `resume`).
halt() {
  local pid
  pid="$(cat "$root/pid")"
  admin shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

resume() { launch; }

start() {
  if running; then
    cat "$root/url"
    return 0
  fi
  stop_quietly
  local server install_db state run port password database as_user=()
  server="$(find_server)" || { install_mariadb; server="$(find_server)"; } || {
    log "MariaDB could not be installed (no mariadbd/mysqld found after apt-get install mariadb-server)"
    return 1
  }
  install_db="$(find_program mariadb-install-db mysql_install_db)" || {
    log "mariadb-install-db is missing (apt-get install mariadb-server)"
    return 1
  }
  # The server refuses to run as root unless told to; this one is a throwaway on loopback.
  [[ "$(id -u)" == 0 ]] && as_user=(--user=root)
  mkdir -p "$root"
  state="$root/server"
  # The socket's path must stay short (108 bytes): in a private directory under /tmp.
  run="$(mktemp -d /tmp/alipay-isv-mysql.XXXXXX)"
  echo "$run" > "$root/run"
  echo "$run/mysqld.sock" > "$root/socket"
  mkdir -p "$state"
  "$install_db" --no-defaults --datadir="$state/data" "${as_user[@]}" --skip-test-db \
    --auth-root-authentication-method=socket --skip-name-resolve >"$root/install-db.log" 2>&1 || {
    cat "$root/install-db.log" >&2
    return 1
  }
  port="$(free_port)"
  if command -v openssl >/dev/null 2>&1; then
    make_tls "$state/tls" "$(id -un)"
    cp "$state/tls/ca.pem" "$root/ca.pem"
  fi
  echo "$server" > "$root/server-program"
  echo "$port" > "$root/port"
  launch || return 1
  password="$(random_hex 16)"
  database="registry_$(date +%s)_$$"
  client -e "CREATE DATABASE \`$database\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
    CREATE USER '$test_user'@'127.0.0.1' IDENTIFIED BY '$password';
    GRANT ALL PRIVILEGES ON \`$database\`.* TO '$test_user'@'127.0.0.1';
    GRANT ALL PRIVILEGES ON \`${database}\\_%\`.* TO '$test_user'@'127.0.0.1';"
  publish "mysql://$test_user:$password@127.0.0.1:$port/$database" ALIPAY_ISV_TEST_MYSQL
}

# A fresh database NAME in the running server (the test user's grants cover `<run's database>_%`).
new_database() {
  client -e "CREATE DATABASE \`$1\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
}

stop_quietly() {
  local pid run
  if [[ -f "$root/pid" ]]; then
    pid="$(cat "$root/pid")"
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
      admin shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 300); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
      fi
    fi
  fi
  if [[ -f "$root/run" ]]; then
    run="$(cat "$root/run")"
    [[ "$run" == /tmp/alipay-isv-mysql.* ]] && rm -rf "$run"
  fi
  rm -rf "$root"
}

dispatch "$@"
