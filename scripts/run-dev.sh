#!/usr/bin/env bash
# Web + Celery worker + beat for development, stopped together with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .run
BIN=.venv/bin
PORT="${PORT:-8000}"

trap 'trap - EXIT INT TERM; kill $(jobs -p) 2>/dev/null; wait 2>/dev/null' EXIT INT TERM

$BIN/celery -A config worker --loglevel=INFO --concurrency=2 --hostname="worker@%h" &
$BIN/celery -A config beat --loglevel=INFO --schedule=.run/celerybeat-schedule --pidfile= &
echo "Throughline: http://127.0.0.1:${PORT}/  (log in as admin@riverbend.example / demo-pass)"
$BIN/python manage.py runserver "127.0.0.1:${PORT}" &
wait -n
