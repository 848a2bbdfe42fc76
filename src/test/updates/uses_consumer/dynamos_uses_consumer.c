// SPDX-License-Identifier: GPL-2.0
/*
 * Test fixture: an update that uses the exports of the update uses_provider (a function and a
 * variable) from its version of the test target's dynamos_target_fn. Built with
 * --uses src/test/updates/uses_provider, its module gets their CRCs and depends on the provider's
 * module; dynamos apply refuses it while uses_provider is not applied.
 */
#include <linux/module.h>
#include <dynamos.h>
#include <uses_provider.h>

/* dynamos_target_fn(a, b) is a + b; this version: (a + b) * 10 + uses_provider_offset. */
noinline long target_fn_v2(long a, long b)
{
	return uses_provider_scale(a + b) + READ_ONCE(uses_provider_offset);
}

DYNAMOS_UPDATE("uses_consumer");
DYNAMOS_REPLACE(1, "dynamos_target:dynamos_target_fn", target_fn_v2);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS test: an update using another update's exports");
