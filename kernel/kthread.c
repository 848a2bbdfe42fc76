// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel threads that never exit.  A redirection reaches only new calls, and
 * a kernel thread calls its main function F once: to run an update's F' it
 * must be restarted.  A restart moves each thread of F's family (threads
 * whose kthread_func() is F, F's original body or F') onto a successor:
 *
 *  1. The mover (a hook, process context) creates the successor, not yet
 *     woken, with the old thread's data, name, node, affinity and nice
 *     value, lists the pair in dyn_kmoves[] and wakes the old thread.
 *  2. The old thread, at its safe point (its next kthread_should_stop(),
 *     whose version the update installs with DYNAMOS_KTHREAD_SAFE_POINT),
 *     publishes the successor where the kernel keeps it (the update's
 *     callback), wakes it and is told to stop from then on: F returns and
 *     the thread exits.  State it handed over (dynamos_kthread_save())
 *     travels with the pair; the successor takes it
 *     (dynamos_kthread_restore()).
 *  3. The mover waits (bounded) until every old thread has exited and
 *     every successor has taken its state, then unlists the pairs.
 *
 * The successor is visible to the kernel (published) only while the old
 * thread is still alive and running the callback, so there is no moment
 * where the kernel's pointer names an exited thread; a successor that was
 * never published is stopped by us with kthread_stop().
 *
 * Locking: dyn_kthread_mutex serialises restarts and is the only writer of
 * dyn_kmoves[] and dyn_kmoves_nr.  The threads read the array under RCU
 * (entries are freed after synchronize_rcu()).  A pair's state moves
 * REQUESTED -> PUBLISHING -> MOVED (only the old thread does this),
 * REQUESTED -> CANCELLED (the mover on timeout, or the old thread when it
 * is really being stopped), PUBLISHING -> REQUESTED (the callback refused:
 * try again at the next safe point); atomic_cmpxchg decides races.
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/string.h>

#include "internal.h"

enum {
	DYN_KM_REQUESTED,
	DYN_KM_PUBLISHING,
	DYN_KM_MOVED,
	DYN_KM_CANCELLED,
};

/* One thread being moved onto its successor. */
struct dyn_kmove {
	struct task_struct *old;	/* referenced */
	struct task_struct *new;	/* referenced; woken only once published */
	/* Only while REQUESTED: a pair left listed may outlive the update. */
	const struct dynamos_kthread *kt;
	size_t state_size;		/* kt->state_size */
	void *data;			/* kthread_data(old) */
	atomic_t state;			/* DYN_KM_* */
	bool saved;			/* old handed its state over */
	bool stopped;			/* cancelled because old was really stopped */
	atomic_t taken;			/* new took the state */
	u8 buf[DYNAMOS_KTHREAD_STATE_MAX];
};

/* Threads moved by one restart, at most (kswapd: one per node). */
#define DYN_KMOVE_MAX		64
/* How often the mover wakes a thread that has not reached its safe point. */
#define DYN_KMOVE_WAKE_MS	50

static DEFINE_MUTEX(dyn_kthread_mutex);
static struct dyn_kmove __rcu *dyn_kmoves[DYN_KMOVE_MAX];
static atomic_t dyn_kmoves_nr = ATOMIC_INIT(0);	/* listed pairs: the fast test */
static unsigned long dyn_kss_entry;	/* kthread_should_stop() past its ftrace site */

int dynamos_kthread_prepare(void)
{
	unsigned long entry = dynamos_original_entry((unsigned long)kthread_should_stop);

	if (!entry) {
		pr_err("kthread restart: cannot call kthread_should_stop() past its redirection on this kernel\n");
		return -EOPNOTSUPP;
	}
	WRITE_ONCE(dyn_kss_entry, entry);
	return 0;
}
EXPORT_SYMBOL_GPL(dynamos_kthread_prepare);

int (*dynamos_kthread_fn_by_name(const char *name))(void *)
{
	return (int (*)(void *))dyn_function_by_name(name, false,
						   "dynamos_kthread_fn_by_name");
}
EXPORT_SYMBOL_GPL(dynamos_kthread_fn_by_name);

