// SPDX-License-Identifier: GPL-2.0
/*
 * Workload of bench/syscall-overhead: times N repetitions of one operation
 * with clock_gettime(CLOCK_MONOTONIC) and the same number of empty loop
 * iterations, and prints one line per operation:
 *
 *	@@ LABEL OP n=N ns=T empty_ns=E
 *
 * Under QEMU's -icount shift=0 a guest nanosecond is one instruction, so
 * (T - E) / N is the instructions one operation costs.
 *
 * Usage: syscall-workload LABEL SCALE [OP...]
 *	SCALE multiplies every operation's default repetition count;
 *	OP is any of the names below (default: all, in this order).
 * Built static on the host: the guest runs it from the host's tree.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TMPFS_FILE "/dev/shm/dynamos-syscall-bench"
#define PIPE_BYTES 4096

static void die(const char *what)
{
	fprintf(stderr, "syscall-workload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long long now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		die("clock_gettime");
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One full transfer: pipes may return less than asked. */
static void xread(int fd, char *buf, size_t len)
{
	while (len) {
		ssize_t n = read(fd, buf, len);

		if (n <= 0)
			die("pipe read");
		buf += n;
		len -= (size_t)n;
	}
}

static void xwrite(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n <= 0)
			die("pipe write");
		buf += n;
		len -= (size_t)n;
	}
}

/* State the operations share; set up before timing. */
static int zero_fd, null_fd;
static int ping[2], pong[2];
static char pipe_buf[PIPE_BYTES];

static void op_getpid(void)
{
	/* The system call itself, whatever the C library caches. */
	if (syscall(SYS_getpid) <= 0)
		die("getpid");
}

static void op_getppid(void)
{
	if (syscall(SYS_getppid) < 0)
		die("getppid");
}

static void op_read(void)
{
	char c;

	if (read(zero_fd, &c, 1) != 1)
		die("read /dev/zero");
}

static void op_write(void)
{
	static const char c = 'x';

	if (write(null_fd, &c, 1) != 1)
		die("write /dev/null");
}

static void op_open_close(void)
{
	int fd = open(TMPFS_FILE, O_RDONLY);

	if (fd < 0)
		die("open " TMPFS_FILE);
	if (close(fd))
		die("close");
}

static void op_stat(void)
{
	struct stat st;

	if (stat(TMPFS_FILE, &st))
		die("stat " TMPFS_FILE);
}

/* One round trip: 4 KiB to the echo process and 4 KiB back. */
static void op_pipe(void)
{
	xwrite(ping[1], pipe_buf, PIPE_BYTES);
	xread(pong[0], pipe_buf, PIPE_BYTES);
}

static void op_fork(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0)
		_exit(0);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		die("waitpid");
}

static pid_t echo_pid;

/* The other end of the ping-pong: echoes every 4 KiB until EOF. */
static void pipe_setup(void)
{
	char buf[PIPE_BYTES];

	if (pipe(ping) || pipe(pong))
		die("pipe");
	echo_pid = fork();
	if (echo_pid < 0)
		die("fork");
	if (echo_pid == 0) {
		close(ping[1]);
		close(pong[0]);
		for (;;) {
			size_t got = 0;

			while (got < PIPE_BYTES) {
				ssize_t n = read(ping[0], buf + got, PIPE_BYTES - got);

				if (n == 0)
					_exit(0);
				if (n < 0)
					_exit(1);
				got += (size_t)n;
			}
			xwrite(pong[1], buf, PIPE_BYTES);
		}
	}
	close(ping[0]);
	close(pong[1]);
}

static void pipe_teardown(void)
{
	int status;

	close(ping[1]);
	close(pong[0]);
	if (waitpid(echo_pid, &status, 0) != echo_pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		die("echo process");
}

static const struct op {
	const char *name;
	void (*run)(void);
	long n;		/* repetitions at scale 1: each row 0.1 to 0.4 s of guest time */
	void (*setup)(void);
	void (*teardown)(void);
} ops[] = {
	{ .name = "getpid", .run = op_getpid, .n = 400000 },
	{ .name = "getppid", .run = op_getppid, .n = 400000 },
	{ .name = "read", .run = op_read, .n = 200000 },
	{ .name = "write", .run = op_write, .n = 200000 },
	{ .name = "open_close", .run = op_open_close, .n = 50000 },
	{ .name = "stat", .run = op_stat, .n = 60000 },
	{ .name = "pipe", .run = op_pipe, .n = 15000,
	  .setup = pipe_setup, .teardown = pipe_teardown },
	{ .name = "fork", .run = op_fork, .n = 2500 },
};

/* The empty loop: the same loop shape, with a call the compiler keeps. */
static void __attribute__((noinline)) op_empty(void)
{
	__asm__ volatile("" ::: "memory");
}

static long long time_loop(void (*run)(void), long n)
{
	long long t0 = now_ns();

	for (long i = 0; i < n; i++)
		run();
	return now_ns() - t0;
}

static void measure(const char *label, const struct op *op, double scale)
{
	long n = (long)(op->n * scale);
	long long t, empty;

	if (n < 1)
		n = 1;
	if (op->setup)
		op->setup();
	time_loop(op->run, n / 20 + 1);	/* warm caches, dentries, pages */
	empty = time_loop(op_empty, n);
	t = time_loop(op->run, n);
	if (op->teardown)
		op->teardown();
	printf("@@ %s %s n=%ld ns=%lld empty_ns=%lld\n", label, op->name, n, t, empty);
	fflush(stdout);
	fprintf(stderr, "  %s %s: %.1f instructions/op\n", label, op->name,
		(double)(t - empty) / n);
}

int main(int argc, char **argv)
{
	double scale;
	int fd, i, j, any = 0;

	if (argc < 3 || (scale = atof(argv[2])) <= 0) {
		fprintf(stderr, "usage: syscall-workload LABEL SCALE [OP...]\n");
		return 2;
	}
	zero_fd = open("/dev/zero", O_RDONLY);
	null_fd = open("/dev/null", O_WRONLY);
	if (zero_fd < 0 || null_fd < 0)
		die("open /dev/zero or /dev/null");
	fd = open(TMPFS_FILE, O_CREAT | O_WRONLY, 0644);
	if (fd < 0 || close(fd))
		die("create " TMPFS_FILE);
	for (i = 0; i < (int)(sizeof(ops) / sizeof(ops[0])); i++) {
		int chosen = argc == 3;

		for (j = 3; j < argc; j++)
			chosen |= !strcmp(argv[j], ops[i].name);
		if (chosen) {
			measure(argv[1], &ops[i], scale);
			any = 1;
		}
	}
	if (!any) {
		fprintf(stderr, "syscall-workload: no such operation\n");
		return 2;
	}
	return 0;
}
