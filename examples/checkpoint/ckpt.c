// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt - calls the system calls examples/checkpoint adds, by number.
 *
 *   ckpt collect PID           collect(PID)
 *   ckpt checkpoint PID FD     checkpoint(PID, FD), e.g. ckpt checkpoint 42 3 3>out.txt
 *   ckpt call NR [ARG...]      any system call NR with up to six integer arguments
 *   ckpt worker DIR            a process to collect: opens DIR/old, creates DIR/started,
 *                              waits for DIR/go, then opens files, makes a pipe, dups a
 *                              descriptor and maps three areas, creates DIR/ready and
 *                              sleeps until killed
 *
 * collect, checkpoint and call print "ok RESULT" (exit 0) or "error ENAME" (exit 1).
 * Build: gcc -static -O2 -Wall -o ckpt examples/checkpoint/ckpt.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "checkpoint.h"

static const char *errname(int e)
{
	switch (e) {
	case ENOSYS: return "ENOSYS";
	case ESRCH: return "ESRCH";
	case EPERM: return "EPERM";
	case EBADF: return "EBADF";
	case EINVAL: return "EINVAL";
	case EALREADY: return "EALREADY";
	case ENOMEM: return "ENOMEM";
	case E2BIG: return "E2BIG";
	case EINTR: return "EINTR";
	default: return strerror(e);
	}
}

static int report(long ret)
{
	if (ret < 0) {
		printf("error %s\n", errname(errno));
		return 1;
	}
	printf("ok %ld\n", ret);
	return 0;
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void touch(const char *dir, const char *name)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die(path);
	close(fd);
}

static __attribute__((noreturn)) void worker(const char *dir)
{
	char path[4096], page[8192];
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	int old, data, p[2];
	long pg = sysconf(_SC_PAGESIZE);

	snprintf(path, sizeof(path), "%s/old", dir);
	old = open(path, O_RDWR | O_CREAT, 0600);
	if (old < 0)
		die(path);
	touch(dir, "started");
	snprintf(path, sizeof(path), "%s/go", dir);
	while (access(path, F_OK))
		nanosleep(&tick, NULL);

	/* Collected from here on: three files, a pipe, a dup, three areas. */
	snprintf(path, sizeof(path), "%s/data", dir);
	data = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (data < 0)
		die(path);
	memset(page, 'c', sizeof(page));
	if (write(data, page, sizeof(page)) != (ssize_t)sizeof(page))
		die("write");
	if (pipe2(p, O_CLOEXEC))
		die("pipe2");
	if (dup(data) < 0)
		die("dup");
	if (mmap(NULL, 3 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
		die("mmap anon");
	if (mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, data, 0) == MAP_FAILED)
		die("mmap file");
	if (mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
		die("mmap none");
	touch(dir, "ready");	/* opened and closed: its shadow comes and goes */
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "collect"))
		return report(syscall(CKPT_NR_COLLECT, atol(argv[2])));
	if (argc == 4 && !strcmp(argv[1], "checkpoint"))
		return report(syscall(CKPT_NR_CHECKPOINT, atol(argv[2]), atol(argv[3])));
	if (argc >= 3 && argc <= 9 && !strcmp(argv[1], "call")) {
		long a[6] = { 0 };
		int i;

		for (i = 3; i < argc; i++)
			a[i - 3] = atol(argv[i]);
		return report(syscall(atol(argv[2]), a[0], a[1], a[2], a[3], a[4], a[5]));
	}
	if (argc == 3 && !strcmp(argv[1], "worker"))
		worker(argv[2]);
	fprintf(stderr, "usage: ckpt collect PID | ckpt checkpoint PID FD | ckpt call NR [ARG...] | ckpt worker DIR\n");
	return 2;
}
