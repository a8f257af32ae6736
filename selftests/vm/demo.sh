#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: build everything, boot Xen with a Debian dom0 under QEMU and
# show pcibackctl there: list, check, hide a NIC, a PV guest using it
# (demo-in-vm.sh), unhide.
#   demo.sh [KVER]      default: the installed 6.1 kernel
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=selftests/vm/lib.sh
. "$top/selftests/vm/lib.sh"

kver=${1:-$("$top/scripts/kernels.sh" | head -n1)}
payload=$(pbnl_payload "$kver")
cp "$top/selftests/vm/demo-in-vm.sh" "$payload/demo"
echo "demo: booting Xen 4.17 with dom0 kernel $kver under QEMU (TCG)..." >&2
exec "$top/selftests/vm/run.sh" --kver "$kver" --run /opt/pciback-nl/demo "$payload"
