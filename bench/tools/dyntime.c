// SPDX-License-Identifier: GPL-2.0
/*
 * dyntime: times DynAMOS commands and livepatch transitions inside the guest for
 * bench/apply-latency. Only the system calls are timed, never process start.
 *
 *   dyntime run          reads steps from stdin, one a line ("#" starts a comment):
 *     LABEL register NAME ID SYMBOL
 *     LABEL activate NAME ID VERSION
 *     LABEL deregister NAME ID VERSION TIMEOUT_MS
 *     LABEL group NAME ID0 COUNT VERSION       ACTIVATE_GROUP of <NAME, ID0 + i>, i < COUNT
 *     LABEL group-chunks NAME ID0 COUNT VERSION CHUNK
 *                                              the same as ACTIVATE_GROUPs of CHUNK members
 *                                              at most (for kernels that take fewer)
 *     LABEL register-range NAME ID0 COUNT FORMAT
 *                                              REGISTER <NAME, ID0 + i> with the symbol
 *                                              printf(FORMAT, i), one ioctl each
 *     LABEL activate-range NAME ID0 COUNT VERSION
 *     LABEL deregister-range NAME ID0 COUNT VERSION TIMEOUT_MS
 *     LABEL exec PROGRAM ARGS...               runs a program and waits (end-to-end time)
 *     LABEL livepatch-enable MODULE.ko NAME    loads a livepatch module and waits until
 *                                              /sys/kernel/livepatch/NAME/transition is 0
 *     LABEL livepatch-disable NAME             writes 0 to .../NAME/enabled and waits the same
 *                                              (or until the patch is gone)
 *     LABEL unload MODULE                      delete_module
 *   Each step prints "@@ LABEL wall_ns=W cpu_ns=C busy_ns=B calls=K result=R": W the guest
 *   time (CLOCK_MONOTONIC) of its system calls, C this thread's CPU time in them, B the time
 *   the CPU was busy meanwhile, in any task (kworkers, stop_machine, RCU kthreads included;
 *   idle waits left out; see busy_ns(); missing if /proc/schedstat cannot be read). Under QEMU
 *   -icount shift=0 a guest nanosecond is one instruction while the CPU is busy: B counts the
 *   instructions the step cost the machine. K: ioctls (or programs) of the step, R: the last
 *   result.
 *   livepatch-enable also prints "@@ LABEL_load ..." for the module load alone.
 *   A failing step prints "@@ LABEL error=ERRNO-NAME" and "LABEL: MESSAGE" (the kernel's), and
 *   ends the run with exit 1, unless LABEL starts with "?" (the step may fail; the run goes on;
 *   the "?" is not printed).
 *
 *   dyntime sleepers N READY_FILE
 *                        starts N threads that sleep in pause(), writes READY_FILE once
 *                        all of them are asleep, then sleeps itself (end it with a signal)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../kernel/include/uapi/dynamos.h"

#define MAX_ARGS	32
#define MAX_RANGE	1024
#define POLL_NS		1000000L	/* livepatch transition polled every 1 ms */
#define POLL_LIMIT	600000		/* ... for at most 600 s of guest time */

struct span {
	uint64_t wall, cpu, busy;
};

static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	if (clock_gettime(c, &ts)) {
		perror("clock_gettime");
		exit(1);
	}
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Busy time of the CPU: the time tasks other than the idle task ran on it, which the kernel
 * adds up at each context switch (/proc/schedstat, "cpu0" line, 7th number, in ns). Under
 * -icount these are the instructions executed, by any task, while idle waits are left out.
 * The measuring task sleeps a microsecond before and after, so that its own running time is
 * counted up to then; what that and reading the file cost is measured once and subtracted.
 */
static int schedstat_fd = -2;
static uint64_t busy_overhead;

static int busy_ns(uint64_t *ns)
{
	const struct timespec us = { 0, 1000 };
	char buf[4096], *p;
	ssize_t n;
	int i;

	if (schedstat_fd == -2)
		schedstat_fd = open("/proc/schedstat", O_RDONLY | O_CLOEXEC);
	if (schedstat_fd < 0)
		return -1;
	nanosleep(&us, NULL);
	n = pread(schedstat_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strstr(buf, "\ncpu0 ");
	if (!p)
		return -1;
	p += 6;
	for (i = 0; i < 6; i++) {
		p = strchr(p, ' ');
		if (!p)
			return -1;
		p++;
	}
	*ns = strtoull(p, NULL, 10);
	return 0;
}

static void span_begin(struct span *s)
{
	if (busy_ns(&s->busy))
		s->busy = UINT64_MAX;
	s->cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	s->wall = clock_ns(CLOCK_MONOTONIC);
}

/* Adds the time since span_begin(@s) to @total (busy: UINT64_MAX once unknown). */
static void span_end(const struct span *s, struct span *total)
{
	uint64_t wall = clock_ns(CLOCK_MONOTONIC), cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID), busy;

	total->wall += wall - s->wall;
	total->cpu += cpu - s->cpu;
	if (total->busy == UINT64_MAX || s->busy == UINT64_MAX || busy_ns(&busy))
		total->busy = UINT64_MAX;
	else
		total->busy += busy - s->busy > busy_overhead ? busy - s->busy - busy_overhead : 0;
}

