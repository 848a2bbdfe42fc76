// SPDX-License-Identifier: GPL-2.0
/*
 * Synchronized activation (ACTIVATE_GROUP): several <name,id>s switch to
 * their new versions as one step.  Every member is validated and its
 * pre-activation hook run first (a failure aborts: nobody switches); then
 * all active versions are written while every CPU is stopped, so no
 * callback is between choosing and running a version meanwhile.
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/slab.h>
#include <linux/stop_machine.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "internal.h"

struct dyn_group_switch {
	struct dyn_update *upd[DYNAMOS_MAX_GROUP];
	unsigned int version[DYNAMOS_MAX_GROUP];
	unsigned int n;
};

/* Runs while every other CPU spins with interrupts off: no call is mid-choice. */
static int dyn_group_switch(void *data)
{
	struct dyn_group_switch *g = data;
	unsigned int i;

	for (i = 0; i < g->n; i++)
		WRITE_ONCE(g->upd[i]->active, g->version[i]);
	return 0;
}

/* Find every member; each must name a live version of a distinct update. */
static int dyn_group_find(struct dyn_group_switch *g,
			  const struct dynamos_group_member *members,
			  unsigned int n, struct dynamos_req *req)
{
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		const struct dynamos_group_member *m = &members[i];

		if (!memchr(m->name, '\0', sizeof(m->name)) || !m->name[0]) {
			dyn_err(req, "member %u: name missing or not NUL-terminated",
				i + 1);
			return -EINVAL;
		}
		g->upd[i] = dyn_find(m->name, m->id);
		if (!g->upd[i]) {
			dyn_err(req, "member %u: no update %s/%u is registered",
				i + 1, m->name, m->id);
			return -ENOENT;
		}
		if (!dyn_version_req(g->upd[i], m->version, req))
			return -ENOENT;
		for (j = 0; j < i; j++) {
			if (g->upd[j] == g->upd[i]) {
				dyn_err(req, "members %u and %u are both %s/%u",
					j + 1, i + 1, m->name, m->id);
				return -EINVAL;
			}
		}
		g->version[i] = m->version;
	}
	g->n = n;
	return 0;
}

static int dyn_group_activate(struct dyn_group_switch *g,
			      struct dynamos_req *req)
{
	unsigned int i;
	int ret, raw;

	for (i = 0; i < g->n; i++) {
		ret = dyn_run_hook(g->upd[i], g->version[i],
				   DYNAMOS_HOOK_PRE_ACTIVATION, &raw);
		if (ret) {
			dyn_err(req, "member %u: pre-activation hook %s of %s/%u version %u failed (%d); no member activated",
				i + 1, g->upd[i]->ver[g->version[i]]->hooks[0].sym,
				g->upd[i]->name, g->upd[i]->id, g->version[i], raw);
			return ret;
		}
	}
	/*
	 * Members on the fast path would switch one by one: send their calls
	 * through the handler path, which reads the table, switch the table
	 * while no CPU runs, then give each its new route.
	 */
	for (i = 0; i < g->n; i++)
		dyn_func_route(g->upd[i]->func, true);
	ret = stop_machine(dyn_group_switch, g, NULL);
	for (i = 0; i < g->n; i++)
		dyn_func_refresh(g->upd[i]->func);
	if (ret) {
		dyn_err(req, "cannot stop the machine to switch the group (%d); no member activated",
			ret);
		return ret;
	}
	/* The activation stays; the caller learns how many hooks failed. */
	req->count = 0;
	for (i = 0; i < g->n; i++) {
		if (dyn_run_hook(g->upd[i], g->version[i],
				 DYNAMOS_HOOK_POST_ACTIVATION, &raw)) {
			pr_warn("%s/%u: post-activation hook of version %u failed (%d)\n",
				g->upd[i]->name, g->upd[i]->id, g->version[i], raw);
			req->count++;
		}
		pr_info("%s/%u: version %u active (group of %u)\n",
			g->upd[i]->name, g->upd[i]->id, g->version[i], g->n);
	}
	req->result = g->n;
	return 0;
}

/* Under dyn_mutex (device.c). */
int dyn_cmd_activate_group(struct dyn_op *op)
{
	struct dynamos_req *req = op->req;
	struct dynamos_group_member *members;
	struct dyn_group_switch *g;
	unsigned int n = req->version;
	int ret;

	if (n < 1 || n > DYNAMOS_MAX_GROUP) {
		dyn_err(req, "ACTIVATE_GROUP: %u members (1..%d)", n,
			DYNAMOS_MAX_GROUP);
		return -EINVAL;
	}
	members = memdup_user(u64_to_user_ptr(req->address),
			      array_size(n, sizeof(*members)));
	if (IS_ERR(members)) {
		dyn_err(req, "ACTIVATE_GROUP: cannot read the members");
		return PTR_ERR(members);
	}
	dyn_count_alloc();
	g = dyn_alloc(sizeof(*g));
	if (!g) {
		ret = -ENOMEM;
		goto out;
	}
	ret = dyn_group_find(g, members, n, req);
	if (!ret)
		ret = dyn_group_activate(g, req);
	dyn_free(g);
out:
	dyn_count_free();
	kfree(members);
	return ret;
}
