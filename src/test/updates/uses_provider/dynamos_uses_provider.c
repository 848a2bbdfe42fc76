// SPDX-License-Identifier: GPL-2.0
/*
 * Test fixture: an update that exports a function and a variable for a later update
 * (uses_consumer, built with --uses this directory). Its own replacement is a pass-through
 * version of the test target's dynamos_target_sleepy, so that it is an update at all.
 */
#include <linux/module.h>
#include <dynamos.h>
#include "uses_provider.h"

long uses_provider_offset = 1000;
EXPORT_SYMBOL_GPL(uses_provider_offset);

noinline long uses_provider_scale(long x)
{
	return x * 10;
}
EXPORT_SYMBOL_GPL(uses_provider_scale);

typedef long (sleepy_t)(long a, long b);
static sleepy_t *original_sleepy;

/* Runs the original body: the provider changes nothing the tests observe. */
noinline long sleepy_v2(long a, long b)
{
	return original_sleepy(a, b);
}

static int provider_init(void)
{
	original_sleepy = (sleepy_t *)dynamos_original_by_name("dynamos_target:dynamos_target_sleepy");
	return original_sleepy ? 0 : -ENOENT;
}

DYNAMOS_UPDATE("uses_provider");
DYNAMOS_REPLACE(1, "dynamos_target:dynamos_target_sleepy", sleepy_v2);
DYNAMOS_INIT(provider_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS test: an update exporting symbols to a later update");