/* The least busy time of an empty span, out of a few. */
static void busy_calibrate(void)
{
	uint64_t least = UINT64_MAX;
	struct span s, t;
	int i;

	for (i = 0; i < 5; i++) {
		memset(&t, 0, sizeof(t));
		span_begin(&s);
		span_end(&s, &t);
		if (t.busy < least)
			least = t.busy;
	}
	busy_overhead = least == UINT64_MAX ? 0 : least;
}

static int dev_fd = -1;

static int dev(void)
{
	if (dev_fd < 0) {
		dev_fd = open("/dev/dynamos", O_RDWR);
		if (dev_fd < 0) {
			fprintf(stderr, "dyntime: cannot open /dev/dynamos: %s (is the framework loaded?)\n",
				strerror(errno));
			exit(1);
		}
	}
	return dev_fd;
}

/* Step failure: message on stdout as an @@ line (the host parses it), errno kept. */
static char fail_msg[DYNAMOS_ERROR_LEN + 64];

static void set_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fail_msg, sizeof(fail_msg), fmt, ap);
	va_end(ap);
}

static int copy_str(char *dst, size_t size, const char *src)
{
	if (strlen(src) >= size) {
		set_fail("'%s' is longer than %zu bytes", src, size - 1);
		return EINVAL;
	}
	strcpy(dst, src);
	return 0;
}

/* One timed ioctl; 0 or the errno (message in fail_msg). */
static int timed_ioctl(unsigned long cmd, struct dynamos_req *r, struct span *total)
{
	struct span s;
	int ret, fd = dev();

	r->abi = DYNAMOS_ABI_VERSION;
	span_begin(&s);
	ret = ioctl(fd, cmd, r);
	span_end(&s, total);
	if (ret < 0) {
		ret = errno;
		set_fail("%s", r->error);
		return ret;
	}
	return 0;
}

static int num(const char *s, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 0);
	if (errno || !*s || *end) {
		set_fail("'%s' is not a number", s);
		return EINVAL;
	}
	return 0;
}

static int req_init(struct dynamos_req *r, const char *name, const char *id)
{
	unsigned long v;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = copy_str(r->name, sizeof(r->name), name);
	if (!ret)
		ret = num(id, &v);
	r->id = v;
	return ret;
}

/* Ranges: COUNT consecutive ids from ID0, checked. */
static int range(const char *id0, const char *count, unsigned long *first, unsigned long *n)
{
	if (num(id0, first) || num(count, n))
		return EINVAL;
	if (*n < 1 || *n > MAX_RANGE) {
		set_fail("COUNT must be 1 to %d", MAX_RANGE);
		return EINVAL;
	}
	return 0;
}

static int step_register(char **a, int n, struct span *t, long long *result, unsigned long *calls)
{
	struct dynamos_req r;
	int ret;

	if (n != 3)
		return set_fail("register NAME ID SYMBOL"), EINVAL;
	ret = req_init(&r, a[0], a[1]);
	if (!ret)
		ret = copy_str(r.symbol, sizeof(r.symbol), a[2]);
	if (!ret)
		ret = timed_ioctl(DYNAMOS_IOC_REGISTER, &r, t);
	*result = r.result;
	*calls = 1;
	return ret;
}

/* ACTIVATE or DEREGISTER of one <name, id, version>. */
static int version_cmd(unsigned long cmd, const char *name, unsigned long id, unsigned long version,
		       unsigned long timeout_ms, struct span *t, long long *result)
{
	struct dynamos_req r;
	int ret;

	memset(&r, 0, sizeof(r));
	ret = copy_str(r.name, sizeof(r.name), name);
	if (ret)
		return ret;
	r.id = id;
	r.version = version;
	r.timeout_ms = timeout_ms;
	ret = timed_ioctl(cmd, &r, t);
	*result = r.result;
	return ret;
}

