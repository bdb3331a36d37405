#!/usr/bin/env bash
# A one-node SLURM cluster on this machine, for trying the SLURM profile and for tests.
#
#   cluster/localhost.sh up STATE_DIR [PARTITION]   # start munged, slurmctld, slurmd
#   source STATE_DIR/env                            # SLURM_CONF for sinfo, sbatch, snakemake
#   cluster/localhost.sh down STATE_DIR             # stop exactly the daemons it started
#
# Needs root (it starts daemons; installs Debian's slurm-wlm and munge when missing).
# The node has one fake `gpu` GRES and one partition, PARTITION (default `debug`: not
# `main`, so nothing may rely on a partition name). No accounting database: use
# `--slurm-status-command squeue` (MinJobAge is long enough for it).
set -euo pipefail
{ # One compound command: bash parses the whole script before running any of it.
ACTION=${1:-}
STATE=${2:-}
PARTITION=${3:-debug}
say() { printf '[cluster] %s\n' "$*"; }
die() { say "FAIL: $*"; exit 1; }
[ -n "$STATE" ] && [[ "$ACTION" =~ ^(up|down)$ ]] || die "usage: $0 up|down STATE_DIR [PARTITION]"
# srun inside a job reads the default path (the jobstep plugin strips SLURM_CONF)
DEFAULT_CONF=/etc/slurm/slurm.conf

down() {
  [ -d "$STATE" ] || return 0
  [ -f "$STATE/slurm.conf" ] && SLURM_CONF=$STATE/slurm.conf scancel --user="$(id -un)" 2>/dev/null || true
  local name pid
  for name in slurmd slurmctld munge/munged; do  # reverse start order
    pid=$(cat "$STATE/$name.pid" 2>/dev/null || true)
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    say "stopped $name (pid $pid)"
  done
  [ "$(readlink "$DEFAULT_CONF" 2>/dev/null)" = "$STATE/slurm.conf" ] && rm -f "$DEFAULT_CONF"
  return 0
}

wait_pidfile() {  # wait_pidfile FILE NAME: until FILE holds a live pid
  local pid=
  for _ in $(seq 100); do
    pid=$(cat "$1" 2>/dev/null || true)
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && { say "$2 pid $pid"; return; }
    sleep 0.1
  done
  die "$2 did not start (see $STATE/*.log)"
}

up() {
  [ "$(id -u)" = 0 ] || die "needs root: it starts munged, slurmctld and slurmd"
  if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
    say "installing slurm-wlm and munge"
    export DEBIAN_FRONTEND=noninteractive
    timeout 300 apt-get -o DPkg::Lock::Timeout=240 update -qq
    timeout 300 apt-get -o DPkg::Lock::Timeout=240 install -y -qq --no-install-recommends \
      slurm-wlm munge >/dev/null
  fi
  if [ -L "$DEFAULT_CONF" ] && [ ! -e "$DEFAULT_CONF" ]; then rm -f "$DEFAULT_CONF"; fi  # a killed run's
  [ -e "$DEFAULT_CONF" ] && die "$DEFAULT_CONF exists: this machine already has a SLURM setup"
  mkdir -p "$STATE"
  chmod 0755 "$STATE"  # munged refuses group/world-writable parents; slurmd needs to read
  mkdir -m 0755 "$STATE/munge"
  mungekey --create --keyfile="$STATE/munge/munge.key" 2>/dev/null ||
    dd if=/dev/urandom of="$STATE/munge/munge.key" bs=1024 count=1 status=none
  chmod 0400 "$STATE/munge/munge.key"
  munged --force --socket="$STATE/munge/munge.socket" --key-file="$STATE/munge/munge.key" \
    --pid-file="$STATE/munge/munged.pid" --log-file="$STATE/munged.log" \
    --seed-file="$STATE/munge/munged.seed"
  wait_pidfile "$STATE/munge/munged.pid" munged

  local host node
  host=$(hostname -s)
  node=$(slurmd -C | sed -n 1p)  # NodeName=<host> CPUs=.. ... RealMemory=..
  mknod "$STATE/gpu0" c 1 3       # a fake GPU: /dev/null's numbers, enough for GRES accounting
  mkdir "$STATE/ctld" "$STATE/spool"
  cat >"$STATE/slurm.conf" <<EOF
ClusterName=snakereel
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$STATE/munge/munge.socket
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/slurmctld.log
SlurmdLogFile=$STATE/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# A job that asks for no memory would otherwise take the whole node.
DefMemPerCPU=1000
# No accounting database: squeue answers for finished jobs until MinJobAge passes.
MinJobAge=300
JobCompType=jobcomp/filetxt
JobCompLoc=$STATE/jobcomp.txt
GresTypes=gpu
ReturnToService=2
SchedulerType=sched/backfill
$node NodeAddr=127.0.0.1 Gres=gpu:1 State=UNKNOWN
PartitionName=$PARTITION Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  echo "NodeName=$host Name=gpu File=$STATE/gpu0" >"$STATE/gres.conf"
  mkdir -p "$(dirname "$DEFAULT_CONF")"
  ln -s "$STATE/slurm.conf" "$DEFAULT_CONF"
  export SLURM_CONF=$STATE/slurm.conf
  slurmctld -f "$SLURM_CONF"
  wait_pidfile "$STATE/slurmctld.pid" slurmctld
  slurmd -f "$SLURM_CONF"
  wait_pidfile "$STATE/slurmd.pid" slurmd
  local state=
  for _ in $(seq 60); do
    state=$(sinfo -h -n "$host" -o %t 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.5
  done
  [ "$state" = idle ] || die "node $host is '${state:-unknown}', not idle"
  printf 'export SLURM_CONF=%q\nexport SNAKEREEL_SLURM_STATE=%q\n' "$SLURM_CONF" "$STATE" >"$STATE/env"
  say "up: $(sinfo -h -o '%P %D %t %c cpus %m MB %G'); source $STATE/env"
}

if [ "$ACTION" = up ]; then
  trap 'rc=$?; [ $rc = 0 ] || { tail -n 20 "$STATE"/*.log 2>/dev/null; down; }; exit $rc' EXIT
  up
else
  down
fi
exit 0
}
