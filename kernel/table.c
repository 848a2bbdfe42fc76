// SPDX-License-Identifier: GPL-2.0
/*
 * The version table: the updates <name,id>, each with versions 1..n, the
 * locks that guard them, and the helpers every command uses to find,
 * publish and free them.
 *
 * Version 1 of an update is the original function; registering it installs
 * the redirection.  Version numbers are stable: a removed version leaves a
 * hole, new versions get the highest number in use + 1.
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/ctype.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/string.h>

#include "internal.h"

/*
 * Serialises every command, the hooks and quiescence waits they run and
 * the module notifier; protects dyn_updates and every update field
 * written outside the ftrace callback.
 */
DEFINE_MUTEX(dyn_mutex);
/*
 * Nests inside dyn_mutex and is taken, in addition, around each change of
 * the table's shape, so status readers, which take only it, never wait
 * for a quiescence wait.  Never held across a wait, hook or allocation.
 */
DEFINE_MUTEX(dyn_table_lock);
LIST_HEAD(dyn_updates);			/* oldest first; both locks to change */
unsigned int dyn_nr_updates;		/* both locks to change */

const char *const dyn_hook_names[DYN_NR_HOOKS] = {
	"pre_activation", "post_activation", "pre_removal", "post_removal",
	"target_coming", "target_going",
};

struct dyn_update *dyn_find(const char *name, u32 id)
{
	struct dyn_update *upd;

	list_for_each_entry(upd, &dyn_updates, list)
		if (upd->id == id && !strcmp(upd->name, name))
			return upd;
	return NULL;
}

struct dyn_update *dyn_find_req(struct dynamos_req *req)
{
	struct dyn_update *upd = dyn_find(req->name, req->id);

	if (!upd)
		dyn_err(req, "no update %s/%u is registered", req->name,
			req->id);
	return upd;
}

/* Which update uses the code at @addr, and as which version. */
struct dyn_update *dyn_find_code(unsigned long addr, unsigned int *v)
{
	struct dyn_update *upd;
	unsigned int i;

	list_for_each_entry(upd, &dyn_updates, list)
		for (i = 1; i <= upd->nr_versions; i++)
			if (upd->ver[i] && upd->ver[i]->code.addr == addr) {
				*v = i;
				return upd;
			}
	return NULL;
}

/* The live version @v of @upd, or NULL with a message. */
struct dyn_version *dyn_version_req(struct dyn_update *upd, unsigned int v,
				    struct dynamos_req *req)
{
	struct dyn_version *vp = NULL;

	if (v >= 1 && v <= DYNAMOS_MAX_VERSIONS)
		vp = upd->ver[v];
	if (!vp || vp->state != DYN_LIVE) {
		dyn_err(req, "update %s/%u has no version %u", upd->name,
			upd->id, v);
		return NULL;
	}
	return vp;
}

/*
 * Make version @v of @upd live (new calls may enter it) or take it out of
 * service.  The callback looks only at upd->entry[v].
 */
void dyn_version_set_state(struct dyn_update *upd, unsigned int v, int state)
{
	struct dyn_version *vp = upd->ver[v];
	unsigned long entry = 0;

	WRITE_ONCE(vp->state, state);
	if (state == DYN_LIVE && v != 1)
		entry = vp->code.addr;
	else if (state == DYN_LIVE && upd->func->fentry)
		entry = upd->func->fentry + MCOUNT_INSN_SIZE;
	WRITE_ONCE(upd->entry[v], entry);
}

void dyn_set_states(struct dyn_update *upd, unsigned long mask, int state)
{
	unsigned int v;

	for_each_set_bit(v, &mask, DYNAMOS_MAX_VERSIONS + 1)
		dyn_version_set_state(upd, v, state);
}

int dyn_check_name(struct dynamos_req *req)
{
	size_t i, len = strlen(req->name);

	if (!len || len >= DYNAMOS_NAME_LEN) {
		dyn_err(req, "update name must have 1..%d characters",
			DYNAMOS_NAME_LEN - 1);
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		if (!isgraph(req->name[i]) || (u8)req->name[i] > 0x7e) {
			dyn_err(req, "update name must be printable ASCII without spaces");
			return -EINVAL;
		}
	}
	return 0;
}

