// SPDX-License-Identifier: GPL-2.0
/*
 * The smallest out-of-tree module: proves that a module built against the target kernel's
 * headers loads and unloads in the VM.
 */
#include <linux/module.h>
#include <linux/init.h>
#include <generated/utsrelease.h>

static int __init dynamos_hello_init(void)
{
	pr_info("dynamos_hello: loaded into %s\n", UTS_RELEASE);
	return 0;
}

static void __exit dynamos_hello_exit(void)
{
	pr_info("dynamos_hello: unloaded\n");
}

module_init(dynamos_hello_init);
module_exit(dynamos_hello_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS test: a trivial out-of-tree module");
