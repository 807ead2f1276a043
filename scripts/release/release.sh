#!/usr/bin/env bash
# Builds every release artifact of Yiwangtong (一网通) on Linux into dist/:
#
#   yiwangtong.exe                                the Windows desktop client, signed
#   yiwangtong-VERSION-windows-amd64.msi          its per-user installer, signed
#   yiwangtong-VERSION-linux-amd64.tar.xz         the Linux desktop build (fyne package layout)
#   yiwangtong_DEBVERSION_amd64.deb               the same for Debian-based desktops
#   yiwangtong-server-VERSION-linux-amd64.tar.gz  the server with its systemd unit and example config
#   yiwangtong-server-VERSION-linux-arm64.tar.gz
#   yiwangtong-server-VERSION-windows-amd64.zip   the signed exe and a start script with the same settings
#   SHA256SUMS
#
# Run it with `make release`. It installs the Debian packages and the fyne
# tool it needs, builds from a copy of the source tree under build/release/src
# (the fyne tool writes generated files next to main.go, and the copy gets the
# release version in its FyneApp.toml), and replaces dist/ only when every
# step has succeeded.
#
# Environment:
#   YIWANGTONG_VERSION   the version; else `git describe` or VERSION (see version.sh)
#   SIGN_CERT, SIGN_KEY  code-signing certificate (PEM, may hold the chain) and
#                        private key (PEM): a file path or the PEM text itself
#   SIGN_PASS            the key's passphrase, if it has one
#   SIGN_CA              the certificate the test trusts when verifying
#                        signatures made with SIGN_CERT (path or PEM text);
#                        without it the system's CA bundle is used
#   SIGN_TIMESTAMP_URL   an RFC 3161 time-stamping server, if one is reachable
#   RELEASE_DIST         the output folder (default dist)
#   RELEASE_WORK         the work folder (default build/release)
# Without SIGN_CERT a throwaway CA and code-signing certificate are made
# (openssl) and kept in the work folder; build/release/trust.pem is the CA the
# test verifies against.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/scripts/release"
dist=${RELEASE_DIST:-$root/dist}
work=${RELEASE_WORK:-$root/build/release}
GO=${GO:-go}
FYNE_VERSION=v1.7.4
app_id=cn.gov.yiwangtong

