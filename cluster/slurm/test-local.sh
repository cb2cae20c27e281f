#!/usr/bin/env bash
# End-to-end test on a real Slurm: starts a single-node cluster on this machine (Debian's
# slurm-wlm and munge, installed if missing, configured in a temporary folder, localhost only),
# submits a 4-shard job array plus a dependent merge job for a run and for a sweep through
# cluster/slurm/submit.sh, waits for them, and compares the merged outputs byte for byte with
# the same run and sweep on one machine (the manifests without their execution fields).
# Also cancels a shard mid-run and checks that cluster/slurm/resubmit.sh resumes it from its
# checkpoint to the same bytes. Needs root (to start the daemons). Prints "SLURM TEST PASSED"
# and exits 0 when all is well; leaves no daemon running.
#
#   cluster/slurm/test-local.sh            (.ci/run runs it; docs/SCALING.md records a run)
#   DIPCAP=target/release/dipcap cluster/slurm/test-local.sh      (skips the release build)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
T0=$(date +%s)

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "installing Debian's slurm-wlm and munge"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi
if [ -z "${DIPCAP:-}" ]; then
  cargo build --release --locked --quiet
  DIPCAP="$ROOT/target/release/dipcap"
fi
DIPCAP=$(realpath "$DIPCAP")
export DIPCAP

WORK=$(mktemp -d /tmp/dipcap-slurm.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "${STARTED_MUNGED:-}" ]; then pkill -x munged 2>/dev/null || true; fi
  sleep 1
  rm -rf "$WORK"
}
trap cleanup EXIT

# munge: the authentication every Slurm daemon and command uses.
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  [ -f /etc/munge/munge.key ] || (mungekey --create 2>/dev/null || create-munge-key -f)
  chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge /var/log/munge /var/lib/munge
  runuser -u munge -- /usr/sbin/munged
  STARTED_MUNGED=1
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi
munge -n | unmunge >/dev/null

