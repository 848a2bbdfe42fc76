// SPDX-License-Identifier: GPL-2.0
/*
 * REGISTER: the first registration of <name,id> names the kernel function
 * to update (version 1, the original) and puts the update on top of that
 * function's stack (function.c); later ones add versions 2, 3, ... (the
 * highest number in use + 1).
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/module.h>
#include <linux/string.h>

#include "internal.h"

static int dyn_register_original(struct dynamos_req *req)
{
	struct dyn_update *upd;
	struct dyn_version *vp;
	int ret;

	if (dyn_nr_updates >= DYNAMOS_MAX_UPDATES) {
		dyn_err(req, "too many updates (at most %d)",
			DYNAMOS_MAX_UPDATES);
		return -ENOSPC;
	}

	upd = dyn_update_alloc();
	vp = dyn_version_alloc();
	if (upd)
		upd->state = dyn_state_get(req->name);
	if (!upd || !vp || !upd->state) {
		if (upd)
			dyn_update_free(upd);
		dyn_free(vp);
		return -ENOMEM;
	}

	strscpy(upd->name, req->name, sizeof(upd->name));
	upd->id = req->id;
	upd->active = 1;
	upd->nr_versions = 1;
	upd->ver[1] = vp;	/* the original: function.c fills it in */

	ret = dyn_func_attach(upd, req);
	if (ret) {
		dyn_update_free(upd);
		return ret;
	}
	req->result = 1;
	if (!upd->func->addr)
		pr_info("%s/%u: %s:%s is not loaded; the redirection waits for it (version 1)\n",
			upd->name, upd->id, upd->func->module, upd->func->sym);
	else if (upd->below)
		pr_info("%s/%u: stacked on %s/%u on %s [%s] (version 1)\n",
			upd->name, upd->id, upd->below->name, upd->below->id,
			upd->func->sym, dyn_func_module(upd->func));
	else
		pr_info("%s/%u: redirection installed on %s [%s] (version 1)\n",
			upd->name, upd->id, upd->func->sym,
			dyn_func_module(upd->func));
	return 0;
}

static int dyn_register_version(struct dynamos_req *req,
				struct dyn_update *upd, struct dyn_code *code)
{
	struct dyn_update *other;
	struct dyn_version *vp;
	unsigned int v;

	other = dyn_find_code(code->addr, &v);
	if (other == upd) {
		dyn_err(req, "%s is already version %u of %s/%u", code->sym,
			v, upd->name, upd->id);
		return -EEXIST;
	}
	if (other && v == 1) {
		/* Its callers would be redirected again, possibly in a loop. */
		dyn_err(req, "%s is the original function of update %s/%u",
			code->sym, other->name, other->id);
		return -EBUSY;
	}
	v = upd->nr_versions + 1;
	if (v > DYNAMOS_MAX_VERSIONS) {
		dyn_err(req, "update %s/%u has no free version number (at most %d)",
			upd->name, upd->id, DYNAMOS_MAX_VERSIONS);
		return -ENOSPC;
	}
	vp = dyn_version_alloc();
	if (!vp)
		return -ENOMEM;
	vp->code = *code;
	memset(code, 0, sizeof(*code));
	dyn_version_add(upd, v, vp);	/* published complete */
	req->result = v;
	pr_info("%s/%u: version %u is %s [%s]\n", upd->name, upd->id, v,
		vp->code.sym, dyn_code_module(&vp->code));
	return 0;
}

/* Under dyn_mutex (device.c). */
int dyn_cmd_register(struct dyn_op *op)
{
	struct dynamos_req *req = op->req;
	struct dyn_update *upd;
	struct dyn_code code;
	int ret;

	ret = dyn_check_name(req);
	if (ret)
		return ret;
	upd = dyn_find(req->name, req->id);
	if (!upd)
		return dyn_register_original(req);
	if (req->address) {
		dyn_err(req, "%s/%u is registered already: an address only names the original function, at the first registration",
			req->name, req->id);
		return -EINVAL;
	}

	ret = dyn_resolve(req->symbol, 0, &code, req);
	if (ret)
		return ret;
	ret = dyn_register_version(req, upd, &code);
	dyn_code_put(&code);	/* no-op if the version took it */
	return ret;
}
