// SPDX-License-Identifier: GPL-2.0
/*
 * dynctl: minimal command-line client of /dev/dynamos for tests.
 *
 *   dynctl version
 *   dynctl status
 *   dynctl register NAME ID SYMBOL [0xADDR]   ADDR: which same-named function
 *   dynctl deregister NAME ID VERSION [TIMEOUT_MS]   busy tasks as for in-use
 *   dynctl activate NAME ID VERSION
 *   dynctl rule NAME ID SYMBOL|0xADDR|0
 *   dynctl hook KIND NAME ID VERSION SYMBOL|0xADDR|0
 *        KIND: pre-activation|post-activation|pre-removal|post-removal|1..4
 *   dynctl call SYMBOL
 *   dynctl group NAME ID VERSION [NAME ID VERSION ...]   ACTIVATE_GROUP
 *   dynctl stop [TIMEOUT_MS]
 *   dynctl in-use NAME ID VERSION [TIMEOUT_MS]   result: busy tasks (0 idle),
 *                             then a line per busy-task record:
 *                             "task PID COMM VERSION WHERE MODULE|-" or
 *                             "task PID COMM 0 unreliable -"
 *   dynctl list [BYTES|bad]   LIST: the records rendered as the text table
 *                             of read(/dev/dynamos); BYTES: a buffer of that
 *                             size (else as large as LIST says it needs),
 *                             "bad": an unwritable buffer address.  On
 *                             ENOSPC also prints "needed BYTES RECORDS".
 *   dynctl fuzz N [SEED]
 *   dynctl fuzzp P N [SEED]   N fuzz ioctls from P processes at once (seeds
 *                             SEED, SEED+1, ...); exit 3 on unexpected errnos
 *   dynctl switch N [SEED]    N random switching operations on the stress
 *                             update stress/1 (src/test/kmod/stress); exit 3
 *                             on unexpected results
 *
 * DYNAMOS_DEV names another device node; DYNAMOS_FD=n uses inherited fd n.
 * Prints "ok <result>" or "error <errno-name>: <message>"; the exit status
 * is 0 or the errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../../../kernel/include/uapi/dynamos.h"

static const char *dev = "/dev/dynamos";

static void usage(void)
{
	fprintf(stderr,
		"usage: dynctl version|status|register N ID SYM [0xADDR]|deregister N ID V [MS]|\n"
		"       activate N ID V|group N ID V [N ID V ...]|rule N ID SYM|\n"
		"       hook KIND N ID V SYM|call SYM|\n"
		"       stop [MS]|in-use N ID V [MS]|list [BYTES|bad]|fuzz COUNT [SEED]|\n"
		"       fuzzp PROCS COUNT [SEED]|switch COUNT [SEED]|\n"
		"       monitor SYM [by-caller]|sigdfl CMD [ARG...]\n");
	exit(2);
}

static unsigned long num(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end) {
		fprintf(stderr, "bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

static void set_str(char *dst, size_t size, const char *src)
{
	if (strlen(src) >= size) {
		fprintf(stderr, "'%s' too long\n", src);
		exit(2);
	}
	strcpy(dst, src);
}

/* SYMBOL, 0xADDR or 0 */
static void set_code(struct dynamos_req *r, const char *s)
{
	if (!strcmp(s, "0"))
		return;
	if (!strncmp(s, "0x", 2))
		r->address = strtoull(s, NULL, 16);
	else
		set_str(r->symbol, sizeof(r->symbol), s);
}

/* DYNAMOS_FD=n uses an inherited descriptor (privilege-drop tests). */
static int open_dev(int flags)
{
	const char *s = getenv("DYNAMOS_FD");

	return s ? dup(atoi(s)) : open(dev, flags);
}

/* The ioctl on a fresh descriptor; 0 or the errno, nothing printed. */
static int run_quiet(unsigned long cmd, struct dynamos_req *r)
{
	int fd = open_dev(O_RDWR), ret;

	if (fd < 0)
		return errno;
	r->abi = DYNAMOS_ABI_VERSION;
	ret = ioctl(fd, cmd, r) < 0 ? errno : 0;
	close(fd);
	return ret;
}

static int run(unsigned long cmd, struct dynamos_req *r)
{
	int fd = open_dev(O_RDWR), ret;

	if (fd < 0) {
		printf("error %s: cannot open %s\n", strerror(errno), dev);
		return errno;
	}
	r->abi = DYNAMOS_ABI_VERSION;
	ret = ioctl(fd, cmd, r);
	if (ret < 0) {
		ret = errno;
		printf("error %s: %s\n", strerror(ret), r->error);
	} else {
		printf("ok %lld%s%s\n", (long long)r->result,
		       r->error[0] ? " " : "", r->error);
	}
	close(fd);
	return ret;
}

static void print_tasks(const struct dynamos_req *r, const void *buf)
{
	const struct dynamos_rec_task *t = buf;
	unsigned int i;

	for (i = 0; i < r->count; i++, t++)
		printf("task %d %s %u %s %s\n", t->pid, t->comm, t->version,
		       t->reason == DYNAMOS_TASK_UNRELIABLE ? "unreliable" : t->where,
		       t->module[0] ? t->module : "-");
}

/* run() with a buffer for busy-task records, printed after the result. */
static int run_tasks(unsigned long cmd, struct dynamos_req *r)
{
	struct dynamos_rec_task tasks[DYNAMOS_MAX_TASKS];
	int ret;

	memset(tasks, 0, sizeof(tasks));
	r->address = (unsigned long)tasks;
	r->size = sizeof(tasks);
	ret = run(cmd, r);
	print_tasks(r, tasks);
	return ret;
}

