#!/usr/bin/env bash
# Runs the unfinished shards of an earlier submit.sh again, and the merge after them.
#
#   cluster/slurm/resubmit.sh /scratch/$USER/b8
#
# A shard is finished when its folder holds shard.json. Every other shard (failed, cancelled,
# out of time, never started) is submitted again as one job array with the settings recorded
# by submit.sh in SHARDS/dipcap-submit.env; a shard interrupted after a checkpoint continues
# from it (dipcap-shard.sbatch adds --resume), so finished trial blocks are not run twice.
# Run it once no task of the first submission is still queued or running (squeue -u $USER):
# dipcap refuses a second writer on the same shard folder anyway. Prints the job ids.
set -euo pipefail
if [ $# -ne 1 ]; then
  sed -n '2,11p' "$0" >&2
  exit 2
fi
SHARDS=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
if [ ! -f "$SHARDS/dipcap-submit.env" ]; then
  echo "resubmit.sh: $SHARDS/dipcap-submit.env not found: was $SHARDS made by cluster/slurm/submit.sh?" >&2
  exit 2
fi
# shellcheck disable=SC1091
. "$SHARDS/dipcap-submit.env"
export DIPCAP KIND FILE N SHARDS OUT DIPCAP_ARGS
todo=()
for ((i = 0; i < N; i++)); do
  [ -f "$SHARDS/shard-$i/shard.json" ] || todo+=("$i")
done
dep=()
if [ ${#todo[@]} -eq 0 ]; then
  echo "all $N shards are finished; submitting the merge only"
else
  list=$(IFS=,; echo "${todo[*]}")
  # shellcheck disable=SC2086
  array=$(sbatch --parsable ${SBATCH_ARGS:-} --chdir="$SHARDS" --array="$list" \
    --export=ALL "$HERE/dipcap-shard.sbatch")
  echo "array job ${array%%;*} (shards $list of $N again)"
  dep=(--dependency="afterok:${array%%;*}")
fi
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_ARGS:-} --chdir="$SHARDS" "${dep[@]}" \
  --export=ALL "$HERE/dipcap-merge.sbatch")
echo "merge job ${merge%%;*} (into $OUT)"
