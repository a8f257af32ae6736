/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cli.h - the options and operands of one command ("hide -n 03:00.0").
 *
 * Every command takes -h/--help; the others are listed per command as a
 * mask of CLI_OPT_x.  Options and operands may be mixed; "--" ends the
 * options; short options combine ("-nf"); a long option's argument is
 * "--count=3" or "--count 3".
 */
#ifndef PCIBACKCTL_CLI_H
#define PCIBACKCTL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum cli_opt_id {
	CLI_DRY_RUN,		/* -n, --dry-run */
	CLI_FORCE,		/* -f, --force */
	CLI_ALLOW_BRIDGE,	/* --allow-bridge */
	CLI_WITH_GROUP,		/* --with-group */
	CLI_COUNT,		/* --count N */
	CLI_IOMMU_GROUP,	/* --iommu-group */
	CLI_MODULE_OPTIONS,	/* --module-options */
	CLI_NOPTS
};

#define CLI_OPT(id) (1u << (id))

struct cli_args {
	bool help;		/* -h or --help was given */
	uint32_t op_flags;	/* PCIBACK_OP_FLAG_x of the options given */
	unsigned long count;	/* --count, 0 when not given */
	unsigned int given;	/* CLI_OPT(x) of each option given */
	int nargs;		/* operands, in order, pointing into argv */
	char **args;		/* the caller's array of at least argc entries */
};

/*
 * Parses @argc/@argv (the words after the command name) allowing the
 * options in @allowed.  Returns 0, or -EINVAL with a one-line message in
 * @err ("unknown option '-x'", ...).  After -h/--help the rest is not
 * checked.
 */
int cli_parse(unsigned int allowed, int argc, char **argv,
	      struct cli_args *a, char *err, size_t errlen);

/* "Options:" and one line per option in @allowed (nothing if none). */
void cli_print_options(FILE *f, unsigned int allowed);

#endif /* PCIBACKCTL_CLI_H */
