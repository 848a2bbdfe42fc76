// SPDX-License-Identifier: GPL-2.0
/*
 * DynAMOS test target: a traceable function to update, and a way to call
 * it from userspace.
 *
 * /proc/dynamos_target
 *   write "N a b"      call dynamos_target_fn(a, b) N times in this task
 *   write "thread a b" start a kernel thread that calls it once (it may be
 *                      parked inside a version, see dynamos_test_update)
 *   write "sleepy a b" start a kernel thread that calls dynamos_target_sleepy
 *                      (a == 777: it sleeps in that function's .cold part)
 *   write "release"    wake the threads sleeping in dynamos_target_sleepy
 *   read               "calls=<n> last=<r> sum=<s> threads=<running>
 *                       thread_last=<r> ns=<t> sleepy=<n>"  (t: time the N calls took;
 *                       guest instructions under QEMU -icount shift=0;
 *                       n: threads asleep in dynamos_target_sleepy)
 */
#define pr_fmt(fmt) "dynamos_target: " fmt

#include <linux/atomic.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#define MAX_CALLS 100000000L

/* Results of the last write; under target_lock. */
static DEFINE_MUTEX(target_lock);
static long target_calls;
static long target_last;
static long long target_sum;
static u64 target_ns;

static atomic_t threads_running = ATOMIC_INIT(0);
static atomic_long_t thread_last = ATOMIC_LONG_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(sleepy_wq);
static unsigned long sleepy_gen;	/* bumped by "release" */
static atomic_t sleepy_sleepers = ATOMIC_INIT(0);

/* Traceable on purpose: ftrace gives it an fentry site. */
noinline long dynamos_target_fn(long a, long b)
{
	return a + b;
}
EXPORT_SYMBOL_GPL(dynamos_target_fn);

/* Cold, so GCC moves its caller's block into dynamos_target_sleepy.cold. */
static noinline __cold long target_cold_wait(void)
{
	unsigned long gen = READ_ONCE(sleepy_gen);
	long ret;

	atomic_inc(&sleepy_sleepers);
	pr_info("pid %d sleeps in dynamos_target_sleepy.cold\n", current->pid);
	ret = wait_event_interruptible(sleepy_wq, READ_ONCE(sleepy_gen) != gen);
	atomic_dec(&sleepy_sleepers);
	return ret;
}

/* An original whose .cold part a task can sleep in (a == 777). */
noinline long dynamos_target_sleepy(long a, long b)
{
	if (a == 777) {
		long ret = target_cold_wait();

		return ret ? ret : READ_ONCE(sleepy_gen) + a + b;
	}
	return a + b;
}
EXPORT_SYMBOL_GPL(dynamos_target_sleepy);

struct thread_args {
	long a, b;
	bool sleepy;
};

static int target_thread(void *data)
{
	struct thread_args args = *(struct thread_args *)data;

	kfree(data);
	atomic_long_set(&thread_last, args.sleepy ?
			dynamos_target_sleepy(args.a, args.b) :
			dynamos_target_fn(args.a, args.b));
	pr_info("thread %d returned %ld\n", current->pid,
		atomic_long_read(&thread_last));
	atomic_dec(&threads_running);
	module_put_and_kthread_exit(0);
}

static int spawn_target_thread(long a, long b, bool sleepy)
{
	struct thread_args *args = kmalloc(sizeof(*args), GFP_KERNEL);
	struct task_struct *t;

	if (!args)
		return -ENOMEM;
	args->a = a;
	args->b = b;
	args->sleepy = sleepy;
	/* The thread runs our code: keep the module until it exits. */
	__module_get(THIS_MODULE);
	atomic_inc(&threads_running);
	t = kthread_run(target_thread, args, "dynamos_target");
	if (IS_ERR(t)) {
		atomic_dec(&threads_running);
		module_put(THIS_MODULE);
		kfree(args);
		return PTR_ERR(t);
	}
	pr_info("started thread %d\n", t->pid);
	return 0;
}

static ssize_t target_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	char buf[80];
	long n, a, b, i, r = 0;
	long long sum = 0;
	u64 start;
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';

	if (sscanf(buf, "thread %ld %ld", &a, &b) == 2) {
		ret = spawn_target_thread(a, b, false);
		return ret ? ret : len;
	}
	if (sscanf(buf, "sleepy %ld %ld", &a, &b) == 2) {
		ret = spawn_target_thread(a, b, true);
		return ret ? ret : len;
	}
	if (sysfs_streq(buf, "release")) {
		WRITE_ONCE(sleepy_gen, sleepy_gen + 1);
		wake_up_all(&sleepy_wq);
		return len;
	}
	if (sscanf(buf, "%ld %ld %ld", &n, &a, &b) != 3 || n < 0 ||
	    n > MAX_CALLS)
		return -EINVAL;
	start = ktime_get_ns();
	for (i = 0; i < n; i++) {
		r = dynamos_target_fn(a, b);
		sum += r;
		cond_resched();
	}
	start = ktime_get_ns() - start;
	mutex_lock(&target_lock);
	target_ns = start;
	target_calls = n;
	target_last = r;
	target_sum = sum;
	mutex_unlock(&target_lock);
	return len;
}

static int target_show(struct seq_file *m, void *v)
{
	mutex_lock(&target_lock);
	seq_printf(m, "calls=%ld last=%ld sum=%lld threads=%d thread_last=%ld ns=%llu sleepy=%d\n",
		   target_calls, target_last, target_sum,
		   atomic_read(&threads_running),
		   atomic_long_read(&thread_last), target_ns,
		   atomic_read(&sleepy_sleepers));
	mutex_unlock(&target_lock);
	return 0;
}

static int target_open(struct inode *inode, struct file *file)
{
	return single_open(file, target_show, NULL);
}

static const struct proc_ops target_proc_ops = {
	.proc_open	= target_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= single_release,
	.proc_write	= target_write,
};

static int __init target_init(void)
{
	if (!proc_create("dynamos_target", 0600, NULL, &target_proc_ops))
		return -ENOMEM;
	return 0;
}

static void __exit target_exit(void)
{
	remove_proc_entry("dynamos_target", NULL);
	WRITE_ONCE(sleepy_gen, sleepy_gen + 1);
	wake_up_all(&sleepy_wq);
}

module_init(target_init);
module_exit(target_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS test: target function");
