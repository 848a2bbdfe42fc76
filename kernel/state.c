// SPDX-License-Identifier: GPL-2.0
/*
 * Update state: a phase number and a must_update flag per update name,
 * shared by every <name, id> of that name (e.g. pipe_read and pipe_write
 * of one pipe update), for synchronized updates of subsystems that never
 * quiesce.  Update code reads and sets them in its hot paths; userspace
 * reads and sets them through /dev/dynamos; the status shows them.
 *
 * A state exists while anyone holds a reference: each registered
 * <name, id> holds one, and update code may take its own with
 * dynamos_state_get() (e.g. in module init, before apply registers the
 * update) so that its hot paths never look a name up.
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/module.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "internal.h"

/* dyn_state_lock protects dyn_states and every state's refs and list. */
static DEFINE_SPINLOCK(dyn_state_lock);
static LIST_HEAD(dyn_states);

static struct dyn_ustate *dyn_state_find(const char *name)
{
	struct dyn_ustate *s;

	list_for_each_entry(s, &dyn_states, list)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

struct dyn_ustate *dyn_state_get(const char *name)
{
	struct dyn_ustate *s, *fresh;

	if (!name || !*name || strnlen(name, DYNAMOS_NAME_LEN) >= DYNAMOS_NAME_LEN)
		return NULL;
	fresh = dyn_alloc(sizeof(*fresh));
	if (!fresh)
		return NULL;
	strscpy(fresh->name, name, sizeof(fresh->name));
	refcount_set(&fresh->refs, 1);

	spin_lock(&dyn_state_lock);
	s = dyn_state_find(name);
	if (s) {
		refcount_inc(&s->refs);
	} else {
		list_add_tail(&fresh->list, &dyn_states);
		s = fresh;
		fresh = NULL;
	}
	spin_unlock(&dyn_state_lock);
	dyn_free(fresh);
	return s;
}

void dyn_state_put(struct dyn_ustate *s)
{
	bool last;

	if (!s)
		return;
	spin_lock(&dyn_state_lock);
	last = refcount_dec_and_test(&s->refs);
	if (last)
		list_del(&s->list);
	spin_unlock(&dyn_state_lock);
	if (last)
		dyn_free(s);
}

/* The state of @name if it exists, with a reference; NULL otherwise. */
struct dyn_ustate *dyn_state_lookup(const char *name)
{
	struct dyn_ustate *s;

	spin_lock(&dyn_state_lock);
	s = dyn_state_find(name);
	if (s)
		refcount_inc(&s->refs);
	spin_unlock(&dyn_state_lock);
	return s;
}

struct dynamos_state *dynamos_state_get(const char *name)
{
	struct dyn_ustate *s = dyn_state_get(name);

	return s ? &s->pub : NULL;
}
EXPORT_SYMBOL_GPL(dynamos_state_get);

void dynamos_state_put(struct dynamos_state *state)
{
	if (state)
		dyn_state_put(container_of(state, struct dyn_ustate, pub));
}
EXPORT_SYMBOL_GPL(dynamos_state_put);

struct dynamos_state *notrace dynamos_call_state(const struct dynamos_call *call)
{
	struct dyn_update *upd = dyn_handler_update();

	if (!call || !upd)
		return NULL;
	return &upd->state->pub;
}
EXPORT_SYMBOL_GPL(dynamos_call_state);

/*
 * STATE: read the phase and must_update of req->name; with flags, set them
 * first.  The state exists once the name is registered or update code took
 * a reference.
 */
int dyn_cmd_state(struct dyn_op *op)
{
	struct dynamos_req *req = op->req;
	struct dyn_ustate *s;

	if (req->flags & ~(DYNAMOS_STATE_SET_PHASE | DYNAMOS_STATE_SET_MUST_UPDATE)) {
		dyn_err(req, "STATE: unknown flags 0x%x", req->flags);
		return -EINVAL;
	}
	if (req->must_update > 1) {
		dyn_err(req, "STATE: must_update is 0 or 1, not %u",
			req->must_update);
		return -EINVAL;
	}
	s = dyn_state_lookup(req->name);
	if (!s) {
		dyn_err(req, "no update named %s is registered (and no update module holds its state)",
			req->name);
		return -ENOENT;
	}
	if (req->flags & DYNAMOS_STATE_SET_PHASE)
		dynamos_set_phase(&s->pub, req->phase);
	if (req->flags & DYNAMOS_STATE_SET_MUST_UPDATE)
		dynamos_set_must_update(&s->pub, req->must_update);
	req->phase = dynamos_phase(&s->pub);
	req->must_update = dynamos_must_update(&s->pub);
	dyn_state_put(s);
	return 0;
}

/*
 * At unload every update is gone and every module that took a state with
 * dynamos_state_get() has been unloaded (they depend on us) - unless one
 * was forced out without putting its reference.  Free what is left.
 */
void dyn_state_exit(void)
{
	struct dyn_ustate *s, *tmp;

	spin_lock(&dyn_state_lock);
	list_for_each_entry_safe(s, tmp, &dyn_states, list) {
		pr_warn("state of %s still referenced at unload: freed\n",
			s->name);
		list_del(&s->list);
		dyn_free(s);
	}
	spin_unlock(&dyn_state_lock);
}