/* The kernel's own answer: is current really asked to stop? */
static bool notrace dyn_kss_stock(void)
{
	unsigned long entry = READ_ONCE(dyn_kss_entry);

	if (unlikely(!entry)) {
		/* Not prepared: look it up now (does not sleep). */
		entry = dynamos_original_entry((unsigned long)kthread_should_stop);
		if (WARN_ON_ONCE(!entry))
			return false;
		WRITE_ONCE(dyn_kss_entry, entry);
	}
	return ((bool (*)(void))entry)();
}

/* The pair whose old (@as_new false) or new thread is @t; under RCU. */
static struct dyn_kmove *notrace dyn_kmove_find(struct task_struct *t, bool as_new)
{
	unsigned int i;

	for (i = 0; i < DYN_KMOVE_MAX; i++) {
		struct dyn_kmove *m = rcu_dereference(dyn_kmoves[i]);

		if (m && (as_new ? m->new : m->old) == t)
			return m;
	}
	return NULL;
}

/* The old thread at its safe point: move now if possible.  Under RCU. */
static bool notrace dyn_kmove_step(struct dyn_kmove *m, bool stop)
{
	switch (atomic_read_acquire(&m->state)) {
	case DYN_KM_MOVED:
		return true;
	case DYN_KM_REQUESTED:
		break;
	default:
		return stop;
	}
	if (stop) {
		/* Really stopped (e.g. kswapd_stop()): leave, unpublished. */
		if (atomic_cmpxchg(&m->state, DYN_KM_REQUESTED,
				   DYN_KM_CANCELLED) == DYN_KM_REQUESTED)
			WRITE_ONCE(m->stopped, true);
		return true;
	}
	if (m->state_size && !READ_ONCE(m->saved))
		return false;	/* not a safe point: no state handed over yet */
	if (atomic_cmpxchg(&m->state, DYN_KM_REQUESTED, DYN_KM_PUBLISHING) !=
	    DYN_KM_REQUESTED)
		return stop;	/* the mover gave up meanwhile */
	if (m->kt->publish && m->kt->publish(m->old, m->new, m->data)) {
		atomic_set_release(&m->state, DYN_KM_REQUESTED);
		return false;	/* refused for now: next safe point */
	}
	atomic_set_release(&m->state, DYN_KM_MOVED);
	wake_up_process(m->new);
	return true;
}

bool notrace dynamos_kthread_should_stop(void)
{
	bool stop = dyn_kss_stock();
	struct dyn_kmove *m;

	if (likely(!atomic_read(&dyn_kmoves_nr)) ||
	    !(current->flags & PF_KTHREAD))
		return stop;
	rcu_read_lock();
	m = dyn_kmove_find(current, false);
	if (m)
		stop = dyn_kmove_step(m, stop);
	rcu_read_unlock();
	return stop;
}
EXPORT_SYMBOL_GPL(dynamos_kthread_should_stop);

void notrace dynamos_kthread_save(const void *state, size_t size)
{
	struct dyn_kmove *m;

	if (likely(!atomic_read(&dyn_kmoves_nr)))
		return;
	rcu_read_lock();
	m = dyn_kmove_find(current, false);
	/* Only the old thread writes it, and only before it publishes. */
	if (m && atomic_read(&m->state) == DYN_KM_REQUESTED &&
	    m->state_size) {
		memcpy(m->buf, state, min(size, m->state_size));
		WRITE_ONCE(m->saved, true);
	}
	rcu_read_unlock();
}
EXPORT_SYMBOL_GPL(dynamos_kthread_save);

bool notrace dynamos_kthread_restore(void *state, size_t size)
{
	struct dyn_kmove *m;
	bool ok = false;

	if (likely(!atomic_read(&dyn_kmoves_nr)))
		return false;
	rcu_read_lock();
	m = dyn_kmove_find(current, true);
	/* MOVED (acquire) pairs with the release after the old thread's save. */
	if (m && atomic_read_acquire(&m->state) == DYN_KM_MOVED &&
	    READ_ONCE(m->saved) && !atomic_xchg(&m->taken, 1)) {
		memcpy(state, m->buf, min(size, m->state_size));
		ok = true;
	}
	rcu_read_unlock();
	return ok;
}
EXPORT_SYMBOL_GPL(dynamos_kthread_restore);

