// SPDX-License-Identifier: GPL-2.0
/*
 * New system calls by a live update: EPCKPT's collect and checkpoint, in
 * small, on today's kernel.
 *
 *   collect(pid)         from now on, note the memory areas process @pid maps
 *                        and the files it installs in its file table
 *   checkpoint(pid, fd)  write a text checkpoint of @pid (its memory map and
 *                        open files, with what was collected) to @fd
 *
 * The numbers (checkpoint.h) are free numbers of the running kernel, checked
 * at load.  What is collected is shadow data: a struct ckpt_task per
 * collected process (keyed by its thread-group leader's task_struct) and a
 * struct ckpt_file per file installed by it (keyed by the struct file).
 *
 *   id 1  security_file_free(file)  a file is freed: drop its shadow
 *   id 2  release_task(p)           a process is reaped: drop its shadow
 *   id 3  mmap_region(...)          an area is mapped: note it in the
 *                                   mapping process's shadow, if collected
 *   id 4  fd_install(fd, file)      a file enters a file table: give it a
 *                                   shadow (when, how, by whom), if collected
 *   id 5  x64_sys_call(regs, nr)    the two system calls (DYNAMOS_SYSCALLS:
 *                                   a handler routes only our numbers)
 *
 * Locking: the ckpt_tasks table lock (spin_lock_bh) protects the contents of
 * every shadow of both tables and makes collect and the reaping of the same
 * process exclusive (collect refuses a process whose exit_state is set, and
 * release_task removes the shadow under the lock after exit_state was set).
 * It nests inside mmap_lock, task_lock and files->file_lock, never around
 * them.  /proc/dynamos_checkpoint shows the shadow counts and the collected
 * processes; module exit logs how many shadows were still there.
 */
#define pr_fmt(fmt) "checkpoint: " fmt

#include <linux/cred.h>
#include <linux/err.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pid.h>
#include <linux/proc_fs.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_buf.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <dynamos.h>
#include "checkpoint.h"

#define CKPT_AREAS	64		/* areas remembered per process (the latest) */
#define CKPT_TEXT_MAX	(256 * 1024)	/* a checkpoint's text, at most */

struct ckpt_area {
	unsigned long start, len;
};

/* Shadow of a collected process (its thread-group leader). */
struct ckpt_task {
	u64 since_ns;			/* ktime_get_ns() at collect */
	unsigned long mapped;		/* areas mapped since collect */
	unsigned long files;		/* files installed since collect */
	struct ckpt_area areas[CKPT_AREAS]; /* area i at areas[i % CKPT_AREAS] */
};

/* Shadow of a file a collected process installed (first installation). */
struct ckpt_file {
	u64 after_ns;			/* since its process's collect */
	long syscall;			/* the system call that installed it */
	pid_t tid;			/* the thread that did */
	int fd;				/* the descriptor it got */
};

static struct dynamos_shadow_table ckpt_tasks;
static struct dynamos_shadow_table ckpt_files;

static unsigned int nr_collect = CKPT_NR_COLLECT;
module_param(nr_collect, uint, 0444);
MODULE_PARM_DESC(nr_collect, "system call number of collect(pid); must be free");
static unsigned int nr_checkpoint = CKPT_NR_CHECKPOINT;
module_param(nr_checkpoint, uint, 0444);
MODULE_PARM_DESC(nr_checkpoint, "system call number of checkpoint(pid, fd); must be free");

typedef void (security_file_free_t)(struct file *file);
typedef void (release_task_t)(struct task_struct *p);
typedef unsigned long (mmap_region_t)(struct file *file, unsigned long addr,
				      unsigned long len, vm_flags_t vm_flags,
				      unsigned long pgoff, struct list_head *uf);
typedef void (fd_install_t)(unsigned int fd, struct file *file);

/* The originals' bodies, set in init before any version can run. */
static security_file_free_t *orig_security_file_free;
static release_task_t *orig_release_task;
static mmap_region_t *orig_mmap_region;
static fd_install_t *orig_fd_install;

