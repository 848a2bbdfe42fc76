// SPDX-License-Identifier: GPL-2.0
/*
 * DynAMOS: dynamic updates of a running Linux kernel by adaptive function
 * cloning.  Module init/exit and shared helpers.
 *
 * Unloading: module_exit cannot fail, so every registered update holds a
 * reference on this module and rmmod is refused while updates exist.  The
 * control tool's "dynamos stop" issues DYNAMOS_IOC_STOP, then rmmod.
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/atomic.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

#include "internal.h"

/*
 * Live allocations of this module (tables, versions, requests, states,
 * shadows), read-only at /sys/module/dynamos/parameters/allocations: the
 * leak check of the reliability campaign compares it before and after.
 */
static atomic_long_t dyn_allocations = ATOMIC_LONG_INIT(0);

static int dyn_allocations_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&dyn_allocations));
}

static const struct kernel_param_ops dyn_allocations_ops = {
	.get = dyn_allocations_get,
};
module_param_cb(allocations, &dyn_allocations_ops, NULL, 0444);
MODULE_PARM_DESC(allocations, "live allocations of dynamos.ko (leak checks)");

void dyn_count_alloc(void)
{
	atomic_long_inc(&dyn_allocations);
}

void dyn_count_free(void)
{
	atomic_long_dec(&dyn_allocations);
}

/* Zeroed, GFP_KERNEL, counted. */
void *dyn_alloc(size_t size)
{
	void *p = kzalloc(size, GFP_KERNEL);

	if (p)
		dyn_count_alloc();
	return p;
}

void dyn_free(const void *ptr)
{
	if (!ptr)
		return;
	dyn_count_free();
	kfree(ptr);
}

void dyn_err(struct dynamos_req *req, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(req->error, sizeof(req->error), fmt, args);
	va_end(args);
}

static int __init dynamos_init(void)
{
	int ret;

	ret = dyn_symbols_init();
	if (ret)
		return ret;
	ret = dyn_stub_init();
	if (ret)
		return ret;
	ret = dyn_modules_init();
	if (ret) {
		dyn_stub_exit();
		return ret;
	}
	ret = dyn_shadow_init();
	if (ret) {
		dyn_modules_exit();
		dyn_stub_exit();
		return ret;
	}
	ret = dyn_device_init();
	if (ret) {
		dyn_shadow_exit();
		dyn_modules_exit();
		dyn_stub_exit();
		return ret;
	}
	pr_info("framework %s (abi %d) loaded\n", DYNAMOS_VERSION_STRING,
		DYNAMOS_ABI_VERSION);
	return 0;
}

static void __exit dynamos_exit(void)
{
	dyn_device_exit();
	dyn_monitor_exit();
	dyn_kthread_exit();
	dyn_modules_exit();
	dyn_table_exit();
	dyn_stub_exit();
	dyn_quiescence_exit();
	dyn_state_exit();
	dyn_shadow_exit();
	if (atomic_long_read(&dyn_allocations))
		pr_warn("%ld allocation(s) not freed at unload\n",
			atomic_long_read(&dyn_allocations));
	pr_info("framework unloaded\n");
}

module_init(dynamos_init);
module_exit(dynamos_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS: adaptive dynamic updates of the running kernel");
MODULE_VERSION(DYNAMOS_VERSION_STRING);