static const char *const hook_names[DYNAMOS_NR_HOOKS] = { "pre_activation",
	"post_activation", "pre_removal", "post_removal", "target_coming",
	"target_going" };

/* One version record as a row of the text table (uapi/dynamos.h). */
static void print_row(const struct dynamos_rec_update *u,
		      const struct dynamos_rec_version *v)
{
	int k, any = 0;

	printf("%s %u %u %s %s %llu %s %s %s ", u->name, u->id, v->number,
	       u->active == v->number ? "yes" : "no",
	       v->state == DYNAMOS_VERSION_LIVE ? "live" : "removing",
	       (unsigned long long)v->calls, v->function, v->module,
	       u->handler[0] ? u->handler : "-");
	for (k = 0; k < DYNAMOS_NR_HOOKS; k++) {
		if (!v->hooks[k][0])
			continue;
		printf("%s%s=%s", any ? "," : "", hook_names[k], v->hooks[k]);
		any = 1;
	}
	printf("%s %d %s %u/%u %s %s\n", any ? "" : "-", u->phase,
	       u->must_update ? "yes" : "no", u->level + 1, u->depth,
	       u->flags & DYNAMOS_UPDATE_TARGET_ABSENT ? "absent" : "loaded",
	       u->flags & DYNAMOS_UPDATE_TARGET_ABSENT ? "-" :
	       u->flags & DYNAMOS_UPDATE_FAST_PATH ? "fast" : "handler");
}

/* LIST into a buffer of @size bytes (0: ask the kernel first); @bad: an unwritable one. */
static int list(unsigned long size, int bad)
{
	const struct dynamos_rec_update *u = NULL;
	const struct dynamos_rec_framework *fw;
	const struct dynamos_rec_head *h;
	struct dynamos_req r;
	char *buf = NULL;
	size_t off;
	int ret;

	memset(&r, 0, sizeof(r));
	if (!size && !bad) {
		/* size 0: ENOSPC says what the table needs now. */
		if (run_quiet(DYNAMOS_IOC_LIST, &r) != ENOSPC) {
			printf("error: a LIST without a buffer did not say its size\n");
			return 1;
		}
		size = r.size;
		memset(&r, 0, sizeof(r));
	}
	if (bad) {
		r.address = 0xffffffff81000000ull;
		r.size = 4096;
	} else {
		buf = calloc(1, size + 1);
		if (!buf)
			return ENOMEM;
		r.address = (unsigned long)buf;
		r.size = size;
	}
	ret = run_quiet(DYNAMOS_IOC_LIST, &r);
	if (ret) {
		printf("error %s: %s\n", strerror(ret), r.error);
		if (ret == ENOSPC)
			printf("needed %u %u\n", r.size, r.count);
		free(buf);
		return ret;
	}
	fw = (const void *)buf;
	printf("dynamos %s abi %u updates %u versions %u\n", fw->version,
	       fw->abi, fw->nr_updates, fw->nr_versions);
	printf("UPDATE ID VERSION ACTIVE STATE CALLS FUNCTION MODULE HANDLER HOOKS PHASE MUST_UPDATE STACK TARGET PATH\n");
	for (off = 0; off < r.size; off += h->size) {
		h = (const void *)(buf + off);
		if (h->kind == DYNAMOS_REC_UPDATE)
			u = (const void *)h;
		else if (h->kind == DYNAMOS_REC_VERSION && u)
			print_row(u, (const void *)h);
	}
	fprintf(stderr, "ok %lld records, %u bytes\n", (long long)r.result, r.size);
	free(buf);
	return 0;
}

static int hook_kind(const char *s)
{
	static const char *const kinds[DYNAMOS_NR_HOOKS] = { "pre-activation",
		"post-activation", "pre-removal", "post-removal", "target-coming",
		"target-going" };
	int i;

	char buf[32];

	snprintf(buf, sizeof(buf), "%s", s);
	for (i = 0; buf[i]; i++)
		if (buf[i] == '_')
			buf[i] = '-';	/* status spells them pre_activation */
	for (i = 0; i < DYNAMOS_NR_HOOKS; i++)
		if (!strcmp(buf, kinds[i]))
			return i + 1;
	return (int)num(s);
}

/* ---- fuzz ---- */

static uint64_t rng_state;
static int verbose;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/*
 * Functions the fuzzer may name.  Every combination must be type-safe when
 * called, because well-formed requests do register, activate and CALL, and
 * tests call the targets while fuzzing: code_syms are int(void) or
 * long(long, long) functions (harmless in any role); handlers dereference
 * their argument, so they are only ever used as handlers.  Core kernel
 * functions that would be accepted as originals or versions are left out
 * (test versions with other prototypes would crash them, and a core
 * function as a version would run instead of a target); __schedule (no
 * ftrace site: refused as an original) is only ever registered under a
 * name of its own, so it never becomes a version.  The sleeping versions
 * (dynamos_target_fn_sleep, _tail, _cold) are left out too: they would
 * block the fuzzer.  The rest are names that must be rejected.
 */
