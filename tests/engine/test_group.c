// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the co-assignment engine (kmod/group.c, kmod/acs.c), built
 * in userspace with ASan and UBSan.
 *
 * Usage: test_group [FIXTURE_DIR]   (default: fixtures)
 *
 * Fixture files (FIXTURE_DIR/\*.topo) hold one topology each, one
 * statement a line, '#' to the end of a line is a comment:
 *
 *   platform ivrs
 *	Facts of the whole topology: ivrs = ACPI has an IVRS table (an AMD
 *	IOMMU), which pci_quirk_amd_sb_acs() asks for.
 *
 *   fn BDF KIND [ATTR...]
 *	A function, in the kernel's probe order.  BDF is [DDDD:]BB:DD.F.
 *	KIND: host (host bridge), pci (conventional function), ep, legep,
 *	rciep, rcec (PCIe types), rp, up, dp (root/upstream/downstream port),
 *	pcie2pci (PCIe-to-PCI bridge), pci2pcie (PCI/X-to-PCIe bridge),
 *	pcibr (conventional PCI-PCI bridge), cardbus.
 *	ATTR: mf; sec=BB, sub=BB (bridges; sub defaults to sec);
 *	id=VVVV:DDDD (vendor and device, hex; default 0000:0000, which no
 *	ACS quirk knows); acs=CAP/CTRL (hex ACS capability and control);
 *	acs_dw=CAP/CTRL (hex dwords at the ACS capability + 4 and + 8, as
 *	Intel Sunrise Point root ports use them; implies an ACS capability,
 *	and without acs= the words as a word read sees them: the low and
 *	high halves of CAP); acs_enabled_quirk (PCI_DEV_FLAGS_ACS_ENABLED_QUIRK);
 *	quirk=iso|noiso (override of the ACS quirk table); reset=M,M...
 *	(device_specific, acpi, flr, af_flr, pm, bus, cxl_bus: the methods
 *	probed when the function was added); hotplug_slot (in a hotplug slot
 *	with a reset); alias=DD.F (dma_alias_mask, repeatable);
 *	real_dma=BDF (pci_real_dma_dev(), the VMD endpoint); pcie_bridge_alias;
 *	xlate_root; no_bus_reset; inuse (in use by dom0); pf=N (PF with N
 *	enabled VFs); vf=BDF (VF of that PF).
 *	The upstream bridge is the bridge whose secondary bus is the
 *	function's bus; none means a root bus (PBNL_TOPO_ROOT_BUS), or for a
 *	VF a virtual bus (then the PF's upstream bridge).
 *
 *   kgroup [N] BDF...
 *	An IOMMU group of Linux (pbnl_group_kernel()); with N, also its
 *	number.  If a file has kgroup lines, every function must be in one.
 *
 *   closure OPTS REQ... : MEMBER[=RULE+RULE...]... | VERDICT,...
 *	pbnl_group_closure() of the requested functions.  OPTS: kernel (no
 *	option), reset, peers, default.  The members must be exactly those
 *	listed; where =RULES is given, exactly those rule bits.  VERDICT: ok,
 *	or bridge, host, no_reset, in_use, cardbus.
 *
 *   reason OPTS REQ MEMBER RULE "TEXT"
 *	pbnl_group_reason() for RULE of MEMBER in the closure of REQ.
 *
 *   acs BDF QUIRK|none|iso|noiso
 *	pbnl_acs_quirk() with REQ_ACS_FLAGS names QUIRK (a kernel function
 *	name) and says the flags hold (iso) or not (noiso); "none": no quirk
 *	applies; "iso"/"noiso" alone: pbnl_group_acs_enabled() says so.
 *
 * Every file is also checked for: the closure (no options) of each function
 * holds its kernel group, and equals it unless a PF with VFs is involved;
 * the closure is the same with and without the position scratch.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "group.h"

#define MAX_FN 96
#define MAX_LINE 512

static int n_test, n_pass, n_fail;

static void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
}

static bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	n_test++;
	if (cond)
		n_pass++;
	else
		n_fail++;
	printf("%s %d - ", cond ? "ok" : "not ok", n_test);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return cond;
}

#define CHECK(cond) ok((cond), "%s:%d: %s", __func__, __LINE__, #cond)

