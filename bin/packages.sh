# Sourced by bin/test and bin/demo: installs the Debian packages Lamina's tools need when missing.

# lamina_need_packages PKG...: installs those not yet installed (apt-get, as root), saying so.
lamina_need_packages() {
  local missing=() p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "$(basename "$0"): installing missing packages: ${missing[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "$(basename "$0"): need root to install packages (or install them yourself)" >&2
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # With recommends: that is how the tools were installed when the suite was tested.
  apt-get install -y -qq "${missing[@]}" >&2
}

# lamina_libcrypto: prints the package to install for libcrypto.so.3 (which hashes large content),
# or nothing when the library is there: the package is libssl3 on Debian 12, libssl3t64 on 13.
lamina_libcrypto() {
  if ! ldconfig -p 2>/dev/null | grep -q 'libcrypto\.so\.3 '; then
    if apt-cache show libssl3t64 >/dev/null 2>&1; then echo libssl3t64; else echo libssl3; fi
  fi
}

# lamina_need_jdk: a JDK 17+ with javac, for the Maven wrapper.
lamina_need_jdk() {
  if ! command -v javac >/dev/null 2>&1; then
    lamina_need_packages openjdk-17-jdk-headless
  fi
}
