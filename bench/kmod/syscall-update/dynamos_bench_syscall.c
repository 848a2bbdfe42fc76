// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark update for bench/syscall-overhead (the paper's Table 3 on
 * today's system calls): one wrapper version per measured operation, each
 * calling the original body through the framework, so that the figure is
 * what the redirection adds and nothing else.
 *
 * Which function stands for which operation.  Each is traceable
 * (available_filter_functions), has one kallsyms entry, and runs exactly
 * as often as the row says:
 *
 *   id 1 getpid       __do_sys_getpid: the system call itself; the syscall
 *                     table's __x64_sys_getpid is an alias of it at the same
 *                     address, which ftrace and the kernel's BTF know only
 *                     under this name.  Once.
 *   id 2 getppid      __do_sys_getppid: likewise.  Once.
 *   id 3 read 1 byte  vfs_read: ksys_read calls it once per read(); it then
 *                     calls /dev/zero's ->read (read_zero), which is
 *                     device-specific and not the syscall's main function.
 *   id 4 write 1 byte vfs_write: ksys_write calls it once per write().
 *   id 5 open+close   do_sys_openat2: the one place open(), openat() and
 *                     openat2() meet; once per open (close has no
 *                     traceable function of comparable weight: close_fd is
 *                     a few lines around fput).
 *   id 6 stat         vfs_fstatat: stat() (glibc: newfstatat; the old stat
 *                     calls go through vfs_stat, an inline wrapper of it)
 *                     lands here once; it calls vfs_statx, a static
 *                     function whose prototype changes between releases.
 *   id 7 pipe         pipe_write: a 4 KiB round trip is two writes (one by
 *                     each side), so this row pays the redirection twice.
 *   id 8 fork         kernel_clone: fork() (glibc: clone) calls it once;
 *                     exit and wait have no single main function.
 *
 * The adaptation handler is not declared: `dynamos apply` leaves the
 * functions on the path without one (the fast path where the framework
 * has it), and the benchmark sets it afterwards with `dynamos rule`.
 */
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/fcntl.h>
#include <linux/stat.h>
#include <linux/uio.h>
#include <linux/sched/task.h>
#include <asm/ptrace.h>

#include <dynamos.h>

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

/* The originals, called directly (static calls, see <dynamos.h>). */
syscall0_t dynamos_bench_getpid_v2;
syscall0_t dynamos_bench_getppid_v2;
vfs_read_t dynamos_bench_vfs_read_v2;
vfs_write_t dynamos_bench_vfs_write_v2;
do_sys_openat2_t dynamos_bench_do_sys_openat2_v2;
vfs_fstatat_t dynamos_bench_vfs_fstatat_v2;
pipe_write_t dynamos_bench_pipe_write_v2;
kernel_clone_t dynamos_bench_kernel_clone_v2;
DYNAMOS_DEFINE_ORIGINAL(orig_getpid, dynamos_bench_getpid_v2);
DYNAMOS_DEFINE_ORIGINAL(orig_getppid, dynamos_bench_getppid_v2);
DYNAMOS_DEFINE_ORIGINAL(orig_vfs_read, dynamos_bench_vfs_read_v2);
DYNAMOS_DEFINE_ORIGINAL(orig_vfs_write, dynamos_bench_vfs_write_v2);
DYNAMOS_DEFINE_ORIGINAL(orig_do_sys_openat2, dynamos_bench_do_sys_openat2_v2);
DYNAMOS_DEFINE_ORIGINAL(orig_vfs_fstatat, dynamos_bench_vfs_fstatat_v2);
DYNAMOS_DEFINE_ORIGINAL(orig_pipe_write, dynamos_bench_pipe_write_v2);
DYNAMOS_DEFINE_ORIGINAL(orig_kernel_clone, dynamos_bench_kernel_clone_v2);

noinline long dynamos_bench_getpid_v2(const struct pt_regs *regs)
{
	return static_call(orig_getpid)(regs);
}

noinline long dynamos_bench_getppid_v2(const struct pt_regs *regs)
{
	return static_call(orig_getppid)(regs);
}

noinline ssize_t dynamos_bench_vfs_read_v2(struct file *file, char __user *buf,
				   size_t count, loff_t *pos)
{
	return static_call(orig_vfs_read)(file, buf, count, pos);
}

noinline ssize_t dynamos_bench_vfs_write_v2(struct file *file, const char __user *buf,
				    size_t count, loff_t *pos)
{
	return static_call(orig_vfs_write)(file, buf, count, pos);
}

noinline long dynamos_bench_do_sys_openat2_v2(int dfd, const char __user *filename,
				      struct open_how *how)
{
	return static_call(orig_do_sys_openat2)(dfd, filename, how);
}

noinline int dynamos_bench_vfs_fstatat_v2(int dfd, const char __user *filename,
				  struct kstat *stat, int flags)
{
	return static_call(orig_vfs_fstatat)(dfd, filename, stat, flags);
}

noinline ssize_t dynamos_bench_pipe_write_v2(struct kiocb *iocb, struct iov_iter *from)
{
	return static_call(orig_pipe_write)(iocb, from);
}

noinline pid_t dynamos_bench_kernel_clone_v2(struct kernel_clone_args *args)
{
	return static_call(orig_kernel_clone)(args);
}

/*
 * The handler of configuration 3: the cheapest possible choice, "the
 * active version", so the figure is the framework's handler path alone.
 * Runs on the ftrace callback path: notrace.
 */
int notrace dynamos_bench_syscall_handler(const struct dynamos_call *call)
{
	return 0;
}

/* Points each static call at its original; fails the apply when one is missing. */
static int dynamos_bench_syscall_init(void)
{
	int ret = 0;

	ret = ret ?: dynamos_set_original(orig_getpid, "__do_sys_getpid");
	ret = ret ?: dynamos_set_original(orig_getppid, "__do_sys_getppid");
	ret = ret ?: dynamos_set_original(orig_vfs_read, "vfs_read");
	ret = ret ?: dynamos_set_original(orig_vfs_write, "vfs_write");
	ret = ret ?: dynamos_set_original(orig_do_sys_openat2, "do_sys_openat2");
	ret = ret ?: dynamos_set_original(orig_vfs_fstatat, "vfs_fstatat");
	ret = ret ?: dynamos_set_original(orig_pipe_write, "pipe_write");
	ret = ret ?: dynamos_set_original(orig_kernel_clone, "kernel_clone");
	if (ret)
		pr_err("dynamos_bench_syscall: an original entry is missing (see the line above)\n");
	return ret;
}

DYNAMOS_UPDATE("syscall_overhead");
DYNAMOS_INIT(dynamos_bench_syscall_init);
DYNAMOS_REPLACE(1, __do_sys_getpid, dynamos_bench_getpid_v2);
DYNAMOS_REPLACE(2, __do_sys_getppid, dynamos_bench_getppid_v2);
DYNAMOS_REPLACE(3, vfs_read, dynamos_bench_vfs_read_v2);
DYNAMOS_REPLACE(4, vfs_write, dynamos_bench_vfs_write_v2);
DYNAMOS_REPLACE(5, do_sys_openat2, dynamos_bench_do_sys_openat2_v2);
DYNAMOS_REPLACE(6, vfs_fstatat, dynamos_bench_vfs_fstatat_v2);
DYNAMOS_REPLACE(7, pipe_write, dynamos_bench_pipe_write_v2);
DYNAMOS_REPLACE(8, kernel_clone, dynamos_bench_kernel_clone_v2);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS benchmark: wrapper versions of eight system calls' main functions");
