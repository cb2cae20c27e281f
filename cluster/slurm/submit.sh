#!/usr/bin/env bash
# Submits a dipcap run or sweep to Slurm as a job array of N shards plus a merge job that runs
# when all of them have succeeded.
#
#   cluster/slurm/submit.sh run   scenarios/baseline.toml       8 /scratch/$USER/b8 output/b8 --trials 1000000
#   cluster/slurm/submit.sh sweep scenarios/baseline-sweep.toml 8 /scratch/$USER/s8 output/s8 --samples 512
#
# Arguments: KIND FILE N SHARDS_DIR OUT [dipcap options for every shard]. Set DIPCAP to the
# binary's path if it is not on the nodes' PATH, and SBATCH_ARGS for site options
# (e.g. "--partition=short --time=02:00:00 --account=proj123"). Prints the two job ids.
# The settings are kept in SHARDS/dipcap-submit.env for cluster/slurm/resubmit.sh.
set -euo pipefail
if [ $# -lt 5 ]; then
  sed -n '2,12p' "$0" >&2
  exit 2
fi
KIND=$1 FILE=$2 N=$3 SHARDS=$4 OUT=$5
shift 5
HERE=$(cd "$(dirname "$0")" && pwd)
DIPCAP=${DIPCAP:-$(command -v dipcap || echo dipcap)}
# A relative path would not hold in the jobs, which start in SHARDS_DIR.
case $DIPCAP in */*) DIPCAP=$(realpath "$DIPCAP") ;; esac
mkdir -p "$SHARDS"
# Absolute paths: the jobs may start in another working directory.
FILE=$(realpath "$FILE")
SHARDS=$(realpath "$SHARDS")
OUT=$(realpath -m "$OUT")
export DIPCAP KIND FILE N SHARDS OUT DIPCAP_ARGS="$*"
# What resubmit.sh needs to run failed shards again with exactly these settings.
for v in DIPCAP KIND FILE N SHARDS OUT DIPCAP_ARGS SBATCH_ARGS; do
  printf '%s=%q\n' "$v" "${!v:-}"
done >"$SHARDS/dipcap-submit.env"
# shellcheck disable=SC2086
array=$(sbatch --parsable ${SBATCH_ARGS:-} --chdir="$SHARDS" --array="0-$((N - 1))" \
  --export=ALL "$HERE/dipcap-shard.sbatch")
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_ARGS:-} --chdir="$SHARDS" --dependency="afterok:${array%%;*}" \
  --export=ALL "$HERE/dipcap-merge.sbatch")
echo "array job ${array%%;*} ($N shards in $SHARDS), merge job ${merge%%;*} (into $OUT)"