say() { printf '%s release: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'release: %s\n' "$*" >&2; exit 1; }

mkdir -p "$work"
case $work in
"$root"/build/*) [ -e "$root/build/.gitignore" ] || printf '*\n' > "$root/build/.gitignore" ;;
esac
exec 9>"$work/lock"
flock 9 || die "另一个发布构建正在运行 (another release build holds $work/lock)"

# ---------------------------------------------------------------- tools
say "checking build tools"
"$root/scripts/apt-install.sh" gcc libc6-dev pkg-config libgl-dev libx11-dev libxcursor-dev \
	libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev \
	gcc-mingw-w64-x86-64 wixl msitools osslsigncode openssl xz-utils dpkg-dev zip
gobin=$("$GO" env GOPATH)/bin
FYNE=${FYNE:-$gobin/fyne}
case $("$FYNE" version 2>/dev/null || true) in
*"fyne cli version: $FYNE_VERSION"*) ;;
*)
	say "installing the fyne tool $FYNE_VERSION"
	"$GO" install "fyne.io/tools/cmd/fyne@$FYNE_VERSION"
	FYNE=$gobin/fyne
	;;
esac

# ---------------------------------------------------------------- version
version=$("$here/version.sh")
numeric=${version%%[-+]*}                       # 0.1.0 of 0.1.0-3-gabc
IFS=. read -r v_major v_minor v_patch <<<"$numeric"
if [ "$v_major" -gt 255 ] || [ "$v_minor" -gt 255 ] || [ "$v_patch" -gt 65535 ]; then
	die "版本号超出 MSI 的范围 (MSI versions are at most 255.255.65535): $numeric"
fi
# Debian: 0.1.0-3-gabc1234 sorts after 0.1.0 (0.1.0+3.gabc1234); 0.2.0-rc1
# before 0.2.0 (0.2.0~rc1).
if [[ $version =~ ^([0-9.]+)-([0-9]+)-g([0-9a-f]+)(-dirty)?$ ]]; then
	debversion="${BASH_REMATCH[1]}+${BASH_REMATCH[2]}.g${BASH_REMATCH[3]}${BASH_REMATCH[4]:+.dirty}"
else
	debversion=${version//-/\~}
fi
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}
say "version $version (numeric $numeric, deb $debversion)"

# ---------------------------------------------------------------- source copy
src="$work/src"
say "copying the source tree to $src"
rm -rf "$src" && mkdir -p "$src"
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$root" && git ls-files -z -co --exclude-standard -- . ':(exclude)bin' ':(exclude)build' ':(exclude)dist' |
		tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$src"
else
	(cd "$root" && tar --exclude=./.git --exclude=./build --exclude=./dist --exclude=./bin \
		--exclude=./.data -cf - .) | tar -xf - -C "$src"
fi
[ -f "$src/main.go" ] && [ -f "$src/FyneApp.toml" ] || die "源码复制不完整 (the source copy lacks main.go or FyneApp.toml)"
sed -i -E "s/^([[:space:]]*Version[[:space:]]*=[[:space:]]*).*/\1\"$numeric\"/" "$src/FyneApp.toml"
grep -q "Version = \"$numeric\"" "$src/FyneApp.toml" || die "FyneApp.toml has no Version line to set"
icon_rel=$(sed -nE 's/^[[:space:]]*Icon[[:space:]]*=[[:space:]]*"([^"]+)".*/\1/p' "$src/FyneApp.toml" | head -n1)
icon="$src/${icon_rel:-Icon.png}"
[ -f "$icon" ] || die "FyneApp.toml 中的图标不存在 (the icon named in FyneApp.toml is missing): $icon_rel"
fyne_build=$(sed -nE 's/^[[:space:]]*Build[[:space:]]*=[[:space:]]*([0-9]+).*/\1/p' "$src/FyneApp.toml" | head -n1)
fyne_build=${fyne_build:-1}

stage="$work/stage"      # the next dist/
out="$work/out"          # intermediate files
rm -rf "$stage" "$out" && mkdir -p "$stage" "$out"

# -X for both programs. The fyne tool takes extra linker flags only from
# GOFLAGS (one -ldflags=... word each), so the value must not hold spaces.
xflags="-ldflags=-X=main.buildVersion=$version"

# ---------------------------------------------------------------- signing
sign_dir="$work/sign"
mkdir -p "$sign_dir" && chmod 700 "$sign_dir"
# Copies of a given key and its passphrase live only as long as the build.
trap 'rm -f "$sign_dir"/*.given.pem "$sign_dir/pass"' EXIT

# pem_file NAME VALUE: VALUE is a path, or PEM text written to sign_dir/NAME.
pem_file() {
	case "$2" in
	-----BEGIN*) (umask 077 && printf '%s\n' "$2" > "$sign_dir/$1") && printf '%s\n' "$sign_dir/$1" ;;
	*) [ -f "$2" ] || die "找不到签名文件 (no such file): $2"; printf '%s\n' "$2" ;;
	esac
}

rm -f "$work/trust.pem"
sign_args=()
if [ -n "${SIGN_CERT:-}" ]; then
	[ -n "${SIGN_KEY:-}" ] || die "设置了 SIGN_CERT 就必须同时设置 SIGN_KEY (SIGN_CERT needs SIGN_KEY)"
	sign_args=(-certs "$(pem_file cert.given.pem "$SIGN_CERT")" -key "$(pem_file key.given.pem "$SIGN_KEY")")
	if [ -n "${SIGN_PASS:-}" ]; then
		(umask 077 && printf '%s' "$SIGN_PASS" > "$sign_dir/pass")
		sign_args+=(-readpass "$sign_dir/pass")
	fi
	if [ -n "${SIGN_CA:-}" ]; then
		cp "$(pem_file ca.given.pem "$SIGN_CA")" "$work/trust.pem"
	fi
	say "signing with the certificate in SIGN_CERT"
