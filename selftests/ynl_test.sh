#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own netlink CLI, YNL (tools/net/ynl/cli.py of linux-source),
# talks to the family "pciback" knowing nothing but our spec,
# Documentation/netlink/specs/pciback.yaml: what it decodes must be what
# sysfs says.  KTAP.  Runs in the test VM: pbnl_payload_ynl (vm/lib.sh)
# stages the CLI, the spec and a python3 in /opt/pciback-nl/ynl.  Skips
# when they are not there or pciback_nl is not loaded; the dev-hide cases
# skip without xen-pciback.  The one real change (hide_and_unhide_notify)
# puts the device back.
dir=${PBNL_DIR:-/opt/pciback-nl}
ynl=$dir/ynl
sysfs=/sys/bus/pci
tmp=$(mktemp -d /tmp/ynl_test.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

pass=0
fail=0
skip=0
n=0
total=6

ok() {
	n=$((n + 1))
	pass=$((pass + 1))
	echo "ok $n $1"
}

not_ok() {
	n=$((n + 1))
	fail=$((fail + 1))
	echo "not ok $n $1"
}

skip() {
	n=$((n + 1))
	skip=$((skip + 1))
	echo "ok $n $1 # SKIP $2"
}

totals() {
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
}

# The staged interpreter, with its own standard library only.
py() {
	PYTHONHOME=$ynl/python PYTHONDONTWRITEBYTECODE=1 \
		"$ynl/python/bin/python3" "$@"
}

# cli ARGS...: the YNL CLI on our spec, JSON output (one document a line).
cli() {
	py "$ynl/cli.py" --spec "$ynl/pciback.yaml" --no-schema \
		--output-json "$@"
}

# check NAME FILE PYTHON [ARGS]: run PYTHON (a program reading the JSON
# lines of FILE as "docs") and report NAME ok when it prints nothing and
# succeeds, else not ok with what it printed.
check() {
	name=$1 file=$2 prog=$3
	shift 3
	if py - "$file" "$@" >"$tmp/why" 2>&1 <<EOF && [ ! -s "$tmp/why" ]; then
import json, os, sys
docs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith(('[', '{'))]
args = sys.argv[2:]
$COMMON
$prog
EOF
		ok "$name"
	else
		sed 's/^/# /' "$tmp/why" "$file"
		not_ok "$name"
	fi
}

# Helpers for the checks: a function as sysfs describes it, in the terms
# of the spec's attribute names.
COMMON='
def rd(dev, attr):
    try:
        with open("/sys/bus/pci/devices/%s/%s" % (dev, attr)) as f:
            return f.read().strip()
    except OSError:
        return None

def sysfs(dev):
    d = {"name": dev}
    for a in ("vendor", "device", "subsystem_vendor", "subsystem_device",
              "class", "revision"):
        v = rd(dev, a)
        if v is not None:
            d[a.replace("_", "-")] = int(v, 16)
    link = "/sys/bus/pci/devices/%s/driver" % dev
    d["driver"] = os.path.basename(os.readlink(link)) if os.path.islink(link) else None
    ovr = rd(dev, "driver_override")
    d["driver-override"] = None if ovr in (None, "(null)", "") else ovr
    d["reset-method"] = (rd(dev, "reset_method") or "").split()
    return d

def mismatches(got, dev):
    want = sysfs(dev)
    bad = []
    for k, v in want.items():
        g = got.get(k, [] if k == "reset-method" else None)
        if g != v:
            bad.append("%s %s: ynl %r, sysfs %r" % (dev, k, g, v))
    if bool(got.get("pciback")) != (want["driver"] == "pciback"):
        bad.append("%s pciback: ynl %r, driver %r" % (dev, got.get("pciback"), want["driver"]))
    return bad
'

echo "TAP version 13"
if [ ! -x "$ynl/python/bin/python3" ] || [ ! -f "$ynl/cli.py" ] ||
   [ ! -f "$ynl/pciback.yaml" ]; then
	echo "1..1"
	skip ynl "no python3 or YNL in $ynl (see pbnl_payload_ynl in selftests/vm/lib.sh)"
	totals
	exit 4
fi
if [ ! -d /sys/module/pciback_nl ]; then
	echo "1..1"
	skip ynl "pciback_nl is not loaded"
	totals
	exit 4
fi
echo "# YNL from $(cat "$ynl/SOURCE" 2>/dev/null || echo '?')"
echo "1..$total"

