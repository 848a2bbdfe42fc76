// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark baseline for bench/syscall-overhead: the kernel's own livepatch
 * redirecting the same eight functions as bench/kmod/syscall-update to
 * wrappers that call the original bodies, so each row of the table compares
 * like with like.  See that module for why each function was chosen.
 *
 * How a wrapper reaches the original: livepatch redirects at the function's
 * ftrace site, so calling the function by its address would come straight
 * back here.  The wrappers call the body just past that site instead.  The
 * addresses are livepatch's own: by the time the object's pre_patch callback
 * runs, livepatch has resolved every old_name to old_func, and nothing is
 * redirected yet.  The callback checks that each function starts as the
 * kernel's ftrace sites do (an optional ENDBR64, then a 5-byte NOP or CALL)
 * and refuses the patch otherwise, so a wrong guess cannot jump into the
 * middle of an instruction.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/static_call.h>
#include <linux/fs.h>
#include <linux/fcntl.h>
#include <linux/stat.h>
#include <linux/uio.h>
#include <linux/sched/task.h>
#include <linux/string.h>
#include <asm/ptrace.h>

typedef long (syscall0_t)(const struct pt_regs *regs);
typedef ssize_t (vfs_read_t)(struct file *file, char __user *buf,
			     size_t count, loff_t *pos);
typedef ssize_t (vfs_write_t)(struct file *file, const char __user *buf,
			      size_t count, loff_t *pos);
typedef long (do_sys_openat2_t)(int dfd, const char __user *filename,
				struct open_how *how);
typedef int (vfs_fstatat_t)(int dfd, const char __user *filename,
			    struct kstat *stat, int flags);
typedef ssize_t (pipe_write_t)(struct kiocb *iocb, struct iov_iter *from);
typedef pid_t (kernel_clone_t)(struct kernel_clone_args *args);

/*
 * The bodies past the ftrace sites, called directly as static calls (the
 * DynAMOS wrappers do the same); set by the pre_patch callback.
 */
static syscall0_t lp_getpid_v2;
static syscall0_t lp_getppid_v2;
static vfs_read_t lp_vfs_read_v2;
static vfs_write_t lp_vfs_write_v2;
static do_sys_openat2_t lp_do_sys_openat2_v2;
static vfs_fstatat_t lp_vfs_fstatat_v2;
static pipe_write_t lp_pipe_write_v2;
static kernel_clone_t lp_kernel_clone_v2;
DEFINE_STATIC_CALL_NULL(lp_getpid, lp_getpid_v2);
DEFINE_STATIC_CALL_NULL(lp_getppid, lp_getppid_v2);
DEFINE_STATIC_CALL_NULL(lp_vfs_read, lp_vfs_read_v2);
DEFINE_STATIC_CALL_NULL(lp_vfs_write, lp_vfs_write_v2);
DEFINE_STATIC_CALL_NULL(lp_do_sys_openat2, lp_do_sys_openat2_v2);
DEFINE_STATIC_CALL_NULL(lp_vfs_fstatat, lp_vfs_fstatat_v2);
DEFINE_STATIC_CALL_NULL(lp_pipe_write, lp_pipe_write_v2);
DEFINE_STATIC_CALL_NULL(lp_kernel_clone, lp_kernel_clone_v2);

static long lp_getpid_v2(const struct pt_regs *regs)
{
	return static_call(lp_getpid)(regs);
}

static long lp_getppid_v2(const struct pt_regs *regs)
{
	return static_call(lp_getppid)(regs);
}

static ssize_t lp_vfs_read_v2(struct file *file, char __user *buf,
			      size_t count, loff_t *pos)
{
	return static_call(lp_vfs_read)(file, buf, count, pos);
}

static ssize_t lp_vfs_write_v2(struct file *file, const char __user *buf,
			       size_t count, loff_t *pos)
{
	return static_call(lp_vfs_write)(file, buf, count, pos);
}

static long lp_do_sys_openat2_v2(int dfd, const char __user *filename,
				 struct open_how *how)
{
	return static_call(lp_do_sys_openat2)(dfd, filename, how);
}

static int lp_vfs_fstatat_v2(int dfd, const char __user *filename,
			     struct kstat *stat, int flags)
{
	return static_call(lp_vfs_fstatat)(dfd, filename, stat, flags);
}