else
	ca="$sign_dir/throwaway-ca.pem"
	leaf="$sign_dir/throwaway-codesign.pem"
	if ! { [ -f "$leaf" ] && openssl x509 -in "$leaf" -noout -checkend 86400 >/dev/null 2>&1; }; then
		say "making a throwaway code-signing CA and certificate (no SIGN_CERT given)"
		(
			umask 077
			cd "$sign_dir"
			openssl req -x509 -newkey rsa:3072 -nodes -days 825 -sha256 \
				-keyout throwaway-ca.key -out throwaway-ca.pem \
				-subj "/C=CN/O=Yiwangtong build/CN=Yiwangtong throwaway code-signing CA" \
				-addext "basicConstraints=critical,CA:TRUE" \
				-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
			openssl req -newkey rsa:3072 -nodes -sha256 \
				-keyout throwaway-codesign.key -out throwaway-codesign.csr \
				-subj "/C=CN/O=Yiwangtong build/CN=Yiwangtong (throwaway test signature)" 2>/dev/null
			printf '%s\n' "basicConstraints=critical,CA:FALSE" \
				"keyUsage=critical,digitalSignature" \
				"extendedKeyUsage=codeSigning" \
				"subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" > codesign.ext
			openssl x509 -req -in throwaway-codesign.csr -CA throwaway-ca.pem -CAkey throwaway-ca.key \
				-CAcreateserial -days 397 -sha256 -extfile codesign.ext -out throwaway-codesign.pem 2>/dev/null
		)
	fi
	sign_args=(-certs "$leaf" -key "$sign_dir/throwaway-codesign.key")
	cp "$ca" "$work/trust.pem"
fi
if [ -n "${SIGN_TIMESTAMP_URL:-}" ]; then
	sign_args+=(-ts "$SIGN_TIMESTAMP_URL")
fi

# sign IN OUT
sign() {
	osslsigncode sign "${sign_args[@]}" -h sha256 -n "一网通 Yiwangtong" \
		-i "https://github.com/yiwangtong/yiwangtong" -in "$1" -out "$2" >/dev/null ||
		die "签名失败 (signing $1 failed)"
}

# ---------------------------------------------------------------- Windows client
say "building the Windows desktop client (fyne package, mingw-w64, cgo)"
# For Windows the fyne tool builds once, writes the resource file (icon,
# manifest, version information) and builds again; it takes the extra linker
# flags out of GOFLAGS in the first build, so the second would lack -X. With
# an existing --executable it skips the first build.
(
	cd "$src"
	rm -f -- *.exe
	: > yiwangtong.exe
	env GOFLAGS="-buildvcs=false $xflags" GOOS=windows GOARCH=amd64 CGO_ENABLED=1 \
		CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++ \
		"$FYNE" package -os windows --release --app-version "$numeric" --app-build "$fyne_build" \
		--executable "$src/yiwangtong.exe"
)
win_exe=$(find "$src" -maxdepth 1 -name '*.exe' -size +1M | head -n1)
[ -n "$win_exe" ] || die "fyne package 没有生成 exe (fyne package made no exe)"
mv "$win_exe" "$out/yiwangtong.unsigned.exe"
sign "$out/yiwangtong.unsigned.exe" "$stage/yiwangtong.exe"

# ---------------------------------------------------------------- MSI
say "building the MSI (wixl)"
mkdir -p "$out/msi"
# A Windows icon holding the PNG as it is (Vista and later read PNG entries).
png_size=$(stat -c %s "$icon")
le32() { printf "\\$(printf %03o $(($1 & 255)))\\$(printf %03o $((($1 >> 8) & 255)))\\$(printf %03o $((($1 >> 16) & 255)))\\$(printf %03o $((($1 >> 24) & 255)))"; }
read -r _ _ w2 w3 _ _ h2 h3 < <(od -An -j16 -N8 -tu1 "$icon")   # IHDR width and height, big-endian
png_w=$((w2 * 256 + w3)) png_h=$((h2 * 256 + h3))
[ "$png_w" -le 256 ] && [ "$png_h" -le 256 ] || die "图标大于 256×256 (the icon is larger than 256x256): $icon_rel"
{
	printf '\000\000\001\000\001\000'                # ICONDIR: reserved, type 1 (icon), 1 image
	printf "\\$(printf %03o $((png_w % 256)))\\$(printf %03o $((png_h % 256)))"   # width, height (0 means 256)
	printf '\000\000\001\000\040\000'                # no palette, reserved, 1 plane, 32 bpp
	le32 "$png_size"
	le32 22                                          # the image follows the 6+16 header bytes
	cat "$icon"
} > "$out/msi/yiwangtong.ico"
msi_unsigned="$out/msi/yiwangtong.unsigned.msi"
msi="$stage/yiwangtong-$version-windows-amd64.msi"
"$here/msi.sh" "$stage/yiwangtong.exe" "$out/msi/yiwangtong.ico" "$numeric" "$version" "$msi_unsigned"
sign "$msi_unsigned" "$msi"