static const char *const code_syms[] = {
	"dynamos_target_fn", "dynamos_target:dynamos_target_fn",
	"dynamos_target_fn_v2", "dynamos_target_fn_v3",
	"dynamos_target_fn_wrap", "dynamos_test_update:dynamos_target_fn_v2",
	"dynamos_test_pre_activation", "dynamos_test_post_activation",
	"dynamos_test_pre_removal", "dynamos_test_post_removal",
	"dynamos_test_pre_activation_fail", "dynamos_test_init",
	"dynamos_test_release",
	"dynamos_stress_fn", "dynamos_stress:dynamos_stress_fn",
	"dynamos_stress_fn_v2", "dynamos_stress_fn_v3",
	"dynamos_stress:dynamos_stress_fn_v4",
	"jiffies", "__schedule", "init_task", "no_such_symbol", "vmlinux:",
	":x", "bogus:dynamos_target_fn", "vmlinux:jiffies", "init_module",
	"dynamos:dyn_cmd_stop", "a:b:c", "",
};
static const char *const handler_syms[] = {
	"dynamos_test_handler_arg", "dynamos_test_handler_pid",
	"dynamos_target_fn_v3", "dynamos_test_init", "nope", "",
	"dynamos_stress_handler", "dynamos_stress:dynamos_stress_handler",
	"dynamos_test_handler_set_active", "dynamos_test_handler_nested",
};
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Fields each command uses, as the kernel checks them (device.c). */
enum { F_NAME = 1, F_ID = 2, F_VERSION = 4, F_SYMBOL = 8, F_ADDRESS = 16,
       F_HOOK = 32, F_TIMEOUT = 64, F_FLAGS = 128, F_STATE = 256,
       F_MEMBERS = 512 };
static const unsigned int cmd_fields[] = {
	0, F_NAME | F_ID | F_SYMBOL | F_ADDRESS,
	F_NAME | F_ID | F_VERSION | F_TIMEOUT,
	F_NAME | F_ID | F_VERSION, F_NAME | F_ID | F_SYMBOL | F_ADDRESS,
	F_NAME | F_ID | F_VERSION | F_SYMBOL | F_ADDRESS | F_HOOK,
	F_SYMBOL, F_TIMEOUT,
	F_NAME | F_FLAGS | F_STATE,			/* STATE */
	F_VERSION | F_ADDRESS | F_MEMBERS,		/* ACTIVATE_GROUP */
	F_NAME | F_ID | F_VERSION | F_TIMEOUT,		/* IN_USE */
	F_ADDRESS,					/* LIST (with size) */
};
#define NR_CMDS N(cmd_fields)

static void rnd_bytes(void *p, size_t n)
{
	unsigned char *c = p;

	while (n--)
		*c++ = rnd();
}

/* What the fuzzer saw; shared between the processes of fuzzp. */
#define FUZZ_ERRNOS 1024
#define FUZZ_REPORTS 5
struct fuzz_stats {
	unsigned long ioctls, ok, fail, unexpected, hook_errors;
	unsigned long by_errno[FUZZ_ERRNOS];
	int open_errno;
};

/*
 * Errnos the ABI documents (uapi/dynamos.h; EAGAIN: a module still
 * initialising), plus ECANCELED (a hook that returned a positive value).  A hook may return any negative errno, so a
 * failure whose message names a hook is expected whatever its errno.
 */
static bool fuzz_errno_expected(int e, const char *msg)
{
	switch (e) {
	case ENOTTY: case EFAULT: case EPERM: case EPROTO: case EINVAL:
	case ENAMETOOLONG: case ENOENT: case ENOTUNIQ: case ENOEXEC:
	case EOPNOTSUPP: case EBUSY: case EEXIST: case ENOSPC: case ECANCELED:
	case EINTR: case EAGAIN:
		return true;
	}
	return msg && strstr(msg, "hook");
}

static void fuzz_run(unsigned long count, unsigned long seed,
		     struct fuzz_stats *st)
{
	static const char *const names[] = { "t", "t", "u", "target", "x y", "" };
	unsigned long i;
	int fd = open(dev, O_RDWR);

