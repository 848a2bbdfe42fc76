// SPDX-License-Identifier: GPL-2.0
/* Test fixture: uses a kernel symbol that no kernel has. */
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

extern int dynamos_no_such_kernel_symbol(void);

static int init_update(void)
{
	return find_original() ?: dynamos_no_such_kernel_symbol();
}

DYNAMOS_UPDATE("bad_unknown_symbol");
DYNAMOS_INIT(init_update);
DYNAMOS_REPLACE(1, may_open, may_open_v2);
MODULE_LICENSE("GPL");
