// SPDX-License-Identifier: GPL-2.0
/*
 * pbnl-time: run a command, print its wall-clock time and peak RSS.
 *
 *   pbnl-time [-v] CMD [ARG...]
 *
 * Prints one line on stdout: "ms=<wall ms> rss_kb=<peak RSS> status=<exit>"
 * (status 128+N for a signal).  The command's own output goes to /dev/null
 * unless -v.  Exit status: the command's; 127 when it cannot be run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	int verbose = 0, status, code;
	double t0, t1;
	pid_t pid;

	if (argc > 1 && !strcmp(argv[1], "-v")) {
		verbose = 1;
		argv++;
		argc--;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: pbnl-time [-v] CMD [ARG...]\n");
		return 2;
	}
	t0 = now_ms();
	pid = fork();
	if (pid < 0) {
		perror("pbnl-time: fork");
		return 127;
	}
	if (!pid) {
		if (!verbose) {
			int fd = open("/dev/null", O_WRONLY);

			if (fd >= 0) {
				dup2(fd, 1);
				dup2(fd, 2);
				close(fd);
			}
		}
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("pbnl-time: wait4");
			return 127;
		}
	}
	t1 = now_ms();
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	printf("ms=%.1f rss_kb=%ld status=%d\n", t1 - t0, ru.ru_maxrss, code);
	return code;
}