	if (fd < 0) {
		st->open_errno = errno;
		perror(dev);
		return;
	}
	rng_state = seed ? seed : 0x9e3779b97f4a7c15ull;
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	for (i = 0; i < count; i++) {
		static struct dynamos_group_member members[DYNAMOS_MAX_GROUP + 1];
		struct dynamos_req r;
		unsigned long cmd;
		void *arg = &r;
		unsigned int kind = rnd() % 100;
		int e;

		memset(&r, 0, sizeof(r));
		cmd = _IOWR(DYNAMOS_IOC_MAGIC, rnd() % (NR_CMDS + 2), struct dynamos_req);
		if (kind < 10) {
			cmd = (unsigned int)rnd();	/* random command */
			rnd_bytes(&r, sizeof(r));
		} else if (kind < 15) {
			/* bad pointers */
			static void *const bad[] = { NULL, (void *)1,
				(void *)0xffffffff81000000ul, (void *)-4096l };
			arg = bad[rnd() % 4];
		} else if (kind < 35) {
			rnd_bytes(&r, sizeof(r));	/* random payload */
			if (rnd() & 1)
				r.abi = DYNAMOS_ABI_VERSION;
		} else {
			/* well-formed, mostly valid for the command */
			unsigned int nr = rnd() % (NR_CMDS + 1);	/* last: unknown */
			unsigned int f = nr < NR_CMDS ? cmd_fields[nr] : 0;

			cmd = _IOWR(DYNAMOS_IOC_MAGIC, nr, struct dynamos_req);
			if (rnd() % 10 == 0)
				f = ~0u;	/* extra fields */
			r.abi = DYNAMOS_ABI_VERSION;
			if (f & F_NAME)
				strcpy(r.name, names[rnd() % N(names)]);
			if (f & F_ID)
				r.id = rnd() % 2;
			if (f & F_VERSION)
				r.version = rnd() % 8 == 0 ? rnd() : rnd() % 5;
			if (f & F_SYMBOL)
				strcpy(r.symbol, nr == 4 ?
				       handler_syms[rnd() % N(handler_syms)] :
				       code_syms[rnd() % N(code_syms)]);
			if (nr == 1 && !strcmp(r.symbol, "__schedule"))
				strcpy(r.name, "notrace");	/* never a version */
			if ((f & F_ADDRESS) && rnd() % 8 == 0)
				r.address = rnd() % 2 ? rnd() :
					    0xffffffff81000000ull;
			if (nr == 11)	/* LIST: mostly too small or unwritable */
				r.size = rnd() % 4 == 0 ? rnd() : rnd() % 100000;
			if (f & F_HOOK)
				r.hook = rnd() % 6;
			if (f & F_TIMEOUT)
				r.timeout_ms = rnd() % 8 == 0 ? rnd() :
					       rnd() % 50;
			if (f & F_FLAGS)
				r.flags = rnd() % 5;
			if (f & F_STATE) {
				r.phase = rnd() % 4 == 0 ? (int)rnd() : (int)(rnd() % 3);
				r.must_update = rnd() % 4 == 0 ? rnd() : rnd() % 2;
			}
			if ((f & F_MEMBERS) && rnd() % 2) {
				/* a real array, with names of mixed validity */
				unsigned int k;

				memset(members, 0, sizeof(members));
				for (k = 0; k < N(members); k++) {
					if (rnd() % 8)
						strcpy(members[k].name, names[rnd() % N(names)]);
					else
						memset(members[k].name, 'B', sizeof(members[k].name));
					members[k].id = rnd() % 2;
					members[k].version = rnd() % 4;
				}
				r.address = (unsigned long)members;
				r.version = rnd() % 8 == 0 ? rnd() : rnd() % (N(members) + 2);
			}
			if (rnd() % 30 == 0)
				r.flags = rnd();
			if (rnd() % 30 == 0)
				r.reserved[rnd() % sizeof(r.reserved)] = 1;
			if (rnd() % 30 == 0)
				memset(r.symbol, 'A', sizeof(r.symbol));
			if (rnd() % 30 == 0)
				r.abi = rnd();
		}
		st->ioctls++;
		if (ioctl(fd, cmd, arg) < 0) {
			const char *msg = arg == &r ? r.error : NULL;

			e = errno;
			st->fail++;
			st->by_errno[e > 0 && e < FUZZ_ERRNOS ? e : 0]++;
			if (!fuzz_errno_expected(e, msg)) {
				if (st->unexpected < FUZZ_REPORTS)
					printf("fuzz: unexpected errno %d (%s) from command %lu: %.*s\n",
					       e, strerror(e),
					       (unsigned long)_IOC_NR(cmd),
					       DYNAMOS_ERROR_LEN,
					       msg ? msg : "(no request)");
				st->unexpected++;
			} else if (msg && strstr(msg, "hook")) {
				st->hook_errors++;
			}
		} else {
			st->ok++;
		}
		if (verbose && arg == &r)
			printf("%lu: nr %lu -> %s\n", i, (unsigned long)_IOC_NR(cmd),
			       r.error);
	}
	close(fd);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* "ENOENT=12 EINVAL=345 ..." for the errnos seen */
static void fuzz_print_errnos(const char *prefix, const struct fuzz_stats *st)
{
	int e;

	printf("%s errnos:", prefix);
	for (e = 0; e < FUZZ_ERRNOS; e++)
		if (st->by_errno[e])
			printf(" %d=%lu", e, st->by_errno[e]);
	printf("\n");
}

static int fuzz(unsigned long count, unsigned long seed)
{
	struct fuzz_stats *st = calloc(1, sizeof(*st));

	if (!st) {
		perror("fuzz");
		return ENOMEM;
	}
	fuzz_run(count, seed, st);
	if (st->open_errno) {
		int e = st->open_errno;

		free(st);
		return e;
	}
	printf("fuzz: %lu ioctls, %lu succeeded, %lu failed, %lu unexpected\n",
	       count, st->ok, st->fail, st->unexpected);
	free(st);
	return 0;
}

/* COUNT ioctls from PROCS processes at once, each with its own seed. */
static int fuzzp(unsigned long procs, unsigned long count, unsigned long seed)
{
	struct fuzz_stats *st, total;
	unsigned long p, i;
	int status, bad = 0, keep;
	double t0;
	pid_t pid;

	if (procs < 1 || procs > 64) {
		fprintf(stderr, "fuzzp: 1..64 processes\n");
		return 2;
	}
	st = mmap(NULL, procs * sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED) {
		perror("fuzzp: mmap");
		return errno;
	}
	memset(st, 0, procs * sizeof(*st));
	/*
	 * Hold the device open until every child is done and the summary is
	 * printed: until then "rmmod dynamos" must fail (tests try it).
	 */
	keep = open(dev, O_RDWR);
	if (keep < 0) {
		perror(dev);
		munmap(st, procs * sizeof(*st));
		return errno;
	}
	fflush(stdout);
	t0 = now_s();
	for (p = 0; p < procs; p++) {
		pid = fork();
		if (pid < 0) {
			perror("fuzzp: fork");
			bad++;
			break;
		}
		if (pid == 0) {
			/* the first process takes the remainder */
			fuzz_run(count / procs + (p ? 0 : count % procs),
				 seed + p, &st[p]);
			fflush(stdout);
			_exit(st[p].open_errno ? 1 : 0);
		}
	}
	while ((pid = wait(&status)) > 0) {
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			printf("fuzzp: process %d %s %d\n", pid,
			       WIFEXITED(status) ? "exited with" : "killed by signal",
			       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
			bad++;
		}
	}
	t0 = now_s() - t0;
	memset(&total, 0, sizeof(total));
	for (p = 0; p < procs; p++) {
		total.ioctls += st[p].ioctls;
		total.ok += st[p].ok;
		total.fail += st[p].fail;
		total.unexpected += st[p].unexpected;
		total.hook_errors += st[p].hook_errors;
		for (i = 0; i < FUZZ_ERRNOS; i++)
			total.by_errno[i] += st[p].by_errno[i];
	}
	printf("fuzzp: procs=%lu ioctls=%lu ok=%lu failed=%lu unexpected=%lu hook_errors=%lu dead=%d seconds=%.1f ioctls_per_s=%.0f\n",
	       procs, total.ioctls, total.ok, total.fail, total.unexpected,
	       total.hook_errors, bad, t0, t0 > 0 ? total.ioctls / t0 : 0);
	fuzz_print_errnos("fuzzp:", &total);
	/* The summary is out before the device is let go (see above). */
	fflush(stdout);
	close(keep);
	munmap(st, procs * sizeof(*st));
	return bad ? 1 : total.unexpected ? 3 : 0;
}

/* ---- switch ---- */

/*
 * One process switching the stress update (src/test/kmod/stress) while
 * others call dynamos_stress_fn: activate a random live version, set or
 * clear the handler, register or deregister a version.  Stress version s
 * (1 = the original dynamos_stress_fn, 2..4 = dynamos_stress_fn_vS) has
 * framework version number num[s] (0: not registered); numbers are handed
 * out by the framework (highest in use + 1), so they drift.  Before a
 * version is registered the stress module is told "live S", after it is
 * deregistered "removed S": a call that runs in it afterwards is a ghost.
 * Once a version >= 2 is registered, one always stays (sw_pick_removable()).
 */
#define SW_VERSIONS 4
#define SW_CHECK_EVERY 1000
static const char *sw_name = "stress";
static const unsigned int sw_id = 1;
static const char *sw_proc = "/proc/dynamos_stress";

struct sw_model {
	int num[SW_VERSIONS + 1];
	int active;		/* framework number */
	bool handler;
};

enum { SW_ACTIVATE, SW_HANDLER_SET, SW_HANDLER_CLEAR, SW_REGISTER,
       SW_DEREGISTER, SW_NR_OPS };
static const char *const sw_op_names[SW_NR_OPS] = {
	"activate", "handler_set", "handler_clear", "register", "deregister",
};

struct sw_stats {
	unsigned long done[SW_NR_OPS];
	double max_ms[SW_NR_OPS], total_ms[SW_NR_OPS];
	unsigned long attempts[SW_NR_OPS];
	unsigned long refused_active, refused_full, refused_timeout;
	unsigned long deregister_active;
	unsigned long checks, unexpected;
};

/* Stress version of a function name, 0 if not one of ours. */
static int sw_stress_version(const char *func)
{
	int s;

	if (!strcmp(func, "dynamos_stress_fn"))
		return 1;
	if (sscanf(func, "dynamos_stress_fn_v%d", &s) == 1 && s >= 2 &&
	    s <= SW_VERSIONS)
		return s;
	return 0;
}

/*
 * The framework's view of stress/1 from the status text.  Returns 0, or -1
 * when the status cannot be read or holds something the model cannot.
 */
static int sw_read_table(struct sw_model *m)
{
	static char buf[1 << 16];
	char *line, *save;
	ssize_t n, len = 0;
	int fd = open(dev, O_RDONLY);

	memset(m, 0, sizeof(*m));
	if (fd < 0) {
		printf("switch: cannot open %s: %s\n", dev, strerror(errno));
		return -1;
	}
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	if (n < 0) {
		printf("switch: cannot read %s: %s\n", dev, strerror(errno));
		return -1;
	}
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[DYNAMOS_NAME_LEN], act[8], state[16];
		char func[DYNAMOS_SYMBOL_LEN], mod[64], handler[DYNAMOS_SYMBOL_LEN];
		unsigned long long calls;
		unsigned int id, v;
		int s;

		if (sscanf(line, "%63s %u %u %7s %15s %llu %127s %63s %127s",
			   name, &id, &v, act, state, &calls, func, mod,
			   handler) != 9)
			continue;	/* the two header lines */
		if (strcmp(name, sw_name) || id != sw_id)
			continue;
		s = sw_stress_version(func);
		if (!s || v < 1 || v > DYNAMOS_MAX_VERSIONS || m->num[s]) {
			printf("switch: unexpected row: %s\n", line);
			return -1;
		}
		m->num[s] = v;
		if (!strcmp(act, "yes")) {
			if (m->active) {
				printf("switch: two active versions: %s\n", line);
				return -1;
			}
			m->active = v;
		}
		m->handler = strcmp(handler, "-") != 0;
	}
	return 0;
}

