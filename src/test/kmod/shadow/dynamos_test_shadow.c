// SPDX-License-Identifier: GPL-2.0
/*
 * Test of the DynAMOS shadow data API (dynamos_shadow_*, and the
 * dynreplace_access_* compatibility names), driven from userspace.
 *
 * /proc/dynamos_test_shadow (0600), one command per write:
 *   create N    give objects 0..N-1 of the pool a shadow (those that have
 *               one must fail with -EEXIST)
 *   find        check every pool object: shadow iff it should have one,
 *               with the right contents
 *   remove N    remove the shadows of objects 0..N-1 (-ENOENT if none)
 *   cleanup     dynamos_shadow_cleanup(): must free exactly the shadows
 *               present; then the table is initialised again
 *   errors      argument, context and double-init errors
 *   contexts    find from hardirq (irq_work), create/find/remove from
 *               softirq (timer) and under the table lock
 *   compat      the dynreplace_access_* names
 *   stress N    N objects, STRESS_THREADS kthreads racing on them, with a
 *               reader kthread, a hardirq (hrtimer) reader and a softirq
 *               (hrtimer) creator/remover running throughout
 *   setver I V  give object I a shadow whose "version" field is V (the
 *               adaptation handler below sends calls with a == I there)
 *   reset       zero the counters
 * The framework-wide namespace (dynamos_shadow_get/alloc/..., keyed by
 * <object, id>), with a constructor and destructor that count their calls:
 *   global      every rule of <dynamos.h> once: get on nothing, alloc/get,
 *               alloc of an existing key, get_or_alloc, distinct keys, ctor
 *               failure, ctor calling back, free/free_all and their dtors,
 *               count, IRQs off, under spinlocks, hardirq, softirq
 *   race N      STRESS_THREADS kthreads get_or_alloc the same N objects x 2
 *               ids (one shadow per key, one ctor per shadow), then add and
 *               free at random with a softirq doing both, a hardirq getting
 *               throughout; ctors = dtors at the end
 *   keep N      give N fixed addresses (in init_task) a shadow of GID_KEEP,
 *               to be left there when this module is unloaded
 *   adopt N     (after a reload) find those N shadows, intact, and free_all
 *               them: N dtors
 * read: "count=<shadows in table> have=<expected> failures=<n> ops=<n>
 *        hardirq_finds=<n> softirq_ops=<n> stress_ns=<t> cleaned=<n>
 *        handler_finds=<n> handler_hits=<n> gctor=<ctor calls>
 *        gdtor=<dtor calls> kept=<shadows of GID_KEEP> hardirq_gets=<n>"
 *       and, if something failed, "first_failure: <what>" on a second line.
 * A write returns -EINVAL for an unknown command; test failures do not
 * fail the write, they are counted.
 *
 * dynamos_test_shadow_handler is an adaptation handler for a function whose
 * first argument is an index into the pool (dynamos_target_fn(a, b)): it
 * runs the version stored in object a's shadow, so the shadow lookup runs
 * in the ftrace callback.  dynamos_test_shadow_target_v2 is a version 2 of
 * dynamos_target_fn for it to choose (returns a + b + 1000).
 */
#define pr_fmt(fmt) "dynamos_test_shadow: " fmt

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/hardirq.h>
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <dynamos.h>
#include <dynreplace_access.h>

#define POOL_SIZE	(1 << 18)	/* objects per pool */
#define STRESS_THREADS	4
#define SOFT_KEYS	64

/* What update code would add to an object. */
struct ext {
	u64 magic;		/* MAGIC(index), set right after create */
	u32 index;
	u32 hits;		/* under the table lock */
	u32 version;		/* for the adaptation handler */
};

#define MAGIC(i)	(0x5348414400000000ULL | (u32)(i))

static struct dynamos_shadow_table tbl;
/* Never initialised: every call must behave as on an empty table. */
static struct dynamos_shadow_table tbl_uninit;
static dynreplace_access_t tbl_compat;

/* Objects: the shadows are keyed by these addresses. */
static u64 *pool;		/* single-threaded commands */
static u64 *spool;		/* stress */
static u64 soft_keys[SOFT_KEYS];	/* softirq creator */
static unsigned long *have;	/* pool objects that should have a shadow */

/* Serialises commands; protects have, cleaned, stress_ns. */
static DEFINE_MUTEX(cmd_lock);
static unsigned long cleaned;
static u64 stress_ns;

static atomic_long_t failures = ATOMIC_LONG_INIT(0);
static atomic_long_t ops = ATOMIC_LONG_INIT(0);
static atomic_long_t hardirq_finds = ATOMIC_LONG_INIT(0);
static atomic_long_t softirq_ops = ATOMIC_LONG_INIT(0);
static atomic_long_t handler_finds = ATOMIC_LONG_INIT(0);
static atomic_long_t handler_hits = ATOMIC_LONG_INIT(0);

/* First failure message; fail_lock (any context) protects it. */
static DEFINE_SPINLOCK(fail_lock);
static char first_failure[160];

static __printf(1, 2) void fail(const char *fmt, ...)
{
	unsigned long flags;
	va_list args;

	if (atomic_long_inc_return(&failures) > 1)
		return;
	spin_lock_irqsave(&fail_lock, flags);
	va_start(args, fmt);
	vsnprintf(first_failure, sizeof(first_failure), fmt, args);
	va_end(args);
	spin_unlock_irqrestore(&fail_lock, flags);
}

#define CHECK(cond, fmt, ...)						\
	do {								\
		atomic_long_inc(&ops);					\
		if (!(cond))						\
			fail("%s:%d " fmt, __func__, __LINE__, ##__VA_ARGS__); \
	} while (0)

/* Is @p the intact shadow of object @i (zero allowed while being set up)? */
static bool ext_ok(const struct ext *p, u32 i, bool allow_zero)
{
	u64 m = READ_ONCE(p->magic);

	if (allow_zero && !m)
		return true;
	return m == MAGIC(i) && READ_ONCE(p->index) == i;
}

static void ext_set(struct ext *p, u32 i)
{
	WRITE_ONCE(p->index, i);
	WRITE_ONCE(p->magic, MAGIC(i));
}

static u32 xorshift(u32 *s)
{
	u32 x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x ?: 1;
}

/* ---- single-threaded commands ------------------------------------ */

static void cmd_create(unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		struct ext *p = dynamos_shadow_create(&tbl, &pool[i],
						      sizeof(*p), GFP_KERNEL);

		if (test_bit(i, have)) {
			CHECK(p == ERR_PTR(-EEXIST), "create %lu twice: %pe",
			      i, p);
			continue;
		}
		CHECK(!IS_ERR(p), "create %lu: %pe", i, p);
		if (IS_ERR(p))
			continue;
		CHECK(!memchr_inv(p, 0, sizeof(*p)), "create %lu: not zeroed",
		      i);
		ext_set(p, i);
		set_bit(i, have);
		cond_resched();
	}
}

static void cmd_find(void)
{
	unsigned long i;

	for (i = 0; i < POOL_SIZE; i++) {
		struct ext *p;

		rcu_read_lock();
		p = dynamos_shadow_find(&tbl, &pool[i]);
		if (test_bit(i, have))
			CHECK(p && ext_ok(p, i, false),
			      "find %lu: %px wrong", i, p);
		else
			CHECK(!p, "find %lu: unexpected shadow", i);
		rcu_read_unlock();
		if (!(i & 1023))
			cond_resched();
	}
	CHECK(dynamos_shadow_count(&tbl) == bitmap_weight(have, POOL_SIZE),
	      "count %lu, expected %u", dynamos_shadow_count(&tbl),
	      bitmap_weight(have, POOL_SIZE));
}

static void cmd_remove(unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		int ret = dynamos_shadow_remove(&tbl, &pool[i]);

		if (test_and_clear_bit(i, have))
			CHECK(!ret, "remove %lu: %d", i, ret);
		else
			CHECK(ret == -ENOENT, "remove %lu without shadow: %d",
			      i, ret);
		CHECK(!dynamos_shadow_find(&tbl, &pool[i]),
		      "found %lu after remove", i);
		cond_resched();
	}
}

