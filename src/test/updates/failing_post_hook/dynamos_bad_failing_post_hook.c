// SPDX-License-Identifier: GPL-2.0
/*
 * Test fixture: two functions activated as one group, then a post-activation
 * hook fails (as examples/kswapd's when a thread does not reach its safe
 * point): the kernel keeps the switch, apply must undo everything.
 */
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/path.h>
#include <dynamos.h>

typedef int (may_open_t)(struct user_namespace *, const struct path *, int, int);
typedef int (vfs_fsync_t)(struct file *, int);
static may_open_t *original_may_open;
static vfs_fsync_t *original_vfs_fsync;

static noinline int may_open_v2(struct user_namespace *mnt_userns, const struct path *path,
				int acc_mode, int flag)
{
	return original_may_open(mnt_userns, path, acc_mode, flag);
}

static noinline int vfs_fsync_v2(struct file *file, int datasync)
{
	return original_vfs_fsync(file, datasync);
}

static int find_originals(void)
{
	original_may_open = (may_open_t *)dynamos_original_by_name("may_open");
	original_vfs_fsync = (vfs_fsync_t *)dynamos_original_by_name("vfs_fsync");
	return original_may_open && original_vfs_fsync ? 0 : -ENOENT;
}

static int fail_after_activation(void)
{
	pr_info("bad_failing_post_hook: post-activation hook fails\n");
	return -ETIMEDOUT;
}

DYNAMOS_UPDATE("bad_failing_post_hook");
DYNAMOS_INIT(find_originals);
DYNAMOS_REPLACE(1, may_open, may_open_v2);
DYNAMOS_REPLACE(2, vfs_fsync, vfs_fsync_v2);
DYNAMOS_HOOK(post_activation, 2, 2, fail_after_activation);
MODULE_LICENSE("GPL");