/* Compare the model with the framework's table; 0 if they agree. */
static int sw_check(const struct sw_model *want, struct sw_stats *st)
{
	struct sw_model got;
	int s, bad = 0;

	st->checks++;
	if (sw_read_table(&got))
		return -1;
	for (s = 1; s <= SW_VERSIONS; s++)
		bad |= got.num[s] != want->num[s];
	bad |= got.active != want->active || got.handler != want->handler;
	if (bad) {
		printf("switch: table differs from the model: versions");
		for (s = 1; s <= SW_VERSIONS; s++)
			printf(" %d:%d/%d", s, got.num[s], want->num[s]);
		printf(" active %d/%d handler %d/%d (table/model)\n",
		       got.active, want->active, got.handler, want->handler);
		return -1;
	}
	return 0;
}

/* Tells the stress module "live S" or "removed S". */
static int sw_mark(const char *what, int s)
{
	char buf[32];
	int fd = open(sw_proc, O_WRONLY), len, ret = 0;

	if (fd < 0) {
		printf("switch: cannot open %s: %s\n", sw_proc, strerror(errno));
		return -1;
	}
	len = snprintf(buf, sizeof(buf), "%s %d\n", what, s);
	if (write(fd, buf, len) != len) {
		printf("switch: writing '%s %d' to %s: %s\n", what, s, sw_proc,
		       strerror(errno));
		ret = -1;
	}
	if (close(fd)) {
		printf("switch: closing %s: %s\n", sw_proc, strerror(errno));
		ret = -1;
	}
	return ret;
}

