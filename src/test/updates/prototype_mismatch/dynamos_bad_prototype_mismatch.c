// SPDX-License-Identifier: GPL-2.0
/* Test fixture: may_open_v2 drops a parameter of may_open, so it cannot stand in for it. */
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/path.h>
#include <dynamos.h>

static noinline int may_open_v2(const struct path *path, int acc_mode)
{
	return path && acc_mode ? 0 : -EINVAL;
}

DYNAMOS_UPDATE("bad_prototype_mismatch");
DYNAMOS_REPLACE(1, may_open, may_open_v2);
MODULE_LICENSE("GPL");
