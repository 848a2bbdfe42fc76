// SPDX-License-Identifier: GPL-2.0
/*
 * Linger-Longer (paper section 5.2) on today's fair scheduler: a "guest" priority below every
 * other task.  A guest never runs while a task that is not a guest is runnable on its CPU; it
 * gets the CPU only when the CPU would otherwise idle (fine-grain cycle stealing).
 *
 * Marking: write a PID to /proc/dynamos_linger_longer to make that task a guest, "-PID" to make
 * it a host again; reading the file lists the guests.  The mark is shadow data of the
 * task_struct: created when marked, removed when unmarked and when the task is reaped.
 *
 * Three wrapper versions, each running the original through a static call:
 *
 *   id 1  pick_next_entity(cfs_rq, curr)   the fair scheduler's choice among the entities of
 *                                          one run queue level.  When the original picks an
 *                                          entity with no host task in it, choose the host
 *                                          entity with the smallest vruntime instead (curr or
 *                                          the first one in the queue's rbtree), if any,
 *                                          and lift the waiting guests' vruntime to its.
 *   id 2  check_preempt_wakeup(rq, p, f)   a host that wakes up (or is forked, or migrated)
 *                                          where a guest runs preempts it at once; a guest
 *                                          never preempts a host.
 *   id 3  release_task(p)                  the task is reaped: drop its mark.
 *
 * With no guest marked, the scheduler's versions cost the original plus one load and one
 * branch (release_task_v2 adds a full barrier).
 *
 * The run queue structures (struct rq, struct cfs_rq) are private to kernel/sched; the four
 * members used here are found by name in the running kernel's BTF at module load, never
 * guessed.  Every lookup that fails refuses the load.
 */
#define pr_fmt(fmt) "linger_longer: " fmt

#include <linux/atomic.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/capability.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/pid.h>
#include <linux/proc_fs.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <dynamos.h>

struct rq;
struct cfs_rq;

/* The new field of task_struct: the task is a guest.  */
struct linger_mark {
	/*
	 * The task's start_time when it was marked: a mark left at the address of a task freed
	 * without passing release_task_v2 (e.g. reaped while the update was being applied) does
	 * not make the next task allocated there a guest.
	 */
	u64 start_time;
};

static struct dynamos_shadow_table marks;

/*
 * Upper bound of the guests: raised before a mark is created, lowered after it is removed, so
 * it is never below the number of marks.  Zero lets every version skip its work.
 */
static atomic_t nr_guests = ATOMIC_INIT(0);

/* What the versions did, per CPU (summed by the /proc file). */
static DEFINE_PER_CPU(unsigned long, picks_redirected);
static DEFINE_PER_CPU(unsigned long, guests_preempted);

/* Byte offsets in the private scheduler structures, from BTF (init). */
static unsigned int off_cfs_rq_tasks_timeline;	/* struct rb_root_cached */
static unsigned int off_cfs_rq_curr;		/* struct sched_entity * */
static unsigned int off_cfs_rq_h_nr_running;	/* unsigned int */
static unsigned int off_rq_curr;		/* struct task_struct * */

/* Task groups nest; deeper than this, a group entity is taken to hold a host (see README). */
#define LINGER_MAX_DEPTH 8

static struct sched_entity *pick_next_entity_v2(struct cfs_rq *cfs_rq, struct sched_entity *curr);
static void check_preempt_wakeup_v2(struct rq *rq, struct task_struct *p, int wake_flags);
static void release_task_v2(struct task_struct *p);

/* The originals' bodies, past their redirection: direct calls, no retpoline. */
DYNAMOS_DEFINE_ORIGINAL(ll_orig_pick_next_entity, pick_next_entity_v2);
DYNAMOS_DEFINE_ORIGINAL(ll_orig_check_preempt_wakeup, check_preempt_wakeup_v2);
DYNAMOS_DEFINE_ORIGINAL(ll_orig_release_task, release_task_v2);

/* Not exported: found with dynamos_original_by_name(), so that insmod works as well as apply. */
static void (*ll_resched_curr)(struct rq *rq);

static __always_inline void *ll_field(const void *base, unsigned int off)
{
	return (void *)((const char *)base + off);
}

static __always_inline struct rb_root_cached *cfs_tree(struct cfs_rq *q)
{
	return ll_field(q, off_cfs_rq_tasks_timeline);
}

