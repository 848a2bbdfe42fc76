// SPDX-License-Identifier: GPL-2.0
/*
 * Datatype update with shadow data: a new per-process field, the number of files the process
 * opened since the update, for a task_struct that has no room for it.
 *
 * The field lives in a shadow of each task_struct (dynamos_shadow_*), created on the fork path,
 * counted on the open path, freed when the task is reaped.  Three wrapper versions, each running
 * the original function:
 *
 *   id 1  wake_up_new_task(p)     every new task passes here once, after copy_process() and
 *                                 before it first runs: the shadow exists before the task can
 *                                 open anything.  Process context of the parent: GFP_KERNEL.
 *   id 2  do_sys_openat2(...)     open(2), openat(2), openat2(2), creat(2): count a successful
 *                                 open in the caller's shadow, if it has one.
 *   id 3  release_task(p)         a dead task is reaped (by wait() or by itself): remove its
 *                                 shadow.  Process context.
 *
 * Tasks that existed before the update have no shadow: every user copes with find() returning
 * NULL, so they keep working and are simply not counted.  /proc/dynamos_task_files lists
 * "pid comm opened" for every task with a shadow, after a line "shadows N".  Module exit
 * (after revert) frees the shadows of tasks still alive.
 */
#define pr_fmt(fmt) "task_files: " fmt

#include <linux/atomic.h>
#include <linux/module.h>
#include <linux/openat2.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <dynamos.h>

/* The new field of task_struct. */
struct task_files {
	atomic_long_t opened;
};

static struct dynamos_shadow_table task_files;
static atomic_long_t create_failures = ATOMIC_LONG_INIT(0);

typedef void (wake_up_new_task_t)(struct task_struct *p);
typedef long (do_sys_openat2_t)(int dfd, const char __user *filename, struct open_how *how);
typedef void (release_task_t)(struct task_struct *p);

/* The originals' bodies (past their ftrace sites), set in init before any version can run. */
static wake_up_new_task_t *orig_wake_up_new_task;
static do_sys_openat2_t *orig_do_sys_openat2;
static release_task_t *orig_release_task;

static noinline void wake_up_new_task_v2(struct task_struct *p)
{
	struct task_files *tf = dynamos_shadow_create(&task_files, p, sizeof(*tf), GFP_KERNEL);

	if (IS_ERR(tf) && PTR_ERR(tf) == -EEXIST) {
		/* Left by a task freed without being reaped here: not this task's. */
		dynamos_shadow_remove(&task_files, p);
		tf = dynamos_shadow_create(&task_files, p, sizeof(*tf), GFP_KERNEL);
	}
	if (IS_ERR(tf))
		atomic_long_inc(&create_failures);	/* the task just goes uncounted */
	orig_wake_up_new_task(p);
}

static noinline long do_sys_openat2_v2(int dfd, const char __user *filename, struct open_how *how)
{
	long fd = orig_do_sys_openat2(dfd, filename, how);
	struct task_files *tf;

	if (fd < 0)
		return fd;
	/* Our own shadow: only release_task of this (dead) task removes it. */
	tf = dynamos_shadow_find(&task_files, current);
	if (tf)
		atomic_long_inc(&DYNAMOS_SHADOW_FIELD(struct task_files, tf, opened));
	return fd;
}

static noinline void release_task_v2(struct task_struct *p)
{
	dynamos_shadow_remove(&task_files, p);	/* -ENOENT: older than the update */
	orig_release_task(p);
}

static int task_files_show(struct seq_file *m, void *v)
{
	struct task_struct *g, *t;

	seq_printf(m, "shadows %lu\n", dynamos_shadow_count(&task_files));
	rcu_read_lock();
	for_each_process_thread(g, t) {
		struct task_files *tf = dynamos_shadow_find(&task_files, t);

		if (tf)
			seq_printf(m, "%d %s %ld\n", task_pid_nr(t), t->comm,
				   atomic_long_read(&tf->opened));
	}
	rcu_read_unlock();
	return 0;
}

static int __init task_files_init(void)
{
	int ret;

	orig_wake_up_new_task = (wake_up_new_task_t *)dynamos_original_by_name("wake_up_new_task");
	orig_do_sys_openat2 = (do_sys_openat2_t *)dynamos_original_by_name("do_sys_openat2");
	orig_release_task = (release_task_t *)dynamos_original_by_name("release_task");
	if (!orig_wake_up_new_task || !orig_do_sys_openat2 || !orig_release_task)
		return -ENOENT;
	ret = dynamos_shadow_init(&task_files);
	if (ret)
		return ret;
	if (!proc_create_single("dynamos_task_files", 0444, NULL, task_files_show)) {
		dynamos_shadow_cleanup(&task_files);
		return -ENOMEM;
	}
	return 0;
}

/* Runs only once every version is deregistered (they pin the module). */
static void __exit task_files_exit(void)
{
	unsigned long left;

	remove_proc_entry("dynamos_task_files", NULL);
	left = dynamos_shadow_cleanup(&task_files);
	pr_info("exit: freed %lu shadow(s) of tasks still alive; %ld task(s) went uncounted\n",
		left, atomic_long_read(&create_failures));
}

module_init(task_files_init);
module_exit(task_files_exit);

DYNAMOS_UPDATE("task_files");
DYNAMOS_REPLACE(1, wake_up_new_task, wake_up_new_task_v2);
DYNAMOS_REPLACE(2, do_sys_openat2, do_sys_openat2_v2);
DYNAMOS_REPLACE(3, release_task, release_task_v2);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS example: files opened per process since the update, as shadow data of task_struct");