/* ---- the mover -------------------------------------------------------- */

/* Is this pair finished, so that it can be unlisted? */
static bool dyn_kmove_done(struct dyn_kmove *m)
{
	switch (atomic_read(&m->state)) {
	case DYN_KM_CANCELLED:
		return true;
	case DYN_KM_MOVED:
		return READ_ONCE(m->old->exit_state) &&
		       (!m->state_size || atomic_read(&m->taken));
	default:
		/* Gone without passing a safe point (e.g. stopped and exited). */
		if (READ_ONCE(m->old->exit_state) &&
		    atomic_cmpxchg(&m->state, DYN_KM_REQUESTED,
				   DYN_KM_CANCELLED) == DYN_KM_REQUESTED) {
			WRITE_ONCE(m->stopped, true);
			return true;
		}
		return false;
	}
}

/* Unlist and free the @n pairs @ms.  Under dyn_kthread_mutex. */
static void dyn_kmove_release(struct dyn_kmove **ms, unsigned int n)
{
	unsigned int i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < DYN_KMOVE_MAX; j++)
			if (rcu_access_pointer(dyn_kmoves[j]) == ms[i]) {
				RCU_INIT_POINTER(dyn_kmoves[j], NULL);
				atomic_dec(&dyn_kmoves_nr);
			}
	synchronize_rcu();	/* no thread looks at them any more */
	for (i = 0; i < n; i++) {
		struct dyn_kmove *m = ms[i];

		/* Never published, never woken: nobody else knows it. */
		if (atomic_read(&m->state) == DYN_KM_CANCELLED)
			kthread_stop(m->new);
		put_task_struct(m->new);
		put_task_struct(m->old);
		dyn_free(m);
	}
}

/*
 * Pairs left listed by an earlier restart that timed out after its old
 * thread was told to stop: unlist those whose old thread has exited since.
 */
static void dyn_kmove_reap(void)
{
	struct dyn_kmove *done[DYN_KMOVE_MAX];
	unsigned int i, n = 0;

	for (i = 0; i < DYN_KMOVE_MAX; i++) {
		struct dyn_kmove *m = rcu_dereference_protected(dyn_kmoves[i],
				lockdep_is_held(&dyn_kthread_mutex));

		if (m && atomic_read(&m->state) == DYN_KM_MOVED &&
		    READ_ONCE(m->old->exit_state))
			done[n++] = m;
	}
	if (n)
		dyn_kmove_release(done, n);
}

static bool dyn_kthread_listed(struct task_struct *t)
{
	unsigned int i;

	for (i = 0; i < DYN_KMOVE_MAX; i++) {
		struct dyn_kmove *m = rcu_dereference_protected(dyn_kmoves[i],
				lockdep_is_held(&dyn_kthread_mutex));

		if (m && (m->old == t || m->new == t))
			return true;
	}
	return false;
}

/*
 * The threads of @kt's family not yet at @to, referenced, into @olds.
 * Return: their number, or -E2BIG if there are more than @room.
 */
static int dyn_kthread_collect(const struct dynamos_kthread *kt,
			       unsigned long body, void *to,
			       struct task_struct **olds, int room)
{
	struct task_struct *p;
	bool overflow = false;
	int n = 0;

	rcu_read_lock();
	for_each_process(p) {
		void *fn;

		if (!(p->flags & PF_KTHREAD) || p->exit_state ||
		    (p->flags & PF_EXITING))
			continue;
		fn = kthread_func(p);
		if (fn == to || (fn != (void *)kt->threadfn &&
				 fn != (void *)body && fn != (void *)kt->version))
			continue;
		if (dyn_kthread_listed(p))
			continue;
		if (n == room) {
			overflow = true;
			break;
		}
		get_task_struct(p);
		olds[n++] = p;
	}
	rcu_read_unlock();
	if (overflow) {
		while (n > 0)
			put_task_struct(olds[--n]);
		return -E2BIG;
	}
	return n;
}

