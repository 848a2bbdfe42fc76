// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark update "apply_one" (bench/apply-latency): a one-function update, applied and
 * reverted with `dynamos apply` / `dynamos revert` to time them end to end.
 */
#include <linux/module.h>
#include <dynamos.h>

static noinline long apply_one_fn(long a)
{
	return a + 2000;
}

DYNAMOS_UPDATE("apply_one");
DYNAMOS_REPLACE(1, "dynamos_apply_target:dynamos_apply_fn_101", apply_one_fn);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS benchmark: a one-function update");
