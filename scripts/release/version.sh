#!/bin/sh
# Prints the release version, the one string that goes into both programs'
# --version, FyneApp.toml, the exe's file properties, the MSI and the file
# names in dist/:
#   1. $YIWANGTONG_VERSION when set (CI passing a version down);
#   2. else `git describe` of the newest v<digits> tag, when the work tree is
#      a git checkout that has one (v0.2.0 -> 0.2.0, v0.2.0-3-gabc1234 ->
#      0.2.0-3-gabc1234);
#   3. else the VERSION file at the root of the module.
# The result must start with MAJOR.MINOR.PATCH; anything after it may only use
# letters, digits, dots, '-' and '+'.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
v=${YIWANGTONG_VERSION:-}
if [ -z "$v" ] && command -v git >/dev/null 2>&1 && [ -e "$root/.git" ]; then
	v=$(git -C "$root" describe --tags --match 'v[0-9]*' --dirty 2>/dev/null || true)
	v=${v#v}
fi
if [ -z "$v" ]; then
	v=$(tr -d ' \t\r\n' < "$root/VERSION")
fi
if ! printf '%s\n' "$v" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]*)?$'; then
	echo "版本号无效：“$v”，应为 主.次.修订，如 0.1.0 (bad version \"$v\": want MAJOR.MINOR.PATCH, e.g. 0.1.0)" >&2
	exit 1
fi
printf '%s\n' "$v"