static ssize_t lp_pipe_write_v2(struct kiocb *iocb, struct iov_iter *from)
{
	return static_call(lp_pipe_write)(iocb, from);
}

static pid_t lp_kernel_clone_v2(struct kernel_clone_args *args)
{
	return static_call(lp_kernel_clone)(args);
}

static struct klp_func lp_funcs[] = {
	{ .old_name = "__do_sys_getpid", .new_func = lp_getpid_v2 },
	{ .old_name = "__do_sys_getppid", .new_func = lp_getppid_v2 },
	{ .old_name = "vfs_read", .new_func = lp_vfs_read_v2 },
	{ .old_name = "vfs_write", .new_func = lp_vfs_write_v2 },
	{ .old_name = "do_sys_openat2", .new_func = lp_do_sys_openat2_v2 },
	{ .old_name = "vfs_fstatat", .new_func = lp_vfs_fstatat_v2 },
	{ .old_name = "pipe_write", .new_func = lp_pipe_write_v2 },
	{ .old_name = "kernel_clone", .new_func = lp_kernel_clone_v2 },
	{ }
};

/* Points one static call at a body, in the order of lp_funcs. */
static void lp_set_body(int i, unsigned long body)
{
	switch (i) {
	case 0: static_call_update(lp_getpid, (typeof(&STATIC_CALL_TRAMP(lp_getpid)))body); break;
	case 1: static_call_update(lp_getppid, (typeof(&STATIC_CALL_TRAMP(lp_getppid)))body); break;
	case 2: static_call_update(lp_vfs_read, (typeof(&STATIC_CALL_TRAMP(lp_vfs_read)))body); break;
	case 3: static_call_update(lp_vfs_write, (typeof(&STATIC_CALL_TRAMP(lp_vfs_write)))body); break;
	case 4: static_call_update(lp_do_sys_openat2, (typeof(&STATIC_CALL_TRAMP(lp_do_sys_openat2)))body); break;
	case 5: static_call_update(lp_vfs_fstatat, (typeof(&STATIC_CALL_TRAMP(lp_vfs_fstatat)))body); break;
	case 6: static_call_update(lp_pipe_write, (typeof(&STATIC_CALL_TRAMP(lp_pipe_write)))body); break;
	case 7: static_call_update(lp_kernel_clone, (typeof(&STATIC_CALL_TRAMP(lp_kernel_clone)))body); break;
	}
}

/*
 * The address just past @func's ftrace site, or 0 if @func does not begin
 * with one.  x86-64: ENDBR64 (f3 0f 1e fa) when the kernel has IBT, then
 * the 5-byte site: the NOP ftrace leaves in untraced functions
 * (0f 1f 44 00 00) or a CALL (e8) while something traces it.
 */
static unsigned long lp_body(const void *func)
{
	static const u8 endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };
	static const u8 nop5[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	const u8 *p = func;

	if (!memcmp(p, endbr64, sizeof(endbr64)))
		p += sizeof(endbr64);
	if (p[0] != 0xe8 && memcmp(p, nop5, sizeof(nop5)))
		return 0;
	return (unsigned long)p + sizeof(nop5);
}

/* Runs after livepatch resolved old_func and before it redirects anything. */
static int lp_pre_patch(struct klp_object *obj)
{
	unsigned long body;
	int i;

	for (i = 0; i < ARRAY_SIZE(lp_funcs) - 1; i++) {
		body = lp_funcs[i].old_func ? lp_body(lp_funcs[i].old_func) : 0;
		if (!body) {
			pr_err("dynamos_bench_syscall_livepatch: %s does not start with an ftrace site\n",
			       lp_funcs[i].old_name);
			return -EINVAL;
		}
		lp_set_body(i, body);
	}
	return 0;
}

static struct klp_object lp_objs[] = {
	{
		.name = NULL,	/* vmlinux */
		.funcs = lp_funcs,
		.callbacks = { .pre_patch = lp_pre_patch },
	},
	{ }
};

static struct klp_patch lp_patch = {
	.mod = THIS_MODULE,
	.objs = lp_objs,
};

static int __init lp_init(void)
{
	return klp_enable_patch(&lp_patch);
}

static void __exit lp_exit(void)
{
}

module_init(lp_init);
module_exit(lp_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
MODULE_DESCRIPTION("DynAMOS benchmark: livepatch of eight system calls' main functions");