static void cmd_cleanup(void)
{
	unsigned long expect = bitmap_weight(have, POOL_SIZE);
	int ret;

	cleaned = dynamos_shadow_cleanup(&tbl);
	CHECK(cleaned == expect, "cleanup freed %lu, expected %lu", cleaned,
	      expect);
	bitmap_zero(have, POOL_SIZE);
	CHECK(!dynamos_shadow_find(&tbl, &pool[0]), "find after cleanup");
	CHECK(dynamos_shadow_count(&tbl) == 0, "count after cleanup");
	CHECK(dynamos_shadow_cleanup(&tbl) == 0, "second cleanup");
	ret = dynamos_shadow_init(&tbl);
	CHECK(!ret, "init after cleanup: %d", ret);
	CHECK(dynamos_shadow_count(&tbl) == 0, "count after re-init");
}

static void cmd_errors(void)
{
	u64 obj = 0, obj2 = 0;
	unsigned long flags;
	void *p, *q;
	int ret;

	/* Arguments. */
	p = dynamos_shadow_create(&tbl, NULL, 8, GFP_KERNEL);
	CHECK(p == ERR_PTR(-EINVAL), "create NULL: %pe", p);
	p = dynamos_shadow_create(&tbl, &obj, 0, GFP_KERNEL);
	CHECK(p == ERR_PTR(-EINVAL), "create size 0: %pe", p);
	p = dynamos_shadow_create(&tbl, &obj, SIZE_MAX, GFP_KERNEL);
	CHECK(p == ERR_PTR(-EINVAL), "create SIZE_MAX: %pe", p);
	p = dynamos_shadow_create(NULL, &obj, 8, GFP_KERNEL);
	CHECK(p == ERR_PTR(-EINVAL), "create NULL table: %pe", p);
	CHECK(!dynamos_shadow_find(&tbl, NULL), "find NULL");
	CHECK(!dynamos_shadow_find(NULL, &obj), "find NULL table");
	CHECK(dynamos_shadow_remove(&tbl, NULL) == -ENOENT, "remove NULL");
	CHECK(dynamos_shadow_remove(&tbl, &obj) == -ENOENT,
	      "remove without shadow");
	CHECK(dynamos_shadow_count(NULL) == 0, "count NULL table");

	/* Uninitialised table. */
	p = dynamos_shadow_create(&tbl_uninit, &obj, 8, GFP_KERNEL);
	CHECK(p == ERR_PTR(-EINVAL), "create uninit: %pe", p);
	CHECK(!dynamos_shadow_find(&tbl_uninit, &obj), "find uninit");
	CHECK(dynamos_shadow_remove(&tbl_uninit, &obj) == -ENOENT,
	      "remove uninit");
	CHECK(dynamos_shadow_count(&tbl_uninit) == 0, "count uninit");
	CHECK(dynamos_shadow_cleanup(&tbl_uninit) == 0, "cleanup uninit");

	/* Double init. */
	ret = dynamos_shadow_init(&tbl);
	CHECK(ret == -EBUSY, "init twice: %d", ret);

	/* Exists: -EEXIST, the old shadow stays. */
	p = dynamos_shadow_create(&tbl, &obj, 16, GFP_KERNEL);
	CHECK(!IS_ERR(p), "create: %pe", p);
	q = dynamos_shadow_create(&tbl, &obj, 16, GFP_KERNEL);
	CHECK(q == ERR_PTR(-EEXIST), "create twice: %pe", q);
	CHECK(dynamos_shadow_find(&tbl, &obj) == p, "find after -EEXIST");
	/* A neighbouring address is another object. */
	CHECK(!dynamos_shadow_find(&tbl, (char *)&obj + 1), "find obj+1");

	/* IRQs disabled: find works, create/remove refuse, nothing changes. */
	local_irq_save(flags);
	q = dynamos_shadow_create(&tbl, &obj2, 16, GFP_ATOMIC);
	ret = dynamos_shadow_remove(&tbl, &obj);
	p = dynamos_shadow_find(&tbl, &obj) == p ? p : NULL;
	local_irq_restore(flags);
	CHECK(q == ERR_PTR(-EPERM), "create with IRQs off: %pe", q);
	CHECK(ret == -EPERM, "remove with IRQs off: %d", ret);
	CHECK(p, "find with IRQs off");
	CHECK(!dynamos_shadow_find(&tbl, &obj2), "created with IRQs off");

	ret = dynamos_shadow_remove(&tbl, &obj);
	CHECK(!ret, "remove: %d", ret);
	ret = dynamos_shadow_remove(&tbl, &obj);
	CHECK(ret == -ENOENT, "remove twice: %d", ret);
	/* The shadow of a stack object must be gone before we return. */
	CHECK(!dynamos_shadow_find(&tbl, &obj), "find after remove");
}

static void cmd_setver(unsigned long i, unsigned long version)
{
	struct ext *p = dynamos_shadow_create(&tbl, &pool[i], sizeof(*p),
					      GFP_KERNEL);

	if (p == ERR_PTR(-EEXIST))
		p = dynamos_shadow_find(&tbl, &pool[i]);
	CHECK(!IS_ERR_OR_NULL(p), "setver %lu: %pe", i, p);
	if (IS_ERR_OR_NULL(p))
		return;
	ext_set(p, i);
	WRITE_ONCE(p->version, version);
	set_bit(i, have);
}

/* A version 2 for dynamos_target_fn(a, b) (src/test/kmod/target). */
noinline long dynamos_test_shadow_target_v2(long a, long b)
{
	return a + b + 1000;
}

/* Adaptation handler: ftrace callback context, preemption disabled. */
int notrace dynamos_test_shadow_handler(const struct dynamos_call *call)
{
	unsigned long i = dynamos_arg(call, 0);
	struct ext *p;

	if (i >= POOL_SIZE)
		return 0;
	atomic_long_inc(&handler_finds);
	p = dynamos_shadow_find(&tbl, &pool[i]);
	if (!p)
		return 0;
	atomic_long_inc(&handler_hits);
	return READ_ONCE(p->version);
}

/* ---- contexts ----------------------------------------------------- */

static u64 ctx_obj;
static struct ext *ctx_shadow;
static int ctx_hard_seen;	/* 1 found, 2 found in hardirq */
static void *ctx_hard_create;

static void ctx_irq_work(struct irq_work *w)
{
	struct ext *p = dynamos_shadow_find(&tbl, &ctx_obj);

	ctx_hard_seen = (p == ctx_shadow && p && ext_ok(p, 7, false)) +
			(in_hardirq() ? 1 : 0);
	ctx_hard_create = dynamos_shadow_create(&tbl, &pool[POOL_SIZE - 1],
						8, GFP_ATOMIC);
}

static DEFINE_IRQ_WORK(ctx_work, ctx_irq_work);

static struct timer_list ctx_timer;
static int ctx_soft_result;	/* bitmask of passed checks */
static DECLARE_COMPLETION(ctx_soft_done);

static void ctx_timer_fn(struct timer_list *unused)
{
	static u64 obj;
	struct ext *p;
	int r = 0;

	if (in_serving_softirq())
		r |= 1;
	p = dynamos_shadow_create(&tbl, &obj, sizeof(*p), GFP_ATOMIC);
	if (!IS_ERR(p)) {
		r |= 2;
		ext_set(p, 3);
	}
	p = dynamos_shadow_find(&tbl, &obj);
	if (p && ext_ok(p, 3, false))
		r |= 4;
	if (!dynamos_shadow_remove(&tbl, &obj))
		r |= 8;
	if (!dynamos_shadow_find(&tbl, &obj))
		r |= 16;
	ctx_soft_result = r;
	complete(&ctx_soft_done);
}

