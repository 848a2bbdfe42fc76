// SPDX-License-Identifier: GPL-2.0
/*
 * New system calls added by updates: is a system call number free on the
 * running kernel?  (The dispatching pattern itself is header-only, see
 * "New system calls" in include/dynamos.h.)
 *
 * A 64-bit system call number reaches a redirectable function on Debian's
 * 6.1 kernel only below NR_syscalls: do_syscall_64() (noinstr) hands those
 * to x64_sys_call(regs, nr), a switch with an ftrace site, and answers
 * -ENOSYS for larger numbers itself, without calling anything.  Inside the
 * switch a number the kernel does not implement is a case of
 * __x64_sys_ni_syscall (-ENOSYS, no ftrace site).  sys_call_table[] is no
 * longer used for dispatching but is generated from the same list, so its
 * entry for the number tells whether the kernel uses it.
 *
 * Neither sys_call_table nor __x64_sys_ni_syscall is exported; symbols.c
 * finds them through kallsyms.
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/errno.h>
#include <linux/module.h>
#include <asm/syscall.h>
#include <asm/unistd.h>
#include "include/dynamos.h"
#include "internal.h"

int dynamos_syscall_unused(unsigned int nr)
{
	const sys_call_ptr_t *table;
	unsigned long ni, entry;

	if (nr >= NR_syscalls) {
		pr_err("system call %u: only numbers below %u reach x64_sys_call on this kernel (larger ones get -ENOSYS in do_syscall_64 itself); pick a free number below %u\n",
		       nr, NR_syscalls, NR_syscalls);
		return -ERANGE;
	}
	table = (const sys_call_ptr_t *)dyn_kallsyms_address("sys_call_table");
	ni = dyn_kallsyms_address("__x64_sys_ni_syscall");
	if (!table || !ni) {
		pr_err("system call %u: sys_call_table or __x64_sys_ni_syscall not in kallsyms\n", nr);
		return -ENOENT;
	}
	entry = (unsigned long)READ_ONCE(table[nr]);
	if (entry != ni) {
		pr_err("system call %u is taken by the running kernel (%ps): this update's numbers are not free here\n",
		       nr, (void *)entry);
		return -EBUSY;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(dynamos_syscall_unused);

int dynamos_syscalls_check(const struct dynamos_syscall *calls, unsigned int n)
{
	unsigned int i, j;
	int ret;

	if (!calls || !n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!calls[i].fn) {
			pr_err("system call %u has no function\n", calls[i].nr);
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (calls[j].nr == calls[i].nr) {
				pr_err("system call %u is listed twice\n", calls[i].nr);
				return -EINVAL;
			}
		}
		ret = dynamos_syscall_unused(calls[i].nr);
		if (ret)
			return ret;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(dynamos_syscalls_check);
