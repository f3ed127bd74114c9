# Shared by the throwaway database servers of the tests (postgres.sh, mysql.sh): sourced, not run, as
# `source common.sh NAME`, which sets `repo`, `root` (target/services/NAME or
# $ALIPAY_ISV_SERVICES_ROOT/NAME, the service's files),
# `env_file`, `test_user` (the database user of the tests) and `log`.
#
#   dispatch "$@"          runs the script's command: start (the script's `start`), stop (its
#                          `stop_quietly`), url (the URL of the running service; its `running` tells),
#                          newdb (a fresh empty database in the running service: its URL; the script's
#                          `new_database NAME`), halt (stops the server process and keeps its data, port,
#                          users and databases: the script's `halt`), resume (starts a halted server
#                          again, same port and data: its `resume`)
#   free_port              prints a TCP port on 127.0.0.1 that nothing listens on
#   make_tls DIR OWNER     writes a throwaway CA (DIR/ca.pem, its key deleted) and a server certificate for
#                          localhost and 127.0.0.1 signed by it (DIR/server.pem, DIR/server.key owned by
#                          OWNER, mode 600); valid two days
#   random_hex N           prints N random bytes as hex (passwords)
#   publish URL PREFIX     records the URL of the started service ($root/url) and writes the env file
#                          (PREFIX_URL, and PREFIX_CA when $root/ca.pem exists); prints the URL
#

service_name="$1"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# ALIPAY_ISV_SERVICES_ROOT moves every service's files elsewhere (default target/services), so two suites
# run at once on one machine do not share — and stop — one server.
root="${ALIPAY_ISV_SERVICES_ROOT:-$repo/target/services}/$service_name"
env_file="$root/env"
test_user="alipay_isv_test"

log() { echo "$service_name.sh: $*" >&2; }

dispatch() {
  case "${1:-}" in
    start) start ;;
    stop) stop_quietly ;;
    url)
      if running; then cat "$root/url"; else log "not running"; exit 1; fi
      ;;
    newdb)
      if ! running; then log "not running: run \`$0 start\` first"; exit 1; fi
      local base name
      base="$(cat "$root/url")"
      # Named after the run's database, so the test user's grants cover it.
      name="${base##*/}_$(random_hex 4)"
      new_database "$name"
      echo "${base%/*}/$name"
      ;;
    halt)
      if ! running; then log "not running: nothing to halt"; exit 1; fi
      halt
      ;;
    resume)
      [[ -f "$root/url" ]] || { log "never started: run \`$0 start\` first"; exit 1; }
      if running; then return 0; fi
      resume
      ;;
    *)
      echo "usage: $0 start|stop|url|newdb|halt|resume" >&2
      exit 2
      ;;
  esac
}

free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  log "no free port found"
  return 1
}

publish() {
  local url="$1" prefix="$2"
  echo "$url" > "$root/url"
  {
    echo "${prefix}_URL=$url"
    if [[ -f "$root/ca.pem" ]]; then
      echo "${prefix}_CA=$root/ca.pem"
    fi
  } > "$env_file"
  chmod 600 "$root/url" "$env_file"
  echo "$url"
}

random_hex() {
  od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}

make_tls() {
  local dir="$1" owner="$2"
  mkdir -p "$dir"
  cat > "$dir/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = alipay-isv test
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
authorityKeyIdentifier = keyid
EOF
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -days 2 \
    -config "$dir/openssl.cnf" -extensions ca -subj "/CN=alipay-isv test CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -config "$dir/openssl.cnf" -subj "/CN=localhost" \
    -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 2 -extfile "$dir/openssl.cnf" -extensions server -out "$dir/server.pem" 2>/dev/null
  rm -f "$dir/ca.key" "$dir/server.csr" "$dir/ca.srl"
  chown "$owner": "$dir/server.key" "$dir/server.pem"
  chmod 600 "$dir/server.key"
}