#define CHECK_STR(got, want)						\
	do {								\
		const char *g_ = (got), *w_ = (want);			\
		if (!ok(!strcmp(g_, w_), "%s:%d: %s", __func__,		\
			__LINE__, #got))				\
			diag("got  \"%s\"\n# want \"%s\"", g_, w_);	\
	} while (0)

/* ---- fixtures ---- */

struct fixture {
	const char *file;
	struct pbnl_topo_fn fn[MAX_FN];
	char name[MAX_FN][16];	/* as written, e.g. "00:1d.0" */
	char vf_of[MAX_FN][16];	/* vf=BDF */
	char dma_of[MAX_FN][16]; /* real_dma=BDF */
	struct pbnl_topo topo;
	int line;
	bool bad;
};

static void fail_parse(struct fixture *fx, const char *what, const char *tok)
{
	ok(false, "%s:%d: parse error: %s '%s'", fx->file, fx->line, what,
	   tok ? tok : "");
	fx->bad = true;
}

static bool parse_bdf(const char *s, u32 *dom, u8 *bus, u8 *devfn)
{
	unsigned int d = 0, b, sl, f;
	int n = 0;

	if (sscanf(s, "%x:%x:%x.%x%n", &d, &b, &sl, &f, &n) == 4 && !s[n])
		goto good;
	d = 0;
	n = 0;
	if (sscanf(s, "%x:%x.%x%n", &b, &sl, &f, &n) == 3 && !s[n])
		goto good;
	return false;
good:
	if (b > 0xff || sl > 0x1f || f > 7)
		return false;
	*dom = d;
	*bus = b;
	*devfn = sl << 3 | f;
	return true;
}

static int find_fn(const struct fixture *fx, const char *bdf)
{
	u32 dom;
	u8 bus, devfn;
	int i;

	if (!parse_bdf(bdf, &dom, &bus, &devfn))
		return -1;
	for (i = 0; i < fx->topo.nr; i++)
		if (fx->fn[i].domain == dom && fx->fn[i].bus == bus &&
		    fx->fn[i].devfn == devfn)
			return i;
	return -1;
}

static const struct {
	const char *name;
	u8 hdr, pcie_type;
	u32 flags;
} kinds[] = {
	{ "host", PBNL_HDR_NORMAL, 0, PBNL_TOPO_HOST_BRIDGE },
	{ "pci", PBNL_HDR_NORMAL, 0, 0 },
	{ "ep", PBNL_HDR_NORMAL, PBNL_PCIE_ENDPOINT, PBNL_TOPO_PCIE },
	{ "legep", PBNL_HDR_NORMAL, PBNL_PCIE_LEG_END, PBNL_TOPO_PCIE },
	{ "rciep", PBNL_HDR_NORMAL, PBNL_PCIE_RC_END, PBNL_TOPO_PCIE },
	{ "rcec", PBNL_HDR_NORMAL, PBNL_PCIE_RC_EC, PBNL_TOPO_PCIE },
	{ "rp", PBNL_HDR_BRIDGE, PBNL_PCIE_ROOT_PORT, PBNL_TOPO_PCIE },
	{ "up", PBNL_HDR_BRIDGE, PBNL_PCIE_UPSTREAM, PBNL_TOPO_PCIE },
	{ "dp", PBNL_HDR_BRIDGE, PBNL_PCIE_DOWNSTREAM, PBNL_TOPO_PCIE },
	{ "pcie2pci", PBNL_HDR_BRIDGE, PBNL_PCIE_PCI_BRIDGE, PBNL_TOPO_PCIE },
	{ "pci2pcie", PBNL_HDR_BRIDGE, PBNL_PCIE_PCIE_BRIDGE, PBNL_TOPO_PCIE },
	{ "pcibr", PBNL_HDR_BRIDGE, 0, 0 },
	{ "cardbus", PBNL_HDR_CARDBUS, 0, 0 },
};

static const char *const reset_names[] = {
	[PBNL_RESET_DEVICE_SPECIFIC] = "device_specific",
	[PBNL_RESET_ACPI] = "acpi",
	[PBNL_RESET_FLR] = "flr",
	[PBNL_RESET_AF_FLR] = "af_flr",
	[PBNL_RESET_PM] = "pm",
	[PBNL_RESET_BUS] = "bus",
	[PBNL_RESET_CXL_BUS] = "cxl_bus",
};

static bool parse_resets(const char *s, u8 *mask)
{
	char buf[128], *tok, *save;
	unsigned int m;

	snprintf(buf, sizeof(buf), "%s", s);
	*mask = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (m = 1; m < sizeof(reset_names) / sizeof(reset_names[0]); m++)
			if (!strcmp(tok, reset_names[m]))
				break;
		if (m == sizeof(reset_names) / sizeof(reset_names[0]))
			return false;
		*mask |= BIT(m);
	}
	return true;
}

/* "fn BDF KIND ATTR..." */
static void parse_fn(struct fixture *fx, char **tok, int ntok)
{
	struct pbnl_topo_fn *f;
	unsigned int k, a, b;
	u32 dom;
	u8 bus, devfn;
	bool sub_set = false, words_set = false, dw_set = false;
	int i;

	if (ntok < 3 || fx->topo.nr >= MAX_FN)
		return fail_parse(fx, "bad fn line", tok[0]);
	i = fx->topo.nr;
	f = &fx->fn[i];
	memset(f, 0, sizeof(*f));
	f->upstream = -1;
	f->physfn = -1;
	f->real_dma = -1;
	snprintf(fx->name[i], sizeof(fx->name[i]), "%s", tok[1]);
	fx->vf_of[i][0] = '\0';
	fx->dma_of[i][0] = '\0';
	if (!parse_bdf(tok[1], &f->domain, &f->bus, &f->devfn))
		return fail_parse(fx, "bad BDF", tok[1]);
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!strcmp(tok[2], kinds[k].name))
			break;
	if (k == sizeof(kinds) / sizeof(kinds[0]))
		return fail_parse(fx, "unknown kind", tok[2]);
	f->hdr_type = kinds[k].hdr;
	f->pcie_type = kinds[k].pcie_type;
	f->flags = kinds[k].flags;

	for (i = 3; i < ntok; i++) {
		const char *t = tok[i];

		if (!strcmp(t, "mf")) {
			f->flags |= PBNL_TOPO_MULTIFUNCTION;
		} else if (!strcmp(t, "pcie_bridge_alias")) {
			f->flags |= PBNL_TOPO_PCIE_BRIDGE_ALIAS;
		} else if (!strcmp(t, "xlate_root")) {
			f->flags |= PBNL_TOPO_BRIDGE_XLATE_ROOT;
		} else if (!strcmp(t, "no_bus_reset")) {
			f->flags |= PBNL_TOPO_NO_BUS_RESET;
		} else if (!strcmp(t, "inuse")) {
			f->flags |= PBNL_TOPO_IN_USE;
		} else if (!strcmp(t, "acs_enabled_quirk")) {
			f->flags |= PBNL_TOPO_ACS_ENABLED_QUIRK;
		} else if (!strcmp(t, "hotplug_slot")) {
			f->flags |= PBNL_TOPO_HOTPLUG_SLOT;
		} else if (sscanf(t, "id=%x:%x", &a, &b) == 2 && a <= 0xffff &&
			   b <= 0xffff) {
			f->vendor = a;
			f->device = b;
		} else if (sscanf(t, "sec=%x", &a) == 1 && a <= 0xff) {
			f->secondary = a;
			if (!sub_set)
				f->subordinate = a;
		} else if (sscanf(t, "sub=%x", &a) == 1 && a <= 0xff) {
			f->subordinate = a;
			sub_set = true;
		} else if (sscanf(t, "acs=%x/%x", &a, &b) == 2) {
			f->flags |= PBNL_TOPO_ACS_CAP;
			f->acs_cap = a;
			f->acs_ctrl = b;
			words_set = true;
		} else if (sscanf(t, "acs_dw=%x/%x", &a, &b) == 2) {
			f->flags |= PBNL_TOPO_ACS_CAP;
			f->acs_cap_dw = a;
			f->acs_ctrl_dw = b;
			dw_set = true;
		} else if (!strcmp(t, "quirk=iso")) {
			f->acs_quirk = PBNL_ACS_QUIRK_ISOLATED;
		} else if (!strcmp(t, "quirk=noiso")) {
			f->acs_quirk = PBNL_ACS_QUIRK_NOT_ISOLATED;
		} else if (!strncmp(t, "reset=", 6)) {
			if (!parse_resets(t + 6, &f->reset_methods))
				return fail_parse(fx, "bad reset", t);
		} else if (!strncmp(t, "alias=", 6)) {
			unsigned int sl, fn;
			int n = 0;

			if (sscanf(t + 6, "%x.%x%n", &sl, &fn, &n) != 2 ||
			    t[6 + n] || sl > 0x1f || fn > 7)
				return fail_parse(fx, "bad alias", t);
			devfn = sl << 3 | fn;
			f->dma_alias_mask[devfn >> 6] |= 1ULL << (devfn & 63);
		} else if (sscanf(t, "pf=%u", &a) == 1) {
			f->flags |= PBNL_TOPO_PF;
			f->num_vfs = a;
		} else if (!strncmp(t, "vf=", 3)) {
			if (!parse_bdf(t + 3, &dom, &bus, &devfn))
				return fail_parse(fx, "bad vf", t);
			f->flags |= PBNL_TOPO_VF;
			snprintf(fx->vf_of[fx->topo.nr], sizeof(fx->vf_of[0]),
				 "%s", t + 3);
		} else if (!strncmp(t, "real_dma=", 9)) {
			if (!parse_bdf(t + 9, &dom, &bus, &devfn))
				return fail_parse(fx, "bad real_dma", t);
			snprintf(fx->dma_of[fx->topo.nr], sizeof(fx->dma_of[0]),
				 "%s", t + 9);
		} else {
			return fail_parse(fx, "unknown attribute", t);
		}
	}
	/* a word read at the capability + 6 sees the capability's top half */
	if (dw_set && !words_set) {
		f->acs_cap = f->acs_cap_dw & 0xffff;
		f->acs_ctrl = f->acs_cap_dw >> 16;
	}
	fx->topo.nr++;
}

/* Upstream bridges, PFs, real DMA devices, once all functions are known. */
static void link_fns(struct fixture *fx)
{
	int i, j;

	for (i = 0; i < fx->topo.nr; i++) {
		struct pbnl_topo_fn *f = &fx->fn[i];

		if (fx->vf_of[i][0]) {
			f->physfn = find_fn(fx, fx->vf_of[i]);
			if (f->physfn < 0)
				return fail_parse(fx, "no such PF",
						  fx->vf_of[i]);
		}
		if (fx->dma_of[i][0]) {
			f->real_dma = find_fn(fx, fx->dma_of[i]);
			if (f->real_dma < 0)
				return fail_parse(fx, "no such real_dma",
						  fx->dma_of[i]);
		}
		for (j = 0; j < fx->topo.nr; j++) {
			const struct pbnl_topo_fn *b = &fx->fn[j];

			if ((b->hdr_type == PBNL_HDR_BRIDGE ||
			     b->hdr_type == PBNL_HDR_CARDBUS) &&
			    b->domain == f->domain && b->secondary == f->bus)
				f->upstream = j;
		}
	}
	/* a VF on a virtual bus: the bridge above its PF */
	for (i = 0; i < fx->topo.nr; i++) {
		struct pbnl_topo_fn *f = &fx->fn[i];
		bool virt = f->physfn >= 0 &&
			    f->bus != fx->fn[f->physfn].bus;

		if (virt && f->upstream < 0)
			f->upstream = fx->fn[f->physfn].upstream;
		else if (!virt && f->upstream < 0)
			f->flags |= PBNL_TOPO_ROOT_BUS;
	}
}

static int split(char *line, char **tok, int max)
{
	char *save, *t;
	int n = 0;

	for (t = strtok_r(line, " \t\r\n", &save); t && n < max;
	     t = strtok_r(NULL, " \t\r\n", &save))
		tok[n++] = t;
	return n;
}

static void strip_comment(char *line)
{
	char *hash = strchr(line, '#');

	if (hash)
		*hash = '\0';
}

/* ---- checks ---- */

static const char *fn_name(const struct fixture *fx, int idx)
{
	return idx >= 0 && idx < fx->topo.nr ? fx->name[idx] : "?";
}

static void print_set(const struct fixture *fx, const char *what,
		      const bool *set)
{
	char buf[MAX_FN * 17 + 1] = "";
	int i;

	for (i = 0; i < fx->topo.nr; i++) {
		if (!set[i])
			continue;
		strcat(buf, " ");
		strcat(buf, fx->name[i]);
	}
	diag("%s:%s", what, buf);
}