/* A successor of @old that will run @to(@data), created but not woken. */
static struct task_struct *dyn_kthread_successor(struct task_struct *old,
						 int (*to)(void *), void *data)
{
	char comm[TASK_COMM_LEN];
	struct task_struct *new;

	get_task_comm(comm, old);
	/* task_structs come from the slab of the node they were made for. */
	new = kthread_create_on_node(to, data, page_to_nid(virt_to_page(old)),
				     "%s", comm);
	if (IS_ERR(new))
		return new;
	set_cpus_allowed_ptr(new, old->cpus_ptr);
	set_user_nice(new, task_nice(old));
	get_task_struct(new);
	return new;
}

static int dyn_kthread_restart(const struct dynamos_kthread *kt,
			       int (*to)(void *), unsigned int timeout_ms)
{
	struct task_struct *olds[DYN_KMOVE_MAX];
	struct dyn_kmove *ms[DYN_KMOVE_MAX];
	unsigned long body, deadline, next_wake;
	unsigned int i, slot, moved = 0, failed = 0, stopped = 0;
	int n, ret = 0;

	if (!kt || !kt->threadfn || !kt->version || !to ||
	    kt->state_size > DYNAMOS_KTHREAD_STATE_MAX)
		return -EINVAL;
	might_sleep();
	body = dynamos_original_entry((unsigned long)kt->threadfn);
	if (!body)
		return -EOPNOTSUPP;
	if (to == kt->threadfn)
		to = (int (*)(void *))body;	/* past F's redirection */
	if (!READ_ONCE(dyn_kss_entry)) {
		ret = dynamos_kthread_prepare();
		if (ret)
			return ret;
	}

	mutex_lock(&dyn_kthread_mutex);
	dyn_kmove_reap();
	/* Pairs an earlier restart left listed take slots too. */
	n = dyn_kthread_collect(kt, body, to, olds,
				DYN_KMOVE_MAX - atomic_read(&dyn_kmoves_nr));
	if (n < 0) {
		pr_err("%s: more than %d threads to move; none moved\n",
		       kt->name, DYN_KMOVE_MAX - atomic_read(&dyn_kmoves_nr));
		mutex_unlock(&dyn_kthread_mutex);
		return -E2BIG;
	}

	/* Every successor first, so that a failure changes nothing. */
	for (i = 0; i < n; i++) {
		struct dyn_kmove *m = dyn_alloc(sizeof(*m));
		struct task_struct *new;

		new = m ? dyn_kthread_successor(olds[i], to, kthread_data(olds[i]))
			: ERR_PTR(-ENOMEM);
		if (IS_ERR(new)) {
			ret = PTR_ERR(new);
			pr_err("%s: cannot create a successor of %s/%d (%d); none moved\n",
			       kt->name, olds[i]->comm, task_pid_nr(olds[i]), ret);
			dyn_free(m);
			for (slot = 0; slot < i; slot++) {
				kthread_stop(ms[slot]->new);
				put_task_struct(ms[slot]->new);
				dyn_free(ms[slot]);
			}
			for (slot = 0; slot < n; slot++)
				put_task_struct(olds[slot]);
			mutex_unlock(&dyn_kthread_mutex);
			return ret;
		}
		m->old = olds[i];
		m->new = new;
		m->kt = kt;
		m->state_size = kt->state_size;
		m->data = kthread_data(olds[i]);
		atomic_set(&m->state, DYN_KM_REQUESTED);
		ms[i] = m;
	}

	/* List them (free slots: earlier pairs may be left, see reap). */
	for (i = 0, slot = 0; i < n; i++) {
		while (rcu_access_pointer(dyn_kmoves[slot]))
			slot++;	/* n + listed <= DYN_KMOVE_MAX (collect's room) */
		atomic_inc(&dyn_kmoves_nr);
		rcu_assign_pointer(dyn_kmoves[slot], ms[i]);
	}

	/* Wake each old thread so that it reaches its safe point; wait. */
	deadline = jiffies + msecs_to_jiffies(timeout_ms);
	next_wake = jiffies;
	for (;;) {
		bool all = true;

		for (i = 0; i < n; i++)
			if (!dyn_kmove_done(ms[i]))
				all = false;
		if (all || time_after(jiffies, deadline))
			break;
		if (!time_before(jiffies, next_wake)) {
			for (i = 0; i < n; i++)
				if (atomic_read(&ms[i]->state) == DYN_KM_REQUESTED)
					wake_up_process(ms[i]->old);
			next_wake = jiffies + msecs_to_jiffies(DYN_KMOVE_WAKE_MS);
		}
		msleep(5);
	}

	/* Give up on those that did not move; keep those told to stop. */
	for (i = 0; i < n; i++) {
		struct dyn_kmove *m = ms[i];

		while (atomic_cmpxchg(&m->state, DYN_KM_REQUESTED,
				      DYN_KM_CANCELLED) == DYN_KM_PUBLISHING)
			msleep(1);	/* the old thread is in the callback */
	}
	for (i = 0, slot = 0; i < n; i++) {
		struct dyn_kmove *m = ms[i];

		if (atomic_read(&m->state) == DYN_KM_CANCELLED) {
			if (READ_ONCE(m->stopped)) {
				stopped++;
			} else {
				failed++;
				pr_err("%s: %s/%d did not reach its safe point in %u ms; not moved\n",
				       kt->name, m->old->comm, task_pid_nr(m->old), timeout_ms);
			}
		} else if (!READ_ONCE(m->old->exit_state)) {
			/*
			 * Told to stop but still running: keep the pair
			 * listed (it must go on being told), a later restart
			 * reaps it.
			 */
			failed++;
			pr_err("%s: %s/%d was moved to %s/%d but has not exited in %u ms\n",
			       kt->name, m->old->comm, task_pid_nr(m->old),
			       m->new->comm, task_pid_nr(m->new), timeout_ms);
			continue;
		} else {
			moved++;
			if (m->state_size && !atomic_read(&m->taken))
				pr_warn("%s: %s/%d did not take the state of %d\n",
					kt->name, m->new->comm, task_pid_nr(m->new),
					task_pid_nr(m->old));
		}
		ms[slot++] = m;
	}
	dyn_kmove_release(ms, slot);
	mutex_unlock(&dyn_kthread_mutex);
	pr_info("%s: moved %u thread(s) to %ps, %u failed, %u stopped meanwhile\n",
		kt->name, moved, to, failed, stopped);
	return failed ? -ETIMEDOUT : 0;
}

