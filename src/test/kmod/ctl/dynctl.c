// SPDX-License-Identifier: GPL-2.0
/*
 * dynctl: minimal command-line client of /dev/dynamos for tests.
 *
 *   dynctl version
 *   dynctl status
 *   dynctl register NAME ID SYMBOL
 *   dynctl deregister NAME ID VERSION [TIMEOUT_MS]
 *   dynctl activate NAME ID VERSION
 *   dynctl rule NAME ID SYMBOL|0xADDR|0
 *   dynctl hook KIND NAME ID VERSION SYMBOL|0xADDR|0
 *        KIND: pre-activation|post-activation|pre-removal|post-removal|1..4
 *   dynctl call SYMBOL
 *   dynctl stop [TIMEOUT_MS]
 *   dynctl fuzz N [SEED]
 *
 * DYNAMOS_DEV names another device node; DYNAMOS_FD=n uses inherited fd n.
 * Prints "ok <result>" or "error <errno-name>: <message>"; the exit status
 * is 0 or the errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../../../../kernel/include/uapi/dynamos.h"

static const char *dev = "/dev/dynamos";

static void usage(void)
{
	fprintf(stderr,
		"usage: dynctl version|status|register N ID SYM|deregister N ID V [MS]|\n"
		"       activate N ID V|rule N ID SYM|hook KIND N ID V SYM|call SYM|\n"
		"       stop [MS]|fuzz COUNT [SEED]\n");
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

static int hook_kind(const char *s)
{
	static const char *const kinds[] = { "pre-activation",
		"post-activation", "pre-removal", "post-removal" };
	int i;

	char buf[32];

	snprintf(buf, sizeof(buf), "%s", s);
	for (i = 0; buf[i]; i++)
		if (buf[i] == '_')
			buf[i] = '-';	/* status spells them pre_activation */
	for (i = 0; i < 4; i++)
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
 * called, because well-formed requests do register, activate and CALL:
 * code_syms are int(void) or long(long, long) functions (harmless in any
 * role); handlers dereference their argument, so they are only ever used
 * as handlers.  Core kernel functions that would be accepted as originals
 * are left out (test versions with other prototypes would crash them), as
 * is dynamos_target_fn_sleep (it would block the fuzzer).  The rest are
 * names that must be rejected.
 */
static const char *const code_syms[] = {
	"dynamos_target_fn", "dynamos_target:dynamos_target_fn",
	"dynamos_target_fn_v2", "dynamos_target_fn_v3",
	"dynamos_target_fn_wrap", "dynamos_test_update:dynamos_target_fn_v2",
	"dynamos_test_pre_activation", "dynamos_test_post_activation",
	"dynamos_test_pre_removal", "dynamos_test_post_removal",
	"dynamos_test_pre_activation_fail", "dynamos_test_init",
	"dynamos_test_release",
	"jiffies", "__schedule", "init_task", "no_such_symbol", "vmlinux:",
	":x", "bogus:dynamos_target_fn", "vmlinux:jiffies", "init_module",
	"dynamos:dyn_cmd_stop", "a:b:c", "",
};
static const char *const handler_syms[] = {
	"dynamos_test_handler_arg", "dynamos_test_handler_pid",
	"dynamos_target_fn_v3", "dynamos_test_init", "nope", "",
};
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Fields each command uses, as the kernel checks them (device.c). */
enum { F_NAME = 1, F_ID = 2, F_VERSION = 4, F_SYMBOL = 8, F_ADDRESS = 16,
       F_HOOK = 32, F_TIMEOUT = 64, F_FLAGS = 128, F_STATE = 256,
       F_MEMBERS = 512 };
static const unsigned int cmd_fields[] = {
	0, F_NAME | F_ID | F_SYMBOL, F_NAME | F_ID | F_VERSION | F_TIMEOUT,
	F_NAME | F_ID | F_VERSION, F_NAME | F_ID | F_SYMBOL | F_ADDRESS,
	F_NAME | F_ID | F_VERSION | F_SYMBOL | F_ADDRESS | F_HOOK,
	F_SYMBOL, F_TIMEOUT,
	F_NAME | F_FLAGS | F_STATE,			/* STATE */
	F_VERSION | F_ADDRESS | F_MEMBERS,		/* ACTIVATE_GROUP */
	F_NAME | F_ID | F_VERSION | F_TIMEOUT,		/* IN_USE */
};
#define NR_CMDS N(cmd_fields)

static void rnd_bytes(void *p, size_t n)
{
	unsigned char *c = p;

	while (n--)
		*c++ = rnd();
}

static int fuzz(unsigned long count, unsigned long seed)
{
	static const char *const names[] = { "t", "t", "u", "target", "x y", "" };
	unsigned long i, ok = 0, fail = 0;
	int fd = open(dev, O_RDWR);

	if (fd < 0) {
		perror(dev);
		return errno;
	}
	rng_state = seed ? seed : 0x9e3779b97f4a7c15ull;
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	for (i = 0; i < count; i++) {
		static struct dynamos_group_member members[DYNAMOS_MAX_GROUP + 1];
		struct dynamos_req r;
		unsigned long cmd;
		void *arg = &r;
		unsigned int kind = rnd() % 100;

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
			if ((f & F_ADDRESS) && rnd() % 8 == 0)
				r.address = rnd() % 2 ? rnd() :
					    0xffffffff81000000ull;
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
		if (ioctl(fd, cmd, arg) < 0)
			fail++;
		else
			ok++;
		if (verbose && arg == &r)
			printf("%lu: nr %lu -> %s\n", i, (unsigned long)_IOC_NR(cmd),
			       r.error);
	}
	close(fd);
	printf("fuzz: %lu ioctls, %lu succeeded, %lu failed\n", count, ok,
	       fail);
	return 0;
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
	if (!strcmp(c, "register") && argc == 5) {
		set_str(r.name, sizeof(r.name), argv[2]);
		r.id = num(argv[3]);
		set_str(r.symbol, sizeof(r.symbol), argv[4]);
		return run(DYNAMOS_IOC_REGISTER, &r);
	}
	if (!strcmp(c, "deregister") && (argc == 5 || argc == 6)) {
		set_str(r.name, sizeof(r.name), argv[2]);
		r.id = num(argv[3]);
		r.version = num(argv[4]);
		if (argc == 6)
			r.timeout_ms = num(argv[5]);
		return run(DYNAMOS_IOC_DEREGISTER, &r);
	}
	if (!strcmp(c, "activate") && argc == 5) {
		set_str(r.name, sizeof(r.name), argv[2]);
		r.id = num(argv[3]);
		r.version = num(argv[4]);
		return run(DYNAMOS_IOC_ACTIVATE, &r);
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
	if (!strcmp(c, "stop") && argc <= 3) {
		if (argc == 3)
			r.timeout_ms = num(argv[2]);
		return run(DYNAMOS_IOC_STOP, &r);
	}
	if (!strcmp(c, "fuzz") && (argc == 3 || argc == 4))
		return fuzz(num(argv[2]), argc == 4 ? num(argv[3]) : 0);
	usage();
	return 2;
}