static __always_inline struct sched_entity *cfs_curr(struct cfs_rq *q)
{
	return READ_ONCE(*(struct sched_entity **)ll_field(q, off_cfs_rq_curr));
}

static __always_inline unsigned int cfs_h_nr_running(struct cfs_rq *q)
{
	return READ_ONCE(*(unsigned int *)ll_field(q, off_cfs_rq_h_nr_running));
}

static __always_inline struct task_struct *rq_curr(struct rq *rq)
{
	return READ_ONCE(*(struct task_struct **)ll_field(rq, off_rq_curr));
}

/* Any context; RCU keeps a found mark alive (the callers run with IRQs off or rcu_read_lock). */
static notrace bool task_is_guest(struct task_struct *p)
{
	struct linger_mark *m = dynamos_shadow_find(&marks, p);

	return m && READ_ONCE(m->start_time) == p->start_time;
}

/*
 * Whether @se is, or holds, a runnable task that is not a guest.  A group entity's children are
 * the entities in its queue's rbtree plus its queue's running entity (not in the tree while it
 * runs).  Called with the run queue lock held, which keeps every queue below @se still.
 */
static notrace bool se_has_host(struct sched_entity *se, int depth)
{
	struct cfs_rq *q = se->my_q;
	struct sched_entity *child;
	struct rb_node *node;

	if (!q)
		return !task_is_guest(container_of(se, struct task_struct, se));
	if (depth >= LINGER_MAX_DEPTH)
		return true;
	/* More runnable tasks below than guests in the whole system: one is a host. */
	if (cfs_h_nr_running(q) > (unsigned int)atomic_read(&nr_guests))
		return true;
	child = cfs_curr(q);
	if (child && child->on_rq && se_has_host(child, depth + 1))
		return true;
	for (node = rb_first_cached(cfs_tree(q)); node; node = rb_next(node)) {
		child = rb_entry(node, struct sched_entity, run_node);
		if (se_has_host(child, depth + 1))
			return true;
	}
	return false;
}

/*
 * The original chose @guest, which holds no host.  Return the runnable entity of this level that
 * does hold a host and would run first by vruntime, or @guest when there is none: then only
 * guests want the CPU and they may have it.
 *
 * Guests that wait get no credit for it: every guest-only entity whose vruntime is below the
 * chosen host's is lifted to it.  Otherwise a guest kept off the CPU for a minute would, once
 * unmarked or after revert, have the CPU to itself for a minute, and the queue's min_vruntime
 * (which never passes its leftmost entity) would stand still, placing new and waking hosts far
 * ahead of the hosts that kept running.  The lifted entities are exactly the tree's first ones
 * (all of them before its first host) plus maybe curr, which is not in the tree; giving them all
 * the same, larger key keeps the tree's in-order keys non-decreasing, so no node moves.
 */
static notrace struct sched_entity *pick_host(struct cfs_rq *cfs_rq, struct sched_entity *curr,
					      struct sched_entity *guest)
{
	struct rb_node *first = rb_first_cached(cfs_tree(cfs_rq));
	struct sched_entity *host = NULL, *se;
	struct rb_node *node;
	u64 v;

	/* The tree is sorted by vruntime: its first host is its earliest one. */
	for (node = first; node; node = rb_next(node)) {
		se = rb_entry(node, struct sched_entity, run_node);
		if (se != guest && se_has_host(se, 0)) {
			host = se;
			break;
		}
	}
	if (curr && curr != guest && se_has_host(curr, 0) &&
	    (!host || (s64)(curr->vruntime - host->vruntime) < 0))
		host = curr;
	if (!host)
		return guest;

	v = host->vruntime;
	for (node = first; node; node = rb_next(node)) {
		se = rb_entry(node, struct sched_entity, run_node);
		if ((s64)(se->vruntime - v) >= 0)
			break;
		se->vruntime = v;	/* a guest: it precedes every host in the tree and curr */
	}
	if (curr && curr != host && (s64)(curr->vruntime - v) < 0)
		curr->vruntime = v;	/* a guest too: a host curr would have been chosen */
	this_cpu_inc(picks_redirected);
	return host;
}

