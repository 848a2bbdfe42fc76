// SPDX-License-Identifier: GPL-2.0
/*
 * Test update "cb_stacked", stacked on cb_update (StackingIT):
 * dynamos_cb_target_fn returns a + 2000; every hook logs its kind.
 */
#include <linux/module.h>
#include <dynamos.h>

static noinline long cb_stacked_fn(long a)
{
	return a + 2000;
}

static int cb_stacked_pre_activation(void) { pr_info("cb_stacked: pre_activation\n"); return 0; }
static int cb_stacked_post_activation(void) { pr_info("cb_stacked: post_activation\n"); return 0; }
static int cb_stacked_pre_removal(void) { pr_info("cb_stacked: pre_removal\n"); return 0; }
static int cb_stacked_post_removal(void) { pr_info("cb_stacked: post_removal\n"); return 0; }
static int cb_stacked_target_coming(void) { pr_info("cb_stacked: target_coming\n"); return 0; }
static int cb_stacked_target_going(void) { pr_info("cb_stacked: target_going\n"); return 0; }

DYNAMOS_UPDATE("cb_stacked");
DYNAMOS_REPLACE(1, "dynamos_cb_target:dynamos_cb_target_fn", cb_stacked_fn);
DYNAMOS_HOOK(pre_activation, 1, 2, cb_stacked_pre_activation);
DYNAMOS_HOOK(post_activation, 1, 2, cb_stacked_post_activation);
DYNAMOS_HOOK(pre_removal, 1, 2, cb_stacked_pre_removal);
DYNAMOS_HOOK(post_removal, 1, 2, cb_stacked_post_removal);
DYNAMOS_HOOK(target_coming, 1, 2, cb_stacked_target_coming);
DYNAMOS_HOOK(target_going, 1, 2, cb_stacked_target_going);
MODULE_LICENSE("GPL");
