#!/bin/bash
# Runs the Kubernetes example as far as a machine without a cluster or a container engine can: it builds the
# image's run stage (examples/kubernetes/Dockerfile) as a Debian bookworm root file system with debootstrap,
# puts in it what the Dockerfile copies (the self-contained binary from examples/install.sh, Scenarios/ and
# examples/ under /work), then runs each completion of sweep-indexed-job.yaml and then merge-job.yaml: the
# commands of the YAML files as written, under /bin/sh in that root as user 65534, with JOB_COMPLETION_INDEX set
# as the Indexed Job sets it and /results the shared volume. It checks that the merged runs.csv, points.csv and
# sweep.json equal those of the same sweep run on one machine, byte for byte. Run as root (debootstrap, chroot).
#
#   examples/kubernetes/local-test.sh [ROOTFS]     (default: a new bookworm root under /tmp, kept for reuse)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/examples/kubernetes
rootfs=${1:-/tmp/leasesim-k8s-rootfs}
say() { echo "k8s-local-test: $*"; }
[ "$(id -u)" = 0 ] || { say "run as root (debootstrap and chroot)"; exit 2; }

if [ ! -x "$rootfs/bin/sh" ]; then
    command -v debootstrap >/dev/null || apt-get install -y debootstrap >/dev/null
    say "building a bookworm root file system in $rootfs"
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >/dev/null
fi
# A container has /proc (a Swift program reads its arguments there): mount it for the time of the test.
mountpoint -q "$rootfs/proc" || { mount -t proc proc "$rootfs/proc"; trap 'umount "$rootfs/proc"' EXIT; }
"$root/examples/install.sh" "$rootfs/usr/local" | grep installed
rm -rf "$rootfs/work" "$rootfs/results"
mkdir -p "$rootfs/work" "$rootfs/results"
cp -r "$root/Scenarios" "$root/examples" "$rootfs/work/"
chown 65534:65534 "$rootfs/results"

# The commands of the Jobs, as written: the container's command and args.
command_of() { python3 -c 'import sys, yaml; c = yaml.safe_load(open(sys.argv[1]))["spec"]["template"]["spec"]["containers"][0]; print(" ".join(c["args"]))' "$1"; }
completions=$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["spec"]["completions"])' "$here/sweep-indexed-job.yaml")
shard=$(command_of "$here/sweep-indexed-job.yaml")
merge=$(command_of "$here/merge-job.yaml")
in_image() { chroot --userspec=65534:65534 "$rootfs" env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/tmp "$@"; }
in_image sh -c 'command -v swift' && { say "the image has a Swift toolchain"; exit 1; }
for index in $(seq 0 $((completions - 1))); do
    in_image env JOB_COMPLETION_INDEX="$index" sh -c "cd /work && $shard"
    say "completion $index: $(ls "$rootfs/results/shard-$index" | tr '\n' ' ')"
done
in_image sh -c "cd /work && $merge"
# (The same sweep file path as the Job's: sweep.json names it.)
in_image sh -c "cd /work && leasesim sweep /work/examples/renewal-sweep.json --out /results/single --progress none --quiet"
status=0
for file in runs.csv points.csv sweep.json; do
    if cmp -s "$rootfs/results/merged/$file" "$rootfs/results/single/$file"; then
        say "$file: merged equals single-machine ($(wc -l < "$rootfs/results/single/$file") lines)"
    else
        say "$file: DIFFERS from the single-machine run"; status=1
    fi
done
[ $status = 0 ] && say "PASS" || say "FAIL"
exit $status