/* pick_next_entity_v2() while guests exist: the original's choice, unless it holds no host. */
static noinline struct sched_entity *pick_with_guests(struct cfs_rq *cfs_rq,
						      struct sched_entity *curr)
{
	struct sched_entity *se = static_call(ll_orig_pick_next_entity)(cfs_rq, curr);

	if (!se || se_has_host(se, 0))
		return se;
	return pick_host(cfs_rq, curr, se);
}

/*
 * Version 2 of pick_next_entity: called by pick_next_task_fair() and pick_task_fair() once per
 * level of the task group hierarchy, with the run queue lock held and IRQs off; it returns
 * before the caller switches tasks, so no sleeping task ever has it on its stack.  Whatever it
 * returns is an entity the original could have returned (curr, or one in the queue's tree).
 */
static noinline struct sched_entity *pick_next_entity_v2(struct cfs_rq *cfs_rq,
							 struct sched_entity *curr)
{
	/* No guest: a tail call, the original's cost plus a load and a branch. */
	if (likely(!atomic_read(&nr_guests)))
		return static_call(ll_orig_pick_next_entity)(cfs_rq, curr);
	return pick_with_guests(cfs_rq, curr);
}

/*
 * Version 2 of check_preempt_wakeup: @p (fair class) was just made runnable on @rq, whose
 * running task is of the fair class too (check_preempt_curr() calls us only then).  A host
 * preempts a running guest at once, as the stock code lets any task preempt a SCHED_IDLE one;
 * a guest never preempts a host (the pick would only choose the host again); between two hosts
 * or two guests the original decides.  Run queue lock held, IRQs off.
 */
static noinline void check_preempt_wakeup_v2(struct rq *rq, struct task_struct *p, int wake_flags)
{
	if (unlikely(atomic_read(&nr_guests))) {
		struct task_struct *running = rq_curr(rq);
		bool waking_guest = task_is_guest(p);

		if (running != p && waking_guest != task_is_guest(running)) {
			if (waking_guest)
				return;
			this_cpu_inc(guests_preempted);
			ll_resched_curr(rq);
			return;
		}
	}
	static_call(ll_orig_check_preempt_wakeup)(rq, p, wake_flags);
}

/*
 * Drop @p's mark, if any.  The caller holds the table lock (marks change only under it).
 * Return: 0 if @p had a mark, -ENOENT if not.
 */
static int unmark_locked(struct task_struct *p)
{
	int ret = dynamos_shadow_remove(&marks, p);

	if (!ret)
		atomic_dec(&nr_guests);
	return ret;
}

/*
 * Version 2 of release_task: @p is dead and being reaped (by its parent's wait(), by itself when
 * it reaps itself, or by exec's de_thread()); process context, no locks held.  The mark goes
 * first, then the original runs as a tail call.
 */
static noinline void release_task_v2(struct task_struct *p)
{
	/*
	 * Pairs with the barrier in mark(): either mark() sees PF_EXITING (set before any task is
	 * released) and refuses, or we see its raised count and take the lock it holds.
	 */
	smp_mb();
	if (unlikely(atomic_read(&nr_guests)) && !dynamos_shadow_lock(&marks)) {
		unmark_locked(p);
		dynamos_shadow_unlock(&marks);
	}
	static_call(ll_orig_release_task)(p);
}

/* Make @p a guest.  Process context. */
static int mark(struct task_struct *p)
{
	struct linger_mark *m;
	int ret;

	ret = dynamos_shadow_lock(&marks);
	if (ret)
		return ret;
	m = dynamos_shadow_find(&marks, p);
	if (m && m->start_time == p->start_time) {
		ret = 0;			/* already a guest */
		goto out;
	}
	if (m) {				/* stale: left by an earlier task at this address */
		unmark_locked(p);
	}
	atomic_inc(&nr_guests);
	smp_mb__after_atomic();			/* see release_task_v2() */
	if (p->flags & PF_EXITING) {
		ret = -ESRCH;
		goto undo;
	}
	m = dynamos_shadow_create(&marks, p, sizeof(*m), GFP_ATOMIC);
	if (IS_ERR(m)) {
		ret = PTR_ERR(m);
		goto undo;
	}
	WRITE_ONCE(m->start_time, p->start_time);
	ret = 0;
	goto out;
undo:
	atomic_dec(&nr_guests);
out:
	dynamos_shadow_unlock(&marks);
	return ret;
}