HOST=$(hostname -s)
mkdir -p "$WORK/state" "$WORK/spool" "$WORK/log"
export SLURM_CONF="$WORK/slurm.conf"
cat >"$SLURM_CONF" <<CONF
ClusterName=dipcap-test
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
NodeName=dipcap-node NodeHostname=$HOST NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=dipcap-node Default=YES MaxTime=INFINITE State=UP
CONF
/usr/sbin/slurmctld -D -i -f "$SLURM_CONF" >"$WORK/log/slurmctld.out" 2>&1 &
PIDS+=($!)
/usr/sbin/slurmd -D -N dipcap-node -f "$SLURM_CONF" >"$WORK/log/slurmd.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
  state=$(sinfo -h -n dipcap-node -o %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 0.2
done
if [ "$state" != idle ]; then
  echo "the Slurm node did not come up (state '$state')" >&2
  tail -20 "$WORK"/log/*.log "$WORK"/log/*.out >&2 || true
  exit 1
fi
echo "slurm up: $(sinfo --version), node dipcap-node idle, $(nproc) CPUs"

SC=$ROOT/scenarios/sequestration.toml
SW=$ROOT/scenarios/baseline-sweep.toml
RUN_ARGS=(--trials 2000)
SWEEP_ARGS=(--samples 4 --trials 8)
cluster/slurm/submit.sh run "$SC" 4 "$WORK/run-shards" "$WORK/run-merged" "${RUN_ARGS[@]}" | tee "$WORK/run.ids"
cluster/slurm/submit.sh sweep "$SW" 4 "$WORK/sweep-shards" "$WORK/sweep-merged" "${SWEEP_ARGS[@]}" | tee "$WORK/sweep.ids"

# Meanwhile, the same work on one machine.
"$DIPCAP" run "$SC" "${RUN_ARGS[@]}" --quiet --out "$WORK/run-single"
"$DIPCAP" sweep "$SW" "${SWEEP_ARGS[@]}" --quiet --out "$WORK/sweep-single"

# Waits until squeue lists no job (with a job id: no task of that job), 5 minutes at most.
# Without a job id, a merge left waiting for failed shards fails the test at once.
drain() {
  for _ in $(seq 600); do
    [ -z "$(squeue -h ${1:+-j "$1"} 2>/dev/null)" ] && return 0
    if [ -z "${1:-}" ] && squeue -h -o %r | grep -q DependencyNeverSatisfied; then
      echo "shards failed; their logs:" >&2
      tail -n 20 "$WORK"/*/dipcap-*.out >&2 || true
      exit 1
    fi
    sleep 0.5
  done
  echo "jobs still queued after 5 minutes:" >&2
  squeue >&2
  exit 1
}
drain
for f in "$WORK"/run-shards/*.out "$WORK"/sweep-shards/*.out; do
  if [ -s "$f" ]; then echo "--- $f"; cat "$f"; fi
done

# What may differ between the two: the manifest's execution fields and the report's rows of them.
core() { grep -v -E '"(started|finished|wall_seconds|threads|shards)"' "$1"; }
report_core() { sed -E 's#<dt>(threads|started|finished|simulation time|shards)</dt><dd>[^<]*</dd>##g' "$1"; }
fail=0
check() { # single-machine folder, merged folder: every file, byte for byte
  local a=$1 b=$2
  if diff -r -q --exclude=manifest.json --exclude=report.html "$a" "$b" >&2; then
    echo "identical: $(cd "$a" && find . -type f ! -name manifest.json ! -name report.html | wc -l) files (data, charts PNG and SVG)"
  else
    echo "DIFFERS: see above" >&2
    fail=1
  fi
  if diff <(core "$a/manifest.json") <(core "$b/manifest.json") >&2; then
    echo "identical: manifest.json (execution fields aside)"
  else
    echo "DIFFERS: manifest.json" >&2
    fail=1
  fi
  if [ -f "$a/report.html" ]; then
    if diff <(report_core "$a/report.html") <(report_core "$b/report.html") >/dev/null; then
      echo "identical: report.html (execution rows aside)"
    else
      echo "DIFFERS: report.html" >&2
      fail=1
    fi
  fi
}
echo "== run: 4 Slurm array tasks + merge vs one machine"
check "$WORK/run-single" "$WORK/run-merged"
echo "== sweep: 4 Slurm array tasks + merge vs one machine"
check "$WORK/sweep-single" "$WORK/sweep-merged"
grep -h '"shards"' "$WORK/run-merged/manifest.json" "$WORK/sweep-merged/manifest.json"

echo "== a shard cancelled mid-run (scancel: SIGTERM), then cluster/slurm/resubmit.sh"
BIG=(--trials 24000)
export DIPCAP_CHECKPOINT_SECONDS=0.2 # so that shard 1 has a checkpoint early
cluster/slurm/submit.sh run "$SC" 4 "$WORK/cut-shards" "$WORK/cut-merged" "${BIG[@]}" | tee "$WORK/cut.ids"
array=$(sed -E 's/^array job ([0-9]+).*/\1/' "$WORK/cut.ids")
merge=$(sed -E 's/.*merge job ([0-9]+).*/\1/' "$WORK/cut.ids")
for _ in $(seq 600); do
  [ -f "$WORK/cut-shards/shard-1/.dipcap-parts/checkpoint.bin" ] && break
  sleep 0.1
done
scancel "${array}_1"
drain "$array"
# The merge waits for a dependency that can no longer be met.
squeue -h -j "$merge" -o "merge job $merge: %T (%r)"
scancel "$merge"
drain
unset DIPCAP_CHECKPOINT_SECONDS
if [ -f "$WORK/cut-shards/shard-1/shard.json" ]; then
  echo "shard 1 finished before it was cancelled: make BIG larger" >&2
  exit 1
fi
echo "shard 1 said, when cancelled: $(grep -h interrupted "$WORK/cut-shards/dipcap-shard-${array}_1.out" || echo nothing)"
cluster/slurm/resubmit.sh "$WORK/cut-shards" | tee "$WORK/resub.ids"
"$DIPCAP" run "$SC" "${BIG[@]}" --quiet --out "$WORK/cut-single"
drain
again=$(sed -nE 's/^array job ([0-9]+).*/\1/p' "$WORK/resub.ids")
grep -H "continuing from the checkpoint" "$WORK/cut-shards/dipcap-shard-${again}_1.out" ||
  { echo "the resubmitted shard 1 did not resume" >&2; fail=1; }
[ "$(ls "$WORK"/cut-shards/dipcap-shard-"${again}"_*.out | wc -l)" = 1 ] ||
  { echo "resubmit.sh ran other shards than the cancelled one" >&2; fail=1; }
check "$WORK/cut-single" "$WORK/cut-merged"

[ "$fail" = 0 ] || exit 1
echo "SLURM TEST PASSED in $(( $(date +%s) - T0 )) s"
