#!/usr/bin/env bash
# Web + Celery worker + beat for development, stopped together with Ctrl-C.
#
# PORT (default 8000) and THROUGHLINE_RUN_DIR (default .run: SQLite, the
# filesystem broker, the file cache and beat's schedule) come from the
# environment. Each process runs in its own process group (set -m), so
# stopping one stops everything it started (runserver's reloader child too).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT="${PORT:-8000}"
export THROUGHLINE_RUN_DIR="${THROUGHLINE_RUN_DIR:-.run}"
mkdir -p "$THROUGHLINE_RUN_DIR"

set -m
pids=()

stop_all() {
    trap - EXIT INT TERM
    set +e
    # Celery's main processes stop their own pool children (a warm shutdown
    # that lets a running task finish); runserver's reloader child needs the group.
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done
    kill -TERM -- "-$web_pid" 2>/dev/null
    for _ in $(seq 1 100); do
        alive=0
        for pid in "${pids[@]}"; do
            kill -0 -- "-$pid" 2>/dev/null && alive=1
        done
        [ "$alive" = 0 ] && break
        sleep 0.1
    done
    # Still running after 10 s: stop whatever is left of each group.
    for pid in "${pids[@]}"; do
        kill -KILL -- "-$pid" 2>/dev/null
    done
    wait 2>/dev/null
    echo "Throughline stopped."
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

$BIN/celery -A config worker --loglevel=INFO --concurrency=2 --hostname="worker-$$@%h" &
pids+=($!)
$BIN/celery -A config beat --loglevel=INFO --pidfile= &
pids+=($!)
$BIN/python manage.py runserver "127.0.0.1:${PORT}" &
web_pid=$!
pids+=($web_pid)
echo "Throughline: http://127.0.0.1:${PORT}/  (log in as admin@riverbend.example / demo-pass; Ctrl-C stops all three)"

# Whichever process ends first (a crash, a port already in use) ends the rest.
wait -n
