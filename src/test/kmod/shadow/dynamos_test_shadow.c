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
 * read: "count=<shadows in table> have=<expected> failures=<n> ops=<n>
 *        hardirq_finds=<n> softirq_ops=<n> stress_ns=<t> cleaned=<n>
 *        handler_finds=<n> handler_hits=<n>"
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

enum { PH_OWN, PH_LOCKED, PH_RACE_CREATE, PH_RACE_REMOVE, NR_PHASES };

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

/* ---- /proc interface ---------------------------------------------- */

static int shadow_show(struct seq_file *m, void *v)
{
	unsigned long flags;

	mutex_lock(&cmd_lock);
	seq_printf(m, "count=%lu have=%u failures=%ld ops=%ld hardirq_finds=%ld softirq_ops=%ld stress_ns=%llu cleaned=%lu handler_finds=%ld handler_hits=%ld\n",
		   dynamos_shadow_count(&tbl), bitmap_weight(have, POOL_SIZE),
		   atomic_long_read(&failures), atomic_long_read(&ops),
		   atomic_long_read(&hardirq_finds),
		   atomic_long_read(&softirq_ops), stress_ns, cleaned,
		   atomic_long_read(&handler_finds),
		   atomic_long_read(&handler_hits));
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
	} else if (!strcmp(cmd, "reset") && args == 1) {
		atomic_long_set(&failures, 0);
		atomic_long_set(&ops, 0);
		atomic_long_set(&hardirq_finds, 0);
		atomic_long_set(&softirq_ops, 0);
		atomic_long_set(&handler_finds, 0);
		atomic_long_set(&handler_hits, 0);
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