static void dyn_free_counters(struct dyn_update *upd)
{
	if (!upd->counters)
		return;
	free_percpu(upd->counters);
	dyn_count_free();
}

/* A zeroed update with its per-CPU counters, or NULL. */
struct dyn_update *dyn_update_alloc(void)
{
	struct dyn_update *upd = dyn_alloc(sizeof(*upd));

	if (!upd)
		return NULL;
	upd->counters = alloc_percpu(struct dyn_counters);
	if (!upd->counters) {
		dyn_free(upd);
		return NULL;
	}
	dyn_count_alloc();
	return upd;
}

struct dyn_version *dyn_version_alloc(void)
{
	return dyn_alloc(sizeof(struct dyn_version));
}

void dyn_version_free(struct dyn_version *vp)
{
	int k;

	if (!vp)
		return;
	for (k = 0; k < DYN_NR_HOOKS; k++)
		dyn_code_put(&vp->hooks[k]);
	dyn_code_put(&vp->code);
	dyn_free(vp);
}

/* Free an update whose redirection is gone (or was never installed). */
void dyn_update_free(struct dyn_update *upd)
{
	unsigned int v;

	for (v = 1; v <= DYNAMOS_MAX_VERSIONS; v++)
		dyn_version_free(upd->ver[v]);
	dyn_code_put(&upd->handler_code);
	dyn_state_put(upd->state);
	dyn_free_counters(upd);
	dyn_free(upd);
}

/* Free a deregistered update that dyn_func_detach() took out of the table. */
void dyn_update_drop(struct dyn_update *upd)
{
	dyn_update_free(upd);
	module_put(THIS_MODULE);
}

static void dyn_reset_counter(struct dyn_update *upd, unsigned int v)
{
	int cpu;

	for_each_possible_cpu(cpu)
		per_cpu_ptr(upd->counters, cpu)->calls[v] = 0;
}

u64 dyn_sum_counter(struct dyn_update *upd, unsigned int v)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(upd->counters, cpu)->calls[v]);
	return sum;
}

/* Publish the complete version @vp as number @v (> nr_versions), live. */
void dyn_version_add(struct dyn_update *upd, unsigned int v,
		     struct dyn_version *vp)
{
	dyn_reset_counter(upd, v);
	mutex_lock(&dyn_table_lock);
	smp_store_release(&upd->ver[v], vp);
	dyn_version_set_state(upd, v, DYN_LIVE);
	upd->nr_versions = v;
	mutex_unlock(&dyn_table_lock);
}

/* Unpublish version @v (not live, no callback looks at it) and free it. */
void dyn_version_drop(struct dyn_update *upd, unsigned int v)
{
	struct dyn_version *vp = upd->ver[v];

	mutex_lock(&dyn_table_lock);
	WRITE_ONCE(upd->ver[v], NULL);
	while (!upd->ver[upd->nr_versions])
		upd->nr_versions--;	/* version 1 always exists */
	mutex_unlock(&dyn_table_lock);
	dyn_version_free(vp);
}

/*
 * Only reachable with updates registered through "rmmod -f".  Remove every
 * redirection so nothing calls into our freed text, and leak the module
 * references of versions: tasks may still run in them.
 */
void dyn_table_exit(void)
{
	struct dyn_update *upd, *tmp;
	struct dyn_func *func, *ftmp;
	unsigned int v;

	mutex_lock(&dyn_mutex);
	list_for_each_entry_safe(func, ftmp, &dyn_funcs, list) {
		pr_err("%s still has %u update(s) at unload: removing its redirection without quiescence check\n",
		       func->sym, func->depth);
		if (dyn_redirect_remove(func))
			continue;	/* cannot free what ftrace still uses */
		list_for_each_entry_safe(upd, tmp, &func->stack, stack_node) {
			list_del(&upd->list);
			for (v = 1; v <= DYNAMOS_MAX_VERSIONS; v++)
				dyn_free(upd->ver[v]);
			dyn_state_put(upd->state);
			dyn_free_counters(upd);
			dyn_free(upd);
		}
		list_del(&func->list);
		dyn_free(func);
	}
	mutex_unlock(&dyn_mutex);
}
