// SPDX-License-Identifier: GPL-2.0
/*
 * A second update adding a system call, stacked on examples/checkpoint's
 * version of x64_sys_call: number 402 returns 2 * arg0 + 1.  Its handler
 * passes every other number down (version 1), so checkpoint's numbers keep
 * working while both are applied, and 402 gives -ENOSYS again on revert.
 */
#include <linux/module.h>
#include <dynamos.h>

#define MORE_NR 402

static long more_double(const struct pt_regs *regs)
{
	return 2 * (long)dynamos_syscall_arg(regs, 0) + 1;
}

static const struct dynamos_syscall more_calls[] = {
	{ MORE_NR, more_double },
};

DYNAMOS_SYSCALLS(more, 1, more_calls);

static int __init more_init(void)
{
	return dynamos_syscalls_check(more_calls, ARRAY_SIZE(more_calls));
}

static void __exit more_exit(void)
{
}

module_init(more_init);
module_exit(more_exit);

DYNAMOS_UPDATE("syscall_more");

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS test: a second system call added on top of another update's");
