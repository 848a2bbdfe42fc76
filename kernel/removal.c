// SPDX-License-Identifier: GPL-2.0
/*
 * Safe removal: a version goes only once no task runs it.  DEREGISTER
 * closes the version(s) to new calls, waits for tasks in transit and then
 * for quiescence (quiescence.c) over the version's code, its GCC pieces
 * and, when the last version of a module goes, the module's whole text;
 * STOP takes every update back to its original and removes it.  IN_USE is
 * the same check without the removal.  The steps are numbered in
 * kernel/README.md, "Removal algorithm".
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/bitops.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/string.h>

#include "internal.h"

/* Pieces (.cold, .part.N, ...) looked at per version, beyond its symbol. */
#define DYN_MAX_PARTS		8
#define DYN_MAX_RANGES		(DYNAMOS_MAX_VERSIONS * (2 + DYN_MAX_PARTS))

struct dyn_ranges {
	struct dyn_range r[DYN_MAX_RANGES];
	unsigned int nr;
};

/* @code's symbol and its pieces (may sleep: walks kallsyms). */
static void dyn_add_code(struct dyn_ranges *rs, const struct dyn_code *code,
			 unsigned int v)
{
	unsigned int room = DYN_MAX_RANGES - rs->nr, n;

	if (!room)
		return;
	rs->r[rs->nr].start = code->addr;
	rs->r[rs->nr].end = code->addr + code->size;
	rs->r[rs->nr].version = v;
	rs->nr++;
	n = dyn_code_parts(code, v, &rs->r[rs->nr], min(room - 1, DYN_MAX_PARTS));
	if (n > DYN_MAX_PARTS)
		pr_warn("%s has %u pieces; only %d are checked\n", code->sym, n,
			DYN_MAX_PARTS);
	rs->nr += min3(n, room - 1, (unsigned int)DYN_MAX_PARTS);
}

/*
 * Does a version >= 2 in @mod stay registered when the versions in @mask
 * of @upd go?  Versions are what tasks run because of us; hooks and
 * handlers only run inside commands and callbacks.
 */
static bool dyn_module_keeps_versions(struct module *mod,
				      struct dyn_update *upd,
				      unsigned long mask)
{
	struct dyn_update *u;
	unsigned int v;

	list_for_each_entry(u, &dyn_updates, list)
		for (v = 2; v <= u->nr_versions; v++)
			if (u->ver[v] && u->ver[v]->code.mod == mod &&
			    !(u == upd && (mask & BIT(v))))
				return true;
	return false;
}

/*
 * What must be quiescent before the versions in @mask of @upd are freed:
 * each version in module text with its .cold/.part pieces, and, when the
 * last version of a module goes (after which it may be unloaded), that
 * module's whole text - a task may sleep in a helper the version reached
 * by a tail call, leaving no frame of the version on its stack.  Core
 * kernel text is never freed.
 */
static void dyn_removal_ranges(struct dyn_ranges *rs, struct dyn_update *upd,
			       unsigned long mask)
{
	struct module *mods[DYNAMOS_MAX_VERSIONS];
	unsigned int v, i, nr_mods = 0;

	for_each_set_bit(v, &mask, DYNAMOS_MAX_VERSIONS + 1) {
		struct module *mod = upd->ver[v]->code.mod;

		if (!mod)
			continue;
		dyn_add_code(rs, &upd->ver[v]->code, v);
		for (i = 0; i < nr_mods && mods[i] != mod; i++)
			;
		if (i < nr_mods || dyn_module_keeps_versions(mod, upd, mask))
			continue;
		mods[nr_mods++] = mod;
		if (rs->nr < DYN_MAX_RANGES)
			dyn_module_text(mod, v, &rs->r[rs->nr++]);
	}
}

/* ---- IN_USE ------------------------------------------------------------ */

/*
 * Busy tasks of version @v of @upd (its code and pieces), waiting up to
 * @timeout_ms; the report goes to @req (and @busy, if given).  Called with
 * dyn_mutex held, so the version stays.
 */
static int dyn_in_use(struct dyn_update *upd, unsigned int v,
		      unsigned int timeout_ms, struct dynamos_req *req,
		      struct dyn_busy_tasks *busy)
{
	struct dyn_version *vp = dyn_version_req(upd, v, req);
	struct dyn_ranges *rs;
	struct dyn_code code;
	int ret;

