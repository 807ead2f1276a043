#!/bin/sh
# Builds the desktop client's MSI from packaging/yiwangtong.wxs with wixl.
#
#   msi.sh EXE ICON MSI_VERSION FULL_VERSION OUT.msi
#
# MSI_VERSION is MAJOR.MINOR.PATCH (the MSI's ProductVersion), FULL_VERSION
# the release version as --version prints it. wixl writes no database code
# page and stores strings in the code page of WINDOWS_LANGUAGE, so it runs
# with zh_CN (GBK) and msibuild then stamps code page 936 on the database;
# without that the Chinese product and shortcut names would be empty.
set -eu
[ $# -eq 5 ] || { echo "usage: msi.sh EXE ICON MSI_VERSION FULL_VERSION OUT.msi" >&2; exit 2; }
root=$(cd "$(dirname "$0")/../.." && pwd)
exe=$1 icon=$2 numeric=$3 full=$4 out=$5
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# wixl looks source files up relative to the current folder only.
cp "$exe" "$tmp/yiwangtong.exe"
cp "$icon" "$tmp/yiwangtong.ico"
cd "$tmp"
WINDOWS_LANGUAGE=zh_CN wixl -a x64 \
	-D Version="$numeric" -D FullVersion="$full" \
	-D ExeSource=yiwangtong.exe -D IconSource=yiwangtong.ico \
	-o "$tmp/out.msi" "$root/packaging/yiwangtong.wxs"
printf '\r\n936\t_ForceCodepage\r\n\r\n' > "$tmp/_ForceCodepage.idt"
WINDOWS_LANGUAGE=zh_CN msibuild "$tmp/out.msi" -i "$tmp/_ForceCodepage.idt"
props=$(msiinfo export "$tmp/out.msi" Property)
case $props in
*"ProductName	一网通"*) ;;
*) echo "msi.sh: MSI 的产品名称不是“一网通” (the MSI's ProductName lost its Chinese name)" >&2; exit 1 ;;
esac
mv "$tmp/out.msi" "$out"
