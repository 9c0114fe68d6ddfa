#!/usr/bin/env bash
# Installs what the tests need beyond npm, on Debian/Ubuntu: Debian's chromium (headless browser for the
# end-to-end tests; chromium-common ships SwiftShader's Vulkan driver, which WebGPU uses on machines
# without a GPU) and libvulkan1 (the Vulkan loader that Node's WebGPU, the `webgpu` package, opens).
# Never downloads a browser of its own. Skips the install when both are present.
set -euo pipefail
have() { dpkg -s "$1" >/dev/null 2>&1; }
if have chromium && have libvulkan1 && [ -x /usr/bin/chromium ]; then
  echo "setup-debian: chromium and libvulkan1 already installed"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium libvulkan1
