// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark baseline (bench/apply-latency): the kernel's livepatch replacing the function the
 * DynAMOS figures activate, dynamos_apply_fn_100 of dynamos_apply_target, so that the time of
 * its enable and disable transitions can be set beside DynAMOS's activation.
 */
#include <linux/module.h>
#include <linux/livepatch.h>

static long apply_livepatch_fn(long a)
{
	return a + 3000;
}

static struct klp_func apply_livepatch_funcs[] = {
	{ .old_name = "dynamos_apply_fn_100", .new_func = apply_livepatch_fn },
	{ }
};

static struct klp_object apply_livepatch_objs[] = {
	{ .name = "dynamos_apply_target", .funcs = apply_livepatch_funcs },
	{ }
};

static struct klp_patch apply_livepatch_patch = {
	.mod = THIS_MODULE,
	.objs = apply_livepatch_objs,
};

static int __init apply_livepatch_init(void)
{
	return klp_enable_patch(&apply_livepatch_patch);
}

static void __exit apply_livepatch_exit(void)
{
}

module_init(apply_livepatch_init);
module_exit(apply_livepatch_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
MODULE_DESCRIPTION("DynAMOS benchmark: livepatch of dynamos_apply_fn_100");
