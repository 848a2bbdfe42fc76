// SPDX-License-Identifier: GPL-2.0
/*
 * DynAMOS test update: versions of dynamos_target_fn and of schedule,
 * adaptation handlers, hooks and an init function, all registered by name
 * through /dev/dynamos by the tests.
 *
 * /proc/dynamos_test_update
 *   write "release"  wake every task parked in dynamos_target_fn_sleep
 *   read             "sleepers=<n> wrap_calls=<n> sched_calls=<n>
 *                     init_calls=<n> handler_calls=<n> framework_original=<0|1>"
 *                    (the last: dynamos_original_by_name() found the
 *                    framework's own dyn_status_show, as a self-update needs)
 *
 * Parameters (/sys/module/dynamos_test_update/parameters):
 *   fail_pre_activation  errno that dynamos_test_pre_activation_fail returns
 *   handler_pid          pid that dynamos_test_handler_pid sends to ...
 *   handler_pid_version  ... this version
 *   set_active_version   version dynamos_test_handler_set_active makes active
 *   nested_last          what dynamos_target_fn returned when called from
 *                        within dynamos_test_handler_nested (read-only)
 */
#define pr_fmt(fmt) "dynamos_test_update: " fmt

#include <linux/atomic.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include <dynamos.h>

extern long dynamos_target_fn(long a, long b);

static int fail_pre_activation;
module_param(fail_pre_activation, int, 0644);
MODULE_PARM_DESC(fail_pre_activation, "errno returned by dynamos_test_pre_activation_fail (0: succeed)");
static int handler_pid;
module_param(handler_pid, int, 0644);
static int handler_pid_version = 3;
module_param(handler_pid_version, int, 0644);
static int set_active_version = 2;
module_param(set_active_version, int, 0644);
static long nested_last;
module_param(nested_last, long, 0444);

static long (*orig_target)(long a, long b);
static void (*orig_schedule)(void);

static atomic_t sleepers = ATOMIC_INIT(0);
static atomic_long_t wrap_calls = ATOMIC_LONG_INIT(0);
static atomic_long_t sched_calls = ATOMIC_LONG_INIT(0);
static atomic_long_t init_calls = ATOMIC_LONG_INIT(0);
static atomic_long_t handler_calls = ATOMIC_LONG_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(sleep_wq);
static unsigned long release_gen;	/* bumped by "release" */

/* ---- versions of dynamos_target_fn ---- */

noinline long dynamos_target_fn_v2(long a, long b)
{
	return a + b + 1000;
}

noinline long dynamos_target_fn_v3(long a, long b)
{
	return a + b + 2000;
}

/* Wraps the original: runs its body without being redirected again. */
noinline long dynamos_target_fn_wrap(long a, long b)
{
	atomic_long_inc(&wrap_calls);
	return orig_target(a, b) + 3000;
}

/*
 * Parks the caller until "release" (quiescence tests).  Inlined: each
 * function below sleeps in its own frame.
 */
static __always_inline long park_until_release(long a, long b,
					       const char *where)
{
	unsigned long gen = READ_ONCE(release_gen);
	long ret;

	atomic_inc(&sleepers);
	pr_info("pid %d sleeps in %s\n", current->pid, where);
	ret = wait_event_interruptible(sleep_wq, READ_ONCE(release_gen) != gen);
	atomic_dec(&sleepers);
	return ret ? ret : a + b + 5000;
}

noinline long dynamos_target_fn_sleep(long a, long b)
{
	return park_until_release(a, b, __func__);
}

/*
 * Reached from dynamos_target_fn_tail by a tail call (jmp), so no frame of
 * the version is on the sleeper's stack.
 */
noinline long dynamos_test_sleep_helper(long a, long b)
{
	return park_until_release(a, b, __func__);
}

noinline long dynamos_target_fn_tail(long a, long b)
{
	return dynamos_test_sleep_helper(a + 1, b);
}

/* Cold, so GCC moves its caller's block into dynamos_target_fn_cold.cold. */
static noinline __cold long dynamos_test_cold_wait(void)
{
	unsigned long gen = READ_ONCE(release_gen);
	long ret;

	atomic_inc(&sleepers);
	pr_info("pid %d sleeps in a .cold part\n", current->pid);
	ret = wait_event_interruptible(sleep_wq, READ_ONCE(release_gen) != gen);
	atomic_dec(&sleepers);
	return ret;
}

/* a == 777 sleeps, called from the function's .cold part. */
noinline long dynamos_target_fn_cold(long a, long b)
{
	if (a == 777) {
		long ret = dynamos_test_cold_wait();

		/* work after the call: a return address in the .cold part */
		return ret ? ret : a + b + 6000;
	}
	return a + b + 6000;
}

/* ---- version of schedule ---- */

void dynamos_test_schedule(void)
{
	atomic_long_inc(&sched_calls);
	orig_schedule();
}

/* ---- adaptation handlers (ftrace callback context) ---- */