/* ---- collecting ------------------------------------------------------ */

static noinline void security_file_free_v2(struct file *file)
{
	/* -ENOENT for nearly every file: not installed by a collected process. */
	if (dynamos_shadow_count(&ckpt_files))
		dynamos_shadow_remove(&ckpt_files, file);
	orig_security_file_free(file);
}

/*
 * No shortcut on the table's count here: only the lock orders this removal
 * after a collect that saw exit_state still 0 (see the top of the file).
 */
static noinline void release_task_v2(struct task_struct *p)
{
	if (thread_group_leader(p) && !dynamos_shadow_lock(&ckpt_tasks)) {
		dynamos_shadow_remove(&ckpt_tasks, p);
		dynamos_shadow_unlock(&ckpt_tasks);
	}
	orig_release_task(p);
}

/* Is current's process collected?  A hint: the caller looks again under the lock. */
static bool ckpt_collected(void)
{
	bool found;

	if (!dynamos_shadow_count(&ckpt_tasks))
		return false;
	rcu_read_lock();
	found = dynamos_shadow_find(&ckpt_tasks, current->group_leader);
	rcu_read_unlock();
	return found;
}

static noinline unsigned long mmap_region_v2(struct file *file, unsigned long addr,
					     unsigned long len, vm_flags_t vm_flags,
					     unsigned long pgoff, struct list_head *uf)
{
	unsigned long ret = orig_mmap_region(file, addr, len, vm_flags, pgoff, uf);
	struct ckpt_task *t;

	if (IS_ERR_VALUE(ret) || !ckpt_collected() || dynamos_shadow_lock(&ckpt_tasks))
		return ret;
	t = dynamos_shadow_find(&ckpt_tasks, current->group_leader);
	if (t) {
		t->areas[t->mapped % CKPT_AREAS] = (struct ckpt_area){ ret, len };
		t->mapped++;
	}
	dynamos_shadow_unlock(&ckpt_tasks);
	return ret;
}

static noinline void fd_install_v2(unsigned int fd, struct file *file)
{
	struct ckpt_task *t;
	struct ckpt_file *f;

	/* Before the original: once installed, another thread may close it. */
	if (ckpt_collected() && !dynamos_shadow_lock(&ckpt_tasks)) {
		t = dynamos_shadow_find(&ckpt_tasks, current->group_leader);
		if (t) {
			/* -EEXIST: installed before (dup): keep its first installation. */
			f = dynamos_shadow_create(&ckpt_files, file, sizeof(*f), GFP_ATOMIC);
			if (!IS_ERR(f)) {
				f->after_ns = ktime_get_ns() - t->since_ns;
				f->syscall = dynamos_syscall_nr();
				f->tid = task_pid_nr(current);
				f->fd = fd;
			}
			t->files++;
		}
		dynamos_shadow_unlock(&ckpt_tasks);
	}
	orig_fd_install(fd, file);
}

/* ---- the system calls ------------------------------------------------ */

/* May current read @p's resources?  Its own user's processes, or CAP_SYS_PTRACE. */
static bool ckpt_may_access(struct task_struct *p)
{
	const struct cred *cred = current_cred(), *tcred;
	bool same;

	rcu_read_lock();
	tcred = __task_cred(p);
	same = uid_eq(cred->uid, tcred->euid) && uid_eq(cred->uid, tcred->suid) &&
	       uid_eq(cred->uid, tcred->uid) && gid_eq(cred->gid, tcred->egid) &&
	       gid_eq(cred->gid, tcred->sgid) && gid_eq(cred->gid, tcred->gid);
	rcu_read_unlock();
	return same || capable(CAP_SYS_PTRACE);
}

/* The process (thread-group leader) @arg names, referenced; or -errno. */
static struct task_struct *ckpt_process(unsigned long arg)
{
	int nr = (int)arg;
	struct task_struct *p;

