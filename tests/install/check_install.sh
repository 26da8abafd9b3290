#!/usr/bin/env bash
# Installs the built library into a scratch prefix and builds a host program
# against it the three ways a host would: pkg-config (shared), pkg-config
# --static, and meson's dependency('exoplace') with this project as a
# subproject. Then checks the installed Python package: its generated module
# names the library as installed, and the package works from elsewhere.
# Usage: check_install.sh SOURCE_ROOT BUILD_ROOT
set -euo pipefail
source_root=$1
build_root=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

meson install -C "$build_root" --destdir "$scratch/root" --no-rebuild --quiet >/dev/null
pcdir=$(dirname "$(find "$scratch/root" -name exoplace.pc | head -n 1)")
export PKG_CONFIG_PATH=$pcdir PKG_CONFIG_SYSROOT_DIR=$scratch/root
libdir=$(dirname "$pcdir")
example=$source_root/examples/simple_placement.c

# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror -o "$scratch/shared" "$example" $(pkg-config --cflags --libs exoplace)
LD_LIBRARY_PATH=$libdir "$scratch/shared" >/dev/null
echo "ok: linked with pkg-config (shared)"

# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror -o "$scratch/static" "$example" -static-libgcc \
    $(pkg-config --cflags exoplace) "$libdir/libexoplace.a" $(pkg-config --static --libs-only-l exoplace | sed 's/-lexoplace//')
"$scratch/static" >/dev/null
echo "ok: linked statically (Requires.private and Libs.private suffice)"

mkdir -p "$scratch/host/subprojects"
ln -s "$source_root" "$scratch/host/subprojects/exoplace"
cp "$example" "$scratch/host/main.c"
cat >"$scratch/host/meson.build" <<'MESON'
project('host', 'c', default_options: ['c_std=c11'])
# override_dependency in the subproject makes dependency() find it.
subproject('exoplace', default_options: ['tests=false'])
executable('host', 'main.c', dependencies: dependency('exoplace'))
MESON
env -u PKG_CONFIG_PATH -u PKG_CONFIG_SYSROOT_DIR meson setup "$scratch/host/build" "$scratch/host" >/dev/null
meson compile -C "$scratch/host/build" >/dev/null
"$scratch/host/build/host" >/dev/null
echo "ok: built as a meson subproject"

# The Python package: exoplace/_installed.py names the installed library file.
installed_py=$(find "$scratch/root" -path '*/exoplace/_installed.py' | head -n 1)
[ -n "$installed_py" ] || { echo "FAIL: meson install put no exoplace/_installed.py" >&2; exit 1; }
library=$(python3 -c 'import runpy, sys; print(runpy.run_path(sys.argv[1])["LIBRARY"])' "$installed_py")
[ -f "$scratch/root$library" ] || { echo "FAIL: _installed.py names $library, which was not installed" >&2; exit 1; }
# The installed copy is complete: it imports and calls the library from another directory.
(cd "$scratch" && EXOPLACE_LIBRARY=$scratch/root$library PYTHONPATH=$(dirname "$(dirname "$installed_py")") \
    python3 -c 'import exoplace, sys; assert exoplace.__file__.startswith(sys.argv[1]), exoplace.__file__
assert exoplace.distribute_layers([1, 3], 8) == [2, 6]' "$scratch/root")
echo "ok: the Python package names its installed library ($library)"
