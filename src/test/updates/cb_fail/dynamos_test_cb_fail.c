// SPDX-License-Identifier: GPL-2.0
/*
 * Test fixture "cb_fail": an update of dynamos_cb_target_fn whose
 * pre-activation hook refuses (StackingIT): applying it on top of cb_update
 * must leave the table and the calls as they were.
 */
#include <linux/module.h>
#include <dynamos.h>

static noinline long cb_fail_fn(long a)
{
	return a + 3000;
}

static int cb_fail_pre_activation(void)
{
	pr_info("cb_fail: pre_activation refuses\n");
	return -EPERM;
}

static int cb_fail_target_coming(void) { pr_info("cb_fail: target_coming\n"); return 0; }
static int cb_fail_target_going(void) { pr_info("cb_fail: target_going\n"); return 0; }

DYNAMOS_UPDATE("cb_fail");
DYNAMOS_REPLACE(1, "dynamos_cb_target:dynamos_cb_target_fn", cb_fail_fn);
DYNAMOS_HOOK(pre_activation, 1, 2, cb_fail_pre_activation);
DYNAMOS_HOOK(target_coming, 1, 2, cb_fail_target_coming);
DYNAMOS_HOOK(target_going, 1, 2, cb_fail_target_going);
MODULE_LICENSE("GPL");
