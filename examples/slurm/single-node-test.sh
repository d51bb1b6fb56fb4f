#!/bin/bash
# Stands up a real single-node Slurm on this Debian machine, runs the example sweep as an array job of 4 shards
# plus a merge job (submit.sh), and checks that the merged runs.csv, points.csv and sweep.json equal those of the
# same sweep run on one machine, byte for byte. Run as root (it installs packages and starts daemons); it stops
# the daemons it started and restores any Slurm configuration it replaced.
#
#   examples/slurm/single-node-test.sh [SWEEP]      (default: examples/renewal-sweep.json)
#
# LEASESIM names the binary (default: a self-contained one that examples/install.sh builds and installs into a
# scratch prefix). The jobs run with no Swift toolchain in their environment: PATH holds only the binary's folder
# and the system's, as on a cluster whose nodes have no Swift. Exits 0 when the outputs match.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
sweep=$(realpath "${1:-$root/examples/renewal-sweep.json}")
work=$(mktemp -d /tmp/leasesim-slurm.XXXXXX)
leasesim=${LEASESIM:-$work/prefix/bin/leasesim}
started=()

say() { echo "single-node-test: $*"; }
cleanup() {
    for pid in "${started[@]}"; do kill "$pid" 2>/dev/null || true; done
    for file in slurm.conf cgroup.conf; do
        if [ -e "/etc/slurm/$file.leasesim-backup" ]; then mv "/etc/slurm/$file.leasesim-backup" "/etc/slurm/$file"
        elif [ -e "$work/created-$file" ]; then rm -f "/etc/slurm/$file"; fi
    done
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || { say "run as root (it installs slurm-wlm and munge and starts their daemons)"; exit 2; }
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    say "installing slurm-wlm and munge"
    apt-get install -y slurm-wlm munge >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y slurm-wlm munge >/dev/null; }
fi
[ -x "$leasesim" ] || "$root/examples/install.sh" "$work/prefix" | grep installed
# The jobs' environment: no toolchain on PATH, no library path.
clean_env=(env -i PATH="$(dirname "$leasesim"):/usr/sbin:/usr/bin:/sbin:/bin" HOME="${HOME:-/root}")
if "${clean_env[@]}" sh -c 'command -v swift' >/dev/null; then say "swift is on the jobs' PATH"; exit 1; fi
say "jobs run $leasesim with PATH=$("${clean_env[@]}" sh -c 'echo $PATH') (no swift)"

# munge first: slurmd fails without it.
if [ ! -e /etc/munge/munge.key ]; then mungekey -c; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; fi
mkdir -p /run/munge && chown munge:munge /run/munge
munge_works() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }
if ! munge_works; then
    sleep 1 # a munged that is shutting down still answers pgrep, not munge
    munge_works || runuser -u munge -- munged
    for _ in $(seq 20); do munge_works && break; sleep 0.5; done
    munge_works || { say "munged did not start"; exit 1; }
    started+=("$(cat /run/munge/munged.pid 2>/dev/null || pgrep -x -u munge munged | head -1)")
fi

host=$(hostname -s)
cpus=$(nproc)
memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))
mkdir -p /etc/slurm "$work/state" "$work/spool"
for file in slurm.conf cgroup.conf; do
    if [ -e "/etc/slurm/$file" ]; then mv "/etc/slurm/$file" "/etc/slurm/$file.leasesim-backup"; else touch "$work/created-$file"; fi
done
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=leasesim-test
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ReturnToService=2
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
printf 'CgroupPlugin=cgroup/v1\nIgnoreSystemd=yes\n' > /etc/slurm/cgroup.conf

start_daemon() { # NAME: starts it and records its process id from its pid file
    "$1" || { say "$1 did not start; see $work/$1.log"; exit 1; }
    for _ in $(seq 20); do [ -s "$work/$1.pid" ] && break; sleep 0.5; done
    [ -s "$work/$1.pid" ] || { say "$1 wrote no pid file; see $work/$1.log"; exit 1; }
    started+=("$(cat "$work/$1.pid")")
}
start_daemon slurmctld
start_daemon slurmd
for _ in $(seq 60); do
    state=$(sinfo -h -N -o %t 2>/dev/null | head -1)
    [ "$state" = idle ] && break
    sleep 1
done
say "node $host: ${state:-unknown} ($(sinfo --version))"
[ "$state" = idle ] || { say "the node did not come up; see $work/slurmd.log"; exit 1; }

read -r array merge < <("${clean_env[@]}" LEASESIM="$leasesim" "$root/examples/slurm/submit.sh" "$sweep" "$work/results" 4)
say "submitted array job $array (4 shards) and merge job $merge"
for _ in $(seq 600); do
    [ -z "$(squeue -h -j "$array,$merge" 2>/dev/null)" ] && break
    sleep 1
done
[ -z "$(squeue -h -j "$array,$merge" 2>/dev/null)" ] || { say "jobs still queued after 10 minutes"; exit 1; }
for task in 0 1 2 3; do say "shard $task: $(head -1 "$work/results/log-shard-$task.txt")"; done
say "merge: $(head -1 "$work/results/log-merge.txt" 2>/dev/null || echo 'no log')"

"${clean_env[@]}" "$leasesim" sweep "$sweep" --out "$work/single" --progress none --quiet
status=0
for file in runs.csv points.csv sweep.json; do
    if cmp -s "$work/results/merged/$file" "$work/single/$file"; then
        say "$file: merged equals single-machine ($(wc -l < "$work/single/$file") lines, sha256 $(sha256sum "$work/single/$file" | cut -c1-16))"
    else
        say "$file: DIFFERS from the single-machine run"; status=1
    fi
done
[ $status = 0 ] && say "PASS" || say "FAIL"
exit $status