	if (nr <= 0)
		return ERR_PTR(-EINVAL);
	rcu_read_lock();
	p = pid_task(find_vpid(nr), PIDTYPE_TGID);
	if (p)
		get_task_struct(p);
	rcu_read_unlock();
	if (!p)
		return ERR_PTR(-ESRCH);
	if (p->flags & PF_KTHREAD) {
		put_task_struct(p);
		return ERR_PTR(-EINVAL);
	}
	if (!ckpt_may_access(p)) {
		put_task_struct(p);
		return ERR_PTR(-EPERM);
	}
	return p;
}

/* collect(pid): 0, -EINVAL, -ESRCH, -EPERM, -EALREADY, -ENOMEM. */
static long ckpt_collect(const struct pt_regs *regs)
{
	struct task_struct *p = ckpt_process(dynamos_syscall_arg(regs, 0));
	struct ckpt_task *t;
	long ret;

	if (IS_ERR(p))
		return PTR_ERR(p);
	ret = dynamos_shadow_lock(&ckpt_tasks);
	if (ret)
		goto out;
	if (READ_ONCE(p->exit_state) || (READ_ONCE(p->flags) & PF_EXITING)) {
		ret = -ESRCH;	/* release_task may be past its removal already */
	} else {
		t = dynamos_shadow_create(&ckpt_tasks, p, sizeof(*t), GFP_ATOMIC);
		if (IS_ERR(t))
			ret = PTR_ERR(t) == -EEXIST ? -EALREADY : PTR_ERR(t);
		else
			t->since_ns = ktime_get_ns();
	}
	dynamos_shadow_unlock(&ckpt_tasks);
out:
	put_task_struct(p);
	return ret;
}

struct ckpt_text {
	struct seq_buf s;
	char path[PATH_MAX];
	struct ckpt_task task;		/* copy of the process's shadow */
	bool collected;
	unsigned long areas, new_areas, files, new_files;
};

static const char *ckpt_area_name(struct ckpt_text *c, struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	const char *name;

	if (vma->vm_file) {
		name = d_path(&vma->vm_file->f_path, c->path, sizeof(c->path));
		return IS_ERR(name) ? "[unreachable]" : name;
	}
	if (vma->vm_ops && vma->vm_ops->name) {
		name = vma->vm_ops->name(vma);
		if (name)
			return name;
	}
	if (vma->vm_start <= mm->brk && vma->vm_end >= mm->start_brk)
		return "[heap]";
	if (vma->vm_start <= mm->start_stack && vma->vm_end >= mm->start_stack)
		return "[stack]";
	return "[anon]";
}

/* Was (part of) @vma mapped since collect?  (Among the last CKPT_AREAS areas.) */
static bool ckpt_area_new(const struct ckpt_text *c, const struct vm_area_struct *vma)
{
	unsigned long i, n = min_t(unsigned long, c->task.mapped, CKPT_AREAS);

	for (i = 0; c->collected && i < n; i++) {
		const struct ckpt_area *a = &c->task.areas[i];

		if (a->start < vma->vm_end && a->start + a->len > vma->vm_start)
			return true;
	}
	return false;
}

/* area START-END PERMS OFFSET new|old NAME, as /proc/PID/maps has them */
static void ckpt_area_line(struct ckpt_text *c, struct vm_area_struct *vma)
{
	vm_flags_t f = vma->vm_flags;
	bool new = ckpt_area_new(c, vma);
	u64 off = vma->vm_file ? (u64)vma->vm_pgoff << PAGE_SHIFT : 0;

	seq_buf_printf(&c->s, "area %08lx-%08lx %c%c%c%c %08llx %s %s\n",
		       vma->vm_start, vma->vm_end,
		       f & VM_READ ? 'r' : '-', f & VM_WRITE ? 'w' : '-',
		       f & VM_EXEC ? 'x' : '-', f & VM_MAYSHARE ? 's' : 'p',
		       off, new ? "new" : "old", ckpt_area_name(c, vma));
	c->areas++;
	c->new_areas += new;
}