	if (!vp)
		return -ENOENT;
	code = vp->code;
	if (v == 1) {
		/*
		 * The original does not pin its module (function.c); it stays
		 * while we hold dyn_mutex, which its going notifier takes.
		 */
		code.mod = upd->func->mod;
		if (!code.addr)
			return 0;	/* absent: nobody runs it */
	}
	rs = dyn_alloc(sizeof(*rs));
	if (!rs)
		return -ENOMEM;
	dyn_add_code(rs, &code, v);
	ret = dyn_quiesce(rs->r, rs->nr, jiffies + msecs_to_jiffies(timeout_ms),
			  timeout_ms, req, busy);
	dyn_free(rs);
	if (ret == -EBUSY)
		return req->result;	/* busy tasks, set by the report */
	return ret;
}

/* Under dyn_mutex, with the update found (device.c). */
int dyn_cmd_in_use(struct dyn_op *op)
{
	struct dynamos_req *req = op->req;
	int ret;

	ret = dyn_in_use(op->upd, req->version, req->timeout_ms, req,
			 &op->busy);
	if (ret < 0)
		return ret;
	req->result = ret;
	return 0;
}

int dynamos_version_in_use(const char *name, u32 id, unsigned int version,
			   unsigned int timeout_ms)
{
	struct dynamos_req *req;
	struct dyn_update *upd;
	int ret;

	might_sleep();
	req = dyn_alloc(sizeof(*req));
	if (!req)
		return -ENOMEM;
	ret = mutex_lock_killable(&dyn_mutex);
	if (!ret) {
		upd = dyn_find(name, id);
		ret = upd ? dyn_in_use(upd, version, timeout_ms, req, NULL) :
			    -ENOENT;
		mutex_unlock(&dyn_mutex);
	}
	dyn_free(req);
	return ret;
}
EXPORT_SYMBOL_GPL(dynamos_version_in_use);

/* ---- DEREGISTER -------------------------------------------------------- */

/*
 * Stop new calls from entering the versions in @mask (bit v = version v,
 * v >= 2), then wait until no task is inside their code.  The active
 * version is never among them, so calls run what they ran before; on
 * failure the versions are live again and nothing else changed.
 */
static int dyn_retire(struct dyn_update *upd, unsigned long mask,
		      unsigned int timeout_ms, struct dyn_op *op)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);
	struct dynamos_req *req = op->req;
	struct dyn_ranges *rs;
	unsigned int active;
	int ret;

	rs = dyn_alloc(sizeof(*rs));
	if (!rs)
		return -ENOMEM;
	dyn_set_states(upd, mask, DYN_REMOVING);
	dyn_func_refresh(upd->func);	/* no route leads there any more */
	/*
	 * A handler may have tested a version live just before and be about
	 * to make it active (dynamos_set_active()): once every callback that
	 * started has returned, none can.
	 */
	dyn_sync_callbacks();
	active = READ_ONCE(upd->active);
	if (mask & BIT(active)) {
		dyn_err(req, "version %u of %s/%u was made active by its adaptation handler during the removal; nothing removed",
			active, upd->name, upd->id);
		ret = -EBUSY;
		goto out;
	}
	dyn_removal_ranges(rs, upd, mask);
	if (!rs->nr) {
		ret = 0;	/* core kernel text: nothing to wait for */
		goto out;
	}
	ret = dyn_sync_tasks(deadline, req);
	if (!ret)
		ret = dyn_quiesce(rs->r, rs->nr, deadline, timeout_ms, req,
				  &op->busy);
out:
	if (ret) {
		dyn_set_states(upd, mask, DYN_LIVE);
		dyn_func_refresh(upd->func);
		pr_info("%s/%u: removal refused: %s\n", upd->name, upd->id,
			req->error);
	}
	dyn_free(rs);
	return ret;
}

static unsigned int dyn_timeout(u32 timeout_ms)
{
	return timeout_ms ? timeout_ms : DYNAMOS_DEFAULT_TIMEOUT_MS;
}

/*
 * Removing the active version would make calls fall back to the original
 * while the removal waits, and stay there if it then fails.
 */
static int dyn_check_not_active(struct dyn_update *upd, unsigned int v,
				struct dynamos_req *req)
{
	unsigned int active = READ_ONCE(upd->active);

	if (v == 0 && active != 1) {
		dyn_err(req, "version %u of %s/%u is active; activate version 1 before removing the update",
			active, upd->name, upd->id);
		return -EBUSY;
	}
	if (v == active) {
		dyn_err(req, "version %u of %s/%u is active; activate another version before removing it",
			v, upd->name, upd->id);
		return -EBUSY;
	}
	return 0;
}

/*
 * Pre-removal hooks prepare for the removal (e.g. let tasks leave the
 * version) but cannot veto it: removal must stay possible.
 */
