// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark baseline: the kernel's own livepatch redirecting the same target function
 * (dynamos_target_fn in the dynamos_target test module) to a new version, so that its per-call
 * cost can be set beside DynAMOS's redirection.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>

static long bench_livepatch_target_fn(long a, long b)
{
	return a + b + 1000;
}

static struct klp_func bench_funcs[] = {
	{
		.old_name = "dynamos_target_fn",
		.new_func = bench_livepatch_target_fn,
	},
	{ }
};

static struct klp_object bench_objs[] = {
	{
		.name = "dynamos_target",
		.funcs = bench_funcs,
	},
	{ }
};

static struct klp_patch bench_patch = {
	.mod = THIS_MODULE,
	.objs = bench_objs,
};

static int __init bench_livepatch_init(void)
{
	return klp_enable_patch(&bench_patch);
}

static void __exit bench_livepatch_exit(void)
{
}

module_init(bench_livepatch_init);
module_exit(bench_livepatch_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
MODULE_DESCRIPTION("DynAMOS benchmark: livepatch of dynamos_target_fn");
