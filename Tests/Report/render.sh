#!/usr/bin/env bash
# Renders the bundled scenarios' reports (and a sweep's) in headless Chromium, takes a screenshot of each, and
# fails on a blank page, a console message from the page, or a chart without data.
#
#   Tests/Report/render.sh [OUT_DIR]        (default: .build/report-render; needs chromium: apt-get install chromium)
#
# Screenshots are left in OUT_DIR/*.png; the screenshot in docs/commands.md (docs/report.png) is one of them.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-.build/report-render}
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || { echo "render: chromium is not installed (apt-get install -y chromium)" >&2; exit 2; }
swift build -c release --product leasesim >/dev/null
leasesim=.build/release/leasesim
rm -rf "$out" && mkdir -p "$out"
pages=()
for scenario in Scenarios/*.json; do
    name=$(basename "$scenario" .json)
    "$leasesim" run "$scenario" --out "$out/run-$name" --no-events --report --quiet
    pages+=("$out/run-$name/report.html")
done
"$leasesim" sweep examples/renewal-sweep.json --out "$out/sweep" --jobs 2 --progress none --quiet
"$leasesim" report "$out/sweep" --quiet
pages+=("$out/sweep/report.html")

failures=0
for page in "${pages[@]}"; do
    name=$(basename "$(dirname "$page")")
    if grep -q 'data-points="0"' "$page"; then echo "render: $page has a chart without data" >&2; failures=$((failures + 1)); fi
    log="$out/$name.log"
    # Chromium's own chatter (D-Bus, GPU) goes to the log; only the page's console messages fail the test.
    "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,1400 --enable-logging=stderr --v=0 \
        --screenshot="$out/$name.png" "file://$(realpath "$page")" >"$log" 2>&1 || true
    if grep -q ':CONSOLE:' "$log"; then echo "render: $page wrote to the console:" >&2; grep ':CONSOLE:' "$log" >&2; failures=$((failures + 1)); fi
    if ! python3 - "$out/$name.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, width, height = 8, b"", 0, 0
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR": width, height = struct.unpack(">II", body[:8])
    if kind == b"IDAT": idat += body
    pos += 12 + length
raw = zlib.decompress(idat)
# A blank page is one colour: count distinct bytes over the image (filters aside, a chart gives many).
distinct = len(set(raw[i] for i in range(0, len(raw), 7)))
assert width > 0 and height > 0, "empty image"
sys.exit(0 if distinct > 16 else 1)
PY
    then echo "render: $out/$name.png is blank" >&2; failures=$((failures + 1)); fi
done
echo "render: ${#pages[@]} reports rendered, $failures failures (screenshots in $out)"
[ "$failures" -eq 0 ]