static void cmd_contexts(void)
{
	struct ext *p;
	int ret;

	/* Hardirq: find works, create refuses. */
	ctx_shadow = dynamos_shadow_create(&tbl, &ctx_obj, sizeof(*p),
					   GFP_KERNEL);
	CHECK(!IS_ERR(ctx_shadow), "create: %pe", ctx_shadow);
	if (IS_ERR(ctx_shadow))
		return;
	ext_set(ctx_shadow, 7);
	ctx_hard_seen = 0;
	ctx_hard_create = NULL;
	irq_work_queue(&ctx_work);
	irq_work_sync(&ctx_work);
	CHECK(ctx_hard_seen == 2, "hardirq find: %d", ctx_hard_seen);
	CHECK(ctx_hard_create == ERR_PTR(-EPERM), "hardirq create: %pe",
	      ctx_hard_create);
	ret = dynamos_shadow_remove(&tbl, &ctx_obj);
	CHECK(!ret, "remove: %d", ret);

	/* Softirq: create/find/remove with GFP_ATOMIC. */
	reinit_completion(&ctx_soft_done);
	timer_setup(&ctx_timer, ctx_timer_fn, 0);
	mod_timer(&ctx_timer, jiffies + 1);
	wait_for_completion(&ctx_soft_done);
	del_timer_sync(&ctx_timer);
	CHECK(ctx_soft_result == 31, "softirq checks: %#x", ctx_soft_result);

	/* Find-else-create under the table lock (atomic: GFP_ATOMIC). */
	ret = dynamos_shadow_lock(&tbl);
	CHECK(!ret, "lock: %d", ret);
	if (ret)
		return;
	p = dynamos_shadow_find(&tbl, &ctx_obj);
	if (!p)
		p = dynamos_shadow_create(&tbl, &ctx_obj, sizeof(*p),
					  GFP_ATOMIC);
	if (!IS_ERR_OR_NULL(p))
		p->hits++;
	dynamos_shadow_unlock(&tbl);
	CHECK(!IS_ERR_OR_NULL(p) && p->hits == 1, "create under lock: %pe",
	      p);
	if (dynamos_shadow_lock(&tbl))
		return;
	ret = dynamos_shadow_remove(&tbl, &ctx_obj);
	dynamos_shadow_unlock(&tbl);
	CHECK(!ret, "remove under lock: %d", ret);
}

static void cmd_compat(void)
{
	struct ext *p, *q;
	u64 obj;
	int ret;

	ret = dynreplace_access_init(&tbl_compat);
	CHECK(!ret, "dynreplace_access_init: %d", ret);
	if (ret)
		return;
	dynreplace_access_lock(&tbl_compat);
	dynreplace_access_create(&tbl_compat, &obj, sizeof(struct ext));
	p = dynreplace_access_find(&tbl_compat, &obj);
	if (p) {
		dynreplace_access_field(struct ext, p, index) = 9;
		dynreplace_access_field(struct ext, p, magic) = MAGIC(9);
	}
	/* Creating again gives the existing shadow. */
	q = dynreplace_access_create(&tbl_compat, &obj, sizeof(struct ext));
	dynreplace_access_unlock(&tbl_compat);
	CHECK(p && ext_ok(p, 9, false), "compat create/find/field");
	CHECK(q == p, "compat create of existing: %px vs %px", q, p);
	CHECK(!dynreplace_access_create(&tbl_compat, NULL, 8),
	      "compat create NULL");
	dynreplace_access_lock(&tbl_compat);
	if (dynreplace_access_find(&tbl_compat, &obj))
		ret = dynreplace_access_remove(&tbl_compat, &obj);
	dynreplace_access_unlock(&tbl_compat);
	CHECK(!ret, "compat remove: %d", ret);
	CHECK(!dynreplace_access_find(&tbl_compat, &obj), "compat find");
	dynreplace_access_create(&tbl_compat, &pool[0], 32);
	CHECK(dynreplace_access_cleanup(&tbl_compat) == 1, "compat cleanup");
}

/* ---- stress --------------------------------------------------------- */

enum { PH_OWN, PH_LOCKED, PH_RACE_CREATE, PH_RACE_REMOVE, NR_PHASES,
       PH_G_FILL = NR_PHASES, PH_G_MIX };

struct stresser {
	struct task_struct *task;
	struct completion done;
	int k;
	int phase;
	unsigned long n;
};

static atomic_long_t st_created, st_exist, st_removed, st_noent;
static atomic_long_t reader_finds;
static bool soft_running;

static void grace_fill(struct stresser *s);
static void grace_mix(struct stresser *s);

static void stress_own(struct stresser *s)
{
	unsigned long i;
	int ret;

	for (i = s->k; i < s->n; i += STRESS_THREADS) {
		struct ext *p = dynamos_shadow_create(&tbl, &spool[i],
						      sizeof(*p), GFP_KERNEL);

		CHECK(!IS_ERR(p), "own create %lu: %pe", i, p);
		if (!IS_ERR(p))
			ext_set(p, i);
	}
	for (i = s->k; i < s->n; i += STRESS_THREADS) {
		struct ext *p = dynamos_shadow_find(&tbl, &spool[i]);

		CHECK(p && ext_ok(p, i, false), "own find %lu", i);
		if (!(i & 2)) {
			ret = dynamos_shadow_remove(&tbl, &spool[i]);
			CHECK(!ret, "own remove %lu: %d", i, ret);
		}
		cond_resched();
	}
	for (i = s->k; i < s->n; i += STRESS_THREADS) {
		struct ext *p;

		rcu_read_lock();
		p = dynamos_shadow_find(&tbl, &spool[i]);
		if (i & 2)
			CHECK(p && ext_ok(p, i, false), "own find2 %lu", i);
		else
			CHECK(!p, "own find removed %lu", i);
		rcu_read_unlock();
		if (i & 2) {
			ret = dynamos_shadow_remove(&tbl, &spool[i]);
			CHECK(!ret, "own remove2 %lu: %d", i, ret);
		}
	}
}

/* Find-else-create and increment, as one step under the table lock. */
static void stress_locked(struct stresser *s)
{
	unsigned long j;

	for (j = 0; j < s->n; j++) {
		unsigned long i = (j + s->k * s->n / STRESS_THREADS) % s->n;
		struct ext *p;

		if (dynamos_shadow_lock(&tbl)) {
			CHECK(0, "lock refused in process context");
			return;
		}
		p = dynamos_shadow_find(&tbl, &spool[i]);
		if (!p) {
			p = dynamos_shadow_create(&tbl, &spool[i], sizeof(*p),
						  GFP_ATOMIC);
			if (!IS_ERR(p)) {
				ext_set(p, i);
				atomic_long_inc(&st_created);
			}
		}
		if (!IS_ERR(p))
			p->hits++;
		dynamos_shadow_unlock(&tbl);
		CHECK(!IS_ERR(p), "locked create %lu: %pe", i, p);
		cond_resched();
	}
}

static void stress_race_create(struct stresser *s)
{
	unsigned long j;

	for (j = 0; j < s->n; j++) {
		unsigned long i = (j + s->k * 7) % s->n;
		struct ext *p = dynamos_shadow_create(&tbl, &spool[i],
						      sizeof(*p), GFP_KERNEL);

		if (!IS_ERR(p)) {
			ext_set(p, i);
			atomic_long_inc(&st_created);
		} else if (p == ERR_PTR(-EEXIST)) {
			atomic_long_inc(&st_exist);
		} else {
			CHECK(0, "race create %lu: %pe", i, p);
		}
		cond_resched();
	}
}

static void stress_race_remove(struct stresser *s)
{
	unsigned long j;

	for (j = 0; j < s->n; j++) {
		unsigned long i = (j + s->k * 7) % s->n;
		int ret = dynamos_shadow_remove(&tbl, &spool[i]);

		if (!ret)
			atomic_long_inc(&st_removed);
		else if (ret == -ENOENT)
			atomic_long_inc(&st_noent);
		else
			CHECK(0, "race remove %lu: %d", i, ret);
		cond_resched();
	}
}

