#!/usr/bin/env bash
# Stops the cluster start-local-slurm.sh started in STATE_DIR: kills slurmd, slurmctld and munged
# by the PIDs in their pid files (never by name: other Slurm daemons on the machine are left
# alone) and waits until they are gone.
set -u
state=${1:?usage: stop-local-slurm.sh STATE_DIR}
for f in slurmd.pid slurmctld.pid munge/munged.pid; do
  pidfile="$state/$f"
  [ -s "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  fi
  rm -f "$pidfile"
done
exit 0