# ---------------------------------------------------------------- Linux desktop
say "building the Linux desktop client (fyne package)"
(
	cd "$src"
	rm -f -- *.tar.xz
	env -u CC -u CXX GOFLAGS="-buildvcs=false $xflags" GOOS=linux GOARCH=amd64 CGO_ENABLED=1 \
		"$FYNE" package -os linux --release --app-version "$numeric" --app-build "$fyne_build"
)
fyne_tar=$(find "$src" -maxdepth 1 -name '*.tar.xz' | head -n1)
[ -n "$fyne_tar" ] || die "fyne package 没有生成 tar.xz (fyne package made no tar.xz)"
lin="$out/linux"
rm -rf "$lin" && mkdir -p "$lin"
tar -xJf "$fyne_tar" -C "$lin"
rm -f "$fyne_tar"
top=$(find "$lin" -mindepth 1 -maxdepth 1 -type d | head -n1)
desktop=$(find "$top" -path '*/share/applications/*.desktop' | head -n1)
lin_bin=$(find "$top" -path '*/bin/*' -type f | head -n1)
[ -n "$desktop" ] && [ -n "$lin_bin" ] || die "fyne 的 Linux 包缺少程序或桌面文件 (the fyne tarball lacks the binary or the desktop entry)"
# The desktop entry with the English name as well (Name[en]).
install -m 0644 "$root/packaging/yiwangtong.desktop" "$desktop"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
	-C "$lin" -cJf "$stage/yiwangtong-$version-linux-amd64.tar.xz" "$(basename "$top")"

say "building the .deb"
deb="$out/deb"
rm -rf "$deb"
install -D -m 0755 "$lin_bin" "$deb/usr/bin/yiwangtong"
install -D -m 0644 "$root/packaging/yiwangtong.desktop" "$deb/usr/share/applications/$app_id.desktop"
install -D -m 0644 "$icon" "$deb/usr/share/icons/hicolor/256x256/apps/$app_id.png"
install -D -m 0644 "$icon" "$deb/usr/share/pixmaps/$app_id.png"
mkdir -p "$deb/usr/share/doc/yiwangtong"
cat "$root/packaging/deb/copyright" "$src/assets/fonts/wqy-microhei.COPYRIGHT" > "$deb/usr/share/doc/yiwangtong/copyright"
chmod 0644 "$deb/usr/share/doc/yiwangtong/copyright"
mkdir -p "$deb/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$deb" | cut -f1)
sed -e "s/@VERSION@/$debversion/" -e "s/@ARCH@/amd64/" -e "s/@SIZE@/$size/" \
	"$root/packaging/deb/control" > "$deb/DEBIAN/control"
find "$deb" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
dpkg-deb --root-owner-group -Zxz --build "$deb" "$stage/yiwangtong_${debversion}_amd64.deb" >/dev/null

# ---------------------------------------------------------------- server
for target in linux/amd64 linux/arm64 windows/amd64; do
	goos=${target%/*} goarch=${target#*/}
	name="yiwangtong-server-$version-$goos-$goarch"
	say "building $name"
	dir="$out/server/$name"
	rm -rf "$dir" && mkdir -p "$dir"
	exe=yiwangtong-server
	[ "$goos" = windows ] && exe=yiwangtong-server.exe
	(cd "$src" && env CGO_ENABLED=0 GOOS="$goos" GOARCH="$goarch" GOFLAGS=-buildvcs=false \
		"$GO" build -trimpath -ldflags "-s -w -X main.buildVersion=$version" \
		-o "$dir/$exe.build" ./cmd/yiwangtong-server)
	if [ "$goos" = windows ]; then
		sign "$dir/$exe.build" "$dir/$exe"
		rm "$dir/$exe.build"
		install -m 0644 "$root/packaging/yiwangtong-server.cmd" "$dir/"
		find "$dir" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
		(cd "$out/server" && rm -f "$name.zip" && zip -X -q -r "$stage/$name.zip" "$name")
	else
		mv "$dir/$exe.build" "$dir/$exe"
		chmod 0755 "$dir/$exe"
		install -m 0644 "$root/packaging/yiwangtong-server.service" "$root/packaging/yiwangtong-server.env" "$dir/"
		tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
			-C "$out/server" -czf "$stage/$name.tar.gz" "$name"
	fi
done

# ---------------------------------------------------------------- checksums
(cd "$stage" && sha256sum -- * > SHA256SUMS)
printf '%s\n' "$version" > "$work/version"

rm -rf "$dist.old"
[ -d "$dist" ] && mv "$dist" "$dist.old"
mv "$stage" "$dist"
rm -rf "$dist.old"
say "done: $dist"
(cd "$dist" && ls -l) >&2
