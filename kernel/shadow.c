// SPDX-License-Identifier: GPL-2.0
/*
 * Shadow data: zeroed buffers attached to kernel objects by address, so a
 * datatype update can add fields to structures the running kernel already
 * allocates.  API and calling contexts: include/dynamos.h, "Shadow data".
 *
 * One rhashtable per table maps the object address to a struct dyn_shadow
 * that carries the caller's buffer in its tail.  Locking:
 *   - lookups are RCU readers and take no lock;
 *   - insert and remove take the rhashtable's per-bucket bit spinlocks
 *     (which disable BH, hence: no hardirq, NMI or IRQs-off callers);
 *   - resizing runs in a workqueue under the rhashtable's own mutex;
 *   - shadows are freed with kfree_rcu(), so a pointer returned by find
 *     stays valid for the caller's RCU read-side critical section;
 *   - the table's spinlock (t->lock) is never taken here: it exists for
 *     the update code's compound operations.
 * init and cleanup are not synchronised against other calls on the same
 * table: the update orders them (module init / exit).
 *
 * find may run in the ftrace callback (adaptation handlers) and in NMI, so
 * it is notrace, walks the table itself (dyn_shadow_lookup: never waits
 * for a writer, see there) and checks that RCU is watching first.  The other functions stay traceable.
 *
 * The second half of the file is the framework-wide namespace
 * (dynamos_shadow_get/alloc/get_or_alloc/free/free_all): one rhashtable of
 * the framework keyed by <object address, id>, so shadows outlive the
 * update module that allocated them.  Its locking is described at
 * dyn_gshadow_lock.
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/err.h>
#include <linux/hardirq.h>
#include <linux/irqflags.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "internal.h"

/* Largest shadow a caller may ask for (kmalloc limit minus our header). */
#define DYN_SHADOW_MAX_SIZE \
	(KMALLOC_MAX_SIZE - sizeof(struct dyn_shadow))

/**
 * struct dyn_shadow - one object's shadow
 * @node:	link in the table's rhashtable
 * @obj:	the object's address: the key, constant
 * @rcu:	for kfree_rcu() after removal
 * @data:	the caller's zeroed buffer, aligned like kmalloc memory
 */
struct dyn_shadow {
	struct rhash_head node;
	const void *obj;
	struct rcu_head rcu;
	u8 data[] __aligned(ARCH_KMALLOC_MINALIGN);
};

static const struct rhashtable_params dyn_shadow_params = {
	.key_len		= sizeof(const void *),
	.key_offset		= offsetof(struct dyn_shadow, obj),
	.head_offset		= offsetof(struct dyn_shadow, node),
	.automatic_shrinking	= true,
};

/*
 * The bucket locks disable and re-enable BH: that is only allowed with
 * IRQs on and outside hardirq/NMI.
 */
static __always_inline bool dyn_shadow_may_modify(void)
{
	return !in_hardirq() && !in_nmi() && !irqs_disabled();
}

static __always_inline bool
dyn_shadow_ready(const struct dynamos_shadow_table *t)
{
	/* Pairs with smp_store_release() in __dynamos_shadow_init(). */
	return t && smp_load_acquire(&t->ready);
}

int __dynamos_shadow_init(struct dynamos_shadow_table *t, const char *name,
			  struct lock_class_key *key)
{
	int ret;

	if (!t)
		return -EINVAL;
	if (t->ready)
		return -EBUSY;
	spin_lock_init(&t->lock);
	lockdep_set_class_and_name(&t->lock, key, name);
	ret = rhashtable_init(&t->ht, &dyn_shadow_params);
	if (ret)
		return ret;
	smp_store_release(&t->ready, true);
	return 0;
}
EXPORT_SYMBOL_GPL(__dynamos_shadow_init);

static void dyn_shadow_free_one(void *ptr, void *arg)
{
	unsigned long *freed = arg;

	dyn_free(ptr);
	(*freed)++;
}

unsigned long dynamos_shadow_cleanup(struct dynamos_shadow_table *t)
{
	unsigned long freed = 0;

	if (!dyn_shadow_ready(t))
		return 0;
	WRITE_ONCE(t->ready, false);
	/* Let lookups that raced with the caller's last use finish. */
	synchronize_rcu();
	rhashtable_free_and_destroy(&t->ht, dyn_shadow_free_one, &freed);
	if (freed)
		pr_info("shadow table %ps: freed %lu remaining shadow(s)\n",
			t, freed);
	return freed;
}
EXPORT_SYMBOL_GPL(dynamos_shadow_cleanup);