/*
 * file FD new first_fd=N syscall=S tid=T after_ns=NS flags=0OCT NAME, or
 * file FD old flags=0OCT NAME.  Under task_lock and files->file_lock.
 */
static int ckpt_file_line(const void *data, struct file *file, unsigned int fd)
{
	struct ckpt_text *c = (struct ckpt_text *)data;
	struct ckpt_file copy = {}, *f = NULL;
	const char *name = d_path(&file->f_path, c->path, sizeof(c->path));

	if (IS_ERR(name))
		name = "[unreachable]";
	if (!dynamos_shadow_lock(&ckpt_tasks)) {
		f = dynamos_shadow_find(&ckpt_files, file);
		if (f)
			copy = *f;
		dynamos_shadow_unlock(&ckpt_tasks);
	}
	if (f)
		seq_buf_printf(&c->s, "file %u new first_fd=%d syscall=%ld tid=%d after_ns=%llu flags=0%o %s\n",
			       fd, copy.fd, copy.syscall, copy.tid, copy.after_ns,
			       file->f_flags, name);
	else
		seq_buf_printf(&c->s, "file %u old flags=0%o %s\n", fd, file->f_flags, name);
	c->files++;
	c->new_files += !!f;
	return 0;
}

static long ckpt_write_text(struct task_struct *p, struct ckpt_text *c)
{
	struct ckpt_task *t;
	struct mm_struct *mm;

	c->collected = false;
	if (!dynamos_shadow_lock(&ckpt_tasks)) {
		t = dynamos_shadow_find(&ckpt_tasks, p);
		if (t) {
			c->task = *t;
			c->collected = true;
		}
		dynamos_shadow_unlock(&ckpt_tasks);
	}
	seq_buf_printf(&c->s, "checkpoint pid %d comm %s\n", task_tgid_nr(p), p->comm);
	if (c->collected)
		seq_buf_printf(&c->s, "collected since_ns %llu areas_mapped %lu files_installed %lu\n",
			       c->task.since_ns, c->task.mapped, c->task.files);
	else
		seq_buf_printf(&c->s, "collected no\n");

	mm = get_task_mm(p);
	if (mm) {
		struct vm_area_struct *vma;
		VMA_ITERATOR(vmi, mm, 0);

		if (mmap_read_lock_killable(mm)) {
			mmput(mm);
			return -EINTR;
		}
		for_each_vma(vmi, vma)
			ckpt_area_line(c, vma);
		mmap_read_unlock(mm);
		mmput(mm);
	}

	task_lock(p);
	if (p->files)
		iterate_fd(p->files, 0, ckpt_file_line, c);
	task_unlock(p);

	seq_buf_printf(&c->s, "areas %lu new %lu files %lu new %lu\nend\n",
		       c->areas, c->new_areas, c->files, c->new_files);
	return seq_buf_has_overflowed(&c->s) ? -E2BIG : 0;
}

/* checkpoint(pid, fd): bytes written, or -EINVAL, -ESRCH, -EPERM, -EBADF, -E2BIG, -ENOMEM, -EINTR, a write error. */
static long ckpt_checkpoint(const struct pt_regs *regs)
{
	struct task_struct *p = ckpt_process(dynamos_syscall_arg(regs, 0));
	struct ckpt_text *c = NULL;
	struct file *out = NULL;
	char *text = NULL;
	loff_t pos;
	long ret;

	if (IS_ERR(p))
		return PTR_ERR(p);
	out = fget((unsigned int)dynamos_syscall_arg(regs, 1));
	if (!out || !(out->f_mode & FMODE_WRITE)) {
		ret = -EBADF;
		goto out;
	}
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	text = kvmalloc(CKPT_TEXT_MAX, GFP_KERNEL);
	if (!c || !text) {
		ret = -ENOMEM;
		goto out;
	}
	seq_buf_init(&c->s, text, CKPT_TEXT_MAX);
	ret = ckpt_write_text(p, c);
	if (ret)
		goto out;
	pos = (out->f_mode & FMODE_STREAM) ? 0 : out->f_pos;
	ret = kernel_write(out, text, seq_buf_used(&c->s), &pos);
	if (ret > 0 && !(out->f_mode & FMODE_STREAM))
		out->f_pos = pos;
out:
	kvfree(text);
	kfree(c);
	if (out)
		fput(out);
	put_task_struct(p);
	return ret;
}