static int step_version(unsigned long cmd, char **a, int n, int want, struct span *t,
			long long *result, unsigned long *calls)
{
	unsigned long id, version, timeout = 0;

	if (n != want)
		return set_fail("%s NAME ID VERSION%s", want == 4 ? "deregister" : "activate",
				want == 4 ? " TIMEOUT_MS" : ""), EINVAL;
	if (num(a[1], &id) || num(a[2], &version) || (want == 4 && num(a[3], &timeout)))
		return EINVAL;
	*calls = 1;
	return version_cmd(cmd, a[0], id, version, timeout, t, result);
}

/* ACTIVATE_GROUP of <NAME, ID0 + i, VERSION>, i < COUNT, in ioctls of CHUNK members at most. */
static int step_group(char **a, int n, bool chunks, struct span *t, long long *result,
		      unsigned long *calls)
{
	static struct dynamos_group_member m[MAX_RANGE];
	unsigned long first, count, version, chunk, i;
	struct dynamos_req r;
	int ret;

	if (n != (chunks ? 5 : 4))
		return set_fail(chunks ? "group-chunks NAME ID0 COUNT VERSION CHUNK" :
			       "group NAME ID0 COUNT VERSION"), EINVAL;
	if (range(a[1], a[2], &first, &count) || num(a[3], &version))
		return EINVAL;
	chunk = count;
	if (chunks && (num(a[4], &chunk) || !chunk))
		return set_fail("CHUNK must be 1 or more"), EINVAL;
	memset(m, 0, sizeof(m));
	for (i = 0; i < count; i++) {
		ret = copy_str(m[i].name, sizeof(m[i].name), a[0]);
		if (ret)
			return ret;
		m[i].id = first + i;
		m[i].version = version;
	}
	for (i = 0; i < count; i += chunk) {
		memset(&r, 0, sizeof(r));
		r.version = count - i < chunk ? count - i : chunk;
		r.address = (uintptr_t)(m + i);
		++*calls;
		ret = timed_ioctl(DYNAMOS_IOC_ACTIVATE_GROUP, &r, t);
		*result = r.result;
		if (ret)
			return ret;
	}
	return 0;
}

static int step_register_range(char **a, int n, struct span *t, long long *result, unsigned long *calls)
{
	unsigned long first, count, i;
	struct dynamos_req r;
	int ret;

	if (n != 4)
		return set_fail("register-range NAME ID0 COUNT FORMAT"), EINVAL;
	if (range(a[1], a[2], &first, &count))
		return EINVAL;
	for (i = 0; i < count; i++) {
		memset(&r, 0, sizeof(r));
		ret = copy_str(r.name, sizeof(r.name), a[0]);
		if (ret)
			return ret;
		r.id = first + i;
		if (snprintf(r.symbol, sizeof(r.symbol), a[3], (unsigned int)i) >= (int)sizeof(r.symbol))
			return set_fail("symbol of '%s' too long", a[3]), EINVAL;
		ret = timed_ioctl(DYNAMOS_IOC_REGISTER, &r, t);
		++*calls;
		*result = r.result;
		if (ret)
			return ret;
	}
	return 0;
}

static int step_version_range(unsigned long cmd, char **a, int n, int want, struct span *t,
			      long long *result, unsigned long *calls)
{
	unsigned long first, count, version, timeout = 0, i;
	int ret;

	if (n != want)
		return set_fail("%s-range NAME ID0 COUNT VERSION%s",
				want == 5 ? "deregister" : "activate",
				want == 5 ? " TIMEOUT_MS" : ""), EINVAL;
	if (range(a[1], a[2], &first, &count) || num(a[3], &version) ||
	    (want == 5 && num(a[4], &timeout)))
		return EINVAL;
	for (i = 0; i < count; i++) {
		ret = version_cmd(cmd, a[0], first + i, version, timeout, t, result);
		++*calls;
		if (ret)
			return ret;
	}
	return 0;
}

