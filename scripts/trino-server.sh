#!/usr/bin/env bash
# A single-node Trino on loopback for `--target trino` and the Trino test suite.
#
#   scripts/trino-server.sh start    fetch (once, cached), configure, start, wait until it answers queries
#   scripts/trino-server.sh stop     stop the server this script started
#   scripts/trino-server.sh status   exit 0 when a Trino answers on the port
#
# Trino comes from Maven Central through mvn (io.trino:trino-server-core tar.gz + the Hive plugin zip),
# cached in ~/.m2 and unpacked once under $CREDITLAKE_TRINO_HOME (default ~/.cache/creditlake/trino).
# The catalog `creditlake` is the Hive connector with a file metastore and the native local file system
# rooted at `/`, so any lake folder on this machine is `local:///<absolute path>` to it. It listens on
# 127.0.0.1 only. Settings (environment):
#   TRINO_VERSION  (476)    TRINO_PORT (8080)    TRINO_HEAP (3G: the JVM's -Xmx)
#   TRINO_JAVA_HOME         a JDK the version runs on (476+ needs Java 24+; default: Temurin 25 if present)
set -euo pipefail

VERSION="${TRINO_VERSION:-476}"
PORT="${TRINO_PORT:-8080}"
HEAP="${TRINO_HEAP:-3G}"
HOME_DIR="${CREDITLAKE_TRINO_HOME:-$HOME/.cache/creditlake/trino}"
INSTALL="$HOME_DIR/trino-server-core-$VERSION"
STATE="$HOME_DIR/node-$PORT"
URL="http://127.0.0.1:$PORT"

log() { echo "trino: $*" >&2; }

