// SPDX-License-Identifier: GPL-2.0
/*
 * DynAMOS test probe: how many shadows of a framework-wide shadow id exist,
 * so that a test can check that no shadow outlives the updates that made
 * them (the updates themselves are gone by then).
 *
 * /sys/module/dynamos_shadowcount/parameters/
 *   id     the shadow id to count (write, decimal or 0x hex)
 *   count  dynamos_shadow_count(id) (read)
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

#include <dynamos.h>

static unsigned long id;
module_param(id, ulong, 0644);
MODULE_PARM_DESC(id, "the shadow id that count reads");

static int count_get(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%lu\n", dynamos_shadow_count(READ_ONCE(id)));
}

static const struct kernel_param_ops count_ops = {
	.get = count_get,
};
module_param_cb(count, &count_ops, NULL, 0444);
MODULE_PARM_DESC(count, "shadows of id (dynamos_shadow_count)");

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS test: counts the shadows of one id");