static void dyn_pre_removal(struct dyn_update *upd, unsigned int v)
{
	int raw;

	if (dyn_run_hook(upd, v, DYNAMOS_HOOK_PRE_REMOVAL, &raw))
		pr_warn("%s/%u: pre-removal hook %s of version %u returned %d; removing anyway\n",
			upd->name, upd->id, upd->ver[v]->hooks[2].sym, v, raw);
}

static int dyn_remove_version(struct dyn_update *upd, unsigned int v,
			      struct dyn_op *op)
{
	struct dynamos_req *req = op->req;
	int ret, raw;

	if (v == 1) {
		dyn_err(req, "version 1 is the original function; deregister version 0 to remove the whole update");
		return -EINVAL;
	}
	if (!dyn_version_req(upd, v, req))
		return -ENOENT;
	ret = dyn_check_not_active(upd, v, req);
	if (ret)
		return ret;
	dyn_pre_removal(upd, v);
	ret = dyn_retire(upd, BIT(v), dyn_timeout(req->timeout_ms), op);
	if (ret)
		return ret;

	dyn_run_hook(upd, v, DYNAMOS_HOOK_POST_REMOVAL, &raw);
	req->result = raw;
	dyn_sync_callbacks();		/* nobody looks at the version any more */
	dyn_version_drop(upd, v);
	pr_info("%s/%u: version %u removed\n", upd->name, upd->id, v);
	return 0;
}

static int dyn_remove_update(struct dyn_update *upd, struct dyn_op *op)
{
	struct dynamos_req *req = op->req;
	unsigned long mask = 0;
	unsigned int v;
	int ret, raw;
	bool last;

	ret = dyn_check_not_active(upd, 0, req);
	if (ret)
		return ret;
	for (v = upd->nr_versions; v >= 1; v--) {
		if (!upd->ver[v])
			continue;
		if (v >= 2)
			mask |= BIT(v);
		dyn_pre_removal(upd, v);
	}
	ret = dyn_retire(upd, mask, dyn_timeout(req->timeout_ms), op);
	if (ret)
		return ret;
	last = upd->func->depth == 1;
	ret = dyn_func_detach(upd);
	if (ret) {
		dyn_set_states(upd, mask, DYN_LIVE);
		dyn_func_refresh(upd->func);
		dyn_err(req, "ftrace refused to remove the redirection (%d)",
			ret);
		return ret;
	}
	for (v = upd->nr_versions; v >= 1; v--)
		if (upd->ver[v])
			dyn_run_hook(upd, v, DYNAMOS_HOOK_POST_REMOVAL, &raw);

	pr_info("%s/%u: deregistered%s\n", upd->name, upd->id,
		last ? ", redirection removed" : "");
	dyn_update_drop(upd);
	return 0;
}

/* Under dyn_mutex, with the update found (device.c). */
int dyn_cmd_deregister(struct dyn_op *op)
{
	if (op->req->version == 0)
		return dyn_remove_update(op->upd, op);
	return dyn_remove_version(op->upd, op->req->version, op);
}

/* ---- STOP ---------------------------------------------------------------- */

/* Under dyn_mutex (device.c). */
int dyn_cmd_stop(struct dyn_op *op)
{
	struct dynamos_req *req = op->req;
	struct dyn_update *upd, *tmp;
	char what[DYNAMOS_NAME_LEN + 48];
	char msg[DYNAMOS_ERROR_LEN];
	struct dyn_code none = {};
	int ret;

	list_for_each_entry_reverse(upd, &dyn_updates, list) {
		/* A handler could make another version active again. */
		if (upd->handler_code.addr)
			dyn_handler_replace(upd, &none);
		if (READ_ONCE(upd->active) == 1)
			continue;
		ret = dyn_activate(upd, 1, req);
		if (ret) {
			snprintf(what, sizeof(what), "stop: deactivating %s/%u: ",
				 upd->name, upd->id);
			goto fail;
		}
	}
	req->result = 0;
	list_for_each_entry_safe_reverse(upd, tmp, &dyn_updates, list) {
		snprintf(what, sizeof(what), "stop: deregistering %s/%u: ",
			 upd->name, upd->id);
		ret = dyn_remove_update(upd, op);
		if (ret)
			goto fail;
		req->result++;
	}
	memset(req->error, 0, sizeof(req->error));
	return 0;

fail:
	strscpy(msg, req->error, sizeof(msg));
	dyn_err(req, "%s%s", what, msg[0] ? msg : "failed");
	return ret;
}
