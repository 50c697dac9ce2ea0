#!/usr/bin/env bash
# A throw-away Virtuoso Open Source server on loopback, for trying plankb's SPARQL-server backend
# (kb/backends.py) and for tests/test_backend_sparql.py.
#
#   scripts/virtuoso.sh start [DIR]   install if missing (Debian: apt-get, as root), start on free
#                                     ports with a fresh database under DIR (default: a new temp
#                                     dir), grant SPARQL Update, print the settings as KEY=VALUE
#   scripts/virtuoso.sh stop DIR      stop that server (its own pid only) and delete DIR
#
# Use:   eval "$(scripts/virtuoso.sh start)" && export PLANKB_STORE PLANKB_SPARQL_QUERY ...
# The database is empty and the dba password is 'dba': never expose this instance.
# Exit status: 0 started, 3 Virtuoso not installed and not installable here, 4 it did not start.
set -euo pipefail

PKG=virtuoso-opensource
INI_SOURCES=(/etc/virtuoso-opensource-7/virtuoso.ini /usr/share/virtuoso-opensource-7/virtuoso.ini)
START_TIMEOUT=${VIRTUOSO_START_TIMEOUT:-45}

die() { local code=$1; shift; echo "virtuoso.sh: $*" >&2; exit "$code"; }

free_port() {
  python3 - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

install_if_missing() {
  command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "virtuoso.sh: installing $PKG (apt-get)" >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$PKG"; } >&2 \
      || die 3 "apt-get install $PKG failed"
    command -v virtuoso-t >/dev/null 2>&1 || die 3 "$PKG installed but virtuoso-t is not on PATH"
  else
    die 3 "virtuoso-t not found; install Debian's $PKG (apt-get install $PKG, as root)"
  fi
}

isql() {  # isql PORT SQL...
  local port=$1; shift
  isql-vt "127.0.0.1:$port" dba dba exec="$*" >/dev/null
}

start() {
  install_if_missing
  local dir=${1:-}
  if [ -z "$dir" ]; then dir=$(mktemp -d "${TMPDIR:-/tmp}/plankb-virtuoso.XXXXXX"); fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  local src=""
  for f in "${INI_SOURCES[@]}"; do [ -f "$f" ] && { src=$f; break; }; done
  [ -n "$src" ] || die 3 "no default virtuoso.ini found (${INI_SOURCES[*]})"
  local sql_port http_port
  sql_port=$(free_port)
  http_port=$(free_port)
  while [ "$http_port" = "$sql_port" ]; do http_port=$(free_port); done

  # The Debian default, with the database under $dir, both listeners on 127.0.0.1 and free ports,
  # no hosting plugins, and ResultSetMaxRows raised (Virtuoso's 10000 would cut results silently).
  awk -v dir="$dir" -v sql="127.0.0.1:$sql_port" -v http="127.0.0.1:$http_port" '
    /^\[/ { section = $0 }
    { gsub("/var/lib/virtuoso-opensource-7/db", dir) }
    section == "[Parameters]" && $1 == "ServerPort" { print "ServerPort = " sql; next }
    section == "[Parameters]" && $1 == "DirsAllowed" { print "DirsAllowed = ., " dir; next }
    section == "[Parameters]" && $1 == "NumberOfBuffers" { print "NumberOfBuffers = 20000"; next }
    section == "[Parameters]" && $1 == "MaxDirtyBuffers" { print "MaxDirtyBuffers = 15000"; next }
    section == "[HTTPServer]" && $1 == "ServerPort" { print "ServerPort = " http; next }
    section == "[URIQA]" && $1 == "DefaultHost" { print "DefaultHost = " http; next }
    section == "[SPARQL]" && $1 == "ResultSetMaxRows" { print "ResultSetMaxRows = 1000000"; next }
    section == "[Plugins]" && $1 ~ /^Load[0-9]/ { next }
    { print }
  ' "$src" > "$dir/virtuoso.ini"

  (cd "$dir" && exec virtuoso-t +foreground +configfile "$dir/virtuoso.ini" >"$dir/server.out" 2>&1) &
  local pid=$!
  echo "$pid" > "$dir/virtuoso.pid"
  echo "$sql_port" > "$dir/sql.port"
  local waited=0
  until isql "$sql_port" "status();" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -20 "$dir/server.out" "$dir/virtuoso.log" >&2 2>/dev/null || true
      die 4 "virtuoso-t exited during start-up (log above; dir $dir)"
    fi
    if [ "$waited" -ge "$((START_TIMEOUT * 4))" ]; then
      kill "$pid" 2>/dev/null || true
      die 4 "virtuoso-t did not answer within ${START_TIMEOUT}s (dir $dir)"
    fi
    sleep 0.25
    waited=$((waited + 1))
  done
  # Anonymous SPARQL Update on /sparql (the test also uses the authenticated endpoints).
  isql "$sql_port" 'GRANT SPARQL_UPDATE TO "SPARQL";' || true
  isql "$sql_port" "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);"
  until python3 - "$http_port" <<'EOF' 2>/dev/null
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/sparql?query=ASK%7B%7D", timeout=2).read()
EOF
  do
    [ "$waited" -lt "$((START_TIMEOUT * 4))" ] || die 4 "the HTTP listener did not answer (dir $dir)"
    sleep 0.25
    waited=$((waited + 1))
  done
  cat <<EOF
PLANKB_STORE=sparql
PLANKB_SPARQL_QUERY=http://127.0.0.1:$http_port/sparql
PLANKB_SPARQL_UPDATE=http://127.0.0.1:$http_port/sparql-auth
PLANKB_SPARQL_GSP=http://127.0.0.1:$http_port/sparql-graph-crud-auth
PLANKB_SPARQL_USER=dba
PLANKB_SPARQL_PASSWORD=dba
VIRTUOSO_PID=$pid
VIRTUOSO_DIR=$dir
EOF
}

stop() {
  local dir=${1:?usage: virtuoso.sh stop DIR}
  [ -f "$dir/virtuoso.pid" ] || die 1 "$dir/virtuoso.pid not found"
  local pid
  pid=$(cat "$dir/virtuoso.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  case "$dir" in
    */plankb-virtuoso.*) rm -rf "$dir" ;;
    *) rm -f "$dir"/virtuoso.* "$dir"/virtuoso-temp.* "$dir"/server.out "$dir"/sql.port ;;
  esac
}

case "${1:-}" in
  start) shift; start "${1:-}" ;;
  stop) shift; stop "${1:-}" ;;
  *) echo "usage: $0 start [DIR] | stop DIR" >&2; exit 2 ;;
esac