static bool same_set(const struct fixture *fx, const bool *a, const bool *b)
{
	int i;

	for (i = 0; i < fx->topo.nr; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static u32 parse_opts(const char *s, bool *good)
{
	*good = true;
	if (!strcmp(s, "kernel"))
		return 0;
	if (!strcmp(s, "reset"))
		return PBNL_GROUP_OPT_RESET;
	if (!strcmp(s, "peers"))
		return PBNL_GROUP_OPT_SWITCH_PEERS;
	if (!strcmp(s, "default"))
		return PBNL_GROUP_OPT_DEFAULT;
	*good = false;
	return 0;
}

static int rule_by_name(const char *s)
{
	int r;

	for (r = 0; r < PBNL_GROUP_NR_RULES; r++)
		if (!strcmp(s, pbnl_group_rule_str(r)))
			return r;
	return -1;
}

static const char *const verdict_names[PBNL_GROUP_NR_VERDICTS] = {
	[PBNL_GROUP_V_BRIDGE] = "bridge",
	[PBNL_GROUP_V_HOST] = "host",
	[PBNL_GROUP_V_NO_RESET] = "no_reset",
	[PBNL_GROUP_V_IN_USE] = "in_use",
	[PBNL_GROUP_V_CARDBUS] = "cardbus",
};

static void rules_text(u32 rules, char *buf, size_t len)
{
	int r;

	buf[0] = '\0';
	for (r = 0; r < PBNL_GROUP_NR_RULES; r++) {
		if (!(rules & BIT(r)))
			continue;
		if (buf[0])
			strncat(buf, "+", len - strlen(buf) - 1);
		strncat(buf, pbnl_group_rule_str(r), len - strlen(buf) - 1);
	}
}

/* "closure OPTS REQ... : MEMBER[=RULES]... | VERDICTS" */
static void check_closure(struct fixture *fx, char **tok, int ntok)
{
	struct pbnl_group_member members[MAX_FN];
	s32 pos[MAX_FN];
	struct pbnl_group_result res = { .members = members, .max = MAX_FN,
					 .pos = pos };
	int req[MAX_FN], nr_req = 0, i, k, idx, ret, r;
	bool want[MAX_FN] = { 0 }, got[MAX_FN] = { 0 }, good = true;
	u32 want_rules[MAX_FN] = { 0 }, want_verdict = 0, opts;
	char text[128];

	if (ntok < 2)
		return fail_parse(fx, "bad closure line", tok[0]);
	opts = parse_opts(tok[1], &good);
	if (!good)
		return fail_parse(fx, "bad options", tok[1]);
	for (i = 2; i < ntok && strcmp(tok[i], ":"); i++) {
		idx = find_fn(fx, tok[i]);
		if (idx < 0)
			return fail_parse(fx, "no such function", tok[i]);
		req[nr_req++] = idx;
	}
	for (i++; i < ntok && strcmp(tok[i], "|"); i++) {
		char *eq = strchr(tok[i], '=');

		if (eq)
			*eq++ = '\0';
		idx = find_fn(fx, tok[i]);
		if (idx < 0)
			return fail_parse(fx, "no such function", tok[i]);
		want[idx] = true;
		while (eq) {
			char *plus = strchr(eq, '+');

			if (plus)
				*plus++ = '\0';
			r = rule_by_name(eq);
			if (r < 0)
				return fail_parse(fx, "no such rule", eq);
			want_rules[idx] |= BIT(r);
			eq = plus;
		}
	}
	if (i + 1 != ntok - 1)
		return fail_parse(fx, "want one verdict list after '|'", NULL);
	if (strcmp(tok[i + 1], "ok")) {
		char *save, *v;

		for (v = strtok_r(tok[i + 1], ",", &save); v;
		     v = strtok_r(NULL, ",", &save)) {
			for (k = 0; k < PBNL_GROUP_NR_VERDICTS; k++)
				if (!strcmp(v, verdict_names[k]))
					break;
			if (k == PBNL_GROUP_NR_VERDICTS)
				return fail_parse(fx, "no such verdict", v);
			want_verdict |= BIT(k);
		}
	}

	ret = pbnl_group_closure(&fx->topo, req, nr_req, opts, &res);
	for (i = 0; i < res.nr; i++)
		got[res.members[i].idx] = true;
	good = ret == 0 && same_set(fx, want, got) &&
	       res.verdict == want_verdict;
	for (i = 0; good && i < res.nr; i++) {
		idx = res.members[i].idx;
		if (want_rules[idx] && want_rules[idx] != res.members[i].rules)
			good = false;
	}
	if (!ok(good, "%s:%d: closure %s of %s%s", fx->file, fx->line, tok[1],
		fn_name(fx, req[0]), nr_req > 1 ? " ..." : "")) {
		diag("return %d, verdict %#x (want %#x)", ret, res.verdict,
		     want_verdict);
		print_set(fx, "want", want);
		print_set(fx, "got ", got);
		for (i = 0; i < res.nr; i++) {
			rules_text(res.members[i].rules, text, sizeof(text));
			diag("  %s=%s", fn_name(fx, res.members[i].idx), text);
		}
	}
}

/* "reason OPTS REQ MEMBER RULE "TEXT"" (@raw: the line) */
static void check_reason(struct fixture *fx, char **tok, int ntok,
			 const char *raw)
{
	struct pbnl_group_member members[MAX_FN];
	struct pbnl_group_result res = { .members = members, .max = MAX_FN };
	const char *q1 = strchr(raw, '"'), *q2 = strrchr(raw, '"');
	char want[256], got[256] = "(not a member)";
	int req, m, rule, i;
	bool good;
	u32 opts;

	if (ntok < 6 || !q1 || q2 == q1)
		return fail_parse(fx, "bad reason line", tok[0]);
	opts = parse_opts(tok[1], &good);
	req = find_fn(fx, tok[2]);
	m = find_fn(fx, tok[3]);
	rule = rule_by_name(tok[4]);
	if (!good || req < 0 || m < 0 || rule < 0)
		return fail_parse(fx, "bad reason line", tok[1]);
	snprintf(want, sizeof(want), "%.*s", (int)(q2 - q1 - 1), q1 + 1);
	if (pbnl_group_closure(&fx->topo, &req, 1, opts, &res))
		snprintf(got, sizeof(got), "(error)");
	for (i = 0; i < res.nr; i++)
		if (res.members[i].idx == m)
			pbnl_group_reason(&fx->topo, &res.members[i], rule, got,
					  sizeof(got));
	if (!ok(!strcmp(got, want), "%s:%d: reason %s of %s in the closure of %s",
		fx->file, fx->line, tok[4], tok[3], tok[2]))
		diag("got  \"%s\"\n# want \"%s\"", got, want);
}

/* "acs BDF QUIRK|none|iso|noiso [iso|noiso]" */
static void check_acs(struct fixture *fx, char **tok, int ntok)
{
	const char *name;
	int idx, ret;
	bool good, iso;

	idx = ntok >= 3 ? find_fn(fx, tok[1]) : -1;
	if (idx < 0)
		return fail_parse(fx, "bad acs line", tok[0]);
	ret = pbnl_acs_quirk(&fx->topo, idx, PBNL_ACS_REQ, &name);
	iso = pbnl_group_acs_enabled(&fx->topo, idx, PBNL_ACS_REQ);
	if (!strcmp(tok[2], "none")) {
		good = ret == -1 && !name;
	} else if (!strcmp(tok[2], "iso") || !strcmp(tok[2], "noiso")) {
		good = iso == !strcmp(tok[2], "iso");
	} else {
		if (ntok < 4)
			return fail_parse(fx, "acs QUIRK wants iso or noiso", NULL);
		good = ret >= 0 && name && !strcmp(name, tok[2]) &&
		       (ret > 0) == !strcmp(tok[3], "iso") &&
		       iso == (ret > 0);
	}
	if (!ok(good, "%s:%d: ACS of %s: %s%s%s", fx->file, fx->line, tok[1],
		tok[2], ntok > 3 ? " " : "", ntok > 3 ? tok[3] : ""))
		diag("pbnl_acs_quirk() = %d (%s), acs_enabled %d", ret,
		     name ? name : "no quirk", iso);
}

/* "kgroup [N] BDF..." */
static void check_kgroup(struct fixture *fx, char **tok, int ntok,
			 const int *group_of, bool *listed)
{
	bool want[MAX_FN] = { 0 }, got[MAX_FN] = { 0 };
	int i = 1, num = -1, idx, first = -1;
	char *end;

	if (ntok > 1 && !strchr(tok[1], ':')) {
		num = strtol(tok[1], &end, 10);
		if (*end)
			return fail_parse(fx, "bad group number", tok[1]);
		i = 2;
	}
	for (; i < ntok; i++) {
		idx = find_fn(fx, tok[i]);
		if (idx < 0)
			return fail_parse(fx, "no such function", tok[i]);
		want[idx] = true;
		listed[idx] = true;
		if (first < 0)
			first = idx;
	}
	if (first < 0)
		return fail_parse(fx, "empty kgroup", NULL);
	for (i = 0; i < fx->topo.nr; i++)
		got[i] = group_of[i] == group_of[first];
	if (!ok(same_set(fx, want, got) && (num < 0 || group_of[first] == num),
		"%s:%d: kernel group of %s", fx->file, fx->line,
		fn_name(fx, first))) {
		diag("group number %d (want %d)", group_of[first], num);
		print_set(fx, "want", want);
		print_set(fx, "got ", got);
	}
}

/*
 * The closure without options holds the kernel group of each function, and
 * is that group when no PF with enabled VFs is in it.
 */
static void check_closure_vs_kernel(struct fixture *fx, const int *group_of)
{
	struct pbnl_group_member members[MAX_FN];
	struct pbnl_group_result res = { .members = members, .max = MAX_FN };
	int i, j, bad = -1;

	for (i = 0; i < fx->topo.nr && bad < 0; i++) {
		bool kg[MAX_FN] = { 0 }, cl[MAX_FN] = { 0 }, has_pf = false;

		if (pbnl_group_closure(&fx->topo, &i, 1, 0, &res)) {
			bad = i;
			break;
		}
		for (j = 0; j < res.nr; j++) {
			const struct pbnl_topo_fn *f = &fx->fn[res.members[j].idx];

			cl[res.members[j].idx] = true;
			if ((f->flags & PBNL_TOPO_PF) && f->num_vfs)
				has_pf = true;
		}
		for (j = 0; j < fx->topo.nr; j++) {
			kg[j] = group_of[j] == group_of[i];
			if ((kg[j] && !cl[j]) || (!has_pf && kg[j] != cl[j]))
				bad = i;
		}
		if (bad >= 0) {
			print_set(fx, "kernel ", kg);
			print_set(fx, "closure", cl);
		}
	}
	ok(bad < 0, "%s: closure of each function vs its kernel group%s%s",
	   fx->file, bad < 0 ? "" : ": differs at ", bad < 0 ? "" :
	   fn_name(fx, bad));
}

static bool same_result(const struct pbnl_group_result *a,
			const struct pbnl_group_result *b)
{
	int i, r;

	if (a->nr != b->nr || a->verdict != b->verdict ||
	    memcmp(a->verdict_dev, b->verdict_dev, sizeof(a->verdict_dev)))
		return false;
	for (i = 0; i < a->nr; i++) {
		const struct pbnl_group_member *x = &a->members[i];
		const struct pbnl_group_member *y = &b->members[i];

		if (x->idx != y->idx || x->rules != y->rules)
			return false;
		for (r = 0; r < PBNL_GROUP_NR_RULES; r++)
			if (x->cause[r] != y->cause[r] || x->via[r] != y->via[r] ||
			    x->how[r] != y->how[r])
				return false;
	}
	return true;
}

/* The position scratch changes nothing but the speed. */
static void check_pos_scratch(struct fixture *fx)
{
	static struct pbnl_group_member m1[MAX_FN], m2[MAX_FN];
	struct pbnl_group_result a = { .members = m1, .max = MAX_FN };
	struct pbnl_group_result b = { .members = m2, .max = MAX_FN };
	s32 pos[MAX_FN];
	int i, bad = -1;

	/* garbage in the scratch must not matter */
	memset(pos, 0x5a, sizeof(pos));
	b.pos = pos;
	for (i = 0; i < fx->topo.nr && bad < 0; i++)
		if (pbnl_group_closure(&fx->topo, &i, 1, PBNL_GROUP_OPT_DEFAULT,
				       &a) ||
		    pbnl_group_closure(&fx->topo, &i, 1, PBNL_GROUP_OPT_DEFAULT,
				       &b) || !same_result(&a, &b))
			bad = i;
	ok(bad < 0, "%s: closures with and without the position scratch%s%s",
	   fx->file, bad < 0 ? "" : ": differ at ", bad < 0 ? "" :
	   fn_name(fx, bad));
}

#define MAX_LINES 256

/* Functions first (they may follow expectations), then the expectations. */
static void run_fixture(const char *dir, const char *file)
{
	static struct fixture fx;
	static char lines[MAX_LINES][MAX_LINE];
	char path[512], *tok[MAX_FN + 8];
	bool listed[MAX_FN] = { 0 }, any_kgroup = false;
	int group_of[MAX_FN], ntok, nr_groups, nr_lines = 0, pass, i;
	FILE *f;

	memset(&fx, 0, sizeof(fx));
	fx.file = file;
	fx.topo.fn = fx.fn;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!ok(f != NULL, "open %s", path))
		return;
	while (nr_lines < MAX_LINES &&
	       fgets(lines[nr_lines], sizeof(lines[0]), f))
		nr_lines++;
	fclose(f);

	for (pass = 0; pass < 2 && !fx.bad; pass++) {
		for (i = 0; i < nr_lines && !fx.bad; i++) {
			char line[MAX_LINE];
			bool topo_line;

			fx.line = i + 1;
			if (pass == 0)
				strip_comment(lines[i]);
			memcpy(line, lines[i], sizeof(line));
			ntok = split(line, tok, MAX_FN + 8);
			if (!ntok)
				continue;
			topo_line = !strcmp(tok[0], "fn") ||
				    !strcmp(tok[0], "platform");
			if (topo_line != !pass)
				continue;
			if (!strcmp(tok[0], "fn"))
				parse_fn(&fx, tok, ntok);
			else if (!strcmp(tok[0], "platform") && ntok == 2 &&
				 !strcmp(tok[1], "ivrs"))
				fx.topo.platform |= PBNL_PLAT_ACPI_IVRS;
			else if (!strcmp(tok[0], "kgroup"))
				any_kgroup = true,
				check_kgroup(&fx, tok, ntok, group_of, listed);
			else if (!strcmp(tok[0], "closure"))
				check_closure(&fx, tok, ntok);
			else if (!strcmp(tok[0], "reason"))
				check_reason(&fx, tok, ntok, lines[i]);
			else if (!strcmp(tok[0], "acs"))
				check_acs(&fx, tok, ntok);
			else
				fail_parse(&fx, "unknown statement", tok[0]);
		}
		if (pass || fx.bad)
			continue;
		link_fns(&fx);
		nr_groups = pbnl_group_kernel(&fx.topo, group_of);
		if (!ok(nr_groups > 0, "%s: pbnl_group_kernel() = %d", file,
			nr_groups))
			return;
	}
	if (fx.bad)
		return;
	if (any_kgroup) {
		for (i = 0; i < fx.topo.nr && listed[i]; i++)
			;
		ok(i == fx.topo.nr, "%s: every function in a kgroup line%s%s",
		   file, i == fx.topo.nr ? "" : ": not ",
		   i == fx.topo.nr ? "" : fx.name[i]);
	}
	check_closure_vs_kernel(&fx, group_of);
	check_pos_scratch(&fx);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_fixtures(const char *dir)
{
	char *names[128];
	struct dirent *de;
	int n = 0, i;
	size_t len;
	DIR *d;

	d = opendir(dir);
	if (!ok(d != NULL, "open fixture directory %s", dir))
		return;
	while ((de = readdir(d)) && n < 128) {
		len = strlen(de->d_name);
		if (len > 5 && !strcmp(de->d_name + len - 5, ".topo"))
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	ok(n >= 15, "found %d fixture files", n);
	for (i = 0; i < n; i++) {
		run_fixture(dir, names[i]);
		free(names[i]);
	}
}

/* ---- tests in C: predicates, text, errors ---- */

static struct pbnl_topo_fn mkfn(u8 type, u32 flags, u16 cap, u16 ctrl)
{
	struct pbnl_topo_fn f;

	memset(&f, 0, sizeof(f));
	f.pcie_type = type;
	f.flags = flags | PBNL_TOPO_PCIE | (cap || ctrl ? PBNL_TOPO_ACS_CAP : 0);
	f.acs_cap = cap;
	f.acs_ctrl = ctrl;
	f.upstream = -1;
	f.physfn = -1;
	f.real_dma = -1;
	return f;
}

static bool acs1(struct pbnl_topo_fn f)
{
	struct pbnl_topo t = { .fn = &f, .nr = 1 };

	return pbnl_group_acs_enabled(&t, 0, PBNL_ACS_REQ);
}

static void test_acs_enabled(void)
{
	struct pbnl_topo_fn f;

	/* ports need the capability; absent features count as enabled */
	CHECK(!acs1(mkfn(PBNL_PCIE_DOWNSTREAM, 0, 0, 0)));
	CHECK(acs1(mkfn(PBNL_PCIE_DOWNSTREAM, 0, 0x1d, 0x1d)));
	CHECK(!acs1(mkfn(PBNL_PCIE_DOWNSTREAM, 0, 0x1d, 0x19)));
	CHECK(acs1(mkfn(PBNL_PCIE_ROOT_PORT, 0, 0x0b, 0x0b)));
	CHECK(acs1(mkfn(PBNL_PCIE_ROOT_PORT, 0, 0x40, 0x00)));
	CHECK(!acs1(mkfn(PBNL_PCIE_ROOT_PORT, 0, 0x5f, 0x40)));
	/* EC is never required by REQ_ACS_FLAGS */
	CHECK(acs1(mkfn(PBNL_PCIE_ROOT_PORT, 0, 0x3f, 0x1d)));
	/* single-function endpoints and upstream ports are fine */
	CHECK(acs1(mkfn(PBNL_PCIE_ENDPOINT, 0, 0, 0)));
	CHECK(acs1(mkfn(PBNL_PCIE_UPSTREAM, 0, 0, 0)));
	CHECK(acs1(mkfn(PBNL_PCIE_RC_END, 0, 0, 0)));
	CHECK(acs1(mkfn(PBNL_PCIE_LEG_END, 0, 0, 0)));
	/* multifunction ones need the capability */
	CHECK(!acs1(mkfn(PBNL_PCIE_ENDPOINT, PBNL_TOPO_MULTIFUNCTION, 0, 0)));
	CHECK(!acs1(mkfn(PBNL_PCIE_UPSTREAM, PBNL_TOPO_MULTIFUNCTION, 0, 0)));
	CHECK(acs1(mkfn(PBNL_PCIE_ENDPOINT, PBNL_TOPO_MULTIFUNCTION, 0x1d,
			0x1d)));
	/* never: bridges to or from conventional PCI, event collectors */
	CHECK(!acs1(mkfn(PBNL_PCIE_PCI_BRIDGE, 0, 0x1d, 0x1d)));
	CHECK(!acs1(mkfn(PBNL_PCIE_PCIE_BRIDGE, 0, 0x1d, 0x1d)));
	CHECK(!acs1(mkfn(PBNL_PCIE_RC_EC, 0, 0x1d, 0x1d)));
	/* conventional PCI never */
	f = mkfn(PBNL_PCIE_ENDPOINT, 0, 0, 0);
	f.flags &= ~PBNL_TOPO_PCIE;
	CHECK(!acs1(f));
	/* unknown PCIe types: fine */
	CHECK(acs1(mkfn(0x3, 0, 0, 0)));
	/* quirks first */
	f = mkfn(PBNL_PCIE_ROOT_PORT, 0, 0, 0);
	f.acs_quirk = PBNL_ACS_QUIRK_ISOLATED;
	CHECK(acs1(f));
	f = mkfn(PBNL_PCIE_ROOT_PORT, 0, 0x1d, 0x1d);
	f.acs_quirk = PBNL_ACS_QUIRK_NOT_ISOLATED;
	CHECK(!acs1(f));
	f = mkfn(PBNL_PCIE_ENDPOINT, 0, 0, 0);
	f.flags &= ~PBNL_TOPO_PCIE;
	f.acs_quirk = PBNL_ACS_QUIRK_ISOLATED;
	CHECK(acs1(f));
}

/* pbnl_acs_quirk() of one function: the answer and the quirk's name */
static int quirk1(struct pbnl_topo_fn f, u32 platform, u16 flags,
		  const char **name)
{
	struct pbnl_topo t = { .fn = &f, .nr = 1, .platform = platform };

	return pbnl_acs_quirk(&t, 0, flags, name);
}

static struct pbnl_topo_fn idfn(u16 vendor, u16 device, u8 type, u32 flags)
{
	struct pbnl_topo_fn f = mkfn(type, flags, 0, 0);

	f.vendor = vendor;
	f.device = device;
	return f;
}

#define CHECK_QUIRK(f, plat, flags, want, want_name)			\
	do {								\
		const char *n_ = "x";					\
		int r_ = quirk1((f), (plat), (flags), &n_);		\
		const char *w_ = (want_name);				\
		if (!ok(r_ == (want) && (w_ ? n_ && !strcmp(n_, w_) : !n_), \
			"%s:%d: %s", __func__, __LINE__, #f))		\
			diag("got %d %s, want %d %s", r_,		\
			     n_ ? n_ : "(no quirk)", (want),		\
			     w_ ? w_ : "(no quirk)");			\
	} while (0)

/* drivers/pci/quirks.c, 6.1 and 6.12: each quirk function, its edges */
static void test_acs_quirks(void)
{
	const u16 req = PBNL_ACS_REQ;
	const u32 mf = PBNL_TOPO_MULTIFUNCTION, root = PBNL_TOPO_ROOT_BUS;
	const u32 ivrs = PBNL_PLAT_ACPI_IVRS;
	const char *amd = "pci_quirk_amd_sb_acs";
	const char *mfe = "pci_quirk_mf_endpoint_acs";
	const char *sp = "pci_quirk_intel_spt_pch_acs";
	struct pbnl_topo_fn f;

	/* no quirk for an unknown device */
	CHECK_QUIRK(idfn(0, 0, PBNL_PCIE_ENDPOINT, mf), 0, req, -1, NULL);
	CHECK_QUIRK(idfn(0x1af4, 0x1000, PBNL_PCIE_ENDPOINT, 0), ivrs, req, -1,
		    NULL);
	/* AMD southbridge: multifunction, root bus, IVRS; RR and CR only */
	f = idfn(0x1002, 0x4385, 0, mf | root);
	f.flags &= ~PBNL_TOPO_PCIE;
	CHECK_QUIRK(f, ivrs, req, 1, amd);
	CHECK_QUIRK(f, 0, req, -1, NULL);
	CHECK_QUIRK(f, ivrs, PBNL_ACS_DT, 0, amd);
	CHECK_QUIRK(f, ivrs, PBNL_ACS_SV | PBNL_ACS_UF | PBNL_ACS_TB, 1, amd);
	f.flags &= ~mf;
	CHECK_QUIRK(f, ivrs, req, -1, NULL);
	f = idfn(0x1022, 0x7809, PBNL_PCIE_ENDPOINT, mf);
	CHECK_QUIRK(f, ivrs, req, -1, NULL);
	f.flags |= root;
	CHECK_QUIRK(f, ivrs, req, 1, amd);
	/* multifunction endpoints: everything but EC */
	CHECK_QUIRK(idfn(0x8086, 0x1521, PBNL_PCIE_ENDPOINT, mf), 0, req, 1,
		    mfe);
	CHECK_QUIRK(idfn(0x8086, 0x10fb, PBNL_PCIE_ENDPOINT, 0), 0, req, 1, mfe);
	CHECK_QUIRK(idfn(0x8086, 0x1521, PBNL_PCIE_ENDPOINT, mf), 0,
		    PBNL_ACS_EC, 0, mfe);
	CHECK_QUIRK(idfn(0x19a2, 0x0710, PBNL_PCIE_ENDPOINT, mf), 0, req, 1,
		    mfe);
	CHECK_QUIRK(idfn(0x10df, 0x0720, PBNL_PCIE_ENDPOINT, mf), 0, req, 1,
		    mfe);
	CHECK_QUIRK(idfn(0x14e4, 0x16d7, PBNL_PCIE_ENDPOINT, mf), 0, req, 1,
		    mfe);
	/* Intel: RCiEPs, the rest of Intel goes on to the PCH quirks */
	CHECK_QUIRK(idfn(0x8086, 0x10d3, PBNL_PCIE_RC_END, mf), 0, req, 1,
		    "pci_quirk_rciep_acs");
	CHECK_QUIRK(idfn(0x8086, 0x10d3, PBNL_PCIE_RC_END, mf), 0, PBNL_ACS_DT,
		    0, "pci_quirk_rciep_acs");
	CHECK_QUIRK(idfn(0x8086, 0x10d3, PBNL_PCIE_ENDPOINT, mf), 0, req, -1,
		    NULL);
	f = idfn(0x8086, 0x10d3, PBNL_PCIE_RC_END, mf);
	f.flags &= ~PBNL_TOPO_PCIE;
	CHECK_QUIRK(f, 0, req, -1, NULL);
	/* Intel PCH root ports: isolated only once ACS was enabled */
	f = idfn(0x8086, 0x8c10, PBNL_PCIE_ROOT_PORT, mf);
	CHECK_QUIRK(f, 0, req, 0, "pci_quirk_intel_pch_acs");
	CHECK_QUIRK(f, 0, 0, 1, "pci_quirk_intel_pch_acs");
	f.flags |= PBNL_TOPO_ACS_ENABLED_QUIRK;
	CHECK_QUIRK(f, 0, req, 1, "pci_quirk_intel_pch_acs");
	CHECK_QUIRK(f, 0, req | PBNL_ACS_EC, 0, "pci_quirk_intel_pch_acs");
	CHECK_QUIRK(idfn(0x8086, 0x8c9e, PBNL_PCIE_ROOT_PORT, 0), 0, req, 0,
		    "pci_quirk_intel_pch_acs");
	CHECK_QUIRK(idfn(0x8086, 0x8c9f, PBNL_PCIE_ROOT_PORT, 0), 0, req, -1,
		    NULL);
	CHECK_QUIRK(idfn(0x8086, 0x8c10, PBNL_PCIE_DOWNSTREAM, 0), 0, req, -1,
		    NULL);
	/* Sunrise Point: dwords; needs the capability; low halves count */
	f = idfn(0x8086, 0xa110, PBNL_PCIE_ROOT_PORT, 0);
	CHECK_QUIRK(f, 0, req, -1, NULL);
	f.flags |= PBNL_TOPO_ACS_CAP;
	f.acs_cap_dw = 0x1f;
	f.acs_ctrl_dw = 0x1d;
	CHECK_QUIRK(f, 0, req, 1, sp);
	f.acs_ctrl_dw = 0x19;
	CHECK_QUIRK(f, 0, req, 0, sp);
	f.acs_cap_dw = 0x1b;		/* no RR: hard-wired */
	CHECK_QUIRK(f, 0, req, 1, sp);
	f.acs_cap_dw = 0x1f;
	f.acs_ctrl_dw = 0x1d0000;
	CHECK_QUIRK(f, 0, req, 0, sp);
	f.device = 0x9d1b;
	f.acs_ctrl_dw = 0x1d;
	CHECK_QUIRK(f, 0, req, 1, sp);
	f.device = 0x9d1c;
	CHECK_QUIRK(f, 0, req, -1, NULL);
	/* Cavium: ThunderX root ports; then its multifunction devices */
	CHECK_QUIRK(idfn(0x177d, 0xa3ff, PBNL_PCIE_ROOT_PORT, 0), 0, req, 1,
		    "pci_quirk_cavium_acs");
	CHECK_QUIRK(idfn(0x177d, 0xa800, PBNL_PCIE_ROOT_PORT, 0), 0, req, -1,
		    NULL);
	CHECK_QUIRK(idfn(0x177d, 0xa026, PBNL_PCIE_ENDPOINT, mf), 0, req, 1,
		    mfe);
	CHECK_QUIRK(idfn(0x177d, 0xa026, PBNL_PCIE_ROOT_PORT, 0), 0, req, 1,
		    "pci_quirk_cavium_acs");
	/* root ports without peer-to-peer: SV, RR, CR, UF */
	CHECK_QUIRK(idfn(0x10e8, 0xe004, PBNL_PCIE_ROOT_PORT, 0), 0, req, 1,
		    "pci_quirk_xgene_acs");
	CHECK_QUIRK(idfn(0x1def, 0xe00c, PBNL_PCIE_ROOT_PORT, 0), 0,
		    PBNL_ACS_TB, 0, "pci_quirk_xgene_acs");
	CHECK_QUIRK(idfn(0x17cb, 0x0400, PBNL_PCIE_ROOT_PORT, 0), 0, req, 1,
		    "pci_quirk_qcom_rp_acs");
	CHECK_QUIRK(idfn(0x1dbf, 0x0401, PBNL_PCIE_ROOT_PORT, 0), 0, req, 1,
		    "pci_quirk_qcom_rp_acs");
	CHECK_QUIRK(idfn(0x1957, 0x8d81, PBNL_PCIE_ROOT_PORT, 0), 0, req, 1,
		    "pci_quirk_nxp_rp_acs");
	CHECK_QUIRK(idfn(0x14e4, 0xd714, PBNL_PCIE_ROOT_PORT, 0), 0, req, 1,
		    "pci_quirk_brcm_acs");
	CHECK_QUIRK(idfn(0x0014, 0x7a09, PBNL_PCIE_ROOT_PORT, 0), 0, req, 1,
		    "pci_quirk_loongson_acs");
	/* Annapurna Labs: root ports only, by pci_pcie_type() */
	CHECK_QUIRK(idfn(0x1c36, 0x0031, PBNL_PCIE_ROOT_PORT, 0), 0, req, 1,
		    "pci_quirk_al_acs");
	CHECK_QUIRK(idfn(0x1c36, 0x0031, PBNL_PCIE_ROOT_PORT, 0), 0,
		    req | PBNL_ACS_DT, 0, "pci_quirk_al_acs");
	CHECK_QUIRK(idfn(0x1c36, 0x0031, PBNL_PCIE_ENDPOINT, 0), 0, req, -1,
		    NULL);
	/* Zhaoxin ports: listed ones isolated, the others not (false) */
	CHECK_QUIRK(idfn(0x1d17, 0x0715, PBNL_PCIE_DOWNSTREAM, 0), 0, req, 1,
		    "pci_quirk_zhaoxin_pcie_ports_acs");
	CHECK_QUIRK(idfn(0x1d17, 0x0722, PBNL_PCIE_ROOT_PORT, 0), 0, req, 0,
		    "pci_quirk_zhaoxin_pcie_ports_acs");
	CHECK_QUIRK(idfn(0x1d17, 0x0722, PBNL_PCIE_ENDPOINT, 0), 0, req, -1,
		    NULL);
	CHECK_QUIRK(idfn(0x1d17, 0x3038, PBNL_PCIE_ENDPOINT, mf), 0, req, 1,
		    mfe);
	/* Wangxun: listed NICs isolated, any other Wangxun device not */
	CHECK_QUIRK(idfn(0x8088, 0x010f, PBNL_PCIE_ENDPOINT, mf), 0, req, 1,
		    "pci_quirk_wangxun_nic_acs");
	CHECK_QUIRK(idfn(0x8088, 0x5140, PBNL_PCIE_ENDPOINT, mf), 0, req, 1,
		    "pci_quirk_wangxun_nic_acs");
	CHECK_QUIRK(idfn(0x8088, 0x0110, PBNL_PCIE_ENDPOINT, 0), 0, req, 0,
		    "pci_quirk_wangxun_nic_acs");
	/* pci_acs_enabled() asks the quirks before the PCIe type rules */
	CHECK(!acs1(idfn(0x8088, 0x0110, PBNL_PCIE_ENDPOINT, 0)));
	CHECK(acs1(idfn(0x8086, 0x1521, PBNL_PCIE_ENDPOINT, mf)));
	f = idfn(0x8086, 0x1521, PBNL_PCIE_ENDPOINT, mf);
	f.acs_quirk = PBNL_ACS_QUIRK_NOT_ISOLATED;
	CHECK(!acs1(f));
	f = idfn(0x8086, 0xa110, PBNL_PCIE_ROOT_PORT, PBNL_TOPO_ACS_CAP);
	f.acs_cap = 0x1f;		/* as a word read sees it */
	f.acs_ctrl = 0;
	f.acs_cap_dw = 0x1f;
	f.acs_ctrl_dw = 0x1d;
	CHECK(acs1(f));
	f.device = 0xa120;
	CHECK(!acs1(f));
}

static void test_acs_path(void)
{
	struct pbnl_topo_fn fn[3];
	struct pbnl_topo t = { .fn = fn, .nr = 3 };

	fn[0] = mkfn(PBNL_PCIE_ROOT_PORT, 0, 0x1d, 0x1d);
	fn[1] = mkfn(PBNL_PCIE_UPSTREAM, 0, 0, 0);
	fn[1].upstream = 0;
	fn[2] = mkfn(PBNL_PCIE_DOWNSTREAM, 0, 0x1d, 0x1d);
	fn[2].upstream = 1;
	CHECK(pbnl_group_acs_path_enabled(&t, 2, PBNL_ACS_REQ));
	fn[0].acs_ctrl = 0;
	CHECK(!pbnl_group_acs_path_enabled(&t, 2, PBNL_ACS_REQ));
	CHECK(pbnl_group_acs_enabled(&t, 2, PBNL_ACS_REQ));
}

static void test_reset(void)
{
	struct pbnl_topo_fn f = mkfn(PBNL_PCIE_ENDPOINT, 0, 0, 0);

	CHECK(!pbnl_group_has_function_reset(&f));
	f.reset_methods = BIT(PBNL_RESET_BUS) | BIT(PBNL_RESET_CXL_BUS);
	CHECK(!pbnl_group_has_function_reset(&f));
	f.reset_methods = BIT(PBNL_RESET_PM);
	CHECK(pbnl_group_has_function_reset(&f));
	f.reset_methods = BIT(PBNL_RESET_DEVICE_SPECIFIC);
	CHECK(pbnl_group_has_function_reset(&f));
	f.reset_methods = 0;
	f.flags |= PBNL_TOPO_VF;
	CHECK(pbnl_group_has_function_reset(&f));
	/* the ids are Linux's reset_method order */
	CHECK(PBNL_RESET_FLR == 3 && PBNL_RESET_BUS == 6 &&
	      PBNL_RESET_CXL_BUS == 7);
}

/* A small topology built in C, for the text and the error paths. */
static struct fixture *text_fixture(void)
{
	static struct fixture fx;
	static const char *const lines[] = {
		"fn 00:00.0 host",
		"fn 00:06.0 rp sec=05 sub=07",
		"fn 00:07.0 pcie2pci sec=09 reset=pm",
		"fn 00:08.0 pcibr sec=0a",
		"fn 00:1d.0 pci mf",
		"fn 00:1d.1 pci mf inuse",
		"fn 00:10.0 rciep alias=11.0 reset=flr",
		"fn 00:11.0 rciep reset=flr",
		"fn 00:12.0 rp sec=0b acs=1f/1f",
		"fn 05:00.0 up sec=06 sub=07 reset=flr",
		"fn 06:00.0 dp sec=07 acs=1f/1f",
		"fn 07:00.0 ep reset=flr",
		"fn 09:01.0 pci reset=bus",
		"fn 09:02.0 pci",
		"fn 0a:00.0 pci reset=pm",
		"fn 0b:00.0 ep pf=1 reset=flr",
		"fn 0b:00.1 ep vf=0b:00.0",
	};
	char line[MAX_LINE], *tok[16];
	unsigned int i;
	int n;

	memset(&fx, 0, sizeof(fx));
	fx.file = "text";
	fx.topo.fn = fx.fn;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(line, sizeof(line), "%s", lines[i]);
		n = split(line, tok, 16);
		parse_fn(&fx, tok, n);
	}
	link_fns(&fx);
	return &fx;
}

static const char *reason_of(struct fixture *fx, const char *req,
			     const char *member, enum pbnl_group_rule rule,
			     u32 opts)
{
	static struct pbnl_group_member members[MAX_FN];
	static char buf[256];
	struct pbnl_group_result res = { .members = members, .max = MAX_FN };
	int r = find_fn(fx, req), m = find_fn(fx, member), i;

	snprintf(buf, sizeof(buf), "(not a member)");
	if (pbnl_group_closure(&fx->topo, &r, 1, opts, &res))
		return "(error)";
	for (i = 0; i < res.nr; i++)
		if (res.members[i].idx == m)
			pbnl_group_reason(&fx->topo, &res.members[i], rule,
					  buf, sizeof(buf));
	return buf;
}

static void test_reasons(void)
{
	struct fixture *fx = text_fixture();
	u32 d = PBNL_GROUP_OPT_DEFAULT;

	CHECK(!fx->bad);
	CHECK_STR(reason_of(fx, "09:01.0", "09:01.0", PBNL_GROUP_REQUESTED, d),
		  "requested");
	CHECK_STR(reason_of(fx, "09:01.0", "09:01.0", PBNL_GROUP_ALIAS, d),
		  "(none)");
	CHECK_STR(reason_of(fx, "09:01.0", "09:02.0", PBNL_GROUP_ALIAS, d),
		  "behind the same PCIe-to-PCI bridge 0000:00:07.0 (requester ID aliasing)");
	CHECK_STR(reason_of(fx, "09:02.0", "09:01.0", PBNL_GROUP_ALIAS, 0),
		  "behind the same PCIe-to-PCI bridge 0000:00:07.0 (requester ID aliasing)");
	CHECK_STR(reason_of(fx, "09:01.0", "00:07.0", PBNL_GROUP_ALIAS, d),
		  "PCIe-to-PCI bridge that takes over the requester ID of 0000:09:01.0 (requester ID aliasing)");
	CHECK_STR(reason_of(fx, "0a:00.0", "00:08.0", PBNL_GROUP_ALIAS, d),
		  "conventional PCI bridge that takes over the requester ID of 0000:0a:00.0 (requester ID aliasing)");
	CHECK_STR(reason_of(fx, "09:01.0", "09:02.0", PBNL_GROUP_RESET, d),
		  "shares the bus reset that 0000:09:01.0 needs (its only reset; Linux refuses it while other functions are on bus 0000:09)");
	/* a function without any reset method pulls nobody in */
	CHECK_STR(reason_of(fx, "09:02.0", "09:01.0", PBNL_GROUP_RESET, d),
		  "(none)");
	CHECK_STR(reason_of(fx, "09:01.0", "09:02.0", PBNL_GROUP_ACS, d),
		  "below 0000:00:07.0 which lacks ACS");
	CHECK_STR(reason_of(fx, "07:00.0", "00:06.0", PBNL_GROUP_ACS, d),
		  "lacks ACS isolation, and 0000:07:00.0 is below it");
	CHECK_STR(reason_of(fx, "07:00.0", "06:00.0", PBNL_GROUP_ACS, d),
		  "below 0000:00:06.0 which lacks ACS, like 0000:07:00.0");
	CHECK_STR(reason_of(fx, "00:1d.0", "00:1d.1",
			    PBNL_GROUP_MULTIFUNCTION, d),
		  "function of the same multifunction device as 0000:00:1d.0 without ACS isolation");
	CHECK_STR(reason_of(fx, "00:11.0", "00:10.0", PBNL_GROUP_ALIAS, d),
		  "DMA alias of 0000:00:11.0");
	CHECK_STR(reason_of(fx, "0b:00.0", "0b:00.1", PBNL_GROUP_SRIOV, d),
		  "VF of PF 0000:0b:00.0");
	CHECK_STR(pbnl_group_verdict_str(PBNL_GROUP_V_HOST),
		  "contains a host bridge or root port");
	CHECK(!pbnl_group_verdict_str(PBNL_GROUP_NR_VERDICTS));
	CHECK(!pbnl_group_rule_str(PBNL_GROUP_NR_RULES));
}

static void test_member_causes(void)
{
	struct fixture *fx = text_fixture();
	struct pbnl_group_member members[MAX_FN];
	struct pbnl_group_result res = { .members = members, .max = MAX_FN };
	int req[2] = { find_fn(fx, "00:1d.0"), find_fn(fx, "00:00.0") };
	int i, one = -1;

	CHECK(pbnl_group_closure(&fx->topo, req, 2, PBNL_GROUP_OPT_DEFAULT,
				 &res) == 0);
	CHECK(res.nr == 3);
	CHECK(res.members[0].idx == req[0] && res.members[1].idx == req[1]);
	for (i = 0; i < res.nr; i++)
		if (res.members[i].idx == find_fn(fx, "00:1d.1"))
			one = i;
	CHECK(one == 2);
	if (one < 0)
		return;
	CHECK(res.members[one].rules == BIT(PBNL_GROUP_MULTIFUNCTION));
	CHECK(res.members[one].cause[PBNL_GROUP_MULTIFUNCTION] == req[0]);
	CHECK(res.members[one].cause[PBNL_GROUP_ALIAS] == -1);
	CHECK(res.verdict == (BIT(PBNL_GROUP_V_HOST) |
			      BIT(PBNL_GROUP_V_NO_RESET) |
			      BIT(PBNL_GROUP_V_IN_USE)));
	CHECK(res.verdict_dev[PBNL_GROUP_V_HOST] == req[1]);
	CHECK(res.verdict_dev[PBNL_GROUP_V_IN_USE] == find_fn(fx, "00:1d.1"));
	CHECK(res.verdict_dev[PBNL_GROUP_V_BRIDGE] == -1);
}

static void test_errors(void)
{
	struct fixture *fx = text_fixture();
	struct pbnl_group_member members[MAX_FN];
	struct pbnl_group_result res = { .members = members, .max = 2 };
	struct pbnl_topo_fn fn[2];
	struct pbnl_topo loop = { .fn = fn, .nr = 2 };
	int group_of[MAX_FN], out[4], req, n;
	char name[32];

	/* too small a result: -ENOSPC, with what fitted */
	req = find_fn(fx, "06:00.0");
	CHECK(pbnl_group_closure(&fx->topo, &req, 1, 0, &res) == -ENOSPC);
	CHECK(res.nr == 2);
	res.max = MAX_FN;
	req = fx->topo.nr;
	CHECK(pbnl_group_closure(&fx->topo, &req, 1, 0, &res) == -EINVAL);
	req = -1;
	CHECK(pbnl_group_closure(&fx->topo, &req, 1, 0, &res) == -EINVAL);
	CHECK(pbnl_group_closure(&fx->topo, NULL, 0, 0, &res) == 0 &&
	      res.nr == 0 && res.verdict == 0);

	/* a cycle of upstream bridges, a VF without a PF */
	fn[0] = mkfn(PBNL_PCIE_ROOT_PORT, 0, 0, 0);
	fn[1] = fn[0];
	fn[0].upstream = 1;
	fn[1].upstream = 0;
	CHECK(pbnl_group_kernel(&loop, group_of) == -EINVAL);
	fn[0].upstream = -1;
	fn[1].upstream = 2;
	CHECK(pbnl_group_kernel(&loop, group_of) == -EINVAL);
	fn[1].upstream = 0;
	fn[1].flags |= PBNL_TOPO_VF;
	CHECK(pbnl_group_kernel(&loop, group_of) == -EINVAL);
	fn[1].physfn = 0;
	CHECK(pbnl_group_kernel(&loop, group_of) == 1);
	/* real DMA devices: another function in range; 0 is one */
	fn[1].real_dma = 2;
	CHECK(pbnl_group_kernel(&loop, group_of) == -EINVAL);
	fn[1].real_dma = 1;
	CHECK(pbnl_group_kernel(&loop, group_of) == -EINVAL);
	fn[1].real_dma = -2;
	CHECK(pbnl_group_kernel(&loop, group_of) == -EINVAL);
	fn[1].real_dma = 0;
	CHECK(pbnl_group_kernel(&loop, group_of) == 1);

	/* members: a count beyond max, sorted */
	n = pbnl_group_kernel_members(&fx->topo, find_fn(fx, "07:00.0"),
				      group_of, out, 2);
	CHECK(n == 4);
	CHECK(out[0] == find_fn(fx, "00:06.0") &&
	      out[1] == find_fn(fx, "05:00.0"));
	CHECK(pbnl_group_kernel_members(&fx->topo, fx->topo.nr, group_of,
					out, 4) == -EINVAL);

	pbnl_group_name(&fx->topo, find_fn(fx, "0b:00.1"), name, sizeof(name));
	CHECK_STR(name, "0000:0b:00.1");
	pbnl_group_name(&fx->topo, -1, name, sizeof(name));
	CHECK_STR(name, "(none)");
}

/* ---- a large generated topology: correctness and diagnostics of speed ---- */

#define GEN_NR 4096

static struct pbnl_topo_fn *gen_add(struct pbnl_topo_fn *fn, int *nr, u32 dom,
				    u8 bus, u8 slot, u8 func)
{
	struct pbnl_topo_fn *f = &fn[(*nr)++];

	memset(f, 0, sizeof(*f));
	f->domain = dom;
	f->bus = bus;
	f->devfn = slot << 3 | func;
	f->upstream = -1;
	f->physfn = -1;
	f->real_dma = -1;
	return f;
}

static void gen_bridge(struct pbnl_topo_fn *f, u8 type, u8 sec, u8 sub)
{
	f->hdr_type = PBNL_HDR_BRIDGE;
	f->flags |= PBNL_TOPO_PCIE;
	f->pcie_type = type;
	f->secondary = sec;
	f->subordinate = sub;
}

static void gen_acs(struct pbnl_topo_fn *f)
{
	f->flags |= PBNL_TOPO_ACS_CAP;
	f->acs_cap = 0x1f;
	f->acs_ctrl = 0x1f;
}

/*
 * GEN_NR functions: 16 root ports with a switch each (16 downstream ports,
 * an 8-function endpoint below each), 8 in each of domains 0 and 1.  Switch
 * s: its root port lacks ACS if s % 4 == 3, its downstream ports if
 * s % 4 == 1; its endpoints are I350s (isolated by the quirk table) if
 * s % 3 == 0, have ACS if s % 3 == 2, else neither.  Then in domain 2 an
 * expansion chassis behind a root port lacking ACS (one large group): a
 * switch whose downstream ports lead to PCIe-to-PCI bridges with full
 * conventional buses.  On a conventional bus the first function has only
 * "bus" (probed when it was alone), every other odd function PM.
 */
static int gen_topo(struct pbnl_topo_fn *fn)
{
	struct pbnl_topo_fn *f;
	int nr = 0, s, p, k, sl, fu, rp, up, dp, br;
	unsigned int bus = 1, dom;

	f = gen_add(fn, &nr, 0, 0, 0, 0);
	f->flags |= PBNL_TOPO_HOST_BRIDGE | PBNL_TOPO_ROOT_BUS;
	for (s = 0; s < 16; s++) {
		dom = s / 8;
		if (s == 8)
			bus = 1;
		rp = nr;
		f = gen_add(fn, &nr, dom, 0, 1 + s % 8, 0);
		gen_bridge(f, PBNL_PCIE_ROOT_PORT, bus, bus + 17);
		f->flags |= PBNL_TOPO_ROOT_BUS;
		f->reset_methods = BIT(PBNL_RESET_PM);
		if (s % 4 != 3)
			gen_acs(f);
		up = nr;
		f = gen_add(fn, &nr, dom, bus, 0, 0);
		gen_bridge(f, PBNL_PCIE_UPSTREAM, bus + 1, bus + 17);
		f->upstream = rp;
		f->reset_methods = BIT(PBNL_RESET_FLR);
		for (p = 0; p < 16; p++) {
			dp = nr;
			f = gen_add(fn, &nr, dom, bus + 1, p, 0);
			gen_bridge(f, PBNL_PCIE_DOWNSTREAM, bus + 2 + p,
				   bus + 2 + p);
			f->upstream = up;
			f->reset_methods = BIT(PBNL_RESET_PM);
			if (s % 4 != 1)
				gen_acs(f);
			for (fu = 0; fu < 8; fu++) {
				f = gen_add(fn, &nr, dom, bus + 2 + p, 0, fu);
				f->flags |= PBNL_TOPO_PCIE |
					    PBNL_TOPO_MULTIFUNCTION;
				f->pcie_type = PBNL_PCIE_ENDPOINT;
				f->upstream = dp;
				f->vendor = 0x8086;
				f->device = s % 3 == 0 ? 0x1521 : 0x10d3;
				if (s % 3 == 2)
					gen_acs(f);
				f->reset_methods = BIT(PBNL_RESET_FLR);
			}
		}
		bus += 18;
	}
	rp = nr;
	f = gen_add(fn, &nr, 2, 0, 1, 0);
	gen_bridge(f, PBNL_PCIE_ROOT_PORT, 1, 255);
	f->flags |= PBNL_TOPO_ROOT_BUS;
	up = nr;
	f = gen_add(fn, &nr, 2, 1, 0, 0);
	gen_bridge(f, PBNL_PCIE_UPSTREAM, 2, 255);
	f->upstream = rp;
	f->reset_methods = BIT(PBNL_RESET_FLR);
	for (k = 0, bus = 3; nr < GEN_NR; k++, bus += 2) {
		dp = nr;
		f = gen_add(fn, &nr, 2, 2, k, 0);
		gen_bridge(f, PBNL_PCIE_DOWNSTREAM, bus, bus + 1);
		f->upstream = up;
		gen_acs(f);
		br = nr;
		f = gen_add(fn, &nr, 2, bus, 0, 0);
		gen_bridge(f, PBNL_PCIE_PCI_BRIDGE, bus + 1, bus + 1);
		f->upstream = dp;
		f->reset_methods = BIT(PBNL_RESET_PM);
		for (sl = 0; sl < 32 && nr < GEN_NR; sl++) {
			for (fu = 0; fu < 8 && nr < GEN_NR; fu++) {
				f = gen_add(fn, &nr, 2, bus + 1, sl, fu);
				f->flags |= PBNL_TOPO_MULTIFUNCTION;
				f->upstream = br;
				if (!sl && !fu)
					f->reset_methods = BIT(PBNL_RESET_BUS);
				else if (fu % 2)
					f->reset_methods = BIT(PBNL_RESET_PM);
			}
		}
	}
	return nr;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * The closure (no options) of the first function of each kernel group is
 * that group (there are no PFs); with default options it holds it, and it
 * is the same without the position scratch (every 16th group).  The times
 * are diagnostics only.
 */
static void test_large(void)
{
	static struct pbnl_topo_fn fn[GEN_NR];
	static int group_of[GEN_NR], first[GEN_NR], size[GEN_NR];
	static struct pbnl_group_member m1[GEN_NR], m2[GEN_NR];
	static s32 pos[GEN_NR];
	struct pbnl_topo topo = { .fn = fn };
	struct pbnl_group_result a = { .members = m1, .max = GEN_NR, .pos = pos };
	struct pbnl_group_result b = { .members = m2, .max = GEN_NR };
	int ng, g, i, bad_kernel = -1, bad_default = -1, bad_pos = -1;
	int largest = 0, sum = 0, big = 0;
	double t0, t_kernel, t_none, t_default, t_big, t_nopos = 0;

	topo.nr = gen_topo(fn);
	CHECK(topo.nr == GEN_NR);
	t0 = now_ms();
	ng = pbnl_group_kernel(&topo, group_of);
	t_kernel = now_ms() - t0;
	if (!ok(ng > 0, "generated topology: pbnl_group_kernel() = %d", ng))
		return;
	for (g = 0; g < ng; g++)
		first[g] = -1, size[g] = 0;
	for (i = 0; i < topo.nr; i++) {
		if (first[group_of[i]] < 0)
			first[group_of[i]] = i;
		size[group_of[i]]++;
	}
	for (g = 0; g < ng; g++)
		big = size[g] > size[big] ? g : big;

	t0 = now_ms();
	for (g = 0; g < ng && bad_kernel < 0; g++) {
		if (pbnl_group_closure(&topo, &first[g], 1, 0, &a) ||
		    a.nr != size[g])
			bad_kernel = g;
		for (i = 0; i < a.nr && bad_kernel < 0; i++)
			if (group_of[a.members[i].idx] != g)
				bad_kernel = g;
	}
	t_none = now_ms() - t0;
	ok(bad_kernel < 0, "generated topology: the closure of each of %d kernel groups is that group%s",
	   ng, bad_kernel < 0 ? "" : " (not for one)");

	t0 = now_ms();
	for (g = 0; g < ng && bad_default < 0; g++) {
		int in = 0;

		if (pbnl_group_closure(&topo, &first[g], 1,
				       PBNL_GROUP_OPT_DEFAULT, &a))
			bad_default = g;
		for (i = 0; i < a.nr; i++)
			in += group_of[a.members[i].idx] == g;
		if (in != size[g])
			bad_default = g;
		largest = a.nr > largest ? a.nr : largest;
		sum += a.nr;
	}
	t_default = now_ms() - t0;
	ok(bad_default < 0, "generated topology: the default closure of each kernel group holds it");

	for (g = 0; g < ng && bad_pos < 0; g += 16) {
		if (pbnl_group_closure(&topo, &first[g], 1,
				       PBNL_GROUP_OPT_DEFAULT, &a))
			bad_pos = g;
		t0 = now_ms();
		if (pbnl_group_closure(&topo, &first[g], 1,
				       PBNL_GROUP_OPT_DEFAULT, &b) ||
		    !same_result(&a, &b))
			bad_pos = g;
		t_nopos += now_ms() - t0;
	}
	ok(bad_pos < 0, "generated topology: closures with and without the position scratch agree");

	t0 = now_ms();
	CHECK(pbnl_group_closure(&topo, &first[big], 1, PBNL_GROUP_OPT_DEFAULT,
				 &a) == 0 && a.nr >= size[big]);
	t_big = now_ms() - t0;

	diag("perf: %d functions, %d kernel groups", topo.nr, ng);
	diag("perf: pbnl_group_kernel(): %.1f ms", t_kernel);
	diag("perf: closure, no options, first function of each group: %.1f ms (%.3f ms each)",
	     t_none, t_none / ng);
	diag("perf: closure, default options, first function of each group: %.1f ms (%.3f ms each; %d members on average, %d at most)",
	     t_default, t_default / ng, sum / ng, largest);
	diag("perf: the same for every 16th group without the position scratch: %.1f ms",
	     t_nopos);
	diag("perf: closure, default options, one function of the largest group (%d functions): %.1f ms",
	     size[big], t_big);
}

/* ---- main ---- */

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "fixtures";

	test_acs_enabled();
	test_acs_quirks();
	test_acs_path();
	test_reset();
	test_reasons();
	test_member_causes();
	test_errors();
	run_fixtures(dir);
	test_large();

	printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
