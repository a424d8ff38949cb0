#!/usr/bin/env bash
# Starts a single-node Slurm cluster on this machine for the Slurm executor tests (DESIGN §5):
# munge (own key, own socket) + slurmctld + slurmd, this host as controller and only node,
# select/cons_tres, proctrack/linuxproc, task/none, accounting off (memory limits enforced by
# jobacct_gather/linux sampling, which needs no cgroups). Everything lives in STATE_DIR
# (config, spool, logs, pid files) on ports that do not clash with a system Slurm, so nothing of
# the machine's own configuration is touched. Installs slurmctld, slurmd, slurm-client and munge
# with apt when missing (needs root). Stop it with stop-local-slurm.sh STATE_DIR, which kills
# the daemons by the PIDs recorded here.
#
# On success prints nothing but writes STATE_DIR/env (`export SLURM_CONF=…`) and exits 0. When the
# cluster cannot be started it prints one "skipped: why" line and exits 2 (and stops whatever it
# had started).
set -uo pipefail
state=${1:?usage: start-local-slurm.sh STATE_DIR}
mkdir -p "$state" && state=$(cd "$state" && pwd)
skip() { echo "skipped: $*"; "$(dirname "$0")/stop-local-slurm.sh" "$state" >/dev/null 2>&1; exit 2; }

[ "$(id -u)" = 0 ] || skip "the local Slurm cluster needs root (slurmd runs jobs as their user)"
command -v apt-get >/dev/null || [ -x /usr/sbin/slurmctld ] || skip "no apt-get to install slurm-wlm and munge"
missing=""
for p in slurmctld slurmd slurm-client munge; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "flow: installing$missing for the Slurm tests" >&2
  # Keep package scripts from starting the system's own daemons.
  policy=/usr/sbin/policy-rc.d; made_policy=""
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; made_policy=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >"$state/apt.log" 2>&1 \
    || { apt-get update -qq >>"$state/apt.log" 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >>"$state/apt.log" 2>&1; } \
    || { [ -n "$made_policy" ] && rm -f "$policy"; skip "apt-get could not install$missing (see $state/apt.log)"; }
  [ -n "$made_policy" ] && rm -f "$policy"
fi

host=$(hostname -s)
cpus=$(nproc)
memory=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo)
mkdir -p "$state/munge" "$state/ctld" "$state/spool" "$state/log"
chmod 700 "$state/munge"
[ -s "$state/munge/munge.key" ] || dd if=/dev/urandom of="$state/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$state/munge/munge.key"

# munged refuses to run as root and with lax directory permissions unless forced.
/usr/sbin/munged --force --key-file="$state/munge/munge.key" --socket="$state/munge/munge.socket" \
  --pid-file="$state/munge/munged.pid" --log-file="$state/log/munged.log" --seed-file="$state/munge/munge.seed" \
  || skip "munged did not start (see $state/log/munged.log)"

cat >"$state/slurm.conf" <<CONF
ClusterName=flowtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$state/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/builtin
# Test all pending jobs (dependencies included) every second instead of every minute.
SchedulerParameters=sched_interval=1
DefMemPerCPU=256
AccountingStorageType=accounting_storage/none
# Memory limits without cgroups (task/none): slurmstepd samples each job's processes every
# second and kills a job over its --mem (state OUT_OF_MEMORY). Accounting storage stays off.
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=1
JobAcctGatherParams=OverMemoryKill
JobCompType=jobcomp/none
ReturnToService=2
MinJobAge=600
MpiDefault=none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$state/slurm.conf"
echo "export SLURM_CONF=$state/slurm.conf" >"$state/env"

/usr/sbin/slurmctld -f "$SLURM_CONF" -c >>"$state/log/start.log" 2>&1 || skip "slurmctld did not start (see $state/log/slurmctld.log)"
/usr/sbin/slurmd -f "$SLURM_CONF" -N "$host" >>"$state/log/start.log" 2>&1 || skip "slurmd did not start (see $state/log/slurmd.log)"
for _ in $(seq 1 60); do
  if sinfo --noheader --format=%t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then exit 0; fi
  sleep 0.5
done
skip "the node did not become idle within 30 s (see $state/log/slurmctld.log and slurmd.log)"
