// SPDX-License-Identifier: GPL-2.0
/*
 * Test fixture "shadow_replace_fail": a cumulative update for
 * examples/shadow_leak whose pre-activation hook refuses, so replacing
 * shadow_fix1 and shadow_fix2 must leave both applied, the table and the
 * module's behaviour as they were (StackingIT).  Its leaky_check never
 * runs.
 */
#include <linux/list.h>
#include <linux/module.h>
#include <dynamos.h>

struct leaky_obj {
	struct list_head node;
	unsigned long id;
	unsigned long expires;
};

static noinline bool leaky_check_never(struct leaky_obj *obj, unsigned long now)
{
	return now >= obj->expires;
}

static int shadow_replace_fail_refuse(void)
{
	pr_info("shadow_replace_fail: pre_activation refuses\n");
	return -ECANCELED;
}

DYNAMOS_UPDATE("shadow_replace_fail");
DYNAMOS_REPLACES_ALL();
DYNAMOS_REPLACE(1, "dynamos_leaky:leaky_check", leaky_check_never);
DYNAMOS_HOOK(pre_activation, 1, 2, shadow_replace_fail_refuse);
MODULE_LICENSE("GPL");
