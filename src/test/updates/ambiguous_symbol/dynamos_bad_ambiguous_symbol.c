// SPDX-License-Identifier: GPL-2.0
/*
 * Test fixture: uses set_root, a name that Debian 6.1's kallsyms lists four times (a function of
 * fs/namei.c and three variables), without DYNAMOS_SYMBOL to choose one.
 */
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

struct nameidata;
extern void set_root(struct nameidata *nd);

/* Never called: it only makes the module refer to set_root. */
noinline void dynamos_bad_refer_to_set_root(struct nameidata *nd)
{
	set_root(nd);
}

DYNAMOS_UPDATE("bad_ambiguous_symbol");
DYNAMOS_INIT(find_original);
DYNAMOS_REPLACE(1, may_open, may_open_v2);
MODULE_LICENSE("GPL");
