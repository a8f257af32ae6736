// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the co-assignment engine (kmod/group.c), built in
 * userspace with ASan and UBSan.
 *
 * Usage: test_group [FIXTURE_DIR]   (default: fixtures)
 *
 * Fixture files (FIXTURE_DIR/\*.topo) hold one topology each, one
 * statement a line, '#' to the end of a line is a comment:
 *
 *   fn BDF KIND [ATTR...]
 *	A function, in the kernel's probe order.  BDF is [DDDD:]BB:DD.F.
 *	KIND: host (host bridge), pci (conventional function), ep, legep,
 *	rciep, rcec (PCIe types), rp, up, dp (root/upstream/downstream port),
 *	pcie2pci (PCIe-to-PCI bridge), pci2pcie (PCI/X-to-PCIe bridge),
 *	pcibr (conventional PCI-PCI bridge), cardbus.
 *	ATTR: mf; sec=BB, sub=BB (bridges; sub defaults to sec);
 *	acs=CAP/CTRL (hex ACS capability and control); quirk=iso|noiso (ACS
 *	quirk); reset=M,M... (device_specific, acpi, flr, af_flr, pm, bus,
 *	cxl_bus); alias=DD.F (dma_alias_mask, repeatable); pcie_bridge_alias;
 *	xlate_root; no_bus_reset; inuse (in use by dom0); pf=N (PF with N
 *	enabled VFs); vf=BDF (VF of that PF).
 *	The upstream bridge is the bridge whose secondary bus is the
 *	function's bus; none means a root bus, or for a VF a virtual bus
 *	(then the PF's upstream bridge).
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
 * Every file is also checked for: the closure (no options) of each function
 * holds its kernel group, and equals it unless a PF with VFs is involved.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "group.h"

#define MAX_FN 64
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
static void parse_fn(struct fixture *fx, char **tok, int ntok,
		     char (*vf_of)[16])
{
	struct pbnl_topo_fn *f;
	unsigned int k, a, b;
	u32 dom;
	u8 bus, devfn;
	bool sub_set = false;
	int i;

	if (ntok < 3 || fx->topo.nr >= MAX_FN)
		return fail_parse(fx, "bad fn line", tok[0]);
	i = fx->topo.nr;
	f = &fx->fn[i];
	memset(f, 0, sizeof(*f));
	f->upstream = -1;
	f->physfn = -1;
	snprintf(fx->name[i], sizeof(fx->name[i]), "%s", tok[1]);
	vf_of[i][0] = '\0';
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
			snprintf(vf_of[fx->topo.nr], sizeof(vf_of[0]), "%s",
				 t + 3);
		} else {
			return fail_parse(fx, "unknown attribute", t);
		}
	}
	fx->topo.nr++;
}

/* Upstream bridges and PFs, once all functions are known. */
static void link_fns(struct fixture *fx, char (*vf_of)[16])
{
	int i, j;

	for (i = 0; i < fx->topo.nr; i++) {
		struct pbnl_topo_fn *f = &fx->fn[i];

		if (vf_of[i][0]) {
			f->physfn = find_fn(fx, vf_of[i]);
			if (f->physfn < 0)
				return fail_parse(fx, "no such PF", vf_of[i]);
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

		if (f->physfn >= 0 && f->upstream < 0 &&
		    f->bus != fx->fn[f->physfn].bus)
			f->upstream = fx->fn[f->physfn].upstream;
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
	struct pbnl_group_result res = { .members = members, .max = MAX_FN };
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

#define MAX_LINES 256

/* Functions first (they may follow expectations), then the expectations. */
static void run_fixture(const char *dir, const char *file)
{
	static struct fixture fx;
	static char vf_of[MAX_FN][16];
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

			fx.line = i + 1;
			if (pass == 0)
				strip_comment(lines[i]);
			memcpy(line, lines[i], sizeof(line));
			ntok = split(line, tok, MAX_FN + 8);
			if (!ntok || (!strcmp(tok[0], "fn")) != !pass)
				continue;
			if (pass == 0)
				parse_fn(&fx, tok, ntok, vf_of);
			else if (!strcmp(tok[0], "kgroup"))
				any_kgroup = true,
				check_kgroup(&fx, tok, ntok, group_of, listed);
			else if (!strcmp(tok[0], "closure"))
				check_closure(&fx, tok, ntok);
			else
				fail_parse(&fx, "unknown statement", tok[0]);
		}
		if (pass || fx.bad)
			continue;
		link_fns(&fx, vf_of);
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
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_fixtures(const char *dir)
{
	char *names[64];
	struct dirent *de;
	int n = 0, i;
	size_t len;
	DIR *d;

	d = opendir(dir);
	if (!ok(d != NULL, "open fixture directory %s", dir))
		return;
	while ((de = readdir(d)) && n < 64) {
		len = strlen(de->d_name);
		if (len > 5 && !strcmp(de->d_name + len - 5, ".topo"))
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	ok(n >= 6, "found %d fixture files", n);
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
	static char vf_of[MAX_FN][16];
	char line[MAX_LINE], *tok[16];
	unsigned int i;
	int n;

	memset(&fx, 0, sizeof(fx));
	fx.file = "text";
	fx.topo.fn = fx.fn;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(line, sizeof(line), "%s", lines[i]);
		n = split(line, tok, 16);
		parse_fn(&fx, tok, n, vf_of);
	}
	link_fns(&fx, vf_of);
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
	CHECK_STR(reason_of(fx, "09:02.0", "09:01.0", PBNL_GROUP_RESET, d),
		  "shares bus reset on bus 0000:09 with 0000:09:02.0 (no function-level reset)");
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

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "fixtures";

	test_acs_enabled();
	test_acs_path();
	test_reset();
	test_reasons();
	test_member_causes();
	test_errors();
	run_fixtures(dir);

	printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