/* Numbers from the module parameters, set in init before the check. */
static struct dynamos_syscall ckpt_calls[] = {
	{ CKPT_NR_COLLECT, ckpt_collect },
	{ CKPT_NR_CHECKPOINT, ckpt_checkpoint },
};

/* ckpt_syscall_handler and ckpt_x64_sys_call_v2, declared as id 5. */
DYNAMOS_SYSCALLS(ckpt, 5, ckpt_calls);

/* ---- /proc/dynamos_checkpoint, init, exit ---------------------------- */

static int ckpt_show(struct seq_file *m, void *v)
{
	struct task_struct *p;

	seq_printf(m, "syscalls collect=%u checkpoint=%u\n", ckpt_calls[0].nr, ckpt_calls[1].nr);
	seq_printf(m, "task_shadows %lu\nfile_shadows %lu\n",
		   dynamos_shadow_count(&ckpt_tasks), dynamos_shadow_count(&ckpt_files));
	rcu_read_lock();
	for_each_process(p)
		if (dynamos_shadow_find(&ckpt_tasks, p))
			seq_printf(m, "collecting %d %s\n", task_tgid_nr(p), p->comm);
	rcu_read_unlock();
	return 0;
}

static int __init ckpt_init(void)
{
	int ret;

	ckpt_calls[0].nr = nr_collect;
	ckpt_calls[1].nr = nr_checkpoint;
	ret = dynamos_syscalls_check(ckpt_calls, ARRAY_SIZE(ckpt_calls));
	if (ret)
		return ret;
	orig_security_file_free = (security_file_free_t *)dynamos_original_by_name("security_file_free");
	orig_release_task = (release_task_t *)dynamos_original_by_name("release_task");
	orig_mmap_region = (mmap_region_t *)dynamos_original_by_name("mmap_region");
	orig_fd_install = (fd_install_t *)dynamos_original_by_name("fd_install");
	if (!orig_security_file_free || !orig_release_task || !orig_mmap_region ||
	    !orig_fd_install)
		return -ENOENT;
	ret = dynamos_shadow_init(&ckpt_tasks);
	if (ret)
		return ret;
	ret = dynamos_shadow_init(&ckpt_files);
	if (ret)
		goto err_tasks;
	if (!proc_create_single("dynamos_checkpoint", 0444, NULL, ckpt_show)) {
		ret = -ENOMEM;
		goto err_files;
	}
	pr_info("system calls collect=%u checkpoint=%u ready (active once applied)\n",
		nr_collect, nr_checkpoint);
	return 0;

err_files:
	dynamos_shadow_cleanup(&ckpt_files);
err_tasks:
	dynamos_shadow_cleanup(&ckpt_tasks);
	return ret;
}

/* Runs only once every version is deregistered (they pin the module). */
static void __exit ckpt_exit(void)
{
	unsigned long tasks, files;

	remove_proc_entry("dynamos_checkpoint", NULL);
	tasks = dynamos_shadow_cleanup(&ckpt_tasks);
	files = dynamos_shadow_cleanup(&ckpt_files);
	pr_info("exit: %lu task shadow(s) and %lu file shadow(s) were left and are freed\n",
		tasks, files);
}

module_init(ckpt_init);
module_exit(ckpt_exit);

DYNAMOS_UPDATE("checkpoint");
DYNAMOS_REPLACE(1, security_file_free, security_file_free_v2);
DYNAMOS_REPLACE(2, release_task, release_task_v2);
DYNAMOS_REPLACE(3, mmap_region, mmap_region_v2);
DYNAMOS_REPLACE(4, fd_install, fd_install_v2);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS example: EPCKPT-style collect and checkpoint system calls added live");
