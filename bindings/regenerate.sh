#!/usr/bin/env bash
# Regenerates the Java bindings (bindings/java) from native-src/include/pcompute.h with jextract, then
# records the SHA-256 of it and of the kernel ABI header it includes (pcompute_kernel.h) in
# bindings/pcompute.h.sha256 (BindingsStampTest compares them).
#
# It only runs a jextract you provide: $JEXTRACT_HOME/bin/jextract, else `jextract` on PATH. The output
# must compile with javac --release 22, so use a jextract built for JDK 22 (see README, "Regenerating
# the bindings"). Only symbols declared in pcompute.h and pcompute_kernel.h are generated (no libc
# declarations; the kernel header's static inline helpers are skipped by jextract).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
header_rel=native-src/include/pcompute.h
stamped=(native-src/include/pcompute.h native-src/include/pcompute_kernel.h)
header="$root/$header_rel"
package=io.pcompute.internal.ffi

if [[ -n "${JEXTRACT_HOME:-}" ]]; then
  jextract="$JEXTRACT_HOME/bin/jextract"
  if [[ ! -x "$jextract" ]]; then
    echo "error: JEXTRACT_HOME=$JEXTRACT_HOME but $jextract is missing or not executable." >&2
    exit 2
  fi
elif command -v jextract >/dev/null 2>&1; then
  jextract=$(command -v jextract)
else
  cat >&2 <<MSG
error: jextract not found. Put it on PATH or set JEXTRACT_HOME to its installation directory
(the one holding bin/jextract). It must generate code for JDK 22: see README.md, "Regenerating the bindings".
MSG
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Every symbol jextract sees, then only the ones declared in pcompute.h or pcompute_kernel.h with a
# pc_/PC_ name.
"$jextract" --dump-includes "$work/all-includes.txt" "$header" >/dev/null
grep -E -- "^--include-[a-z]+ +(pc_|PC_)[A-Za-z0-9_]+ +# header: .*/pcompute(_kernel)?\.h$" "$work/all-includes.txt" \
  | sed -E 's/ +#.*$//' > "$work/includes.txt"
if [[ ! -s "$work/includes.txt" ]]; then
  echo "error: jextract reported no pc_ symbols in $header_rel; see $work/all-includes.txt" >&2
  trap - EXIT
  exit 1
fi

rm -rf "$here/java"
"$jextract" --output "$here/java" --target-package "$package" --header-class-name pcompute_h \
  @"$work/includes.txt" "$header"

(cd "$root" && sha256sum "${stamped[@]}") > "$here/pcompute.h.sha256"
echo "bindings regenerated in bindings/java ($(wc -l < "$work/includes.txt") symbols) and stamped:"
cat "$here/pcompute.h.sha256"
