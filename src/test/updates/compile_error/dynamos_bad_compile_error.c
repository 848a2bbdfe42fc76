// SPDX-License-Identifier: GPL-2.0
/* Test fixture: does not compile (a missing semicolon in may_open_v2). */
#include <linux/module.h>
#include <linux/fs.h>
#include <dynamos.h>

static noinline int may_open_v2(struct user_namespace *mnt_userns, const struct path *path,
				int acc_mode, int flag)
{
	return 0 /* missing semicolon */
}

DYNAMOS_UPDATE("bad_compile_error");
DYNAMOS_REPLACE(1, may_open, may_open_v2);
MODULE_LICENSE("GPL");
