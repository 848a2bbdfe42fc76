// SPDX-License-Identifier: GPL-2.0
/*
 * Test update "cb_update" of a module that comes and goes (StackingIT,
 * after test-callbacks.sh): dynamos_cb_target:dynamos_cb_target_fn returns
 * a + 1000.  Every hook, the target module's included, logs its kind, so
 * the test sees their order against the module's init and exit.
 *
 * /sys/module/dynamos_test_cb_update/parameters/
 *   fail_coming  errno the target_coming hook returns (0: it lets the
 *                module load)
 */
#include <linux/module.h>
#include <dynamos.h>

static int fail_coming;
module_param(fail_coming, int, 0644);

static noinline long cb_update_fn(long a)
{
	return a + 1000;
}

static int cb_update_pre_activation(void) { pr_info("cb_update: pre_activation\n"); return 0; }
static int cb_update_post_activation(void) { pr_info("cb_update: post_activation\n"); return 0; }
static int cb_update_pre_removal(void) { pr_info("cb_update: pre_removal\n"); return 0; }
static int cb_update_post_removal(void) { pr_info("cb_update: post_removal\n"); return 0; }

static int cb_update_target_coming(void)
{
	int err = READ_ONCE(fail_coming);

	if (err) {
		pr_info("cb_update: target_coming refuses (%d)\n", -err);
		return -err;
	}
	pr_info("cb_update: target_coming\n");
	return 0;
}

static int cb_update_target_going(void) { pr_info("cb_update: target_going\n"); return 0; }

DYNAMOS_UPDATE("cb_update");
DYNAMOS_REPLACE(1, "dynamos_cb_target:dynamos_cb_target_fn", cb_update_fn);
DYNAMOS_HOOK(pre_activation, 1, 2, cb_update_pre_activation);
DYNAMOS_HOOK(post_activation, 1, 2, cb_update_post_activation);
DYNAMOS_HOOK(pre_removal, 1, 2, cb_update_pre_removal);
DYNAMOS_HOOK(post_removal, 1, 2, cb_update_post_removal);
DYNAMOS_HOOK(target_coming, 1, 2, cb_update_target_coming);
DYNAMOS_HOOK(target_going, 1, 2, cb_update_target_going);
MODULE_LICENSE("GPL");