static int stress_thread(void *data)
{
	struct stresser *s = data;

	switch (s->phase) {
	case PH_OWN:
		stress_own(s);
		break;
	case PH_LOCKED:
		stress_locked(s);
		break;
	case PH_RACE_CREATE:
		stress_race_create(s);
		break;
	case PH_RACE_REMOVE:
		stress_race_remove(s);
		break;
	case PH_G_FILL:
		grace_fill(s);
		break;
	case PH_G_MIX:
		grace_mix(s);
		break;
	}
	complete(&s->done);
	return 0;
}

/* Random finds on the stress pool; a shadow must be intact or zeroed. */
static int reader_thread(void *data)
{
	unsigned long n = (unsigned long)data;
	u32 seed = 12345;

	while (!kthread_should_stop()) {
		u32 i = xorshift(&seed) % n;
		struct ext *p;

		rcu_read_lock();
		p = dynamos_shadow_find(&tbl, &spool[i]);
		if (p)
			CHECK(ext_ok(p, i, true), "reader %u: bad shadow", i);
		rcu_read_unlock();
		atomic_long_inc(&reader_finds);
		if (!(i & 63))
			cond_resched();
	}
	return 0;
}

static struct hrtimer hard_timer, soft_timer;
static unsigned long hard_n;
static u32 hard_seed = 777;

static enum hrtimer_restart hard_timer_fn(struct hrtimer *t)
{
	int k;

