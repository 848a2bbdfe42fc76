// SPDX-License-Identifier: GPL-2.0
/*
 * DynAMOS fast-path test update (FastPathIT): versions of the functions of
 * dynamos_fastpath, each recording that it ran (fastpath.h), and an
 * adaptation handler that gives a call the version its first argument asks
 * for.  Registered by name by the test; nothing here runs on load.
 *
 *   dynamos_fastpath_fn_v2, _v3, _v5   versions 2, 3, 5 of dynamos_fastpath_fn
 *   dynamos_fastpath_fn_sleep          version 4: sleeps if a == FP_PARK
 *   dynamos_fastpath_other_v2          version 2 of dynamos_fastpath_other
 *   dynamos_fastpath_handler           a & 3 (0: the active version)
 */
#define pr_fmt(fmt) "dynamos_fastpath_update: " fmt

#include <linux/module.h>

#include <dynamos.h>

#include "fastpath.h"

noinline long dynamos_fastpath_fn_v2(long a, long b)
{
	return fp_ran(FP_FN, 2, a, b);
}

noinline long dynamos_fastpath_fn_v3(long a, long b)
{
	return fp_ran(FP_FN, 3, a, b);
}

/* The call is not a tail call: the version's frame stays on the sleeper's stack. */
noinline long dynamos_fastpath_fn_sleep(long a, long b)
{
	long r = fp_ran(FP_FN, 4, a, b);

	if (unlikely(a == FP_PARK))
		r += dynamos_fastpath_park();
	return r;
}

noinline long dynamos_fastpath_fn_v5(long a, long b)
{
	return fp_ran(FP_FN, 5, a, b);
}

noinline long dynamos_fastpath_other_v2(long a, long b)
{
	return fp_ran(FP_OTHER, 2, a, b);
}

/* Adaptation handler (ftrace callback context): the version a & 3 asks for. */
int notrace dynamos_fastpath_handler(const struct dynamos_call *call)
{
	struct fp_slot *s = fp_slot_of((long)dynamos_arg(call, 1));

	WRITE_ONCE(s->handler_calls, s->handler_calls + 1);
	return (int)(dynamos_arg(call, 0) & 3);
}

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS test: versions that record where the calls of dynamos_fastpath ran");
