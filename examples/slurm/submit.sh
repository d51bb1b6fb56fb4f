#!/bin/bash
# Submits a sweep as a Slurm array job of TASKS shards, and a merge job that runs once every shard has succeeded.
#
#   examples/slurm/submit.sh SWEEP RESULTS [TASKS]
#
# SWEEP is a sweep file, RESULTS a directory on storage every node shares; LEASESIM names the binary (default:
# leasesim on PATH). The merged runs.csv, points.csv and sweep.json appear in RESULTS/merged. Prints the two job ids.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 SWEEP RESULTS [TASKS]" >&2; exit 2; }
sweep=$(realpath "$1")
results=$(realpath -m "$2")
tasks=${3:-4}
leasesim=$(realpath "${LEASESIM:-$(command -v leasesim)}")
here=$(dirname "$(realpath "$0")")
mkdir -p "$results"
array=$(sbatch --parsable --array="0-$((tasks - 1))" --chdir="$results" \
    --export="ALL,LEASESIM=$leasesim,SWEEP=$sweep,RESULTS=$results" "$here/sweep-array.sbatch")
merge=$(sbatch --parsable --dependency="afterok:$array" --job-name=leasesim-merge --chdir="$results" --output=log-merge.txt \
    --wrap="'$leasesim' merge '$results'/shard-* --out '$results/merged'")
echo "$array $merge"
