/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by dynamos_fastpath (the target functions and their callers) and
 * dynamos_fastpath_update (their versions): what every version records when
 * it runs, and what the control loop expects of it.
 *
 * Two target functions, each f(a, b):
 *   FP_FN     dynamos_fastpath_fn     versions 1 (original), 2, 3,
 *                                     4 (sleeps if a == FP_PARK), 5
 *   FP_OTHER  dynamos_fastpath_other  versions 1 (original), 2
 * a & 3 is the version a call asks the adaptation handler for (0: the
 * active one); b is the caller's slot in dynamos_fastpath_slots.  Every
 * version returns a + b + v * FP_TAG, so its caller knows which one ran.
 */
#ifndef DYNAMOS_FASTPATH_H
#define DYNAMOS_FASTPATH_H

#include <linux/cache.h>
#include <linux/compiler.h>
#include <linux/types.h>

#define FP_FN		0
#define FP_OTHER	1
#define FP_FUNCS	2
#define FP_VERSIONS	5
#define FP_TAG		1000000L
#define FP_PARK		4000L	/* a & 3 == 0: asks the handler for nothing */
#define FP_MAX_WORKERS	8
#define FP_SLEEPER_SLOT	FP_MAX_WORKERS	/* the "park" thread's slot */
#define FP_SLOTS	(FP_MAX_WORKERS + 1)

/* What the control loop says about the adaptation handler of a function. */
enum fp_handler {
	FP_HANDLER_OFF,		/* none set: calls run the active version */
	FP_HANDLER_ON,		/* set: a call asking for v runs v */
	FP_HANDLER_EITHER,	/* being set or cleared */
};

/*
 * One caller's counts.  Written only by the task that owns the slot (a
 * version runs in its caller's task), read by the control side after the
 * owner parked (release/acquire on parked_gen), or racily for display.
 */
struct fp_slot {
	long hits[FP_FUNCS][FP_VERSIONS + 1];	/* runs of each version */
	long calls[FP_FUNCS];			/* calls the caller made */
	long misdirected;	/* ran a version it had no business in */
	long ghost;		/* ran a version after its removal */
	long torn;		/* saw half of a group activation */
	long fast;		/* version runs with no handler set */
	long handled;		/* version runs with the handler set */
	long handler_calls;	/* adaptation handler calls */
	unsigned long parked_gen;	/* pause generation it parked in */
} ____cacheline_aligned;

/*
 * What calls may run now, set by the control loop: widened before a switch
 * to cover the state before and after it, narrowed only at a quiescent point
 * (every caller parked), so a field read alone is never too narrow.
 */
struct fp_expect {
	unsigned int mask[FP_FUNCS];	/* bit v: version v may be active */
	unsigned int gone[FP_FUNCS];	/* bit v: version v was removed */
	int handler[FP_FUNCS];		/* enum fp_handler */
};

extern struct fp_slot dynamos_fastpath_slots[FP_SLOTS];
extern struct fp_expect dynamos_fastpath_expect;
long dynamos_fastpath_park(void);

static __always_inline struct fp_slot *fp_slot_of(long b)
{
	if ((unsigned long)b >= FP_SLOTS)
		b = FP_SLEEPER_SLOT;
	return &dynamos_fastpath_slots[b];
}

/*
 * Every version's body: record that version @v of function @f ran, and
 * whether it was allowed to.  A call asking for version r (a & 3 != 0) runs
 * r while the handler is set, the active version while it is not; a call
 * asking for nothing runs the active version either way.
 */
static __always_inline long fp_ran(int f, int v, long a, long b)
{
	struct fp_slot *s = fp_slot_of(b);
	struct fp_expect *e = &dynamos_fastpath_expect;
	unsigned int bit = 1u << v;
	int h = READ_ONCE(e->handler[f]);
	long r = a & 3;
	bool ok;

	WRITE_ONCE(s->hits[f][v], s->hits[f][v] + 1);
	if (h == FP_HANDLER_OFF)
		WRITE_ONCE(s->fast, s->fast + 1);
	else if (h == FP_HANDLER_ON)
		WRITE_ONCE(s->handled, s->handled + 1);
	if (unlikely(READ_ONCE(e->gone[f]) & bit))
		WRITE_ONCE(s->ghost, s->ghost + 1);
	ok = (READ_ONCE(e->mask[f]) & bit) && (r == 0 || h != FP_HANDLER_ON);
	if (!ok && r != 0 && h != FP_HANDLER_OFF && v == r)
		ok = true;
	if (unlikely(!ok))
		WRITE_ONCE(s->misdirected, s->misdirected + 1);
	return a + b + v * FP_TAG;
}

#endif /* DYNAMOS_FASTPATH_H */
