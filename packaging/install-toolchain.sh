#!/usr/bin/env bash
# Installs what inuse builds and tests with on Debian 12, and nothing that is already there:
#   JDK 17 and Maven            the build
#   gcc-mingw-w64-x86-64        the native DLLs (demo MAPI32.DLL, the broker, test helpers)
#   gcc, libc6-dev              the broker decoder's fuzz harness, a Linux build with the sanitizers
#   wixl, msitools, gcab        the MSI (wixl compiles wix/, msibuild/msiinfo edit and dump it)
#   wine, wine64                the end-to-end test bed (Wine 8: msiexec, DLL locks, reboots)
#   xvfb, xdotool               the full-UI scenario (FullUiIT): its own virtual display, answering the dialogs
#   osslsigncode                Authenticode signing (-Dinuse.sign.certificate) and the signing tests' verification
#   openssl                     the signing tests' throw-away time-stamp authority (openssl ts -reply)
# Safe to run again: packages already installed are skipped, and with nothing missing it makes
# no network access at all. Runs apt-get as root, or through sudo.
set -euo pipefail

packages=(openjdk-17-jdk-headless maven gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64
          gcc libc6-dev wixl msitools gcab wine wine64 xvfb xdotool osslsigncode openssl)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-toolchain: everything is installed (${packages[*]})"
  exit 0
fi

if ! command -v apt-get >/dev/null; then
  echo "install-toolchain: missing ${missing[*]}, and this is not a Debian system (no apt-get): install them by hand" >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-toolchain: run as root or install sudo: apt-get needs root to install ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi

echo "install-toolchain: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-toolchain: done"
