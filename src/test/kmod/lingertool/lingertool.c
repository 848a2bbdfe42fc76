// SPDX-License-Identifier: GPL-2.0
/*
 * The Linger-Longer test's helper (LingerLongerIT, guest/linger-longer.sh), static so the guest
 * needs nothing else:
 *   lingertool spin        burn CPU forever (a host or guest hog; stop it with a signal)
 *   lingertool idle PID    give PID the stock SCHED_IDLE policy (busybox has no chrt)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "spin")) {
		volatile unsigned long n = 0;

		for (;;)
			n++;
	}
	if (argc == 3 && !strcmp(argv[1], "idle")) {
		struct sched_param sp = { .sched_priority = 0 };
		int pid = atoi(argv[2]);

		if (pid <= 0 || sched_setscheduler(pid, SCHED_IDLE, &sp)) {
			fprintf(stderr, "lingertool: SCHED_IDLE for %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		return 0;
	}
	fprintf(stderr, "usage: lingertool spin | lingertool idle PID\n");
	return 2;
}