# 1. A dump names exactly the functions sysfs lists, with their IDs,
#    class, revision, driver, driver_override and reset methods.
if cli --dump dev-get >"$tmp/dump" 2>&1; then
	check dump_dev_get_matches_sysfs "$tmp/dump" '
got = {d["name"]: d for d in docs[0]}
want = sorted(os.listdir("/sys/bus/pci/devices"))
if sorted(got) != want:
    print("dump names %s, sysfs %s" % (sorted(got), want))
for dev in want:
    for m in mismatches(got.get(dev, {}), dev):
        print(m)
'
else
	sed 's/^/# /' "$tmp/dump"
	not_ok dump_dev_get_matches_sysfs
fi

# A function with a driver, and the functions xen-pciback could take
# alone: endpoints on a host driver, first the ones it holds nothing of.
first=$(py - "$tmp/dump" <<'EOF' 2>/dev/null
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("[")]
devs = [d for d in docs[0] if d.get("driver")]
print(devs[0]["name"] if devs else docs[0][0]["name"])
EOF
)

# 2. dev-get of one function: the same object as in the dump.
if cli --do dev-get --json "{\"name\": \"$first\"}" >"$tmp/do" 2>&1; then
	check do_dev_get_matches_dump "$tmp/do" '
dump = [json.loads(l) for l in open(args[0]) if l.startswith("[")][0]
want = [d for d in dump if d["name"] == args[1]]
if docs[0] != (want[0] if want else None):
    print("do %r, dump %r" % (docs[0], want))
for m in mismatches(docs[0], args[1]):
    print(m)
' "$tmp/dump" "$first"
else
	sed 's/^/# /' "$tmp/do"
	not_ok do_dev_get_matches_dump
fi

# 3. dev-get of a function that does not exist: ENODEV, and the extended
#    ack's message and bad attribute come through.
if cli --do dev-get --json '{"name": "0000:fe:1f.7"}' >"$tmp/absent" 2>&1; then
	sed 's/^/# /' "$tmp/absent"
	not_ok do_dev_get_absent_enodev
elif grep -q 'No such device' "$tmp/absent" &&
     grep -q "pciback_nl: device 0000:fe:1f.7 not found" "$tmp/absent" &&
     grep -q "'bad-attr': '.name'" "$tmp/absent"; then
	ok do_dev_get_absent_enodev
else
	sed 's/^/# /' "$tmp/absent"
	not_ok do_dev_get_absent_enodev
fi

# 4. group-get of that function: it is a member, "requested", and the
#    group has a verdict.
if cli --do group-get --json "{\"dev-name\": [\"$first\"]}" >"$tmp/group" 2>&1; then
	check do_group_get "$tmp/group" '
g = docs[0]
members = g.get("member", [])
names = [m.get("name") for m in members]
if args[0] not in names:
    print("%s not among the members %s" % (args[0], names))
for m in members:
    if args[0] == m.get("name") and "requested" not in m.get("rules", []):
        print("%s rules %r lack requested" % (args[0], m.get("rules")))
    if m.get("name") not in os.listdir("/sys/bus/pci/devices"):
        print("member %r is not in sysfs" % m.get("name"))
if "verdict" not in g:
    print("no verdict in %r" % g)
' "$first"
else
	sed 's/^/# /' "$tmp/group"
	not_ok do_group_get
fi

# 5. A dev-hide dry run of the first endpoint that can go (with its
#    group): the results say pciback, from its driver now, and nothing
#    moved.  6. Then a real hide and unhide of it, with the monitor
#    group's notifications decoded, and its driver back at the end.
if [ ! -d "$sysfs/drivers/pciback" ]; then
	skip do_dev_hide_dry_run "xen-pciback is not loaded"
	skip hide_and_unhide_notify "xen-pciback is not loaded"
	totals
	[ "$fail" -eq 0 ]
	exit
fi
cand=$(py - "$tmp/dump" <<'EOF' 2>/dev/null
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("[")]
for d in docs[0]:
    if (d.get("hdr-type") == "endpoint" and d.get("driver") and
            not d.get("pciback") and not d.get("sriov-role")):
        print(d["name"])
