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
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/err.h>
#include <linux/hardirq.h>
#include <linux/irqflags.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable.h>
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

unsigned long notrace dynamos_shadow_count(struct dynamos_shadow_table *t)
{
	if (!dyn_shadow_ready(t))
		return 0;
	return atomic_read(&t->ht.nelems);
}
EXPORT_SYMBOL_GPL(dynamos_shadow_count);
