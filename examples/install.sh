#!/bin/bash
# Builds a self-contained leasesim (the Swift runtime and Foundation linked in statically) and installs it as
# PREFIX/bin/leasesim, for machines and cluster nodes that have no Swift toolchain.
#
#   examples/install.sh [PREFIX]     (default: $PREFIX, else /usr/local as root, else ~/.local)
#
# The binary then needs only what every mainstream Linux distribution has: the C library and the GCC runtime
# (libstdc++, libgcc_s). The script checks that nothing from the Swift toolchain is needed, runs the installed
# binary once, and prints where it is.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
prefix=${1:-${PREFIX:-$([ "$(id -u)" = 0 ] && echo /usr/local || echo "$HOME/.local")}}
say() { echo "install: $*"; }

say "building a self-contained release binary (swift build --static-swift-stdlib)"
(cd "$root" && swift build -c release --product leasesim --static-swift-stdlib --build-path .build/static \
    2>&1 | grep -v "the use of \`mktemp' is dangerous" | tail -1)
binary=$root/.build/static/release/leasesim
mkdir -p "$prefix/bin"
install -m 0755 "$binary" "$prefix/bin/leasesim"

# Nothing from the toolchain: no libswift*, no libFoundation*, no libdispatch.
if ldd "$prefix/bin/leasesim" | grep -Eq 'libswift|libFoundation|libdispatch|libBlocksRuntime'; then
    say "the binary still needs the Swift toolchain's libraries:"; ldd "$prefix/bin/leasesim" >&2; exit 1
fi
# It runs with no toolchain in its environment.
env -i PATH=/usr/bin:/bin "$prefix/bin/leasesim" --version >/dev/null
say "installed $prefix/bin/leasesim ($(env -i "$prefix/bin/leasesim" --version)); it needs: $(ldd "$prefix/bin/leasesim" | awk '/=>/ {print $1}' | tr '\n' ' ')"
case ":$PATH:" in *":$prefix/bin:"*) ;; *) say "add $prefix/bin to PATH to call it as leasesim" ;; esac