/* a in 2..8 selects version a; a == 99 makes version 2 active. */
int notrace dynamos_test_handler_arg(const struct dynamos_call *call)
{
	long a = (long)dynamos_arg(call, 0);

	atomic_long_inc(&handler_calls);
	if (a >= 2 && a <= 8)
		return a;
	if (a == 99)
		dynamos_set_active(call, 2);
	return 0;
}

int notrace dynamos_test_handler_pid(const struct dynamos_call *call)
{
	atomic_long_inc(&handler_calls);
	if (current->pid == READ_ONCE(handler_pid))
		return READ_ONCE(handler_pid_version);
	return 0;
}

/* a == 77 raises must_update and sets phase 5 of the call's update name. */
int notrace dynamos_test_handler_state(const struct dynamos_call *call)
{
	struct dynamos_state *state = dynamos_call_state(call);

	atomic_long_inc(&handler_calls);
	if ((long)dynamos_arg(call, 0) == 77 && state) {
		dynamos_set_phase(state, 5);
		dynamos_set_must_update(state, true);
	}
	return 0;
}

/* Makes set_active_version active on every call (switching tests). */
int notrace dynamos_test_handler_set_active(const struct dynamos_call *call)
{
	atomic_long_inc(&handler_calls);
	dynamos_set_active(call, READ_ONCE(set_active_version));
	return 0;
}

static void nested_tasklet_fn(struct tasklet_struct *t)
{
	WRITE_ONCE(nested_last, dynamos_target_fn(1, 1));
}

static DECLARE_TASKLET(nested_tasklet, nested_tasklet_fn);

/*
 * Calls of the updated function nested in this handler: a == 55 runs one
 * from a softirq (local_bh_enable() runs the pending tasklet right here,
 * as it does inside dynamos_shadow_create()), a == 56 calls it directly.
 * Either must run the active version.
 */
int notrace dynamos_test_handler_nested(const struct dynamos_call *call)
{
	long a = (long)dynamos_arg(call, 0);

	atomic_long_inc(&handler_calls);
	if (a == 55) {
		local_bh_disable();
		tasklet_schedule(&nested_tasklet);
		local_bh_enable();
	} else if (a == 56) {
		WRITE_ONCE(nested_last, dynamos_target_fn(1, 2));
	}
	return 0;
}

/* ---- hooks and init function ---- */

int dynamos_test_pre_activation(void)
{
	pr_info("hook pre_activation\n");
	return 0;
}

int dynamos_test_post_activation(void)
{
	pr_info("hook post_activation\n");
	return 0;
}

int dynamos_test_pre_removal(void)
{
	pr_info("hook pre_removal\n");
	return 0;
}

int dynamos_test_post_removal(void)
{
	pr_info("hook post_removal\n");
	return 0;
}

int dynamos_test_pre_activation_fail(void)
{
	int err = READ_ONCE(fail_pre_activation);

	pr_info("hook pre_activation_fail returns %d\n", err ? -abs(err) : 0);
	return err ? -abs(err) : 0;
}

static void release_sleepers(void)
{
	WRITE_ONCE(release_gen, release_gen + 1);
	wake_up_all(&sleep_wq);
}

/* Pre-removal hook that lets parked tasks leave the sleeping version. */
int dynamos_test_release(void)
{
	pr_info("hook release (%d sleepers)\n", atomic_read(&sleepers));
	release_sleepers();
	return 0;
}

int dynamos_test_init(void)
{
	atomic_long_inc(&init_calls);
	pr_info("init function called\n");
	return 42;
}

/* ---- /proc/dynamos_test_update ---- */

static ssize_t update_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	char buf[16];

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (!sysfs_streq(buf, "release"))
		return -EINVAL;
	release_sleepers();
	return len;
}

static unsigned long orig_framework_status;

static int update_show(struct seq_file *m, void *v)
{
	seq_printf(m, "sleepers=%d wrap_calls=%ld sched_calls=%ld init_calls=%ld handler_calls=%ld framework_original=%d\n",
		   atomic_read(&sleepers), atomic_long_read(&wrap_calls),
		   atomic_long_read(&sched_calls),
		   atomic_long_read(&init_calls),
		   atomic_long_read(&handler_calls),
		   orig_framework_status != 0);
	return 0;
}

static int update_open(struct inode *inode, struct file *file)
{
	return single_open(file, update_show, NULL);
}

static const struct proc_ops update_proc_ops = {
	.proc_open	= update_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= single_release,
	.proc_write	= update_write,
};

static int __init update_init(void)
{
	orig_target = DYNAMOS_ORIGINAL(dynamos_target_fn);
	orig_schedule = DYNAMOS_ORIGINAL(schedule);
	orig_framework_status = dynamos_original_by_name("dynamos:dyn_status_show");
	if (!orig_target || !orig_schedule)
		return -EOPNOTSUPP;
	if (!proc_create("dynamos_test_update", 0600, NULL, &update_proc_ops))
		return -ENOMEM;
	return 0;
}

static void __exit update_exit(void)
{
	remove_proc_entry("dynamos_test_update", NULL);
	tasklet_kill(&nested_tasklet);
	release_sleepers();
}

module_init(update_init);
module_exit(update_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS test: update module");
