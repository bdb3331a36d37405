#!/usr/bin/env bash
# CI: run the example channel on a real one-node SLURM cluster on localhost.
#
# Installs Debian's slurm-wlm and munge, starts munged, slurmctld and slurmd from a
# generated configuration in a private state directory (one node, one partition, a `gpu`
# GRES backed by a fake character device), builds one video with
#   snakemake --executor slurm --profile profiles/slurm
# checks the video with ffprobe, checks that the jobs really ran through SLURM (the
# jobcomp/filetxt records and the plugin's logs), and always stops the daemons it
# started, by pid. Needs root (packages, daemons). Every step is bounded in time.
#
# Environment: SLURM_CI_TARGET (default: one draft video of the example channel),
# SLURM_CI_KEEP=1 keeps the state directory for inspection, SLURM_CI_BENCH="measure
# gpu-requests" then also runs those bench/slurm.py commands on the same cluster: the
# scheduler overhead (many minutes) and the GPU request of NVENC render jobs.
set -euo pipefail
{ # One compound command: bash parses the whole script before running any of it.
cd "$(dirname "$0")/.."
REPO=$PWD
START=$SECONDS
TARGET=${SLURM_CI_TARGET:-results/momentum_mindset/day-01.mp4}
VENV=$REPO/.venv

say() { printf '[slurm-ci %3ds] %s\n' $((SECONDS - START)) "$*"; }
die() { say "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root: it installs packages and starts munged, slurmctld and slurmd"
[ -x "$VENV/bin/python" ] || die "no $VENV: run 'make test' first (it creates the project's venv)"

# --- packages -------------------------------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  say "installing slurm-wlm and munge"
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get -o DPkg::Lock::Timeout=240 update -qq
  timeout 300 apt-get -o DPkg::Lock::Timeout=240 install -y -qq --no-install-recommends \
    slurm-wlm munge >/dev/null
fi
command -v ffprobe >/dev/null || die "ffprobe not found (make test installs it)"
if ! "$VENV/bin/python" -c 'import snakemake_executor_plugin_slurm' 2>/dev/null; then
  say "installing the [slurm] extra into the venv"
  timeout 300 "$VENV/bin/pip" install --quiet -e "$REPO[slurm]"
fi

# --- private cluster state; cleanup stops exactly the daemons started here ------------
STATE=$(mktemp -d /tmp/snakereel-slurm.XXXXXX)
chmod 0755 "$STATE"  # munged refuses group/world-writable parents; slurmd needs to read
PIDS=()
LINKED_CONF=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "$rc" != 0 ] && [ -d "$STATE" ]; then
    for log in "$STATE"/slurmctld.log "$STATE"/slurmd.log "$STATE"/munged.log; do
      [ -f "$log" ] && { echo "--- tail $log"; tail -n 20 "$log"; }
    done
  fi
  # Jobs first (a timed-out run may leave some), then the daemons in reverse start order:
  # slurmd, slurmctld, munged. Each pid came from the pid file of a daemon started here.
  local i pid
  if [ ${#PIDS[@]} -ge 3 ]; then
    scancel --user="$(id -un)" 2>/dev/null || true
    for _ in $(seq 40); do [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break; sleep 0.25; done
  fi
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pid=${PIDS[i]}
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      say "pid $pid ignored TERM; sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  [ ${#PIDS[@]} -gt 0 ] && say "stopped daemons (pids ${PIDS[*]})"
  [ -n "$LINKED_CONF" ] && [ "$(readlink "$LINKED_CONF")" = "$STATE/slurm.conf" ] && rm -f "$LINKED_CONF"
  if [ "${SLURM_CI_KEEP:-0}" = 1 ]; then say "kept $STATE"; else rm -rf "$STATE"; fi
  say "exit $rc after $((SECONDS - START)) s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' INT TERM

wait_pidfile() {  # wait_pidfile FILE NAME: wait until FILE holds a live pid, record it
  local file=$1 name=$2 pid=
  for _ in $(seq 100); do
    pid=$(cat "$file" 2>/dev/null || true)
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && { PIDS+=("$pid"); say "$name pid $pid"; return; }
    sleep 0.1
  done
  die "$name did not start"
}

# --- munge ----------------------------------------------------------------------------
mkdir -m 0755 "$STATE/munge"
mungekey --create --keyfile="$STATE/munge/munge.key" 2>/dev/null ||
  dd if=/dev/urandom of="$STATE/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$STATE/munge/munge.key"
SOCKET=$STATE/munge/munge.socket
munged --force --socket="$SOCKET" --key-file="$STATE/munge/munge.key" \
  --pid-file="$STATE/munge/munged.pid" --log-file="$STATE/munged.log" \
  --seed-file="$STATE/munge/munged.seed"
wait_pidfile "$STATE/munge/munged.pid" munged

# --- slurm.conf: this host as controller and only node -------------------------------
HOST=$(hostname -s)
NODE=$(slurmd -C | sed -n 1p)  # NodeName=<host> CPUs=.. Boards=.. ... RealMemory=..
mknod "$STATE/gpu0" c 1 3       # a fake GPU: /dev/null's numbers, enough for GRES accounting
mkdir "$STATE/ctld" "$STATE/spool"
cat >"$STATE/slurm.conf" <<EOF
ClusterName=snakereel
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET
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
# No accounting database here: the executor polls squeue, which forgets finished jobs
# after MinJobAge seconds; keep them far longer than the status-check interval.
MinJobAge=300
JobCompType=jobcomp/filetxt
JobCompLoc=$STATE/jobcomp.txt
GresTypes=gpu
ReturnToService=2
SchedulerType=sched/backfill
$NODE NodeAddr=127.0.0.1 Gres=gpu:1 State=UNKNOWN
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
echo "NodeName=$HOST Name=gpu File=$STATE/gpu0" >"$STATE/gres.conf"
export SLURM_CONF=$STATE/slurm.conf
# Inside a job the jobstep plugin strips SLURM_* variables (SLURM_CONF too) before its
# srun, which then reads the default path: link it to ours for the length of the run.
DEFAULT_CONF=/etc/slurm/slurm.conf
if [ -L "$DEFAULT_CONF" ] && [ ! -e "$DEFAULT_CONF" ]; then  # left by a killed run
  case $(readlink "$DEFAULT_CONF") in /tmp/snakereel-slurm.*/slurm.conf) rm -f "$DEFAULT_CONF" ;; esac
fi
[ -e "$DEFAULT_CONF" ] && die "$DEFAULT_CONF exists: this machine already has a SLURM setup"
mkdir -p "$(dirname "$DEFAULT_CONF")"
ln -s "$SLURM_CONF" "$DEFAULT_CONF"
LINKED_CONF=$DEFAULT_CONF

slurmctld -f "$SLURM_CONF"
wait_pidfile "$STATE/slurmctld.pid" slurmctld
slurmd -f "$SLURM_CONF"
wait_pidfile "$STATE/slurmd.pid" slurmd
for _ in $(seq 60); do
  state=$(sinfo -h -n "$HOST" -o %t 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 0.5
done
[ "$state" = idle ] || die "node $HOST is '${state:-unknown}', not idle"
say "cluster up: $(sinfo -h -o '%P %D %t %c cpus %m MB %G')"

# GPU-constrained jobs queue on the one fake GPU: the second waits for "Resources",
# and the first sees the device SLURM gave it.
job1=$(sbatch --parsable --gpus=1 --mem=10 -o "$STATE/gpu-job.out" \
  --wrap 'echo "CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES"; sleep 5')
job2=$(sbatch --parsable --gpus=1 --mem=10 -o /dev/null --wrap true)
for _ in $(seq 40); do
  reason=$(squeue -h -j "$job2" -o %r)
  [ "$reason" = Resources ] && break
  sleep 0.25
done
[ "$reason" = Resources ] || die "a second GPU job should wait for Resources, not '$reason'"
for _ in $(seq 80); do
  [ -z "$(squeue -h -j "$job1,$job2" -t PENDING,RUNNING,COMPLETING -o %i)" ] && break
  sleep 0.25
done
grep -qx CUDA_VISIBLE_DEVICES=0 "$STATE/gpu-job.out" || die "GPU job did not get the GRES device"
say "GPU jobs queue on the fake GRES: job $job2 waited for Resources while $job1 held gpu 0"

# --- the workflow, through SLURM ----------------------------------------------------
WORK=$STATE/work
mkdir "$WORK"
cp -r "$REPO/channels" "$WORK/channels"
cp "$REPO/config.yaml" "$WORK/config.yaml"
# The between-workflow cache lives on the shared filesystem, like results/.
export SNAKEMAKE_OUTPUT_CACHE=$STATE/cache
mkdir "$SNAKEMAKE_OUTPUT_CACHE"
# No accounting database here: poll squeue (MinJobAge above is far longer than the
# interval), and keep the plugin's logs of successful jobs for the check below.
CLUSTER_FLAGS=(--slurm-status-command squeue --slurm-init-seconds-before-status-checks 3
  --slurm-keep-successful-logs)
say "snakemake --executor slurm --profile profiles/slurm $TARGET (draft preset)"
(
  cd "$WORK"
  timeout 600 "$VENV/bin/snakemake" -s "$REPO/Snakefile" --executor slurm \
    --profile "$REPO/profiles/slurm" "${CLUSTER_FLAGS[@]}" --config preset=draft -- "$TARGET"
) >"$STATE/snakemake.log" 2>&1 || { tail -n 40 "$STATE/snakemake.log"; die "snakemake failed"; }
say "workflow done; $(find "$SNAKEMAKE_OUTPUT_CACHE" -type f | wc -l) files in the output cache"

# --- checks ---------------------------------------------------------------------------
video=$WORK/$TARGET
[ -s "$video" ] || die "no $TARGET"
streams=$(ffprobe -v error -show_entries stream=codec_type,codec_name,width,height \
  -of csv=p=0 "$video")
echo "$streams"
grep -qx 'h264,video,540,960' <<<"$streams" || die "$TARGET: no 540x960 h264 video stream"
grep -qx 'aac,audio' <<<"$streams" || die "$TARGET: no aac audio stream"
duration=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$video")
awk -v d="$duration" 'BEGIN { exit !(d > 10) }' || die "$TARGET lasts only ${duration}s"
say "ffprobe: $TARGET ${duration}s"

# Every job the executor submitted must be a completed SLURM job in the jobcomp log.
"$VENV/bin/python" "$REPO/bench/slurm.py" check --workdir "$WORK" \
  --jobcomp "$STATE/jobcomp.txt" --snakemake-log "$STATE/snakemake.log"

# A second run has nothing to do: nothing is resubmitted.
(
  cd "$WORK"
  timeout 120 "$VENV/bin/snakemake" -s "$REPO/Snakefile" --executor slurm \
    --profile "$REPO/profiles/slurm" "${CLUSTER_FLAGS[@]}" --config preset=draft -n -- "$TARGET"
) >"$STATE/dryrun.log" 2>&1 || { cat "$STATE/dryrun.log"; die "dry run failed"; }
grep -q "Nothing to be done" "$STATE/dryrun.log" || { cat "$STATE/dryrun.log"; die "second run would rebuild"; }
say "OK: $TARGET built through SLURM in $((SECONDS - START)) s total"

# Optional measurements on the same cluster (figures in docs/cluster.md).
for bench in ${SLURM_CI_BENCH:-}; do
  say "bench/slurm.py $bench"
  timeout 3000 "$VENV/bin/python" "$REPO/bench/slurm.py" "$bench" --tmp "$STATE"
done
exit 0
}
