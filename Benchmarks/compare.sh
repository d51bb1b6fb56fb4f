#!/usr/bin/env bash
# Runs the canonical fleet workload through leasesim and through its SimPy peer on this machine,
# checks that both report the same outcome, and prints the speed ratio.
# Usage: Benchmarks/compare.sh [CLIENTS] [DAYS]   (default 1000 30; needs `pip install simpy`)
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-1000}
days=${2:-30}

swift build -c release --product leasesim-bench >/dev/null
swift_line=$(.build/release/leasesim-bench fleet --clients "$clients" --days "$days")
simpy_line=$(python3 Benchmarks/peers/simpy_fleet_peer.py "$clients" "$days")
echo "leasesim: $swift_line"
echo "simpy:    $simpy_line"

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
for name in events denied_user_hours final_leased; do
    if [ "$(field "$name" "$swift_line")" != "$(field "$name" "$simpy_line")" ]; then
        echo "MISMATCH in $name" >&2
        exit 1
    fi
done
python3 -c "import sys; s, p = float(sys.argv[1]), float(sys.argv[2]); print(f'outcomes match; leasesim is {p / s:.0f}x faster ({s:.3f} s vs {p:.3f} s) on {sys.argv[3]} cores')" \
    "$(field wall_s "$swift_line")" "$(field wall_s "$simpy_line")" "$(nproc)"
