// SPDX-License-Identifier: GPL-2.0
/*
 * Activation: which version new calls of an update run.  ACTIVATE runs the
 * version's pre-activation hook (which may veto), switches, then runs its
 * post-activation hook; an adaptation handler may switch from inside a
 * call with dynamos_set_active().  Group activation is in group.c.
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/module.h>

#include "internal.h"

/* Under dyn_mutex. */
int dyn_activate(struct dyn_update *upd, unsigned int v,
		 struct dynamos_req *req)
{
	int ret, raw;

	if (!dyn_version_req(upd, v, req))
		return -ENOENT;
	ret = dyn_run_hook(upd, v, DYNAMOS_HOOK_PRE_ACTIVATION, &raw);
	if (ret) {
		dyn_err(req, "pre-activation hook %s of %s/%u version %u failed (%d); not activated",
			upd->ver[v]->hooks[0].sym, upd->name, upd->id, v, raw);
		return ret;
	}
	WRITE_ONCE(upd->active, v);
	dyn_func_refresh(upd->func);
	dyn_run_hook(upd, v, DYNAMOS_HOOK_POST_ACTIVATION, &raw);
	req->result = raw;
	pr_info("%s/%u: version %u active\n", upd->name, upd->id, v);
	return 0;
}

/* Under dyn_mutex, with the update and the live version found (device.c). */
int dyn_cmd_activate(struct dyn_op *op)
{
	return dyn_activate(op->upd, op->req->version, op->req);
}

int notrace dynamos_set_active(const struct dynamos_call *call,
			       unsigned int version)
{
	/*
	 * Set only while a handler runs, i.e. inside a callback with
	 * preemption off: dyn_sync_callbacks() waits for us too.  Live means
	 * what it means to the callback: the version has an entry.
	 */
	struct dyn_update *upd = dyn_handler_update();

	if (!call || !upd || version - 1 >= DYNAMOS_MAX_VERSIONS ||
	    !READ_ONCE(upd->entry[version]))
		return -ENOENT;
	WRITE_ONCE(upd->active, version);
	return 0;
}
EXPORT_SYMBOL_GPL(dynamos_set_active);