void *dynamos_shadow_create(struct dynamos_shadow_table *t, const void *obj,
			    size_t size, gfp_t gfp)
{
	struct dyn_shadow *s;
	int ret;

	if (!obj || !size || size > DYN_SHADOW_MAX_SIZE || !dyn_shadow_ready(t))
		return ERR_PTR(-EINVAL);
	if (!dyn_shadow_may_modify())
		return ERR_PTR(-EPERM);
	s = kzalloc(struct_size(s, data, size), gfp);
	if (!s)
		return ERR_PTR(-ENOMEM);
	dyn_count_alloc();
	s->obj = obj;
	ret = rhashtable_lookup_insert_fast(&t->ht, &s->node,
					    dyn_shadow_params);
	if (ret) {
		/* Never published: no reader can hold it. */
		dyn_free(s);
		return ERR_PTR(ret);
	}
	return s->data;
}
EXPORT_SYMBOL_GPL(dynamos_shadow_create);

/*
 * Lookup that never waits for a writer.  rhashtable_lookup() restarts its
 * walk when it ends on another chain's end marker (an entry was moving to
 * the resized table) and so waits for the mover; a hardirq or NMI that
 * interrupted the mover on the same CPU (rht_deferred_worker, BH disabled
 * only) would spin forever.  Entries only ever move from a table to its
 * future_tbl, tail first, and ours are never re-inserted elsewhere while a
 * reader can see them (kfree_rcu), so walking each table's bucket once, old
 * to new, finds every entry present for the whole walk.  Caller holds RCU.
 */
static __always_inline struct dyn_shadow *
dyn_shadow_lookup(struct rhashtable *ht, const void *obj)
{
	struct bucket_table *tbl = rht_dereference_rcu(ht->tbl, ht);
	struct rhash_head *he;

	for (; tbl; tbl = rht_dereference_rcu(tbl->future_tbl, ht)) {
		unsigned int hash = rht_key_hashfn(ht, tbl, &obj,
						   dyn_shadow_params);
		struct rhash_lock_head __rcu *const *bkt = rht_bucket(tbl, hash);

		rht_for_each_rcu_from(he, rht_ptr_rcu(bkt), tbl, hash) {
			struct dyn_shadow *s;

			s = container_of(he, struct dyn_shadow, node);
			if (s->obj == obj)
				return s;
		}
	}
	return NULL;
}

void *notrace dynamos_shadow_find(struct dynamos_shadow_table *t,
				  const void *obj)
{
	struct dyn_shadow *s;

	/*
	 * Outside RCU's view (idle loop) a grace period could complete under
	 * us and the shadow be freed while we read it: report "no shadow".
	 */
	if (!obj || !rcu_is_watching() || !dyn_shadow_ready(t))
		return NULL;
	rcu_read_lock();
	s = dyn_shadow_lookup(&t->ht, obj);
	rcu_read_unlock();
	return s ? s->data : NULL;
}
EXPORT_SYMBOL_GPL(dynamos_shadow_find);

int dynamos_shadow_remove(struct dynamos_shadow_table *t, const void *obj)
{
	struct dyn_shadow *s;
	int ret = -ENOENT;

	if (!obj || !dyn_shadow_ready(t))
		return -ENOENT;
	if (!dyn_shadow_may_modify())
		return -EPERM;
	/* Keeps @s alive between the lookup and the removal. */
	rcu_read_lock();
	s = rhashtable_lookup(&t->ht, &obj, dyn_shadow_params);
	/* Of racing removers of @s only one gets 0 and frees it. */
	if (s)
		ret = rhashtable_remove_fast(&t->ht, &s->node,
					     dyn_shadow_params);
	rcu_read_unlock();
	if (!ret) {
		dyn_count_free();	/* freed by RCU, uncounted */
		kfree_rcu(s, rcu);
	}
	return ret;
}
EXPORT_SYMBOL_GPL(dynamos_shadow_remove);

int dynamos_shadow_lock(struct dynamos_shadow_table *t)
	__acquires(&t->lock)
{
	/* As for create/remove: spin_lock_bh needs IRQs on, no hardirq/NMI. */
	if (!t || !dyn_shadow_may_modify())
		return -EPERM;
	spin_lock_bh(&t->lock);
	return 0;
}
EXPORT_SYMBOL_GPL(dynamos_shadow_lock);