find_java() {
  local candidates=("${TRINO_JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-24-jdk-amd64 "${JAVA_HOME:-}")
  for j in "${candidates[@]}"; do
    [ -n "$j" ] && [ -x "$j/bin/java" ] || continue
    local major
    major=$("$j/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    if [ "${major:-0}" -ge 24 ] 2>/dev/null; then echo "$j"; return 0; fi
  done
  return 1
}

fetch() {
  [ -x "$INSTALL/bin/launcher" ] && [ -d "$INSTALL/plugin/hive" ] && return 0
  command -v mvn >/dev/null || { log "mvn is not installed: it fetches Trino from Maven Central"; return 1; }
  local repo
  repo="$(mvn -q -B help:evaluate -Dexpression=settings.localRepository -DforceStdout 2>/dev/null || true)"
  [ -d "$repo" ] || repo="$HOME/.m2/repository"
  local core="$repo/io/trino/trino-server-core/$VERSION/trino-server-core-$VERSION.tar.gz"
  local hive="$repo/io/trino/trino-hive/$VERSION/trino-hive-$VERSION.zip"
  for a in "trino-server-core:$VERSION:tar.gz" "trino-hive:$VERSION:zip"; do
    local file="$core"; [[ $a == trino-hive* ]] && file="$hive"
    if [ ! -f "$file" ]; then
      log "downloading io.trino:$a from Maven Central (once; cached in $repo)"
      mvn -q -B dependency:get -Dartifact="io.trino:$a" -Dtransitive=false >&2 || { log "could not fetch io.trino:$a"; return 1; }
    fi
  done
  local tmp="$HOME_DIR/.unpack-$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  tar xzf "$core" -C "$tmp"
  mkdir -p "$tmp/trino-server-core-$VERSION/plugin/hive"
  (cd "$tmp/trino-server-core-$VERSION/plugin/hive" && unzip -q "$hive" && shopt -s dotglob && mv trino-hive-"$VERSION"/* . && rmdir trino-hive-"$VERSION")
  rm -rf "$INSTALL" && mv "$tmp/trino-server-core-$VERSION" "$INSTALL" && rm -rf "$tmp"
}

configure() {
  mkdir -p "$STATE/etc/catalog" "$STATE/metastore" "$STATE/data"
  cat >"$STATE/etc/node.properties" <<PROPS
node.environment=creditlake
node.id=creditlake-$PORT
node.data-dir=$STATE/data
node.bind-ip=127.0.0.1
node.internal-address=127.0.0.1
PROPS
  # A modest heap on a shared machine: query memory stays well below it so a big query fails cleanly
  # instead of taking the JVM down; two processors is what the single node may schedule on.
  cat >"$STATE/etc/jvm.config" <<PROPS
-server
-Xmx$HEAP
-XX:InitialRAMPercentage=5
-XX:+UseG1GC
-XX:+ExplicitGCInvokesConcurrent
-XX:+ExitOnOutOfMemoryError
-Djdk.attach.allowAttachSelf=true
-XX:ActiveProcessorCount=${TRINO_CPUS:-2}
-XX:ReservedCodeCacheSize=256M
PROPS
  cat >"$STATE/etc/config.properties" <<PROPS
coordinator=true
node-scheduler.include-coordinator=true
http-server.http.port=$PORT
discovery.uri=$URL
query.max-memory=${TRINO_QUERY_MEMORY:-1500MB}
query.max-memory-per-node=${TRINO_QUERY_MEMORY:-1500MB}
task.concurrency=2
# Small data on one node: a few hash partitions instead of 100 per stage, and room for the models'
# CTEs that Trino inlines at every reference (a mart can plan to a few hundred stages).
query.max-hash-partition-count=${TRINO_PARTITIONS:-4}
query.min-hash-partition-count=1
query.max-stage-count=${TRINO_MAX_STAGES:-1000}
# The coordinator sends every task's updates and status polls, and every task long-polls its upstream
# tasks' buffers, over HTTP to this one node. A mart a few hundred stages deep, or two test files'
# builds at once, exceed the HTTP clients' defaults (250 connections, 1,024 queued requests per
# destination) and the query fails with "Max requests queued per destination 1024 exceeded"; the
# scheduler's client (remote tasks) is the one CI hit, the exchange client the next in line.
scheduler.http-client.max-connections-per-server=${TRINO_HTTP_CONNECTIONS:-1000}
scheduler.http-client.max-requests-queued-per-destination=${TRINO_HTTP_QUEUE:-65536}
exchange.http-client.max-connections-per-server=${TRINO_HTTP_CONNECTIONS:-1000}
exchange.http-client.max-requests-queued-per-destination=${TRINO_HTTP_QUEUE:-65536}
PROPS
  cat >"$STATE/etc/log.properties" <<PROPS
io.trino=WARN
PROPS
  cat >"$STATE/etc/catalog/creditlake.properties" <<PROPS
connector.name=hive
hive.metastore=file
hive.metastore.catalog.dir=local://$STATE/metastore
fs.native-local.enabled=true
local.location=/
hive.non-managed-table-writes-enabled=true
hive.parquet.use-column-names=true
hive.storage-format=PARQUET
hive.compression-codec=ZSTD
PROPS
}

ready() {
  curl -sf --max-time 2 "$URL/v1/info" 2>/dev/null | grep -q '"starting":false'
}

start() {
  if ready; then log "already running at $URL"; return 0; fi
  local java
  java="$(find_java)" || { log "no Java 24+ found (Trino $VERSION needs it): set TRINO_JAVA_HOME"; return 1; }
  fetch
  configure
  local t0=$SECONDS
  JAVA_HOME="$java" PATH="$java/bin:$PATH" "$INSTALL/bin/launcher" start --etc-dir="$STATE/etc" --data-dir="$STATE/data" >&2
  for _ in $(seq 1 180); do
    if ready; then
      # A first query proves the catalog loads, not just the HTTP server.
      local out
      out=$(curl -sf --max-time 60 -X POST -H 'X-Trino-User: creditlake' --data 'SHOW CATALOGS' "$URL/v1/statement") || true
      log "ready at $URL after $((SECONDS - t0)) s (Trino $VERSION, heap $HEAP, catalog creditlake)"
      return 0
    fi
    if ! "$INSTALL/bin/launcher" status --etc-dir="$STATE/etc" --data-dir="$STATE/data" >/dev/null 2>&1; then
      log "the server exited while starting; last log lines:"
      tail -20 "$STATE/data/var/log/server.log" >&2 2>/dev/null || tail -20 "$STATE/data/var/log/launcher.log" >&2 || true
      return 1
    fi
    sleep 1
  done
  log "not ready after 180 s; see $STATE/data/var/log/server.log"
  return 1
}

stop() {
  if [ -x "$INSTALL/bin/launcher" ] && [ -d "$STATE/etc" ]; then
    JAVA_HOME="$(find_java || true)" "$INSTALL/bin/launcher" stop --etc-dir="$STATE/etc" --data-dir="$STATE/data" >&2 || true
  else
    log "no server configured at $STATE"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if ready; then echo "running at $URL"; else echo "not running at $URL"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