	for (k = 0; k < 16; k++) {
		u32 i = xorshift(&hard_seed) % hard_n;
		struct ext *p = dynamos_shadow_find(&tbl, &spool[i]);

		if (p && !ext_ok(p, i, true))
			fail("hardirq find %u: bad shadow", i);
		atomic_long_inc(&hardirq_finds);
	}
	hrtimer_forward_now(t, ns_to_ktime(50 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static enum hrtimer_restart soft_timer_fn(struct hrtimer *t)
{
	static unsigned int j;
	u64 *obj = &soft_keys[j++ % SOFT_KEYS];
	struct ext *p;
	int ret;

	p = dynamos_shadow_create(&tbl, obj, sizeof(*p), GFP_ATOMIC);
	if (IS_ERR(p)) {
		fail("softirq create: %pe", p);
	} else {
		ext_set(p, 1);
		if (dynamos_shadow_find(&tbl, obj) != p)
			fail("softirq find");
		ret = dynamos_shadow_remove(&tbl, obj);
		if (ret)
			fail("softirq remove: %d", ret);
	}
	atomic_long_inc(&softirq_ops);
	if (!READ_ONCE(soft_running))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(100 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static int run_phase(int phase, unsigned long n)
{
	struct stresser *s;
	int k, started = 0, ret = 0;

	s = kcalloc(STRESS_THREADS, sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	for (k = 0; k < STRESS_THREADS; k++) {
		s[k].k = k;
		s[k].phase = phase;
		s[k].n = n;
		init_completion(&s[k].done);
		s[k].task = kthread_run(stress_thread, &s[k], "dyn_shadow/%d",
					k);
		if (IS_ERR(s[k].task)) {
			ret = PTR_ERR(s[k].task);
			break;
		}
		started++;
	}
	for (k = 0; k < started; k++)
		wait_for_completion(&s[k].done);
	kfree(s);
	return ret;
}

static void cmd_stress(unsigned long n)
{
	struct task_struct *reader;
	unsigned long before, i;
	u64 t0;
	int phase, ret;

	if (!n || n > POOL_SIZE) {
		CHECK(0, "stress: N must be 1..%d", POOL_SIZE);
		return;
	}
	before = dynamos_shadow_count(&tbl);
	atomic_long_set(&st_created, 0);
	atomic_long_set(&st_exist, 0);
	atomic_long_set(&st_removed, 0);
	atomic_long_set(&st_noent, 0);
	t0 = ktime_get_ns();

	hard_n = n;
	hrtimer_init(&hard_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	hard_timer.function = hard_timer_fn;
	hrtimer_init(&soft_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	soft_timer.function = soft_timer_fn;
	WRITE_ONCE(soft_running, true);
	hrtimer_start(&hard_timer, ns_to_ktime(50 * NSEC_PER_USEC), HRTIMER_MODE_REL_HARD);
	hrtimer_start(&soft_timer, ns_to_ktime(100 * NSEC_PER_USEC), HRTIMER_MODE_REL_SOFT);
	reader = kthread_run(reader_thread, (void *)n, "dyn_shadow/r");
	CHECK(!IS_ERR(reader), "reader thread: %pe", reader);

	for (phase = 0; phase < NR_PHASES; phase++) {
		ret = run_phase(phase, n);
		CHECK(!ret, "phase %d threads: %d", phase, ret);
		if (ret)
			break;
		switch (phase) {
		case PH_OWN:
			CHECK(dynamos_shadow_count(&tbl) <= before + SOFT_KEYS,
			      "own: %lu left", dynamos_shadow_count(&tbl));
			break;
		case PH_LOCKED:
			CHECK(atomic_long_read(&st_created) == n,
			      "locked: created %ld of %lu",
			      atomic_long_read(&st_created), n);
			for (i = 0; i < n; i++) {
				struct ext *p;

				p = dynamos_shadow_find(&tbl, &spool[i]);
				CHECK(p && ext_ok(p, i, false) &&
				      p->hits == STRESS_THREADS,
				      "locked %lu: hits %u", i, p ? p->hits : 0);
				CHECK(!dynamos_shadow_remove(&tbl, &spool[i]),
				      "locked remove %lu", i);
			}
			atomic_long_set(&st_created, 0);
			break;
		case PH_RACE_CREATE:
			CHECK(atomic_long_read(&st_created) == n &&
			      atomic_long_read(&st_exist) ==
			      n * (STRESS_THREADS - 1),
			      "race create: %ld created, %ld -EEXIST",
			      atomic_long_read(&st_created),
			      atomic_long_read(&st_exist));
			for (i = 0; i < n; i++) {
				struct ext *p;

				p = dynamos_shadow_find(&tbl, &spool[i]);
				CHECK(p && ext_ok(p, i, false),
				      "race create %lu: wrong shadow", i);
			}
			break;
		case PH_RACE_REMOVE:
			CHECK(atomic_long_read(&st_removed) == n &&
			      atomic_long_read(&st_noent) ==
			      n * (STRESS_THREADS - 1),
			      "race remove: %ld removed, %ld -ENOENT",
			      atomic_long_read(&st_removed),
			      atomic_long_read(&st_noent));
			break;
		}
	}

	if (!IS_ERR(reader))
		kthread_stop(reader);
	WRITE_ONCE(soft_running, false);
	hrtimer_cancel(&soft_timer);
	hrtimer_cancel(&hard_timer);
	for (i = 0; i < n; i++)
		CHECK(!dynamos_shadow_find(&tbl, &spool[i]),
		      "stress %lu left behind", i);
	CHECK(dynamos_shadow_count(&tbl) == before, "count %lu, before %lu",
	      dynamos_shadow_count(&tbl), before);
	stress_ns = ktime_get_ns() - t0;
	pr_info("stress %lu: %ld reader finds, %ld hardirq finds, %ld softirq ops, %llu ms\n",
		n, atomic_long_read(&reader_finds),
		atomic_long_read(&hardirq_finds),
		atomic_long_read(&softirq_ops), stress_ns / NSEC_PER_MSEC);
}

/* ---- the framework-wide namespace: <object, id> ---------------------- */

/* Ids of this test; other updates could use any others. */
#define GID_A		0xd15a0001UL
#define GID_B		0xd15a0002UL
#define GID_RACE_A	0xd15a0011UL
#define GID_RACE_B	0xd15a0012UL
#define GID_KEEP	0xd15a0021UL	/* survives a reload of this module */

#define GMAGIC(i, id)	(0x4753480000000000ULL ^ ((u64)(id) << 20) ^ (u32)(i))
#define GPOISON		0xdeadbeefdeadbeefULL	/* written by the dtor */

/* A shadow of the namespace: the constructor fills every field. */
struct gext {
	u64 magic;		/* GMAGIC(index, id) */
	u32 index;
	u32 pad;
	unsigned long id;
	u64 check;		/* ~magic, written last */
};

struct gctor_arg {
	u32 index;
	unsigned long id;
	int fail;		/* the constructor returns this */
	bool recurse;		/* it calls the API back (must be refused) */
};

static atomic_long_t gctor_calls = ATOMIC_LONG_INIT(0);
static bool gctor_slow;		/* race: widen the half-built window */
static atomic_long_t gdtor_calls = ATOMIC_LONG_INIT(0);
static atomic_long_t hardirq_gets = ATOMIC_LONG_INIT(0);
static int grecurse_result;	/* bit 0 alloc refused, bit 1 own key hidden,
				 * bit 2 free refused (no dtor), bit 3 atomic */

static const void *gobj(unsigned long i)
{
	return &pool[i];
}

/* Objects that stay at the same address when this module is reloaded. */
static const void *keep_obj(unsigned long i)
{
	return (const char *)&init_task + i;
}

static void gdtor(void *obj, void *shadow);

static int gctor(void *obj, void *shadow, void *data)
{
	struct gext *g = shadow;
	struct gctor_arg *a = data;

	atomic_long_inc(&gctor_calls);
	if (memchr_inv(g, 0, sizeof(*g)))
		fail("ctor: shadow of %px not zeroed", obj);
	if (a->recurse) {
		long dtors = atomic_long_read(&gdtor_calls);
		u64 other;
		int r = 0;

		if (!dynamos_shadow_alloc(&other, a->id, 8, GFP_ATOMIC, NULL,
					  NULL))
			r |= 1;
		if (!dynamos_shadow_get(obj, a->id))
			r |= 2;
		dynamos_shadow_free(&other, a->id, gdtor);
		if (atomic_long_read(&gdtor_calls) == dtors)
			r |= 4;
		if (preempt_count())
			r |= 8;
		grecurse_result = r;
	}
	if (a->fail)
		return a->fail;
	WRITE_ONCE(g->magic, GMAGIC(a->index, a->id));
	if (READ_ONCE(gctor_slow))
		udelay(2);
	WRITE_ONCE(g->index, a->index);
	WRITE_ONCE(g->id, a->id);
	WRITE_ONCE(g->check, ~GMAGIC(a->index, a->id));
	return 0;
}

/* Is @g a fully built shadow for <index, id> (or one being destroyed)? */
static bool gext_ok(const struct gext *g, u32 index, unsigned long id,
		    bool allow_poison)
{
	u64 m = READ_ONCE(g->magic);

	if (allow_poison && m == GPOISON)
		return true;
	return m == GMAGIC(index, id) && READ_ONCE(g->index) == index &&
	       READ_ONCE(g->id) == id && READ_ONCE(g->check) == ~m;
}

static void gdtor(void *obj, void *shadow)
{
	struct gext *g = shadow;

	atomic_long_inc(&gdtor_calls);
	if (READ_ONCE(g->magic) == GPOISON)
		fail("dtor twice for %px", obj);
	WRITE_ONCE(g->magic, GPOISON);
}

static struct gext *galloc(const void *obj, u32 i, unsigned long id,
			   bool or_get, gfp_t gfp)
{
	struct gctor_arg a = { .index = i, .id = id };

	if (or_get)
		return dynamos_shadow_get_or_alloc(obj, id, sizeof(struct gext),
						   gfp, gctor, &a);
	return dynamos_shadow_alloc(obj, id, sizeof(struct gext), gfp, gctor,
				    &a);
}

/* Hardirq: get finds the shadow, alloc and free refuse. */
static const void *gctx_obj;
static struct gext *gctx_shadow;
static int gctx_hard;		/* bitmask of passed checks */

static void gctx_irq_work(struct irq_work *w)
{
	int r = 0;

	if (in_hardirq())
		r |= 1;
	if (dynamos_shadow_get(gctx_obj, GID_A) == gctx_shadow &&
	    gext_ok(gctx_shadow, 0, GID_A, false))
		r |= 2;
	if (!dynamos_shadow_get(gctx_obj, GID_KEEP))	/* another id */
		r |= 4;
	if (!galloc(gobj(5), 5, GID_A, true, GFP_ATOMIC))
		r |= 8;
	dynamos_shadow_free(gctx_obj, GID_A, gdtor);
	if (dynamos_shadow_get(gctx_obj, GID_A) == gctx_shadow)
		r |= 16;
	atomic_long_inc(&hardirq_gets);
	gctx_hard = r;
}

static DEFINE_IRQ_WORK(gctx_work, gctx_irq_work);

/* Softirq: get_or_alloc with GFP_ATOMIC, get, free. */
static struct timer_list gctx_timer;
static int gctx_soft;
static DECLARE_COMPLETION(gctx_soft_done);

static void gctx_timer_fn(struct timer_list *unused)
{
	long dtors = atomic_long_read(&gdtor_calls);
	struct gext *g;
	int r = 0;

	if (in_serving_softirq())
		r |= 1;
	g = galloc(gobj(6), 6, GID_B, true, GFP_ATOMIC);
	if (g && gext_ok(g, 6, GID_B, false))
		r |= 2;
	if (dynamos_shadow_get(gobj(6), GID_B) == g)
		r |= 4;
	dynamos_shadow_free(gobj(6), GID_B, gdtor);
	if (!dynamos_shadow_get(gobj(6), GID_B) &&
	    atomic_long_read(&gdtor_calls) == dtors + 1)
		r |= 8;
	gctx_soft = r;
	complete(&gctx_soft_done);
}

static DEFINE_SPINLOCK(gtest_lock);

/* The single-threaded semantics, one check per rule of <dynamos.h>. */
static void cmd_global(void)
{
	struct gctor_arg a = { .index = 0, .id = GID_A };
	long ctors, dtors, dtors0;
	struct gext *p, *q, *r;
	unsigned long flags, i;

	CHECK(dynamos_shadow_count(GID_A) == 0 &&
	      dynamos_shadow_count(GID_B) == 0, "ids in use before: %lu %lu",
	      dynamos_shadow_count(GID_A), dynamos_shadow_count(GID_B));
	dynamos_shadow_free_all(GID_A, NULL);
	dynamos_shadow_free_all(GID_B, NULL);
	ctors = atomic_long_read(&gctor_calls);
	dtors = atomic_long_read(&gdtor_calls);
	dtors0 = dtors;

	/* Nothing there. */
	CHECK(!dynamos_shadow_get(gobj(0), GID_A), "get on nothing");
	CHECK(!dynamos_shadow_get(NULL, GID_A), "get NULL");

	/* alloc, then get: the same pointer, built by the ctor. */
	p = galloc(gobj(0), 0, GID_A, false, GFP_KERNEL);
	CHECK(p && gext_ok(p, 0, GID_A, false), "alloc: %px", p);
	if (!p)
		return;
	CHECK(dynamos_shadow_get(gobj(0), GID_A) == p, "get after alloc");
	CHECK(atomic_long_read(&gctor_calls) == ctors + 1, "ctor ran %ld",
	      atomic_long_read(&gctor_calls) - ctors);
	CHECK(dynamos_shadow_count(GID_A) == 1, "count 1: %lu",
	      dynamos_shadow_count(GID_A));

	/* alloc of an existing <obj, id>: NULL, the first stays, no ctor. */
	q = galloc(gobj(0), 99, GID_A, false, GFP_KERNEL);
	CHECK(!q, "alloc twice: %px", q);
	CHECK(dynamos_shadow_get(gobj(0), GID_A) == p &&
	      gext_ok(p, 0, GID_A, false), "first shadow after alloc twice");
	CHECK(atomic_long_read(&gctor_calls) == ctors + 1,
	      "ctor ran for a refused alloc");

	/* get_or_alloc: the existing one, no ctor. */
	q = galloc(gobj(0), 99, GID_A, true, GFP_KERNEL);
	CHECK(q == p, "get_or_alloc of existing: %px vs %px", q, p);
	CHECK(atomic_long_read(&gctor_calls) == ctors + 1,
	      "ctor ran for an existing shadow");

	/* Same object, another id; another object, same id: distinct. */
	q = galloc(gobj(0), 0, GID_B, true, GFP_KERNEL);
	r = galloc(gobj(1), 1, GID_A, false, GFP_KERNEL);
	CHECK(q && q != p && gext_ok(q, 0, GID_B, false), "other id: %px", q);
	CHECK(r && r != p && r != q && gext_ok(r, 1, GID_A, false),
	      "other object: %px", r);
	CHECK(dynamos_shadow_get(gobj(0), GID_B) == q &&
	      dynamos_shadow_get(gobj(1), GID_A) == r &&
	      dynamos_shadow_get(gobj(0), GID_A) == p &&
	      !dynamos_shadow_get(gobj(1), GID_B), "gets of four keys");
	CHECK(dynamos_shadow_count(GID_A) == 2 &&
	      dynamos_shadow_count(GID_B) == 1, "counts 2/1: %lu %lu",
	      dynamos_shadow_count(GID_A), dynamos_shadow_count(GID_B));
	/* The per-table API does not see the namespace, nor vice versa. */
	CHECK(!dynamos_shadow_find(&tbl, gobj(0)) || test_bit(0, have),
	      "table sees a namespace shadow");

	/* A failing ctor adds nothing, with alloc and get_or_alloc. */
	a.index = 2;
	a.fail = -ENOSPC;
	q = dynamos_shadow_alloc(gobj(2), GID_A, sizeof(*q), GFP_KERNEL,
				 gctor, &a);
	CHECK(!q, "alloc with failing ctor: %px", q);
	q = dynamos_shadow_get_or_alloc(gobj(2), GID_A, sizeof(*q),
					GFP_KERNEL, gctor, &a);
	CHECK(!q, "get_or_alloc with failing ctor: %px", q);
	CHECK(!dynamos_shadow_get(gobj(2), GID_A), "get after failing ctor");
	CHECK(dynamos_shadow_count(GID_A) == 2, "count after failing ctor: %lu",
	      dynamos_shadow_count(GID_A));
	a.fail = 0;

	/* No ctor: zeroed.  Bad arguments: nothing. */
	q = dynamos_shadow_alloc(gobj(3), GID_B, 64, GFP_KERNEL, NULL, NULL);
	CHECK(q && !memchr_inv(q, 0, 64), "alloc without ctor: %px", q);
	CHECK(!dynamos_shadow_alloc(NULL, GID_B, 8, GFP_KERNEL, NULL, NULL),
	      "alloc NULL obj");
	CHECK(!dynamos_shadow_alloc(gobj(4), GID_B, 0, GFP_KERNEL, NULL, NULL),
	      "alloc size 0");
	CHECK(!dynamos_shadow_get_or_alloc(gobj(4), GID_B, SIZE_MAX,
					   GFP_KERNEL, NULL, NULL),
	      "alloc SIZE_MAX");
	dynamos_shadow_free(gobj(3), GID_B, NULL);
	CHECK(!dynamos_shadow_get(gobj(3), GID_B), "free without dtor");
	CHECK(atomic_long_read(&gdtor_calls) == dtors, "dtor ran for NULL");

	/* A ctor calling alloc/free back is refused, not deadlocked. */
	a.index = 4;
	a.id = GID_B;
	a.recurse = true;
	grecurse_result = 0;
	q = dynamos_shadow_alloc(gobj(4), GID_B, sizeof(*q), GFP_KERNEL,
				 gctor, &a);
	a.recurse = false;
	CHECK(q && gext_ok(q, 4, GID_B, false), "alloc with recursing ctor");
	CHECK(grecurse_result == 15, "ctor calling back: %#x",
	      grecurse_result);

	/* IRQs off: get works; alloc and free refuse and change nothing. */
	local_irq_save(flags);
	q = galloc(gobj(7), 7, GID_A, true, GFP_ATOMIC);
	dynamos_shadow_free(gobj(0), GID_A, gdtor);
	dynamos_shadow_free_all(GID_A, gdtor);
	r = dynamos_shadow_get(gobj(0), GID_A);
	local_irq_restore(flags);
	CHECK(!q, "alloc with IRQs off: %px", q);
	CHECK(r == p, "get with IRQs off: %px", r);
	CHECK(dynamos_shadow_count(GID_A) == 2 &&
	      atomic_long_read(&gdtor_calls) == dtors,
	      "free with IRQs off: count %lu", dynamos_shadow_count(GID_A));

	/* GFP_ATOMIC under a spinlock, with and without BH off. */
	spin_lock(&gtest_lock);
	q = galloc(gobj(8), 8, GID_A, true, GFP_ATOMIC);
	r = dynamos_shadow_get(gobj(8), GID_A);
	spin_unlock(&gtest_lock);
	CHECK(q && q == r && gext_ok(q, 8, GID_A, false),
	      "get_or_alloc under spin_lock: %px", q);
	spin_lock_bh(&gtest_lock);
	dynamos_shadow_free(gobj(8), GID_A, gdtor);
	q = galloc(gobj(9), 9, GID_A, false, GFP_ATOMIC);
	spin_unlock_bh(&gtest_lock);
	CHECK(q && gext_ok(q, 9, GID_A, false), "alloc under spin_lock_bh");
	CHECK(!dynamos_shadow_get(gobj(8), GID_A) &&
	      atomic_long_read(&gdtor_calls) == dtors + 1,
	      "free under spin_lock_bh");
	rcu_read_lock();
	q = galloc(gobj(10), 10, GID_A, true, GFP_ATOMIC);
	rcu_read_unlock();
	CHECK(q && gext_ok(q, 10, GID_A, false), "alloc under rcu_read_lock");
	dtors = atomic_long_read(&gdtor_calls);

	/* Hardirq. */
	gctx_obj = gobj(0);
	gctx_shadow = p;
	gctx_hard = 0;
	irq_work_queue(&gctx_work);
	irq_work_sync(&gctx_work);
	CHECK(gctx_hard == 31, "hardirq: %#x", gctx_hard);
	CHECK(!dynamos_shadow_get(gobj(5), GID_A), "alloc from hardirq added");

	/* Softirq. */
	reinit_completion(&gctx_soft_done);
	timer_setup(&gctx_timer, gctx_timer_fn, 0);
	mod_timer(&gctx_timer, jiffies + 1);
	wait_for_completion(&gctx_soft_done);
	del_timer_sync(&gctx_timer);
	CHECK(gctx_soft == 15, "softirq: %#x", gctx_soft);
	dtors = atomic_long_read(&gdtor_calls);

	/* free: the dtor runs once; a second free finds nothing. */
	dynamos_shadow_free(gobj(1), GID_A, gdtor);
	CHECK(atomic_long_read(&gdtor_calls) == dtors + 1, "free: dtor ran %ld",
	      atomic_long_read(&gdtor_calls) - dtors);
	dynamos_shadow_free(gobj(1), GID_A, gdtor);
	CHECK(atomic_long_read(&gdtor_calls) == dtors + 1,
	      "second free ran the dtor");
	CHECK(!dynamos_shadow_get(gobj(1), GID_A) &&
	      dynamos_shadow_get(gobj(0), GID_A) == p,
	      "free took the wrong shadow");
	dtors++;

	/* free_all: every shadow of the id, and only those. */
	for (i = 100; i < 200; i++)
		CHECK(galloc(gobj(i), i, GID_A, false, GFP_KERNEL),
		      "alloc %lu", i);
	/* GID_A: 0, 9, 10, 100..199; GID_B: 0, 4 */
	CHECK(dynamos_shadow_count(GID_A) == 103 &&
	      dynamos_shadow_count(GID_B) == 2, "counts 103/2: %lu %lu",
	      dynamos_shadow_count(GID_A), dynamos_shadow_count(GID_B));
	dynamos_shadow_free_all(GID_A, gdtor);
	CHECK(atomic_long_read(&gdtor_calls) == dtors + 103,
	      "free_all ran %ld dtors", atomic_long_read(&gdtor_calls) - dtors);
	CHECK(dynamos_shadow_count(GID_A) == 0 &&
	      dynamos_shadow_count(GID_B) == 2, "counts after free_all: %lu %lu",
	      dynamos_shadow_count(GID_A), dynamos_shadow_count(GID_B));
	CHECK(!dynamos_shadow_get(gobj(0), GID_A) &&
	      !dynamos_shadow_get(gobj(150), GID_A), "get after free_all");
	q = dynamos_shadow_get(gobj(0), GID_B);
	CHECK(q && gext_ok(q, 0, GID_B, false), "other id after free_all");
	dynamos_shadow_free_all(GID_A, gdtor);
	CHECK(atomic_long_read(&gdtor_calls) == dtors + 103,
	      "free_all of nothing ran dtors");
	dynamos_shadow_free_all(GID_B, gdtor);
	CHECK(dynamos_shadow_count(GID_B) == 0, "count B after free_all");
	/*
	 * Every shadow a ctor built was destroyed once; the two ctor calls
	 * that failed have no shadow to destroy.
	 */
	CHECK(atomic_long_read(&gctor_calls) - ctors ==
	      atomic_long_read(&gdtor_calls) - dtors0 + 2,
	      "ctors %ld, dtors %ld", atomic_long_read(&gctor_calls) - ctors,
	      atomic_long_read(&gdtor_calls) - dtors0);
}

/* Several kthreads, a softirq and a hardirq racing on the same keys. */
static unsigned long grace_n;
static atomic_long_t g_added, g_freed;
static bool grace_running;
static struct hrtimer ghard_timer, gsoft_timer;
static u32 ghard_seed = 4242, gsoft_seed = 99;

static unsigned long grace_id(u32 r)
{
	return r & 1 ? GID_RACE_B : GID_RACE_A;
}

static enum hrtimer_restart ghard_timer_fn(struct hrtimer *t)
{
	int k;

	for (k = 0; k < 16; k++) {
		u32 r = xorshift(&ghard_seed), i = r % grace_n;
		unsigned long id = grace_id(r >> 16);
		struct gext *g = dynamos_shadow_get(&spool[i], id);

		if (g && !gext_ok(g, i, id, true))
			fail("hardirq get %u: half-built shadow", i);
		atomic_long_inc(&hardirq_gets);
	}
	hrtimer_forward_now(t, ns_to_ktime(50 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static enum hrtimer_restart gsoft_timer_fn(struct hrtimer *t)
{
	u32 r = xorshift(&gsoft_seed), i = r % grace_n;
	unsigned long id = grace_id(r >> 16);
	struct gext *g;

	/* Softirq is an RCU reader: @g stays readable if a thread frees it. */
	g = galloc(&spool[i], i, id, true, GFP_ATOMIC);
	if (!g || !gext_ok(g, i, id, true))
		fail("softirq get_or_alloc %u: %px", i, g);
	if (r & 0x100)
		dynamos_shadow_free(&spool[i], id, gdtor);
	atomic_long_inc(&softirq_ops);
	if (!READ_ONCE(grace_running))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(200 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

/*
 * Every thread asks for every key, all in the same order, so that threads
 * running at once keep colliding on the key at the front; exactly one
 * shadow per key must result, constructed once.
 */
static void grace_fill(struct stresser *s)
{
	unsigned long j;

	for (j = 0; j < 2 * s->n; j++) {
		unsigned long x = j;
		u32 i = x / 2;
		unsigned long id = grace_id(x);
		struct gext *g = galloc(&spool[i], i, id, true, GFP_KERNEL);

		CHECK(g && gext_ok(g, i, id, false), "fill %u: %px", i, g);
		CHECK(dynamos_shadow_get(&spool[i], id) == g,
		      "fill %u: two shadows", i);
		if (!(j & 63))
			cond_resched();
	}
}

/* Half the threads get_or_alloc, the others free, at random. */
static void grace_mix(struct stresser *s)
{
	u32 seed = 1000 + s->k;
	unsigned long j;

	for (j = 0; j < 4 * s->n; j++) {
		u32 r = xorshift(&seed), i = r % s->n;
		unsigned long id = grace_id(r >> 16);

		if (s->k & 1) {
			dynamos_shadow_free(&spool[i], id, gdtor);
			atomic_long_inc(&g_freed);
		} else if (j & 1) {
			/* Another thread may free it at once: only test it. */
			CHECK(galloc(&spool[i], i, id, true, GFP_KERNEL),
			      "mix %u: NULL", i);
			atomic_long_inc(&g_added);
		} else {
			struct gext *g;

			/* Within RCU it stays readable even if freed. */
			rcu_read_lock();
			g = galloc(&spool[i], i, id, true, GFP_ATOMIC);
			CHECK(g && gext_ok(g, i, id, true), "mix %u: %px", i,
			      g);
			rcu_read_unlock();
			atomic_long_inc(&g_added);
		}
		if (!(j & 63))
			cond_resched();
	}
}

static void cmd_grace(unsigned long n)
{
	long ctors, dtors;
	u64 t0 = ktime_get_ns();
	int ret;

	if (!n || n > POOL_SIZE) {
		CHECK(0, "race: N must be 1..%d", POOL_SIZE);
		return;
	}
	CHECK(dynamos_shadow_count(GID_RACE_A) == 0 &&
	      dynamos_shadow_count(GID_RACE_B) == 0, "race ids in use");
	ctors = atomic_long_read(&gctor_calls);
	dtors = atomic_long_read(&gdtor_calls);
	atomic_long_set(&g_added, 0);
	atomic_long_set(&g_freed, 0);
	grace_n = n;
	WRITE_ONCE(gctor_slow, true);
	hrtimer_init(&ghard_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	ghard_timer.function = ghard_timer_fn;
	hrtimer_init(&gsoft_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	gsoft_timer.function = gsoft_timer_fn;

	/* Fill without frees: nothing else may construct or free. */
	hrtimer_start(&ghard_timer, ns_to_ktime(50 * NSEC_PER_USEC),
		      HRTIMER_MODE_REL_HARD);
	ret = run_phase(PH_G_FILL, n);
	CHECK(!ret, "fill threads: %d", ret);
	CHECK(dynamos_shadow_count(GID_RACE_A) == n &&
	      dynamos_shadow_count(GID_RACE_B) == n, "fill: counts %lu %lu",
	      dynamos_shadow_count(GID_RACE_A),
	      dynamos_shadow_count(GID_RACE_B));
	CHECK(atomic_long_read(&gctor_calls) - ctors == 2 * n,
	      "fill: %ld ctors for %lu shadows (losers constructed?)",
	      atomic_long_read(&gctor_calls) - ctors, 2 * n);

	/* Then adds and frees racing, with a softirq doing both. */
	WRITE_ONCE(grace_running, true);
	hrtimer_start(&gsoft_timer, ns_to_ktime(200 * NSEC_PER_USEC),
		      HRTIMER_MODE_REL_SOFT);
	ret = run_phase(PH_G_MIX, n);
	CHECK(!ret, "mix threads: %d", ret);
	WRITE_ONCE(grace_running, false);
	hrtimer_cancel(&gsoft_timer);
	hrtimer_cancel(&ghard_timer);
	WRITE_ONCE(gctor_slow, false);

	CHECK(dynamos_shadow_count(GID_RACE_A) <= n &&
	      dynamos_shadow_count(GID_RACE_B) <= n, "mix: counts %lu %lu",
	      dynamos_shadow_count(GID_RACE_A),
	      dynamos_shadow_count(GID_RACE_B));
	/* Constructed = destroyed + present: nothing lost, nothing twice. */
	CHECK(atomic_long_read(&gctor_calls) - ctors ==
	      atomic_long_read(&gdtor_calls) - dtors +
	      dynamos_shadow_count(GID_RACE_A) +
	      dynamos_shadow_count(GID_RACE_B),
	      "mix: %ld ctors, %ld dtors, %lu present",
	      atomic_long_read(&gctor_calls) - ctors,
	      atomic_long_read(&gdtor_calls) - dtors,
	      dynamos_shadow_count(GID_RACE_A) +
	      dynamos_shadow_count(GID_RACE_B));
	dynamos_shadow_free_all(GID_RACE_A, gdtor);
	dynamos_shadow_free_all(GID_RACE_B, gdtor);
	CHECK(dynamos_shadow_count(GID_RACE_A) == 0 &&
	      dynamos_shadow_count(GID_RACE_B) == 0, "race ids left");
	CHECK(atomic_long_read(&gctor_calls) - ctors ==
	      atomic_long_read(&gdtor_calls) - dtors,
	      "end: %ld ctors, %ld dtors",
	      atomic_long_read(&gctor_calls) - ctors,
	      atomic_long_read(&gdtor_calls) - dtors);
	stress_ns = ktime_get_ns() - t0;
	pr_info("race %lu: %ld ctors, %ld adds, %ld frees, %ld hardirq gets, %llu ms\n",
		n, atomic_long_read(&gctor_calls) - ctors,
		atomic_long_read(&g_added), atomic_long_read(&g_freed),
		atomic_long_read(&hardirq_gets), stress_ns / NSEC_PER_MSEC);
}

/* An earlier update leaves shadows behind for a later one. */
static void cmd_keep(unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		struct gext *g = galloc(keep_obj(i), i, GID_KEEP, false,
					GFP_KERNEL);

		CHECK(g && gext_ok(g, i, GID_KEEP, false), "keep %lu: %px", i,
		      g);
	}
}

/* The later update finds them, then frees them as their last user. */
static void cmd_adopt(unsigned long n)
{
	long dtors = atomic_long_read(&gdtor_calls);
	unsigned long i;

	CHECK(dynamos_shadow_count(GID_KEEP) == n, "adopt: %lu kept, want %lu",
	      dynamos_shadow_count(GID_KEEP), n);
	for (i = 0; i < n; i++) {
		struct gext *g = dynamos_shadow_get(keep_obj(i), GID_KEEP);

		CHECK(g && gext_ok(g, i, GID_KEEP, false), "adopt %lu: %px", i,
		      g);
	}
	dynamos_shadow_free_all(GID_KEEP, gdtor);
	CHECK(atomic_long_read(&gdtor_calls) - dtors == n,
	      "adopt: %ld dtors for %lu", atomic_long_read(&gdtor_calls) - dtors,
	      n);
	CHECK(dynamos_shadow_count(GID_KEEP) == 0, "adopt: left %lu",
	      dynamos_shadow_count(GID_KEEP));
}

/* ---- /proc interface ---------------------------------------------- */

static int shadow_show(struct seq_file *m, void *v)
{
	unsigned long flags;

	mutex_lock(&cmd_lock);
	seq_printf(m, "count=%lu have=%u failures=%ld ops=%ld hardirq_finds=%ld softirq_ops=%ld stress_ns=%llu cleaned=%lu handler_finds=%ld handler_hits=%ld gctor=%ld gdtor=%ld kept=%lu hardirq_gets=%ld\n",
		   dynamos_shadow_count(&tbl), bitmap_weight(have, POOL_SIZE),
		   atomic_long_read(&failures), atomic_long_read(&ops),
		   atomic_long_read(&hardirq_finds),
		   atomic_long_read(&softirq_ops), stress_ns, cleaned,
		   atomic_long_read(&handler_finds),
		   atomic_long_read(&handler_hits),
		   atomic_long_read(&gctor_calls),
		   atomic_long_read(&gdtor_calls),
		   dynamos_shadow_count(GID_KEEP),
		   atomic_long_read(&hardirq_gets));
	spin_lock_irqsave(&fail_lock, flags);
	if (first_failure[0])
		seq_printf(m, "first_failure: %s\n", first_failure);
	spin_unlock_irqrestore(&fail_lock, flags);
	mutex_unlock(&cmd_lock);
	return 0;
}

static int shadow_open(struct inode *inode, struct file *file)
{
	return single_open(file, shadow_show, NULL);
}

static ssize_t shadow_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *off)
{
	char buf[64], cmd[16];
	unsigned long n = 0, v = 0;
	unsigned long flags;
	int args;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	args = sscanf(buf, "%15s %lu %lu", cmd, &n, &v);
	if (args < 1)
		return -EINVAL;
	if (args >= 2 && n > POOL_SIZE)
		return -EINVAL;

	mutex_lock(&cmd_lock);
	if (!strcmp(cmd, "create") && args == 2) {
		cmd_create(n);
	} else if (!strcmp(cmd, "find") && args == 1) {
		cmd_find();
	} else if (!strcmp(cmd, "remove") && args == 2) {
		cmd_remove(n);
	} else if (!strcmp(cmd, "cleanup") && args == 1) {
		cmd_cleanup();
	} else if (!strcmp(cmd, "errors") && args == 1) {
		cmd_errors();
	} else if (!strcmp(cmd, "contexts") && args == 1) {
		cmd_contexts();
	} else if (!strcmp(cmd, "compat") && args == 1) {
		cmd_compat();
	} else if (!strcmp(cmd, "stress") && args == 2) {
		cmd_stress(n);
	} else if (!strcmp(cmd, "setver") && args == 3 && n < POOL_SIZE) {
		cmd_setver(n, v);
	} else if (!strcmp(cmd, "global") && args == 1) {
		cmd_global();
	} else if (!strcmp(cmd, "race") && args == 2) {
		cmd_grace(n);
	} else if (!strcmp(cmd, "keep") && args == 2) {
		cmd_keep(n);
	} else if (!strcmp(cmd, "adopt") && args == 2) {
		cmd_adopt(n);
	} else if (!strcmp(cmd, "reset") && args == 1) {
		atomic_long_set(&failures, 0);
		atomic_long_set(&ops, 0);
		atomic_long_set(&hardirq_finds, 0);
		atomic_long_set(&softirq_ops, 0);
		atomic_long_set(&handler_finds, 0);
		atomic_long_set(&handler_hits, 0);
		atomic_long_set(&hardirq_gets, 0);
		spin_lock_irqsave(&fail_lock, flags);
		first_failure[0] = '\0';
		spin_unlock_irqrestore(&fail_lock, flags);
	} else {
		mutex_unlock(&cmd_lock);
		return -EINVAL;
	}
	mutex_unlock(&cmd_lock);
	return len;
}

static const struct proc_ops shadow_proc_ops = {
	.proc_open	= shadow_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= single_release,
	.proc_write	= shadow_write,
};

static void free_pools(void)
{
	kvfree(pool);
	kvfree(spool);
	bitmap_free(have);
}

static int __init test_shadow_init(void)
{
	int ret;

	pool = kvcalloc(POOL_SIZE, sizeof(*pool), GFP_KERNEL);
	spool = kvcalloc(POOL_SIZE, sizeof(*spool), GFP_KERNEL);
	have = bitmap_zalloc(POOL_SIZE, GFP_KERNEL);
	if (!pool || !spool || !have) {
		free_pools();
		return -ENOMEM;
	}
	ret = dynamos_shadow_init(&tbl);
	if (ret) {
		free_pools();
		return ret;
	}
	if (!proc_create("dynamos_test_shadow", 0600, NULL,
			 &shadow_proc_ops)) {
		dynamos_shadow_cleanup(&tbl);
		free_pools();
		return -ENOMEM;
	}
	return 0;
}

static void __exit test_shadow_exit(void)
{
	unsigned long left;

	remove_proc_entry("dynamos_test_shadow", NULL);
	left = dynamos_shadow_cleanup(&tbl);
	dynamos_shadow_cleanup(&tbl_compat);
	pr_info("unloaded, cleanup freed %lu shadow(s)\n", left);
	free_pools();
}

module_init(test_shadow_init);
module_exit(test_shadow_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS test: shadow data API");