/* One request on stress/1; 0 or the errno (message in r->error). */
static int sw_ioctl(int fd, unsigned long cmd, struct dynamos_req *r,
		    int op, struct sw_stats *st)
{
	double t = now_s(), ms;
	int ret;

	r->abi = DYNAMOS_ABI_VERSION;
	strcpy(r->name, sw_name);
	r->id = sw_id;
	ret = ioctl(fd, cmd, r) < 0 ? errno : 0;
	ms = (now_s() - t) * 1e3;
	st->attempts[op]++;
	st->total_ms[op] += ms;
	if (ms > st->max_ms[op])
		st->max_ms[op] = ms;
	return ret;
}

static void sw_unexpected(struct sw_stats *st, const char *what, int err,
			  const struct dynamos_req *r)
{
	st->unexpected++;
	printf("switch: unexpected: %s: %s: %.*s\n", what,
	       err ? strerror(err) : "succeeded", DYNAMOS_ERROR_LEN, r->error);
}

/* A random stress version 2..4 that is (@registered) or is not registered. */
static int sw_pick(const struct sw_model *m, bool registered)
{
	int cand[SW_VERSIONS], n = 0, s;

	for (s = 2; s <= SW_VERSIONS; s++)
		if (!!m->num[s] == registered)
			cand[n++] = s;
	return n ? cand[rnd() % n] : 0;
}

/*
 * A random stress version 2..4 to deregister, 0 if none may go.  One always
 * stays: removing a module's last version makes the framework check the
 * module's whole text, and the stress module's callers (stress_write) are
 * always in it.  Version numbers are handed out as highest + 1 up to 32,
 * so the lowest-numbered one stays while the highest is 20 or more: the
 * numbers then come down again when the high ones go (otherwise a lone
 * version numbered 32 would leave no number to register another one).
 */
static int sw_pick_removable(const struct sw_model *m)
{
	int cand[SW_VERSIONS], n = 0, s, low = 0, high = 0;

	for (s = 2; s <= SW_VERSIONS; s++) {
		if (!m->num[s])
			continue;
		if (!low || m->num[s] < m->num[low])
			low = s;
		if (!high || m->num[s] > m->num[high])
			high = s;
		cand[n++] = s;
	}
	if (n < 2)
		return 0;
	if (m->num[high] >= 20) {
		for (s = 0; cand[s] != low; s++)
			;
		cand[s] = cand[--n];
	}
	return cand[rnd() % n];
}