/* Make @p a host again.  Process context.  Return: 0, -ENOENT if it was no guest. */
static int unmark(struct task_struct *p)
{
	int ret = dynamos_shadow_lock(&marks);

	if (ret)
		return ret;
	ret = unmark_locked(p);
	dynamos_shadow_unlock(&marks);
	return ret;
}

/* "PID" marks, "-PID" unmarks; the PID in the writer's namespace.  Needs CAP_SYS_NICE. */
static ssize_t linger_write(struct file *file, const char __user *buf, size_t len, loff_t *ppos)
{
	struct task_struct *p;
	char text[24];
	bool off = false;
	char *s = text;
	int nr, ret;

	if (!capable(CAP_SYS_NICE))
		return -EPERM;
	if (len == 0 || len >= sizeof(text))
		return -EINVAL;
	if (copy_from_user(text, buf, len))
		return -EFAULT;
	text[len] = '\0';
	if (*s == '-') {
		off = true;
		s++;
	}
	ret = kstrtoint(strim(s), 10, &nr);
	if (ret)
		return ret;
	if (nr <= 0)
		return -EINVAL;
	rcu_read_lock();
	p = pid_task(find_vpid(nr), PIDTYPE_PID);
	if (p)
		get_task_struct(p);
	rcu_read_unlock();
	if (!p)
		return -ESRCH;
	ret = off ? unmark(p) : mark(p);
	put_task_struct(p);
	return ret ? ret : len;
}

static unsigned long sum_per_cpu(unsigned long __percpu *counter)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *per_cpu_ptr(counter, cpu);
	return sum;
}

/* "guests N", "redirected N", "preempted N", then "PID COMM" per guest. */
static int linger_show(struct seq_file *m, void *v)
{
	struct task_struct *g, *t;

	seq_printf(m, "guests %lu\n", dynamos_shadow_count(&marks));
	seq_printf(m, "redirected %lu\n", sum_per_cpu(&picks_redirected));
	seq_printf(m, "preempted %lu\n", sum_per_cpu(&guests_preempted));
	rcu_read_lock();
	for_each_process_thread(g, t) {
		if (task_is_guest(t))
			seq_printf(m, "%d %s\n", task_pid_vnr(t), t->comm);
	}
	rcu_read_unlock();
	return 0;
}

static int linger_open(struct inode *inode, struct file *file)
{
	return single_open(file, linger_show, NULL);
}

static const struct proc_ops linger_proc_ops = {
	.proc_open	= linger_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= single_release,
	.proc_write	= linger_write,
};

/* ---- Offsets of private members, from the running kernel's BTF ---- */

struct ll_btf {
	struct btf *btf;
	s32 (*find_by_name_kind)(const struct btf *btf, const char *name, u8 kind);
	const char *(*name_by_offset)(const struct btf *btf, u32 offset);
};

/* The type @id names, past typedefs and qualifiers. */
static const struct btf_type *ll_resolve(const struct ll_btf *b, u32 id)
{
	const struct btf_type *t = btf_type_by_id(b->btf, id);
	int hops;

	for (hops = 0; t && hops < 16; hops++) {
		switch (BTF_INFO_KIND(t->info)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			t = btf_type_by_id(b->btf, t->type);
			break;
		default:
			return t;
		}
	}
	return NULL;
}

/*
 * The byte offset of member @member of struct @sname, checked to be of the expected type: a
 * struct or int named @tname, or with @ptr a pointer to struct @tname.
 */
static int ll_member_offset(const struct ll_btf *b, const char *sname, const char *member,
			    bool ptr, const char *tname, unsigned int *offset)
{
	const struct btf_member *m;
	const struct btf_type *t;
	s32 id;
	u16 i;

	id = b->find_by_name_kind(b->btf, sname, BTF_KIND_STRUCT);
	if (id < 0) {
		pr_err("struct %s is not in the kernel's BTF\n", sname);
		return -ENOENT;
	}
	t = btf_type_by_id(b->btf, id);
	if (!t)
		return -ENOENT;
	for_each_member(i, t, m) {
		const struct btf_type *mt;
		const char *name = b->name_by_offset(b->btf, m->name_off);
		u32 bits = __btf_member_bit_offset(t, m);

		if (!name || strcmp(name, member))
			continue;
		mt = ll_resolve(b, m->type);
		if (mt && ptr)
			mt = BTF_INFO_KIND(mt->info) == BTF_KIND_PTR ? ll_resolve(b, mt->type) : NULL;
		name = mt ? b->name_by_offset(b->btf, mt->name_off) : NULL;
		if (!name || strcmp(name, tname) || bits % 8 || __btf_member_bitfield_size(t, m)) {
			pr_err("%s.%s is not a %s%s in the kernel's BTF\n", sname, member, tname,
			       ptr ? " pointer" : "");
			return -EINVAL;
		}
		*offset = bits / 8;
		return 0;
	}
	pr_err("%s has no member %s in the kernel's BTF\n", sname, member);
	return -ENOENT;
}

