// SPDX-License-Identifier: GPL-2.0
/*
 * Test update "stack_replace_b": replaces the update stack_b by name
 * (StackingIT); stack_a stays below it.  dynamos_target_fn: a + b + 400.
 */
#include <linux/module.h>
#include <dynamos.h>

static noinline long stack_replace_b_fn(long a, long b)
{
	return a + b + 400;
}

DYNAMOS_UPDATE("stack_replace_b");
DYNAMOS_REPLACES("stack_b");
DYNAMOS_REPLACE(1, "dynamos_target:dynamos_target_fn", stack_replace_b_fn);
MODULE_LICENSE("GPL");
