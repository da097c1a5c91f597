#!/usr/bin/env bash
# Installs the Debian packages that `make test` needs, where they are missing.
#
#   - gcc, libc6-dev, pkg-config and the X11/GL headers: the desktop build uses cgo (GLFW).
#   - xvfb, xauth, libgl1-mesa-dri: the desktop binary runs under a virtual X server with
#     Mesa's software OpenGL.
#   - chromium: the browser tests drive headless Chromium.
#   - nodejs: runs the core's unit tests compiled to js/wasm (go_js_wasm_exec).
#
# As root it runs apt-get update, then apt-get install. As another user it installs nothing: it
# names the missing packages and fails. When everything is present it does not touch apt.
set -euo pipefail

packages=(
	gcc libc6-dev pkg-config
	libgl1-mesa-dev libxcursor-dev libxi-dev libxinerama-dev libxrandr-dev libxxf86vm-dev
	xvfb xauth libgl1-mesa-dri
	chromium
	nodejs
)

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "install-test-deps: this is not a Debian-based system (no dpkg-query)." >&2
	echo "install-test-deps: install the equivalents of these Debian packages, then run make test again:" >&2
	echo "  ${packages[*]}" >&2
	exit 1
fi

missing=()
for pkg in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	if [[ $status != installed ]]; then
		missing+=("$pkg")
	fi
done

if ((${#missing[@]} == 0)); then
	echo "install-test-deps: all test dependencies are installed"
	exit 0
fi

if ((EUID != 0)); then
	echo "install-test-deps: missing Debian packages: ${missing[*]}" >&2
	echo "install-test-deps: install them as root, then run make test again:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi

echo "install-test-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y "${missing[@]}"