static int sw_step(int fd, struct sw_model *m, struct sw_stats *st)
{
	unsigned int r = rnd() % 100;
	struct dynamos_req req;
	char what[DYNAMOS_SYMBOL_LEN + 64];
	int s, n, err;

	memset(&req, 0, sizeof(req));
	if (r < 30) {
		int cand[SW_VERSIONS];

		n = 0;
		for (s = 1; s <= SW_VERSIONS; s++)
			if (m->num[s])
				cand[n++] = s;
		s = cand[rnd() % n];
		req.version = m->num[s];
		err = sw_ioctl(fd, DYNAMOS_IOC_ACTIVATE, &req, SW_ACTIVATE, st);
		snprintf(what, sizeof(what), "activate %d (stress version %d)",
			 m->num[s], s);
		if (err) {
			sw_unexpected(st, what, err, &req);
			return -1;
		}
		m->active = m->num[s];
		st->done[SW_ACTIVATE]++;
		return 0;
	}
	if (r < 50) {
		bool set = r < 40;
		int op = set ? SW_HANDLER_SET : SW_HANDLER_CLEAR;

		if (set)
			strcpy(req.symbol, "dynamos_stress_handler");
		err = sw_ioctl(fd, DYNAMOS_IOC_SET_HANDLER, &req, op, st);
		if (err) {
			sw_unexpected(st, sw_op_names[op], err, &req);
			return -1;
		}
		m->handler = set;
		st->done[op]++;
		return 0;
	}
	s = r >= 75 ? sw_pick_removable(m) : 0;
	if (!s)
		s = sw_pick(m, false);
	if (!s)
		s = sw_pick_removable(m);	/* all registered */
	if (!m->num[s]) {
		if (sw_mark("live", s))
			goto fail_mark;
		snprintf(req.symbol, sizeof(req.symbol),
			 "dynamos_stress_fn_v%d", s);
		err = sw_ioctl(fd, DYNAMOS_IOC_REGISTER, &req, SW_REGISTER, st);
		if (err) {
			if (sw_mark("removed", s))
				goto fail_mark;
			if (err == ENOSPC) {
				st->refused_full++;	/* numbers drifted to 32 */
				return 0;
			}
			snprintf(what, sizeof(what), "register %s", req.symbol);
			sw_unexpected(st, what, err, &req);
			return -1;
		}
		m->num[s] = req.result;
		st->done[SW_REGISTER]++;
		return 0;
	}
	req.version = m->num[s];
	req.timeout_ms = getenv("SWITCH_TIMEOUT_MS") ?
			 atoi(getenv("SWITCH_TIMEOUT_MS")) : 2000;
	err = sw_ioctl(fd, DYNAMOS_IOC_DEREGISTER, &req, SW_DEREGISTER, st);
	if (err == EBUSY && m->num[s] == m->active) {
		st->refused_active++;	/* activate another version first */
		return 0;
	}
	if (err == EBUSY && strstr(req.error, "did not reach it")) {
		/*
		 * The callers never block, so an RCU-tasks grace period may
		 * outlast the timeout: the framework cannot tell whether a
		 * task sent to the version has reached it.  A refusal that
		 * changes nothing; counted, the first one shown.
		 */
		if (!st->refused_timeout++)
			printf("switch: refused (timeout): %.*s\n",
			       DYNAMOS_ERROR_LEN, req.error);
		return 0;
	}
	if (err) {
		snprintf(what, sizeof(what), "deregister %d (stress version %d%s)",
			 m->num[s], s, m->num[s] == m->active ? ", active" : "");
		sw_unexpected(st, what, err, &req);
		return -1;
	}
	if (m->num[s] == m->active) {
		/* Older framework: removing the active version activates 1. */
		st->deregister_active++;
		m->active = 1;
	}
	m->num[s] = 0;
	st->done[SW_DEREGISTER]++;
	if (sw_mark("removed", s))
		goto fail_mark;
	return 0;

fail_mark:
	st->unexpected++;
	return -1;
}

static int sw_switch(unsigned long count, unsigned long seed)
{
	struct sw_model m;
	struct sw_stats st;
	unsigned long i;
	double t0;
	int fd, op;

	memset(&st, 0, sizeof(st));
	rng_state = seed ? seed : 0x9e3779b97f4a7c15ull;
	if (sw_read_table(&m))
		return 1;
	if (!m.num[1] || !m.active) {
		printf("switch: no update %s/%u with dynamos_stress_fn as version 1; register it first\n",
		       sw_name, sw_id);
		return 1;
	}
	fd = open(dev, O_RDWR);
	if (fd < 0) {
		printf("switch: cannot open %s: %s\n", dev, strerror(errno));
		return errno;
	}
	t0 = now_s();
	for (i = 0; i < count; i++) {
		if (sw_step(fd, &m, &st) && sw_read_table(&m))
			break;	/* resynchronised with the table after a surprise */
		if ((i + 1) % SW_CHECK_EVERY == 0 && sw_check(&m, &st)) {
			st.unexpected++;
			if (sw_read_table(&m))
				break;
		}
	}
	if (sw_check(&m, &st))
		st.unexpected++;
	t0 = now_s() - t0;
	close(fd);
	printf("switch: ops=%lu", i);
	for (op = 0; op < SW_NR_OPS; op++)
		printf(" %s=%lu", sw_op_names[op], st.done[op]);
	printf(" refused_active=%lu refused_full=%lu refused_timeout=%lu deregister_active=%lu checks=%lu unexpected=%lu seconds=%.1f ops_per_s=%.1f\n",
	       st.refused_active, st.refused_full, st.refused_timeout,
	       st.deregister_active,
	       st.checks, st.unexpected, t0, t0 > 0 ? i / t0 : 0);
	printf("switch: latency_ms");
	for (op = 0; op < SW_NR_OPS; op++)
		printf(" %s_avg=%.2f %s_max=%.1f", sw_op_names[op],
		       st.attempts[op] ? st.total_ms[op] / st.attempts[op] : 0,
		       sw_op_names[op], st.max_ms[op]);
	printf("\n");
	return i < count ? 1 : st.unexpected ? 3 : 0;
}