void dynamos_shadow_unlock(struct dynamos_shadow_table *t)
	__releases(&t->lock)
{
	spin_unlock_bh(&t->lock);
}
EXPORT_SYMBOL_GPL(dynamos_shadow_unlock);

unsigned long notrace
dynamos_shadow_table_count(const struct dynamos_shadow_table *t)
{
	if (!dyn_shadow_ready(t))
		return 0;
	return atomic_read(&t->ht.nelems);
}
EXPORT_SYMBOL_GPL(dynamos_shadow_table_count);

/* ---- the framework-wide namespace: shadows keyed by <object, id> ----- */

struct dyn_gshadow_key {
	const void *obj;
	unsigned long id;
};

/**
 * struct dyn_gshadow - a shadow of the framework-wide namespace
 * @node:	link in dyn_gshadows
 * @key:	<object address, id>: constant
 * @all:	link in dyn_gshadow_list (RCU list: free_all, count, exit)
 * @dead:	next on a free_all caller's private list, once unlinked
 * @ready:	set (release) after the constructor succeeded; get() treats
 *		a shadow that is not ready as absent
 * @rcu:	for kfree_rcu() after removal
 * @data:	the caller's buffer, zeroed, then filled by the constructor
 */
struct dyn_gshadow {
	struct rhash_head node;
	struct dyn_gshadow_key key;
	struct list_head all;
	struct dyn_gshadow *dead;
	bool ready;
	struct rcu_head rcu;
	u8 data[] __aligned(ARCH_KMALLOC_MINALIGN);
};

#define DYN_GSHADOW_MAX_SIZE \
	(KMALLOC_MAX_SIZE - sizeof(struct dyn_gshadow))

static const struct rhashtable_params dyn_gshadow_params = {
	.key_len		= sizeof(struct dyn_gshadow_key),
	.key_offset		= offsetof(struct dyn_gshadow, key),
	.head_offset		= offsetof(struct dyn_gshadow, node),
	.automatic_shrinking	= true,
};

/*
 * dyn_gshadow_lock serialises every change of the namespace: insertion
 * into dyn_gshadows together with the constructor and the addition to
 * dyn_gshadow_list (so a constructor never runs for a shadow that loses a
 * race: under the lock the loser finds the winner), and removal from both.
 * Taken with spin_lock_bh (softirq callers), never from hardirq/NMI or
 * with IRQs off (the rhashtable's bucket locks rule that out anyway).  The
 * constructor runs under it; destructors run after it is dropped.
 * Lock order: dyn_gshadow_lock, then the rhashtable's bucket locks.
 * Readers (get, count) take no lock: RCU.  Every shadow on the list is
 * ready; one that is in the table but not ready exists only while its
 * constructor runs, inside one hold of the lock.
 * dyn_gshadow_ctor_task is the task running a constructor (written under
 * the lock), so that a constructor calling alloc or free fails instead of
 * deadlocking on the lock its caller holds.
 */
static DEFINE_SPINLOCK(dyn_gshadow_lock);
static struct rhashtable dyn_gshadows;
static LIST_HEAD(dyn_gshadow_list);
static struct task_struct *dyn_gshadow_ctor_task;
static bool dyn_gshadow_up;	/* dyn_shadow_init() .. dyn_shadow_exit() */

/* As dyn_shadow_lookup(), for the namespace's key.  Caller holds RCU. */
static __always_inline struct dyn_gshadow *
dyn_gshadow_lookup(const void *obj, unsigned long id)
{
	struct rhashtable *ht = &dyn_gshadows;
	const struct dyn_gshadow_key key = { .obj = obj, .id = id };
	struct bucket_table *tbl = rht_dereference_rcu(ht->tbl, ht);
	struct rhash_head *he;

	for (; tbl; tbl = rht_dereference_rcu(tbl->future_tbl, ht)) {
		unsigned int hash = rht_key_hashfn(ht, tbl, &key,
						   dyn_gshadow_params);
		struct rhash_lock_head __rcu *const *bkt = rht_bucket(tbl, hash);

		rht_for_each_rcu_from(he, rht_ptr_rcu(bkt), tbl, hash) {
			struct dyn_gshadow *s;

			s = container_of(he, struct dyn_gshadow, node);
			if (s->key.obj == obj && s->key.id == id)
				return s;
		}
	}
	return NULL;
}

