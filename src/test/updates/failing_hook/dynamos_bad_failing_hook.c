// SPDX-License-Identifier: GPL-2.0
/* Test fixture: its pre-activation hook refuses, so apply must undo everything. */
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/path.h>
#include <dynamos.h>

typedef int (may_open_t)(struct user_namespace *, const struct path *, int, int);
static may_open_t *original_may_open;

static noinline int may_open_v2(struct user_namespace *mnt_userns, const struct path *path,
				int acc_mode, int flag)
{
	return original_may_open(mnt_userns, path, acc_mode, flag);
}

static int find_original(void)
{
	original_may_open = (may_open_t *)dynamos_original_by_name("may_open");
	return original_may_open ? 0 : -ENOENT;
}

static int refuse_activation(void)
{
	pr_info("bad_failing_hook: pre-activation hook refuses\n");
	return -EPERM;
}

DYNAMOS_UPDATE("bad_failing_hook");
DYNAMOS_INIT(find_original);
DYNAMOS_REPLACE(1, may_open, may_open_v2);
DYNAMOS_HOOK(pre_activation, 1, 2, refuse_activation);
MODULE_LICENSE("GPL");