/*
 * Module exit: free the pairs an earlier restart left listed (moved, but
 * the old thread had not exited by its timeout).  No update is registered
 * any more, so no safe point can look at them.
 */
void dyn_kthread_exit(void)
{
	struct dyn_kmove *left[DYN_KMOVE_MAX];
	unsigned int i, n = 0;

	mutex_lock(&dyn_kthread_mutex);
	for (i = 0; i < DYN_KMOVE_MAX; i++) {
		struct dyn_kmove *m = rcu_dereference_protected(dyn_kmoves[i],
				lockdep_is_held(&dyn_kthread_mutex));

		if (m)
			left[n++] = m;
	}
	if (n) {
		pr_warn("kthread restart: %u moved thread(s) had not exited; forgetting them\n", n);
		dyn_kmove_release(left, n);
	}
	mutex_unlock(&dyn_kthread_mutex);
}

int dynamos_kthread_forward(const struct dynamos_kthread *kt,
			    unsigned int timeout_ms)
{
	return dyn_kthread_restart(kt, kt ? kt->version : NULL, timeout_ms);
}
EXPORT_SYMBOL_GPL(dynamos_kthread_forward);

int dynamos_kthread_back(const struct dynamos_kthread *kt,
			 unsigned int timeout_ms)
{
	return dyn_kthread_restart(kt, kt ? kt->threadfn : NULL, timeout_ms);
}
EXPORT_SYMBOL_GPL(dynamos_kthread_back);