/* alloc/free may run here: not hardirq/NMI/IRQs off, not in a ctor. */
static bool dyn_gshadow_may_modify(void)
{
	if (!dyn_shadow_may_modify() || !READ_ONCE(dyn_gshadow_up))
		return false;
	if (READ_ONCE(dyn_gshadow_ctor_task) == current) {
		pr_warn_once("a shadow constructor called dynamos_shadow_alloc/get_or_alloc/free/free_all: refused (constructors run under the namespace's lock)\n");
		return false;
	}
	return true;
}

int dyn_shadow_init(void)
{
	int ret = rhashtable_init(&dyn_gshadows, &dyn_gshadow_params);

	if (!ret)
		WRITE_ONCE(dyn_gshadow_up, true);
	return ret;
}

static void dyn_gshadow_free_one(void *ptr, void *arg)
{
	dyn_free(ptr);
}

void dyn_shadow_exit(void)
{
	struct dyn_gshadow *first;
	unsigned long left;

	if (!dyn_gshadow_up)
		return;
	/* No module uses our symbols any more: no caller, no reader. */
	WRITE_ONCE(dyn_gshadow_up, false);
	left = atomic_read(&dyn_gshadows.nelems);
	first = list_first_entry_or_null(&dyn_gshadow_list,
					 struct dyn_gshadow, all);
	if (left && first)
		pr_warn("%lu shadow(s) still present at unload (one is <%p, id %#lx>); freed without destructor: their update should have freed them\n",
			left, first->key.obj, first->key.id);
	INIT_LIST_HEAD(&dyn_gshadow_list);
	rhashtable_free_and_destroy(&dyn_gshadows, dyn_gshadow_free_one, NULL);
}

void *notrace dynamos_shadow_get(const void *obj, unsigned long id)
{
	struct dyn_gshadow *s;
	void *data = NULL;

	/* Outside RCU's view the shadow could be freed under us. */
	if (!obj || !rcu_is_watching() || !READ_ONCE(dyn_gshadow_up))
		return NULL;
	rcu_read_lock();
	s = dyn_gshadow_lookup(obj, id);
	/* Pairs with smp_store_release() after the constructor. */
	if (s && smp_load_acquire(&s->ready))
		data = s->data;
	rcu_read_unlock();
	return data;
}
EXPORT_SYMBOL_GPL(dynamos_shadow_get);

/*
 * alloc (@existing_ok false) and get_or_alloc (true).  The buffer is
 * allocated before the lock with the caller's @gfp; under the lock the
 * existing shadow wins, else the new one is inserted (not ready, so get()
 * ignores it), constructed, and made ready.  Inserting before constructing
 * means a failed insertion needs no undoing of a constructor.
 */
static void *dyn_gshadow_add(const void *obj, unsigned long id, size_t size,
			     gfp_t gfp, dynamos_shadow_ctor_t ctor,
			     void *ctor_data, bool existing_ok)
{
	struct dyn_gshadow *s, *old;
	void *ret = NULL;
	int err;

	if (!obj || !size || size > DYN_GSHADOW_MAX_SIZE ||
	    !dyn_gshadow_may_modify())
		return NULL;
	if (existing_ok) {
		ret = dynamos_shadow_get(obj, id);
		if (ret)
			return ret;
	}
	s = kzalloc(struct_size(s, data, size), gfp);
	if (!s)
		return NULL;
	dyn_count_alloc();
	s->key.obj = obj;
	s->key.id = id;

	spin_lock_bh(&dyn_gshadow_lock);
	rcu_read_lock();
	old = dyn_gshadow_lookup(obj, id);
	rcu_read_unlock();
	if (old) {
		/* Ready: shadows under construction hold the lock we hold. */
		if (existing_ok)
			ret = old->data;
		goto out_discard;
	}
	err = rhashtable_lookup_insert_fast(&dyn_gshadows, &s->node,
					    dyn_gshadow_params);
	if (err)
		goto out_discard;
	if (ctor) {
		WRITE_ONCE(dyn_gshadow_ctor_task, current);
		err = ctor((void *)obj, s->data, ctor_data);
		WRITE_ONCE(dyn_gshadow_ctor_task, NULL);
		if (err) {
			rhashtable_remove_fast(&dyn_gshadows, &s->node,
					       dyn_gshadow_params);
			spin_unlock_bh(&dyn_gshadow_lock);
			/* A reader may have found it (not ready): wait. */
			dyn_count_free();
			kfree_rcu(s, rcu);
			return NULL;
		}
	}
	/* The constructor's stores before the shadow becomes visible. */
	smp_store_release(&s->ready, true);
	list_add_tail_rcu(&s->all, &dyn_gshadow_list);
	spin_unlock_bh(&dyn_gshadow_lock);
	return s->data;

out_discard:
	spin_unlock_bh(&dyn_gshadow_lock);
	/* Never published: no reader can hold it. */
	dyn_free(s);
	if (old && !existing_ok)
		pr_warn_once("shadow <%p, id %#lx> exists already: alloc refused (use get_or_alloc to share it)\n",
			     obj, id);
	return ret;
}

