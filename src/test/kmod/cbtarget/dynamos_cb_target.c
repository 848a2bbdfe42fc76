// SPDX-License-Identifier: GPL-2.0
/*
 * DynAMOS test target module that comes and goes: updates of its function
 * are applied while it is not loaded, and it is loaded and unloaded while
 * they are applied.  Its init and exit call the function and log the
 * result, so the kernel log shows whether the redirection was in place,
 * relative to the updates' target_coming/target_going hooks.  Nothing uses
 * its symbols: updates name its function as "dynamos_cb_target:...".
 *
 * /sys/module/dynamos_cb_target/parameters/
 *   call         write N: calls dynamos_cb_target_fn(N)
 *   last         what that call returned (read)
 *   init_result  what dynamos_cb_target_fn(1) returned in init (read)
 *   pin          at load: 1 takes a reference on the module itself, so
 *                that only a forced unload (rmmod -f) removes it
 */
#define pr_fmt(fmt) "dynamos_cb_target: " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static long last;
module_param(last, long, 0444);
static long init_result;
module_param(init_result, long, 0444);
static bool pin;
module_param(pin, bool, 0444);

/* Traceable on purpose: ftrace gives it an fentry site. */
noinline long dynamos_cb_target_fn(long a)
{
	return a;
}

static int call_set(const char *val, const struct kernel_param *kp)
{
	long a;
	int ret = kstrtol(val, 10, &a);

	if (ret)
		return ret;
	WRITE_ONCE(last, dynamos_cb_target_fn(a));
	return 0;
}

static const struct kernel_param_ops call_ops = {
	.set = call_set,
};
module_param_cb(call, &call_ops, NULL, 0200);
MODULE_PARM_DESC(call, "write N: call dynamos_cb_target_fn(N), result in last");

static int __init cb_target_init(void)
{
	init_result = dynamos_cb_target_fn(1);
	pr_info("init: dynamos_cb_target_fn(1) = %ld\n", init_result);
	if (pin)
		__module_get(THIS_MODULE);	/* dropped by nothing: rmmod -f only */
	return 0;
}

static void __exit cb_target_exit(void)
{
	pr_info("exit: dynamos_cb_target_fn(2) = %ld\n", dynamos_cb_target_fn(2));
}

module_init(cb_target_init);
module_exit(cb_target_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS test: a target module that comes and goes");