static int linger_find_offsets(void)
{
	struct btf *(*get_btf_vmlinux)(void);
	struct ll_btf b;
	int ret;

	get_btf_vmlinux = (void *)dynamos_original_by_name("bpf_get_btf_vmlinux");
	b.find_by_name_kind = (void *)dynamos_original_by_name("btf_find_by_name_kind");
	b.name_by_offset = (void *)dynamos_original_by_name("btf_name_by_offset");
	if (!get_btf_vmlinux || !b.find_by_name_kind || !b.name_by_offset)
		return -ENOENT;
	b.btf = get_btf_vmlinux();
	if (IS_ERR_OR_NULL(b.btf)) {
		pr_err("the kernel has no BTF (CONFIG_DEBUG_INFO_BTF)\n");
		return b.btf ? PTR_ERR(b.btf) : -ENOENT;
	}
	ret = ll_member_offset(&b, "cfs_rq", "tasks_timeline", false, "rb_root_cached",
			       &off_cfs_rq_tasks_timeline);
	if (!ret)
		ret = ll_member_offset(&b, "cfs_rq", "curr", true, "sched_entity", &off_cfs_rq_curr);
	if (!ret)
		ret = ll_member_offset(&b, "cfs_rq", "h_nr_running", false, "unsigned int",
				       &off_cfs_rq_h_nr_running);
	if (!ret)
		ret = ll_member_offset(&b, "rq", "curr", true, "task_struct", &off_rq_curr);
	if (!ret)
		pr_info("offsets from BTF: cfs_rq.tasks_timeline %u, cfs_rq.curr %u, cfs_rq.h_nr_running %u, rq.curr %u\n",
			off_cfs_rq_tasks_timeline, off_cfs_rq_curr, off_cfs_rq_h_nr_running,
			off_rq_curr);
	return ret;
}

static int __init linger_init(void)
{
	int ret;

	ret = linger_find_offsets();
	if (ret)
		return ret;
	ll_resched_curr = (void *)dynamos_original_by_name("resched_curr");
	if (!ll_resched_curr)
		return -ENOENT;
	ret = dynamos_set_original(ll_orig_pick_next_entity, "pick_next_entity");
	if (!ret)
		ret = dynamos_set_original(ll_orig_check_preempt_wakeup, "check_preempt_wakeup");
	if (!ret)
		ret = dynamos_set_original(ll_orig_release_task, "release_task");
	if (ret)
		return ret;
	ret = dynamos_shadow_init(&marks);
	if (ret)
		return ret;
	if (!proc_create("dynamos_linger_longer", 0644, NULL, &linger_proc_ops)) {
		dynamos_shadow_cleanup(&marks);
		return -ENOMEM;
	}
	return 0;
}

/* Runs only once every version is deregistered (they pin the module): nothing looks marks up. */
static void __exit linger_exit(void)
{
	unsigned long left;

	remove_proc_entry("dynamos_linger_longer", NULL);
	left = dynamos_shadow_cleanup(&marks);
	pr_info("exit: %lu guest mark(s) of live tasks freed; %lu pick(s) redirected, %lu guest(s) preempted\n",
		left, sum_per_cpu(&picks_redirected), sum_per_cpu(&guests_preempted));
}

module_init(linger_init);
module_exit(linger_exit);

DYNAMOS_UPDATE("linger_longer");
DYNAMOS_REPLACE(1, pick_next_entity, pick_next_entity_v2);
DYNAMOS_REPLACE(2, check_preempt_wakeup, check_preempt_wakeup_v2);
DYNAMOS_REPLACE(3, release_task, release_task_v2);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS example: Linger-Longer, a guest priority below every other task in the fair scheduler");