void *dynamos_shadow_alloc(const void *obj, unsigned long id, size_t size,
			   gfp_t gfp, dynamos_shadow_ctor_t ctor,
			   void *ctor_data)
{
	return dyn_gshadow_add(obj, id, size, gfp, ctor, ctor_data, false);
}
EXPORT_SYMBOL_GPL(dynamos_shadow_alloc);

void *dynamos_shadow_get_or_alloc(const void *obj, unsigned long id,
				  size_t size, gfp_t gfp,
				  dynamos_shadow_ctor_t ctor, void *ctor_data)
{
	return dyn_gshadow_add(obj, id, size, gfp, ctor, ctor_data, true);
}
EXPORT_SYMBOL_GPL(dynamos_shadow_get_or_alloc);

/* Caller holds dyn_gshadow_lock; @s is on the list and in the table. */
static bool dyn_gshadow_unlink(struct dyn_gshadow *s)
{
	if (rhashtable_remove_fast(&dyn_gshadows, &s->node,
				   dyn_gshadow_params))
		return false;	/* cannot happen: inserted under the lock */
	list_del_rcu(&s->all);
	return true;
}

/* After unlinking, outside the lock: destructor, then free after RCU. */
static void dyn_gshadow_destroy(struct dyn_gshadow *s,
				dynamos_shadow_dtor_t dtor)
{
	if (dtor)
		dtor((void *)s->key.obj, s->data);
	dyn_count_free();	/* freed by RCU, uncounted */
	kfree_rcu(s, rcu);
}

void dynamos_shadow_free(const void *obj, unsigned long id,
			 dynamos_shadow_dtor_t dtor)
{
	struct dyn_gshadow *s;

	if (!obj || !dyn_gshadow_may_modify())
		return;
	spin_lock_bh(&dyn_gshadow_lock);
	rcu_read_lock();
	s = dyn_gshadow_lookup(obj, id);
	rcu_read_unlock();
	if (s && !dyn_gshadow_unlink(s))
		s = NULL;
	spin_unlock_bh(&dyn_gshadow_lock);
	if (s)
		dyn_gshadow_destroy(s, dtor);
}
EXPORT_SYMBOL_GPL(dynamos_shadow_free);

void dynamos_shadow_free_all(unsigned long id, dynamos_shadow_dtor_t dtor)
{
	struct dyn_gshadow *s, *n, *dead = NULL, **tail = &dead;

	if (!dyn_gshadow_may_modify())
		return;
	spin_lock_bh(&dyn_gshadow_lock);
	list_for_each_entry_safe(s, n, &dyn_gshadow_list, all) {
		if (s->key.id != id || !dyn_gshadow_unlink(s))
			continue;
		/* @all stays intact for RCU readers of the list: use @dead. */
		s->dead = NULL;
		*tail = s;
		tail = &s->dead;
	}
	spin_unlock_bh(&dyn_gshadow_lock);
	for (s = dead; s; s = n) {
		n = s->dead;
		dyn_gshadow_destroy(s, dtor);
	}
}
EXPORT_SYMBOL_GPL(dynamos_shadow_free_all);

unsigned long dynamos_shadow_id_count(unsigned long id)
{
	struct dyn_gshadow *s;
	unsigned long n = 0;

	if (!rcu_is_watching() || !READ_ONCE(dyn_gshadow_up))
		return 0;
	rcu_read_lock();
	list_for_each_entry_rcu(s, &dyn_gshadow_list, all)
		if (s->key.id == id)
			n++;
	rcu_read_unlock();
	return n;
}
EXPORT_SYMBOL_GPL(dynamos_shadow_id_count);