static int step_exec(char **a, int n, struct span *t, long long *result, unsigned long *calls)
{
	struct span s;
	int status;
	pid_t pid;

	if (n < 1)
		return set_fail("exec PROGRAM ARGS..."), EINVAL;
	fflush(stdout);
	span_begin(&s);
	pid = fork();
	if (pid < 0)
		return set_fail("fork: %s", strerror(errno)), errno;
	if (pid == 0) {
		execvp(a[0], a);
		fprintf(stderr, "dyntime: cannot run %s: %s\n", a[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return set_fail("waitpid: %s", strerror(errno)), errno;
	span_end(&s, t);
	*calls = 1;
	*result = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (*result)
		return set_fail("%s exited with status %lld", a[0], *result), ECANCELED;
	return 0;
}

/* Reads the first byte of a sysfs file: the digit of transition/enabled. */
static int read_flag(const char *path, char *c)
{
	int fd = open(path, O_RDONLY), ret = 0;

	if (fd < 0)
		return errno;
	if (read(fd, c, 1) != 1)
		ret = errno ? errno : EIO;
	close(fd);
	return ret;
}

/*
 * Polls /sys/kernel/livepatch/NAME/transition until it reads 0, or the patch is gone (a
 * disabled patch is freed when its transition ends).
 */
static int wait_transition(const char *name)
{
	const struct timespec pause_ts = { 0, POLL_NS };
	char path[256], c;
	int i, ret;

	snprintf(path, sizeof(path), "/sys/kernel/livepatch/%s/transition", name);
	for (i = 0; i < POLL_LIMIT; i++) {
		ret = read_flag(path, &c);
		if (ret == ENOENT)
			return 0;
		if (ret)
			return set_fail("cannot read %s: %s", path, strerror(ret)), ret;
		if (c == '0')
			return 0;
		nanosleep(&pause_ts, NULL);
	}
	return set_fail("%s still 1 after %d polls", path, POLL_LIMIT), ETIMEDOUT;
}

static int step_livepatch_enable(const char *label, char **a, int n, struct span *t,
				 unsigned long *calls)
{
	struct span s, load = { 0, 0, 0 };
	int fd, ret;

	if (n != 2)
		return set_fail("livepatch-enable MODULE.ko NAME"), EINVAL;
	fd = open(a[0], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return set_fail("cannot open %s: %s", a[0], strerror(errno)), errno;
	span_begin(&s);
	ret = syscall(SYS_finit_module, fd, "", 0) ? errno : 0;
	span_end(&s, &load);
	close(fd);
	if (ret)
		return set_fail("loading %s: %s", a[0], strerror(ret)), ret;
	ret = wait_transition(a[1]);
	span_end(&s, t);
	*calls = 1;
	printf("@@ %s_load wall_ns=%llu cpu_ns=%llu", label, (unsigned long long)load.wall,
	       (unsigned long long)load.cpu);
	if (load.busy != UINT64_MAX)
		printf(" busy_ns=%llu", (unsigned long long)load.busy);
	printf("\n");
	return ret;
}

static int step_livepatch_disable(char **a, int n, struct span *t, unsigned long *calls)
{
	char path[256];
	struct span s;
	int fd, ret;

	if (n != 1)
		return set_fail("livepatch-disable NAME"), EINVAL;
	snprintf(path, sizeof(path), "/sys/kernel/livepatch/%s/enabled", a[0]);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return set_fail("cannot open %s: %s", path, strerror(errno)), errno;
	span_begin(&s);
	ret = write(fd, "0", 1) == 1 ? 0 : errno;
	if (!ret)
		ret = wait_transition(a[0]);
	span_end(&s, t);
	close(fd);
	*calls = 1;
	if (ret && !fail_msg[0])
		set_fail("writing %s: %s", path, strerror(ret));
	return ret;
}

static int step_unload(char **a, int n, struct span *t, unsigned long *calls)
{
	struct span s;
	int ret;

	if (n != 1)
		return set_fail("unload MODULE"), EINVAL;
	span_begin(&s);
	ret = syscall(SYS_delete_module, a[0], O_NONBLOCK) ? errno : 0;
	span_end(&s, t);
	*calls = 1;
	if (ret)
		set_fail("delete_module %s: %s", a[0], strerror(ret));
	return ret;
}

/* One step; returns 0 or the errno. */
static int step(char *label, char *op, char **a, int n)
{
	struct span t = { 0, 0, 0 };
	unsigned long calls = 0;
	long long result = 0;
	int ret;

	if (label[0] == '?')
		label++;
	fail_msg[0] = 0;
	if (!strcmp(op, "register"))
		ret = step_register(a, n, &t, &result, &calls);
	else if (!strcmp(op, "activate"))
		ret = step_version(DYNAMOS_IOC_ACTIVATE, a, n, 3, &t, &result, &calls);
	else if (!strcmp(op, "deregister"))
		ret = step_version(DYNAMOS_IOC_DEREGISTER, a, n, 4, &t, &result, &calls);
	else if (!strcmp(op, "group"))
		ret = step_group(a, n, false, &t, &result, &calls);
	else if (!strcmp(op, "group-chunks"))
		ret = step_group(a, n, true, &t, &result, &calls);
	else if (!strcmp(op, "register-range"))
		ret = step_register_range(a, n, &t, &result, &calls);
	else if (!strcmp(op, "activate-range"))
		ret = step_version_range(DYNAMOS_IOC_ACTIVATE, a, n, 4, &t, &result, &calls);
	else if (!strcmp(op, "deregister-range"))
		ret = step_version_range(DYNAMOS_IOC_DEREGISTER, a, n, 5, &t, &result, &calls);
	else if (!strcmp(op, "exec"))
		ret = step_exec(a, n, &t, &result, &calls);
	else if (!strcmp(op, "livepatch-enable"))
		ret = step_livepatch_enable(label, a, n, &t, &calls);
	else if (!strcmp(op, "livepatch-disable"))
		ret = step_livepatch_disable(a, n, &t, &calls);
	else if (!strcmp(op, "unload"))
		ret = step_unload(a, n, &t, &calls);
	else
		ret = (set_fail("unknown step '%s'", op), EINVAL);
	if (ret) {
		printf("@@ %s error=%s calls=%lu\n", label, strerrorname_np(ret) ?: "?", calls);
		printf("%s: %s\n", label, fail_msg);
	} else {
		printf("@@ %s wall_ns=%llu cpu_ns=%llu", label, (unsigned long long)t.wall,
		       (unsigned long long)t.cpu);
		if (t.busy != UINT64_MAX)
			printf(" busy_ns=%llu", (unsigned long long)t.busy);
		printf(" calls=%lu result=%lld\n", calls, result);
	}
	fflush(stdout);
	return ret;
}

static int run(void)
{
	char line[1024], *a[MAX_ARGS + 1], *p;
	int n, lineno = 0;

	while (fgets(line, sizeof(line), stdin)) {
		lineno++;
		p = strchr(line, '#');
		if (p)
			*p = 0;
		n = 0;
		for (p = strtok(line, " \t\n"); p && n < MAX_ARGS; p = strtok(NULL, " \t\n"))
			a[n++] = p;
		if (!n)
			continue;
		if (n < 2) {
			fprintf(stderr, "dyntime: line %d: LABEL STEP ARGS... expected\n", lineno);
			return 2;
		}
		a[n] = NULL;
		if (step(a[0], a[1], a + 2, n - 2) && a[0][0] != '?')
			return 1;
	}
	return 0;
}

/* ---- sleepers ---- */

static pthread_mutex_t sleepers_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long sleepers_up;

static void *sleeper(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&sleepers_lock);
	sleepers_up++;
	pthread_mutex_unlock(&sleepers_lock);
	for (;;)
		pause();
	return NULL;
}

static int sleepers(const char *count, const char *ready)
{
	const struct timespec tick = { 0, 10000000L };
	unsigned long n, i, up;
	pthread_attr_t attr;
	pthread_t th;
	FILE *f;
	int ret;

	if (num(count, &n)) {
		fprintf(stderr, "dyntime: %s\n", fail_msg);
		return 2;
	}
	ret = pthread_attr_init(&attr);
	if (!ret)
		ret = pthread_attr_setstacksize(&attr, 64 * 1024);
	if (ret) {
		fprintf(stderr, "dyntime: pthread_attr: %s\n", strerror(ret));
		return 1;
	}
	for (i = 0; i < n; i++) {
		ret = pthread_create(&th, &attr, sleeper, NULL);
		if (ret) {
			fprintf(stderr, "dyntime: thread %lu of %lu: %s (raise "
				"/proc/sys/kernel/threads-max or the guest's memory)\n",
				i + 1, n, strerror(ret));
			return 1;
		}
	}
	/* One CPU under -icount: the threads run to pause() while we wait. */
	do {
		nanosleep(&tick, NULL);
		pthread_mutex_lock(&sleepers_lock);
		up = sleepers_up;
		pthread_mutex_unlock(&sleepers_lock);
	} while (up < n);
	nanosleep(&tick, NULL);
	f = fopen(ready, "w");
	if (!f || fprintf(f, "%lu\n", n) < 0 || fclose(f)) {
		fprintf(stderr, "dyntime: cannot write %s: %s\n", ready, strerror(errno));
		return 1;
	}
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "run")) {
		busy_calibrate();
		return run();
	}
	if (argc == 4 && !strcmp(argv[1], "sleepers"))
		return sleepers(argv[2], argv[3]);
	fprintf(stderr, "usage: dyntime run < STEPS | dyntime sleepers N READY_FILE\n");
	return 2;
}
