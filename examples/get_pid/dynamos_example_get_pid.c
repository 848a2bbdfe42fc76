// SPDX-License-Identifier: GPL-2.0
/*
 * Example update (manual §5.1, for today's kernel): report every pid allocation.
 *
 * Linux 2.4's get_pid() became alloc_pid(). alloc_pid_v2 is a wrapper version: it runs the original
 * body through the framework (so it needs no copy of alloc_pid) and logs who asked for a pid and
 * which one it got.
 */
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/err.h>
#include <dynamos.h>

typedef struct pid *(alloc_pid_t)(struct pid_namespace *ns, pid_t *set_tid, size_t set_tid_size);

/* alloc_pid's body past its ftrace site; set once at load, before the version can be registered. */
static alloc_pid_t *original_alloc_pid;

noinline struct pid *alloc_pid_v2(struct pid_namespace *ns, pid_t *set_tid, size_t set_tid_size)
{
	struct pid *pid = original_alloc_pid(ns, set_tid, set_tid_size);

	if (!IS_ERR(pid))
		pr_info("alloc_pid_v2: called from pid %d, allocated pid %d\n",
			task_pid_nr(current), pid_nr(pid));
	return pid;
}

static int __init get_pid_example_init(void)
{
	/* alloc_pid is not exported: ask the framework for it by name. */
	original_alloc_pid = (alloc_pid_t *)dynamos_original_by_name("alloc_pid");
	if (!original_alloc_pid) {
		pr_err("dynamos_example_get_pid: cannot find alloc_pid's original entry\n");
		return -ENOENT;
	}
	return 0;
}

static void __exit get_pid_example_exit(void)
{
}

module_init(get_pid_example_init);
module_exit(get_pid_example_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS example: log every pid allocation (alloc_pid_v2)");