int main(int argc, char **argv)
{
	struct dynamos_req r;
	const char *c;

	if (argc < 2)
		usage();
	if (getenv("DYNAMOS_DEV"))
		dev = getenv("DYNAMOS_DEV");
	memset(&r, 0, sizeof(r));
	c = argv[1];

	if (!strcmp(c, "version") && argc == 2)
		return run(DYNAMOS_IOC_VERSION, &r);
	if (!strcmp(c, "status") && argc == 2) {
		char buf[4096];
		ssize_t n;
		int fd = open_dev(O_RDONLY);

		if (fd < 0) {
			printf("error %s: cannot open %s\n", strerror(errno), dev);
			return errno;
		}
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, n, stdout);
		close(fd);
		return n < 0 ? errno : 0;
	}
	if (!strcmp(c, "register") && (argc == 5 || argc == 6)) {
		set_str(r.name, sizeof(r.name), argv[2]);
		r.id = num(argv[3]);
		set_str(r.symbol, sizeof(r.symbol), argv[4]);
		if (argc == 6)
			r.address = num(argv[5]);
		return run(DYNAMOS_IOC_REGISTER, &r);
	}
	if (!strcmp(c, "deregister") && (argc == 5 || argc == 6)) {
		set_str(r.name, sizeof(r.name), argv[2]);
		r.id = num(argv[3]);
		r.version = num(argv[4]);
		if (argc == 6)
			r.timeout_ms = num(argv[5]);
		return run_tasks(DYNAMOS_IOC_DEREGISTER, &r);
	}
	if (!strcmp(c, "activate") && argc == 5) {
		set_str(r.name, sizeof(r.name), argv[2]);
		r.id = num(argv[3]);
		r.version = num(argv[4]);
		return run(DYNAMOS_IOC_ACTIVATE, &r);
	}
	if (!strcmp(c, "group") && argc >= 5 && (argc - 2) % 3 == 0 &&
	    (argc - 2) / 3 <= DYNAMOS_MAX_GROUP) {
		static struct dynamos_group_member m[DYNAMOS_MAX_GROUP];
		int i, n = (argc - 2) / 3;

		for (i = 0; i < n; i++) {
			set_str(m[i].name, sizeof(m[i].name), argv[2 + 3 * i]);
			m[i].id = num(argv[3 + 3 * i]);
			m[i].version = num(argv[4 + 3 * i]);
		}
		r.version = n;
		r.address = (uintptr_t)m;
		return run(DYNAMOS_IOC_ACTIVATE_GROUP, &r);
	}
	/*
	 * monitor: starts a monitor and holds its file open until a signal
	 * ends this process (then the kernel stops it).  A cheap owner for
	 * benchmarks, where a JVM would run beside the measured loop.
	 */
	if (!strcmp(c, "monitor") && (argc == 3 || argc == 4)) {
		int fd = open_dev(O_RDWR);

		if (fd < 0) {
			printf("error %s: cannot open %s\n", strerror(errno), dev);
			return 1;
		}
		set_str(r.symbol, sizeof(r.symbol), argv[2]);
		if (argc == 4 && !strcmp(argv[3], "by-caller"))
			r.flags = DYNAMOS_MONITOR_BY_CALLER;
		r.abi = DYNAMOS_ABI_VERSION;
		if (ioctl(fd, DYNAMOS_IOC_MONITOR_START, &r) < 0) {
			printf("error %s: %s\n", strerror(errno), r.error);
			return 1;
		}
		printf("ok %lld\n", (long long)r.result);
		fflush(stdout);
		for (;;)
			pause();
	}
	/*
	 * sigdfl: runs CMD with SIGINT and SIGQUIT back to their defaults (a
	 * shell without job control starts background commands with them
	 * ignored, and a JVM never catches an ignored SIGINT).
	 */
	if (!strcmp(c, "sigdfl") && argc >= 3) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		execvp(argv[2], argv + 2);
		printf("error %s: cannot run %s\n", strerror(errno), argv[2]);
		return 127;
	}
	if (!strcmp(c, "rule") && argc == 5) {
		set_str(r.name, sizeof(r.name), argv[2]);
		r.id = num(argv[3]);
		set_code(&r, argv[4]);
		return run(DYNAMOS_IOC_SET_HANDLER, &r);
	}
	if (!strcmp(c, "hook") && argc == 7) {
		r.hook = hook_kind(argv[2]);
		set_str(r.name, sizeof(r.name), argv[3]);
		r.id = num(argv[4]);
		r.version = num(argv[5]);
		set_code(&r, argv[6]);
		return run(DYNAMOS_IOC_SET_HOOK, &r);
	}
	if (!strcmp(c, "call") && argc == 3) {
		set_str(r.symbol, sizeof(r.symbol), argv[2]);
		return run(DYNAMOS_IOC_CALL, &r);
	}
	if (!strcmp(c, "in-use") && (argc == 5 || argc == 6)) {
		set_str(r.name, sizeof(r.name), argv[2]);
		r.id = num(argv[3]);
		r.version = num(argv[4]);
		if (argc == 6)
			r.timeout_ms = num(argv[5]);
		return run_tasks(DYNAMOS_IOC_IN_USE, &r);
	}
	if (!strcmp(c, "list") && argc <= 3) {
		if (argc == 3 && !strcmp(argv[2], "bad"))
			return list(0, 1);
		return list(argc == 3 ? num(argv[2]) : 0, 0);
	}
	if (!strcmp(c, "stop") && argc <= 3) {
		if (argc == 3)
			r.timeout_ms = num(argv[2]);
		return run(DYNAMOS_IOC_STOP, &r);
	}
	if (!strcmp(c, "fuzz") && (argc == 3 || argc == 4))
		return fuzz(num(argv[2]), argc == 4 ? num(argv[3]) : 0);
	if (!strcmp(c, "fuzzp") && (argc == 4 || argc == 5))
		return fuzzp(num(argv[2]), num(argv[3]),
			     argc == 5 ? num(argv[4]) : 1);
	if (!strcmp(c, "switch") && (argc == 3 || argc == 4))
		return sw_switch(num(argv[2]), argc == 4 ? num(argv[3]) : 0);
	usage();
	return 2;
}
