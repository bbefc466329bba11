#!/usr/bin/env bash
# dockerd.sh start|stop|restart|status|env
#
# Runs a private Docker engine for ctxsweep (tests, local sweeps) on machines
# without systemd. Needs root. Installs Debian's docker.io (and debootstrap,
# used by scripts/testimage.sh) with apt-get when dockerd is missing.
#
#   eval "$(scripts/dockerd.sh start)"   # start (or reuse) the engine, export DOCKER_HOST
#   scripts/dockerd.sh stop              # stop it (by its pid file)
#
# All state lives under CTXSWEEP_DOCKER_DIR (default /var/tmp/ctxsweep-docker):
# docker.sock, docker.pid, dockerd.log, data/ (images, containers), exec/.
# The engine never touches the host's iptables and has no bridge network:
# containers get --network none (or host). Storage is overlay2, or vfs when
# overlay2 does not work here (the choice is remembered in storage-driver;
# override with CTXSWEEP_DOCKER_STORAGE=vfs|overlay2).
#
# Only the `export DOCKER_HOST=...` line goes to stdout; progress goes to stderr.
set -euo pipefail

STATE=${CTXSWEEP_DOCKER_DIR:-/var/tmp/ctxsweep-docker}
SOCK=$STATE/docker.sock
PIDFILE=$STATE/docker.pid
LOG=$STATE/dockerd.log
READY_TIMEOUT=${CTXSWEEP_DOCKERD_TIMEOUT:-60}   # seconds to wait for the API
HOST_URL=unix://$SOCK

say() { echo "dockerd.sh: $*" >&2; }

# elapsed T0: seconds since T0 (from date +%s%N), with a tenth.
elapsed() {
  local ms=$((($(date +%s%N) - $1) / 1000000))
  printf '%d.%01ds' $((ms / 1000)) $((ms % 1000 / 100))
}

usage() {
  echo "usage: $0 start|stop|restart|status|env" >&2
  exit 2
}

print_env() { echo "export DOCKER_HOST=$HOST_URL"; }

pid_alive() {
  local pid
  [ -s "$PIDFILE" ] || return 1
  pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

api_ready() {
  DOCKER_HOST=$HOST_URL timeout 5 docker version >/dev/null 2>&1
}

lock() {
  mkdir -p "$STATE"
  exec 9>"$STATE/lock"
  if command -v flock >/dev/null; then
    flock 9
  fi
}

install_engine() {
  if command -v dockerd >/dev/null && command -v docker >/dev/null; then
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    say "dockerd is not installed and installing it needs root"
    exit 1
  fi
  say "installing docker.io and debootstrap with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends docker.io debootstrap >&2
  command -v dockerd >/dev/null || { say "apt-get did not provide dockerd"; exit 1; }
}

# launch DRIVER: starts dockerd in its own session, returns 0 once the API
# answers, 1 if dockerd died or did not answer within READY_TIMEOUT.
launch() {
  local driver=$1 pid i
  rm -f "$SOCK" "$PIDFILE"
  {
    echo "=== $(date -u +%FT%TZ) starting dockerd (storage driver $driver)"
  } >>"$LOG"
  setsid dockerd \
    -H "$HOST_URL" \
    --data-root "$STATE/data" \
    --exec-root "$STATE/exec" \
    --pidfile "$PIDFILE" \
    --iptables=false --ip6tables=false --bridge=none \
    --storage-driver="$driver" \
    --shutdown-timeout=2 \
    </dev/null >>"$LOG" 2>&1 9>&- &
  pid=$!
  local deadline=$(($(date +%s) + READY_TIMEOUT))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      say "dockerd exited during startup (storage driver $driver)"
      unmount_leftovers
      return 1
    fi
    if [ -S "$SOCK" ] && api_ready; then
      echo "$driver" >"$STATE/storage-driver"
      return 0
    fi
    sleep 0.1
  done
  say "dockerd did not answer within ${READY_TIMEOUT}s (storage driver $driver)"
  kill "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  unmount_leftovers
  return 1
}

start() {
  lock
  if pid_alive && api_ready; then
    say "already running (pid $(cat "$PIDFILE")), $HOST_URL"
    print_env
    return 0
  fi
  if pid_alive; then
    say "pid $(cat "$PIDFILE") is alive but the API does not answer; stopping it first"
    stop_locked
  fi
  install_engine
  mkdir -p "$STATE/data" "$STATE/exec"
  local t0 drivers
  t0=$(date +%s%N)
  if [ -n "${CTXSWEEP_DOCKER_STORAGE:-}" ]; then
    drivers=$CTXSWEEP_DOCKER_STORAGE
  elif [ -s "$STATE/storage-driver" ]; then
    drivers=$(cat "$STATE/storage-driver")
  else
    drivers="overlay2 vfs"
  fi
  local d
  for d in $drivers; do
    if launch "$d"; then
      say "ready in $(elapsed "$t0") (pid $(cat "$PIDFILE"), storage $d, log $LOG)"
      print_env
      return 0
    fi
  done
  say "failed to start dockerd; last lines of $LOG:"
  tail -n 40 "$LOG" >&2 || true
  exit 1
}

stop_locked() {
  local pid i
  if [ ! -s "$PIDFILE" ]; then
    say "not running (no $PIDFILE)"
    return 0
  fi
  pid=$(cat "$PIDFILE")
  if ! kill -0 "$pid" 2>/dev/null; then
    say "not running (stale pid file, pid $pid)"
    rm -f "$PIDFILE"
    return 0
  fi
  # Only signal the pid if it really is a dockerd.
  if [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" != dockerd ]; then
    say "pid $pid from $PIDFILE is not dockerd; not touching it"
    rm -f "$PIDFILE"
    return 0
  fi
  kill -TERM "$pid"
  for ((i = 0; i < 300; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "dockerd (pid $pid) ignored SIGTERM for 30s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE" "$SOCK"
  unmount_leftovers
  say "stopped (pid $pid)"
}

# unmount_leftovers unmounts what dockerd left mounted under $STATE (it
# bind-mounts the data root onto itself and does not undo that; a killed
# dockerd also leaves container mounts), deepest first, so that the state
# directory can be removed.
unmount_leftovers() {
  local m
  awk -v dir="$STATE" '{ gsub(/\\040/, " ", $2) } index($2, dir "/") == 1 { print length($2), $2 }' /proc/mounts |
    sort -rn | cut -d' ' -f2- | while IFS= read -r m; do
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || say "could not unmount $m"
    done
}

stop() {
  lock
  stop_locked
}

status() {
  if pid_alive && api_ready; then
    say "running (pid $(cat "$PIDFILE")), $HOST_URL"
    return 0
  fi
  say "not running"
  return 1
}

case "${1:-}" in
start) start ;;
stop) stop ;;
restart) stop; start ;;
status) status ;;
env) print_env ;;
*) usage ;;
esac