EOF
)
# The dry run's subject: the first candidate whose dry run succeeds.  The
# real move's: the first that is alone in its group.
dry=''
alone=''
for c in $cand; do
	if cli --do dev-hide --json "{\"dev-name\": [\"$c\"], \"flags\": [\"dry-run\", \"with-group\"]}" \
		>"$tmp/try" 2>&1; then
		if [ -z "$dry" ]; then
			dry=$c
			cp "$tmp/try" "$tmp/dry"
		fi
		# one reply message per function: a list when there are several
		members=$(py -c 'import json, sys
d = json.loads(open(sys.argv[1]).readline())
print(sum(len(x["result"]) for x in (d if isinstance(d, list) else [d])))' "$tmp/try" 2>/dev/null)
		if [ "$members" = 1 ]; then
			alone=$c
			break
		fi
	else
		echo "# dry run of $c refused: $(grep -m1 -o "'msg': '[^']*'" "$tmp/try")"
	fi
done
if [ -z "$dry" ]; then
	echo "# no endpoint could be hidden: $cand"
	not_ok do_dev_hide_dry_run
	skip hide_and_unhide_notify "no endpoint could be hidden"
	totals
	exit 1
fi
check do_dev_hide_dry_run "$tmp/dry" '
res = [r for d in (docs[0] if isinstance(docs[0], list) else [docs[0]])
       for r in d.get("result", [])]
names = [r.get("name") for r in res]
if args[0] not in names:
    print("%s not among the results %s" % (args[0], names))
for r in res:
    dev = r.get("name")
    want = sysfs(dev)
    if r.get("to-driver") != "pciback":
        print("%s to-driver %r" % (dev, r.get("to-driver")))
    if r.get("from-driver") != want["driver"]:
        print("%s from-driver %r, sysfs %r" % (dev, r.get("from-driver"), want["driver"]))
    if r.get("dev", {}).get("name") != dev:
        print("%s: dev %r" % (dev, r.get("dev")))
    for m in mismatches(r.get("dev", {}), dev):
        print("after the dry run: " + m)
' "$dry"

if [ -z "$alone" ]; then
	skip hide_and_unhide_notify "no candidate is alone in its group"
	totals
	[ "$fail" -eq 0 ]
	exit
fi
dev=$alone
echo "# dry run: $dry; hidden and unhidden: $dev"
before=$(basename "$(readlink "$sysfs/devices/$dev/driver")")
# The CLI cannot take part: with --subscribe, a notification that arrives
# before the reply crashes its --do (6.12's cli.py: "'NoneType' object has
# no attribute 'attr_set'").  So the library, one socket listening and one
# asking, each printing what it got as one JSON line.
py - "$ynl" "$dev" >"$tmp/both" 2>&1 <<'EOF'
import json, sys
sys.path.insert(0, sys.argv[1])
from lib import YnlFamily, NlError
spec = sys.argv[1] + "/pciback.yaml"
mon = YnlFamily(spec, "")
mon.ntf_subscribe("monitor")
ask = YnlFamily(spec, "")
for op in ("dev-hide", "dev-unhide"):
    try:
        print(json.dumps(ask.do(op, {"dev-name": [sys.argv[2]]})))
    except NlError as e:
        print("%s: %s" % (op, e))
    mon.check_ntf()
    # a list up to 6.12's YNL, a queue.Queue in 7.x's
    q = mon.async_msg_queue
    msgs = []
    if isinstance(q, list):
        msgs, q[:] = list(q), []
    else:
        while not q.empty():
            msgs.append(q.get_nowait())
    print(json.dumps(msgs))
EOF
check hide_and_unhide_notify "$tmp/both" '
dev, before = args
# reply, notifications, reply, notifications
if len(docs) != 4:
    print("want 4 documents, got %d" % len(docs))
    sys.exit(0)
hide, hntf, unhide, untf = docs
r = hide["result"][0]
if (r.get("from-driver"), r.get("to-driver")) != (before, "pciback"):
    print("hide: %r -> %r" % (r.get("from-driver"), r.get("to-driver")))
if not r["dev"].get("hidden") or r["dev"].get("orig-driver") != before:
    print("hide: dev %r" % r["dev"])
r = unhide["result"][0]
if (r.get("from-driver"), r.get("to-driver")) != ("pciback", before):
    print("unhide: %r -> %r" % (r.get("from-driver"), r.get("to-driver")))
for ntf, event, drv in ((hntf, "hidden", "pciback"), (untf, "unhidden", before)):
    mine = [x["msg"] for x in ntf if x.get("msg", {}).get("name") == dev]
    if [(x.get("event"), x.get("driver")) for x in mine] != [(event, drv)]:
        print("%s: notifications %r" % (event, ntf))
if sysfs(dev)["driver"] != before:
    print("at the end %s is on %r, not %r" % (dev, sysfs(dev)["driver"], before))
' "$dev" "$before"

totals
[ "$fail" -eq 0 ]
