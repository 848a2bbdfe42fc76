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

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>

#include "internal.h"

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
	ret = dyn_device_init();
	if (ret)
		return ret;
	pr_info("framework %s (abi %d) loaded\n", DYNAMOS_VERSION_STRING,
		DYNAMOS_ABI_VERSION);
	return 0;
}

static void __exit dynamos_exit(void)
{
	dyn_device_exit();
	dyn_version_exit();
	pr_info("framework unloaded\n");
}

module_init(dynamos_init);
module_exit(dynamos_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS: adaptive dynamic updates of the running kernel");
MODULE_VERSION(DYNAMOS_VERSION_STRING);
