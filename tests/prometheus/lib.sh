# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the tests that run the real Prometheus programs (tools.sh):
#   prom_tools_or_skip TOOLS.SH      sets PROMTOOL, NODE_EXPORTER, PROMETHEUS;
#                                    exits 77 when they cannot be fetched,
#                                    but fails under XP_PROM_REQUIRED=1 (CI)
#   node_exporter_start DIR TEXTFILE-DIR   textfile collector only, on
#                                    127.0.0.1 and a free port: sets NE_PORT,
#                                    NE_PID; its log is DIR/node_exporter.log
#   prometheus_start DIR CONFIG      on 127.0.0.1 and a free port, data in
#                                    DIR/data: sets PROM_PORT, PROM_PID
#   stop_pid PID                     SIGTERM, then SIGKILL after 5 s
# Servers are started by the test and stopped by PID (trap them).
prom_tools_or_skip() {
	local out rc
	out=$(bash "$1" env 2>&1)
	rc=$?
	if [ $rc = 77 ]; then
		[ "${XP_PROM_REQUIRED:-}" = 1 ] && { echo "FAIL: Prometheus programs unavailable: $out"; exit 1; }
		echo "SKIP: the Prometheus programs cannot be fetched here: $(echo "$out" | tail -n 1)"
		exit 77
	fi
	[ $rc = 0 ] || { echo "FAIL: tools.sh env: $out"; exit 1; }
	eval "$(echo "$out" | grep -E '^(PROMTOOL|NODE_EXPORTER|PROMETHEUS)=')"
}

# a TCP port to try (a server that cannot bind it exits, and is retried on
# another)
free_port() { echo $((20000 + RANDOM % 30000)); }

# http_ok URL: the server answers 200
http_ok() { curl -fs -o /dev/null --max-time 2 "$1"; }

wait_http() { # SECONDS URL PID
	local deadline=$((SECONDS + $1))
	until http_ok "$2"; do
		kill -0 "$3" 2>/dev/null || return 1
		[ $SECONDS -ge "$deadline" ] && return 1
		sleep 0.2
	done
	# the answer must be this server's: one that could not bind a port
	# someone else serves has exited by now
	sleep 0.2
	kill -0 "$3" 2>/dev/null
}

# serve LOG SECONDS PATH COMMAND...: start COMMAND (its "@PORT@" replaced
# by a port to try) until it answers http://127.0.0.1:PORT/PATH, three
# ports at most: sets SERVE_PORT, SERVE_PID
serve() {
	local log=$1 secs=$2 path=$3 try
	shift 3
	for try in 1 2 3; do
		SERVE_PORT=$(free_port)
		"${@//@PORT@/$SERVE_PORT}" >>"$log" 2>&1 &
		SERVE_PID=$!
		wait_http "$secs" "http://127.0.0.1:$SERVE_PORT/$path" "$SERVE_PID" && return 0
		stop_pid "$SERVE_PID"
	done
	echo "$(basename "$1") did not start; its log:"; tail -n 20 "$log"
	return 1
}

node_exporter_start() {
	local dir=$1 tdir=$2
	mkdir -p "$dir"
	serve "$dir/node_exporter.log" 20 metrics "$NODE_EXPORTER" --web.listen-address=127.0.0.1:@PORT@ \
		--collector.disable-defaults --collector.textfile --collector.textfile.directory="$tdir" || return 1
	NE_PORT=$SERVE_PORT NE_PID=$SERVE_PID
}

prometheus_start() {
	local dir=$1 conf=$2
	mkdir -p "$dir"
	serve "$dir/prometheus.log" 30 -/ready "$PROMETHEUS" --config.file="$conf" --storage.tsdb.path="$dir/data" \
		--web.listen-address=127.0.0.1:@PORT@ || return 1
	PROM_PORT=$SERVE_PORT PROM_PID=$SERVE_PID
}

stop_pid() {
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null || return 0
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}
