// SPDX-License-Identifier: GPL-2.0
/*
 * Version manager: the table of updates <name,id>, each with versions
 * 1..n, and the commands that change it.
 *
 * Version 1 of an update is the original function; registering it installs
 * the redirection.  Version numbers are stable: a removed version leaves a
 * hole, new versions get the highest number in use + 1.
 *
 * dyn_mutex serialises all commands (and the hooks and quiescence waits
 * they run) and protects dyn_updates and every update field written
 * outside the ftrace callback.  dyn_table_lock is taken as well around
 * each change of the table's shape, so status readers, which take only
 * it, never wait for a quiescence wait.  Fields the callback reads are
 * published with WRITE_ONCE and retired with dyn_sync_callbacks() before
 * they are freed (see internal.h).
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/bitops.h>
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rculist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/stop_machine.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "internal.h"

static DEFINE_MUTEX(dyn_mutex);
/* Nests inside dyn_mutex; never held across a wait, hook or allocation. */
static DEFINE_MUTEX(dyn_table_lock);
static LIST_HEAD(dyn_updates);		/* oldest first; both locks to change */
static unsigned int dyn_nr_updates;	/* both locks to change */

static const char *const dyn_hook_names[DYN_NR_HOOKS] = {
	"pre_activation", "post_activation", "pre_removal", "post_removal",
};

static struct dyn_update *dyn_find(const char *name, u32 id)
{
	struct dyn_update *upd;

	list_for_each_entry(upd, &dyn_updates, list)
		if (upd->id == id && !strcmp(upd->name, name))
			return upd;
	return NULL;
}

static struct dyn_update *dyn_find_req(struct dynamos_req *req)
{
	struct dyn_update *upd = dyn_find(req->name, req->id);

	if (!upd)
		dyn_err(req, "no update %s/%u is registered", req->name,
			req->id);
	return upd;
}

/*
 * Make version @v of @upd live (new calls may enter it) or take it out of
 * service.  The callback looks only at upd->entry[v].
 */
static void dyn_version_set_state(struct dyn_update *upd, unsigned int v,
				  int state)
{
	struct dyn_version *vp = upd->ver[v];
	unsigned long entry = 0;

	WRITE_ONCE(vp->state, state);
	if (state == DYN_LIVE)
		entry = v == 1 ? upd->fentry + MCOUNT_INSN_SIZE : vp->code.addr;
	WRITE_ONCE(upd->entry[v], entry);
}

/* The live version @v of @upd, or NULL with a message. */
static struct dyn_version *dyn_version_req(struct dyn_update *upd,
					   unsigned int v,
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

/* Which update uses the code at @addr, and as which version. */
static struct dyn_update *dyn_find_code(unsigned long addr, unsigned int *v)
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

static int dyn_check_name(struct dynamos_req *req)
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

static void dyn_version_free(struct dyn_version *vp)
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
static void dyn_update_free(struct dyn_update *upd)
{
	unsigned int v;

	for (v = 1; v <= DYNAMOS_MAX_VERSIONS; v++)
		dyn_version_free(upd->ver[v]);
	dyn_code_put(&upd->handler_code);
	dyn_state_put(upd->state);
	dyn_free_counters(upd);
	dyn_free(upd);
}

static void dyn_reset_counter(struct dyn_update *upd, unsigned int v)
{
	int cpu;

	for_each_possible_cpu(cpu)
		per_cpu_ptr(upd->counters, cpu)->calls[v] = 0;
}

static u64 dyn_sum_counter(struct dyn_update *upd, unsigned int v)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(upd->counters, cpu)->calls[v]);
	return sum;
}

/*
 * Run hook @kind of version @v.  Returns the hook's value, mapped to a
 * negative errno if it returned some other non-zero value.
 */
static int dyn_run_hook(struct dyn_update *upd, unsigned int v, int kind,
			int *raw)
{
	struct dyn_code *h = &upd->ver[v]->hooks[kind - 1];
	int ret;

	*raw = 0;
	if (!h->addr)
		return 0;
	ret = ((dynamos_hook_t)h->addr)();
	*raw = ret;
	if (ret > 0 || ret < -MAX_ERRNO)
		return -ECANCELED;
	/*
	 * Kernel-internal codes (-ERESTARTSYS = 512 and up) mean nothing to
	 * userspace: a hook interrupted by a signal is EINTR.
	 */
	if (ret == -ERESTARTSYS || ret == -ERESTARTNOINTR ||
	    ret == -ERESTARTNOHAND || ret == -ERESTART_RESTARTBLOCK)
		return -EINTR;
	if (ret <= -ERESTARTSYS)
		return -ECANCELED;
	return ret;
}

/* ---- REGISTER ---------------------------------------------------------- */

static int dyn_register_original(struct dynamos_req *req,
				 struct dyn_code *code)
{
	struct dyn_update *upd, *other;
	struct dyn_version *vp;
	unsigned long fentry;
	unsigned int v;
	int ret;

	other = dyn_find_code(code->addr, &v);
	if (other) {
		dyn_err(req, "%s is already version %u of update %s/%u",
			code->sym, v, other->name, other->id);
		return -EBUSY;
	}
	fentry = dyn_ftrace_location(code->addr);
	if (!fentry) {
		dyn_err(req, "ftrace cannot patch %s: it has no ftrace site (notrace or not traceable)",
			code->sym);
		return -EOPNOTSUPP;
	}
	if (dyn_nr_updates >= DYNAMOS_MAX_UPDATES) {
		dyn_err(req, "too many updates (at most %d)",
			DYNAMOS_MAX_UPDATES);
		return -ENOSPC;
	}

	upd = dyn_alloc(sizeof(*upd));
	vp = dyn_alloc(sizeof(*vp));
	if (!upd || !vp)
		goto nomem;
	upd->counters = alloc_percpu(struct dyn_counters);
	if (!upd->counters)
		goto nomem;
	dyn_count_alloc();
	upd->state = dyn_state_get(req->name);
	if (!upd->state)
		goto nomem;

	strscpy(upd->name, req->name, sizeof(upd->name));
	upd->id = req->id;
	upd->fentry = fentry;
	upd->active = 1;
	upd->nr_versions = 1;
	vp->code = *code;		/* takes over the module reference */
	upd->ver[1] = vp;
	dyn_version_set_state(upd, 1, DYN_LIVE);

	ret = dyn_redirect_install(upd, req);
	if (ret) {
		memset(code, 0, sizeof(*code));	/* freed with upd */
		dyn_update_free(upd);
		return ret;
	}
	memset(code, 0, sizeof(*code));

	/* Updates pin dynamos: module_exit cannot undo them safely. */
	__module_get(THIS_MODULE);
	mutex_lock(&dyn_table_lock);
	list_add_tail(&upd->list, &dyn_updates);
	dyn_nr_updates++;
	mutex_unlock(&dyn_table_lock);
	req->result = 1;
	pr_info("%s/%u: redirection installed on %s [%s] (version 1)\n",
		upd->name, upd->id, vp->code.sym, dyn_code_module(&vp->code));
	return 0;

nomem:
	if (upd) {
		dyn_state_put(upd->state);
		dyn_free_counters(upd);
	}
	dyn_free(upd);
	dyn_free(vp);
	return -ENOMEM;
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
	vp = dyn_alloc(sizeof(*vp));
	if (!vp)
		return -ENOMEM;
	vp->code = *code;
	memset(code, 0, sizeof(*code));
	dyn_reset_counter(upd, v);
	/* Publish after the version is complete. */
	mutex_lock(&dyn_table_lock);
	smp_store_release(&upd->ver[v], vp);
	dyn_version_set_state(upd, v, DYN_LIVE);
	upd->nr_versions = v;
	mutex_unlock(&dyn_table_lock);
	req->result = v;
	pr_info("%s/%u: version %u is %s [%s]\n", upd->name, upd->id, v,
		vp->code.sym, dyn_code_module(&vp->code));
	return 0;
}

int dyn_cmd_register(struct dynamos_req *req)
{
	struct dyn_update *upd;
	struct dyn_code code;
	int ret;

	ret = dyn_check_name(req);
	if (ret)
		return ret;
	ret = mutex_lock_killable(&dyn_mutex);
	if (ret)
		return ret;
	ret = dyn_resolve(req->symbol, 0, &code, req);
	if (ret)
		goto out;

	upd = dyn_find(req->name, req->id);
	if (upd)
		ret = dyn_register_version(req, upd, &code);
	else
		ret = dyn_register_original(req, &code);
	dyn_code_put(&code);	/* no-op if the version took it */
out:
	mutex_unlock(&dyn_mutex);
	return ret;
}

/* ---- ACTIVATE ---------------------------------------------------------- */

static int dyn_activate(struct dyn_update *upd, unsigned int v,
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
	dyn_run_hook(upd, v, DYNAMOS_HOOK_POST_ACTIVATION, &raw);
	req->result = raw;
	pr_info("%s/%u: version %u active\n", upd->name, upd->id, v);
	return 0;
}

int dyn_cmd_activate(struct dynamos_req *req)
{
	struct dyn_update *upd;
	int ret;

	ret = mutex_lock_killable(&dyn_mutex);
	if (ret)
		return ret;
	upd = dyn_find_req(req);
	ret = upd ? dyn_activate(upd, req->version, req) : -ENOENT;
	mutex_unlock(&dyn_mutex);
	return ret;
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

/* ---- ACTIVATE_GROUP ---------------------------------------------------- */

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

int dyn_cmd_activate_group(struct dynamos_req *req)
{
	struct dynamos_group_member *members;
	struct dyn_group_switch *g;
	unsigned int i, j, n = req->version;
	int ret, raw;

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
		dyn_count_free();
		kfree(members);
		return -ENOMEM;
	}

	ret = mutex_lock_killable(&dyn_mutex);
	if (ret)
		goto out_free;
	for (i = 0; i < n; i++) {
		struct dynamos_group_member *m = &members[i];

		if (!memchr(m->name, '\0', sizeof(m->name)) || !m->name[0]) {
			dyn_err(req, "member %u: name missing or not NUL-terminated",
				i + 1);
			ret = -EINVAL;
			goto out_unlock;
		}
		g->upd[i] = dyn_find(m->name, m->id);
		if (!g->upd[i]) {
			dyn_err(req, "member %u: no update %s/%u is registered",
				i + 1, m->name, m->id);
			ret = -ENOENT;
			goto out_unlock;
		}
		if (!dyn_version_req(g->upd[i], m->version, req)) {
			ret = -ENOENT;
			goto out_unlock;
		}
		for (j = 0; j < i; j++) {
			if (g->upd[j] == g->upd[i]) {
				dyn_err(req, "members %u and %u are both %s/%u",
					j + 1, i + 1, m->name, m->id);
				ret = -EINVAL;
				goto out_unlock;
			}
		}
		g->version[i] = m->version;
	}
	g->n = n;

	for (i = 0; i < n; i++) {
		ret = dyn_run_hook(g->upd[i], g->version[i],
				   DYNAMOS_HOOK_PRE_ACTIVATION, &raw);
		if (ret) {
			dyn_err(req, "member %u: pre-activation hook %s of %s/%u version %u failed (%d); no member activated",
				i + 1, g->upd[i]->ver[g->version[i]]->hooks[0].sym,
				g->upd[i]->name, g->upd[i]->id, g->version[i], raw);
			goto out_unlock;
		}
	}
	ret = stop_machine(dyn_group_switch, g, NULL);
	if (ret) {
		dyn_err(req, "cannot stop the machine to switch the group (%d); no member activated",
			ret);
		goto out_unlock;
	}
	for (i = 0; i < n; i++) {
		dyn_run_hook(g->upd[i], g->version[i],
			     DYNAMOS_HOOK_POST_ACTIVATION, &raw);
		pr_info("%s/%u: version %u active (group of %u)\n",
			g->upd[i]->name, g->upd[i]->id, g->version[i], n);
	}
	req->result = n;
out_unlock:
	mutex_unlock(&dyn_mutex);
out_free:
	dyn_free(g);
	dyn_count_free();
	kfree(members);
	return ret;
}

/* ---- code ranges for quiescence ---------------------------------------------- */

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
 * @timeout_ms; the report goes to @req.  Called with dyn_mutex held, so
 * the version stays.
 */
static int dyn_in_use(struct dyn_update *upd, unsigned int v,
		      unsigned int timeout_ms, struct dynamos_req *req)
{
	struct dyn_version *vp = dyn_version_req(upd, v, req);
	struct dyn_ranges *rs;
	int ret;

	if (!vp)
		return -ENOENT;
	rs = dyn_alloc(sizeof(*rs));
	if (!rs)
		return -ENOMEM;
	dyn_add_code(rs, &vp->code, v);
	ret = dyn_quiesce(rs->r, rs->nr, jiffies + msecs_to_jiffies(timeout_ms),
			  timeout_ms, req);
	dyn_free(rs);
	if (ret == -EBUSY)
		return req->result;	/* busy tasks, set by the report */
	return ret;
}

int dyn_cmd_in_use(struct dynamos_req *req)
{
	struct dyn_update *upd;
	int ret;

	ret = mutex_lock_killable(&dyn_mutex);
	if (ret)
		return ret;
	upd = dyn_find_req(req);
	ret = upd ? dyn_in_use(upd, req->version, req->timeout_ms, req) : -ENOENT;
	mutex_unlock(&dyn_mutex);
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
		ret = upd ? dyn_in_use(upd, version, timeout_ms, req) : -ENOENT;
		mutex_unlock(&dyn_mutex);
	}
	dyn_free(req);
	return ret;
}
EXPORT_SYMBOL_GPL(dynamos_version_in_use);

/* ---- DEREGISTER -------------------------------------------------------- */

static void dyn_set_states(struct dyn_update *upd, unsigned long mask,
			   int state)
{
	unsigned int v;

	for_each_set_bit(v, &mask, DYNAMOS_MAX_VERSIONS + 1)
		dyn_version_set_state(upd, v, state);
}

/*
 * Stop new calls from entering the versions in @mask (bit v = version v,
 * v >= 2), then wait until no task is inside their code.  The active
 * version is never among them, so calls run what they ran before; on
 * failure the versions are live again and nothing else changed.
 */
static int dyn_retire(struct dyn_update *upd, unsigned long mask,
		      unsigned int timeout_ms, struct dynamos_req *req)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);
	struct dyn_ranges *rs;
	unsigned int active;
	int ret;

	rs = dyn_alloc(sizeof(*rs));
	if (!rs)
		return -ENOMEM;
	dyn_set_states(upd, mask, DYN_REMOVING);
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
		ret = dyn_quiesce(rs->r, rs->nr, deadline, timeout_ms, req);
out:
	if (ret) {
		dyn_set_states(upd, mask, DYN_LIVE);
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

/* Unpublish version @v (not live, no callback looks at it) and free it. */
static void dyn_version_drop(struct dyn_update *upd, unsigned int v)
{
	struct dyn_version *vp = upd->ver[v];

	mutex_lock(&dyn_table_lock);
	WRITE_ONCE(upd->ver[v], NULL);
	while (!upd->ver[upd->nr_versions])
		upd->nr_versions--;	/* version 1 always exists */
	mutex_unlock(&dyn_table_lock);
	dyn_version_free(vp);
}

static int dyn_remove_version(struct dyn_update *upd, unsigned int v,
			      unsigned int timeout_ms, struct dynamos_req *req)
{
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
	ret = dyn_retire(upd, BIT(v), dyn_timeout(timeout_ms), req);
	if (ret)
		return ret;

	dyn_run_hook(upd, v, DYNAMOS_HOOK_POST_REMOVAL, &raw);
	req->result = raw;
	dyn_sync_callbacks();		/* nobody looks at the version any more */
	dyn_version_drop(upd, v);
	pr_info("%s/%u: version %u removed\n", upd->name, upd->id, v);
	return 0;
}

/* Take a deregistered update out of the table and free it. */
static void dyn_update_drop(struct dyn_update *upd)
{
	mutex_lock(&dyn_table_lock);
	list_del(&upd->list);
	dyn_nr_updates--;
	mutex_unlock(&dyn_table_lock);
	dyn_update_free(upd);
	module_put(THIS_MODULE);
}

static int dyn_remove_update(struct dyn_update *upd, unsigned int timeout_ms,
			     struct dynamos_req *req)
{
	unsigned long mask = 0;
	unsigned int v;
	int ret, raw;

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
	ret = dyn_retire(upd, mask, dyn_timeout(timeout_ms), req);
	if (ret)
		return ret;
	ret = dyn_redirect_remove(upd);
	if (ret) {
		dyn_set_states(upd, mask, DYN_LIVE);
		dyn_err(req, "ftrace refused to remove the redirection (%d)",
			ret);
		return ret;
	}
	for (v = upd->nr_versions; v >= 1; v--)
		if (upd->ver[v])
			dyn_run_hook(upd, v, DYNAMOS_HOOK_POST_REMOVAL, &raw);

	pr_info("%s/%u: deregistered, redirection removed\n", upd->name,
		upd->id);
	dyn_update_drop(upd);
	return 0;
}

int dyn_cmd_deregister(struct dynamos_req *req)
{
	struct dyn_update *upd;
	int ret;

	ret = mutex_lock_killable(&dyn_mutex);
	if (ret)
		return ret;
	upd = dyn_find_req(req);
	if (!upd)
		ret = -ENOENT;
	else if (req->version == 0)
		ret = dyn_remove_update(upd, req->timeout_ms, req);
	else
		ret = dyn_remove_version(upd, req->version, req->timeout_ms,
					 req);
	mutex_unlock(&dyn_mutex);
	return ret;
}

/* ---- handlers, hooks, CALL ----------------------------------------------- */

/* Resolve the function named by symbol or address; both empty: none. */
static int dyn_req_code(struct dynamos_req *req, struct dyn_code *code)
{
	memset(code, 0, sizeof(*code));
	if (req->symbol[0] && req->address) {
		dyn_err(req, "give either a symbol or an address, not both");
		return -EINVAL;
	}
	if (req->symbol[0])
		return dyn_resolve(req->symbol, DYN_CODE_MODULE, code, req);
	if (req->address)
		return dyn_resolve_addr(req->address, DYN_CODE_MODULE, code,
					req);
	return 0;
}

/* Replace @upd's handler by @code (addr 0: none); takes @code's reference. */
static void dyn_handler_replace(struct dyn_update *upd, struct dyn_code *code)
{
	struct dyn_code old;

	mutex_lock(&dyn_table_lock);
	old = upd->handler_code;
	upd->handler_code = *code;
	WRITE_ONCE(upd->handler, (dynamos_handler_t)code->addr);
	mutex_unlock(&dyn_table_lock);
	memset(code, 0, sizeof(*code));
	if (old.addr) {
		dyn_sync_callbacks();	/* old handler no longer running */
		dyn_code_put(&old);
	}
}

int dyn_cmd_set_handler(struct dynamos_req *req)
{
	struct dyn_update *upd;
	struct dyn_code code;
	int ret;

	ret = mutex_lock_killable(&dyn_mutex);
	if (ret)
		return ret;
	upd = dyn_find_req(req);
	if (!upd) {
		ret = -ENOENT;
		goto out;
	}
	ret = dyn_req_code(req, &code);
	if (ret)
		goto out;
	pr_info("%s/%u: adaptation handler %s\n", upd->name, upd->id,
		code.addr ? code.sym : "removed");
	dyn_handler_replace(upd, &code);
out:
	mutex_unlock(&dyn_mutex);
	return ret;
}

/* Replace a hook slot by @code; takes @code's reference. */
static void dyn_hook_replace(struct dyn_code *slot, struct dyn_code *code)
{
	struct dyn_code old;

	/* Hooks only run under dyn_mutex: no callback can be using it. */
	mutex_lock(&dyn_table_lock);
	old = *slot;
	*slot = *code;
	mutex_unlock(&dyn_table_lock);
	memset(code, 0, sizeof(*code));
	dyn_code_put(&old);
}

int dyn_cmd_set_hook(struct dynamos_req *req)
{
	struct dyn_update *upd;
	struct dyn_version *vp;
	struct dyn_code code;
	int ret;

	if (req->hook < 1 || req->hook > DYN_NR_HOOKS) {
		dyn_err(req, "unknown hook kind %u (want 1..%d)", req->hook,
			DYN_NR_HOOKS);
		return -EINVAL;
	}
	ret = mutex_lock_killable(&dyn_mutex);
	if (ret)
		return ret;
	upd = dyn_find_req(req);
	if (!upd) {
		ret = -ENOENT;
		goto out;
	}
	vp = dyn_version_req(upd, req->version, req);
	if (!vp) {
		ret = -ENOENT;
		goto out;
	}
	ret = dyn_req_code(req, &code);
	if (ret)
		goto out;
	pr_info("%s/%u: version %u %s hook %s\n", upd->name, upd->id,
		req->version, dyn_hook_names[req->hook - 1],
		code.addr ? code.sym : "removed");
	dyn_hook_replace(&vp->hooks[req->hook - 1], &code);
out:
	mutex_unlock(&dyn_mutex);
	return ret;
}

int dyn_cmd_call(struct dynamos_req *req)
{
	struct dyn_code code;
	int ret;

	if (!req->symbol[0]) {
		dyn_err(req, "CALL needs a symbol");
		return -EINVAL;
	}
	ret = dyn_resolve(req->symbol, DYN_CODE_MODULE, &code, req);
	if (ret)
		return ret;
	/* Our module reference keeps the function loaded while it runs. */
	req->result = ((dynamos_hook_t)code.addr)();
	pr_info("called %s [%s]: %lld\n", code.sym, dyn_code_module(&code),
		req->result);
	dyn_code_put(&code);
	return 0;
}

int dyn_cmd_version(struct dynamos_req *req)
{
	req->result = DYNAMOS_VERSION_CODE;
	snprintf(req->error, sizeof(req->error), "dynamos %s abi %d",
		 DYNAMOS_VERSION_STRING, DYNAMOS_ABI_VERSION);
	return 0;
}

/* ---- STOP ---------------------------------------------------------------- */

int dyn_cmd_stop(struct dynamos_req *req)
{
	struct dyn_update *upd, *tmp;
	char what[DYNAMOS_NAME_LEN + 48];
	struct dyn_code none = {};
	int ret;

	ret = mutex_lock_killable(&dyn_mutex);
	if (ret)
		return ret;
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
		ret = dyn_remove_update(upd, req->timeout_ms, req);
		if (ret)
			goto fail;
		req->result++;
	}
	memset(req->error, 0, sizeof(req->error));
	mutex_unlock(&dyn_mutex);
	return 0;

fail:
	{
		char msg[DYNAMOS_ERROR_LEN];

		strscpy(msg, req->error, sizeof(msg));
		dyn_err(req, "%s%s", what, msg[0] ? msg : "failed");
	}
	mutex_unlock(&dyn_mutex);
	return ret;
}

/* ---- modules going away by force (modules.c) ------------------------------ */

static bool dyn_code_in(const struct dyn_code *code, struct module *mod)
{
	return code->addr && code->mod == mod;
}

/* Is any function of @mod a version, hook or handler?  Any context that may sleep. */
bool dyn_uses_module(struct module *mod)
{
	struct dyn_update *upd;
	unsigned int v, k;
	bool used = false;

	mutex_lock(&dyn_table_lock);
	list_for_each_entry(upd, &dyn_updates, list) {
		used |= dyn_code_in(&upd->handler_code, mod);
		for (v = 1; v <= upd->nr_versions; v++) {
			if (!upd->ver[v])
				continue;
			used |= dyn_code_in(&upd->ver[v]->code, mod);
			for (k = 0; k < DYN_NR_HOOKS; k++)
				used |= dyn_code_in(&upd->ver[v]->hooks[k], mod);
		}
	}
	mutex_unlock(&dyn_table_lock);
	return used;
}

/*
 * @upd loses what lives in @mod, which is going away by force: its
 * versions (new calls stop entering them; tasks still inside are beyond
 * help, as with any forced unload), hooks and handler.
 */
static void dyn_detach_from(struct dyn_update *upd, struct module *mod)
{
	struct dyn_code none = {};
	unsigned long mask = 0;
	unsigned int v, k;

	for (v = 2; v <= upd->nr_versions; v++)
		if (upd->ver[v] && dyn_code_in(&upd->ver[v]->code, mod))
			mask |= BIT(v);
	if (mask & BIT(READ_ONCE(upd->active)))
		WRITE_ONCE(upd->active, 1);
	dyn_set_states(upd, mask, DYN_REMOVING);
	if (dyn_code_in(&upd->handler_code, mod))
		dyn_handler_replace(upd, &none);	/* waits for callbacks */
	else
		dyn_sync_callbacks();
	/* A handler may have made one of them active meanwhile. */
	if (mask & BIT(READ_ONCE(upd->active)))
		WRITE_ONCE(upd->active, 1);
	for_each_set_bit(v, &mask, DYNAMOS_MAX_VERSIONS + 1) {
		pr_warn("%s/%u: version %u (%s) is in module %s, which is being unloaded by force: removed without quiescence check\n",
			upd->name, upd->id, v, upd->ver[v]->code.sym, mod->name);
		dyn_version_drop(upd, v);
	}
	for (v = 1; v <= upd->nr_versions; v++)
		for (k = 0; upd->ver[v] && k < DYN_NR_HOOKS; k++)
			if (dyn_code_in(&upd->ver[v]->hooks[k], mod))
				dyn_hook_replace(&upd->ver[v]->hooks[k], &none);
}

void dyn_detach_module(struct module *mod)
{
	struct dyn_update *upd, *tmp;

	mutex_lock(&dyn_mutex);
	list_for_each_entry_safe(upd, tmp, &dyn_updates, list) {
		if (dyn_code_in(&upd->ver[1]->code, mod)) {
			/* The original goes: so does the whole update. */
			pr_warn("%s/%u: original %s is in module %s, which is being unloaded by force: update removed without quiescence check\n",
				upd->name, upd->id, upd->ver[1]->code.sym,
				mod->name);
			if (dyn_redirect_remove(upd))
				continue;	/* ftrace still uses it: keep */
			dyn_update_drop(upd);
			continue;
		}
		dyn_detach_from(upd, mod);
	}
	mutex_unlock(&dyn_mutex);
}

/* ---- status and teardown --------------------------------------------------- */

static void dyn_show_version(struct seq_file *m, struct dyn_update *upd,
			     unsigned int v)
{
	struct dyn_version *vp = upd->ver[v];
	bool any = false;
	int k;

	seq_printf(m, "%s %u %u %s %s %llu %s %s %s ", upd->name, upd->id, v,
		   READ_ONCE(upd->active) == v ? "yes" : "no",
		   READ_ONCE(vp->state) == DYN_LIVE ? "live" : "removing",
		   dyn_sum_counter(upd, v), vp->code.sym,
		   dyn_code_module(&vp->code),
		   upd->handler_code.addr ? upd->handler_code.sym : "-");
	for (k = 0; k < DYN_NR_HOOKS; k++) {
		if (!vp->hooks[k].addr)
			continue;
		seq_printf(m, "%s%s=%s", any ? "," : "", dyn_hook_names[k],
			   vp->hooks[k].sym);
		any = true;
	}
	seq_printf(m, "%s %d %s\n", any ? "" : "-",
		   dynamos_phase(&upd->state->pub),
		   dynamos_must_update(&upd->state->pub) ? "yes" : "no");
}

/* Takes only dyn_table_lock: a command's quiescence wait does not block it. */
int dyn_status_show(struct seq_file *m, void *unused)
{
	struct dyn_update *upd;
	unsigned int v, nr = 0;
	int ret;

	ret = mutex_lock_killable(&dyn_table_lock);
	if (ret)
		return ret;
	list_for_each_entry(upd, &dyn_updates, list)
		for (v = 1; v <= upd->nr_versions; v++)
			nr += !!upd->ver[v];
	seq_printf(m, "dynamos %s abi %d updates %u versions %u\n",
		   DYNAMOS_VERSION_STRING, DYNAMOS_ABI_VERSION, dyn_nr_updates,
		   nr);
	seq_puts(m, "UPDATE ID VERSION ACTIVE STATE CALLS FUNCTION MODULE HANDLER HOOKS PHASE MUST_UPDATE\n");
	list_for_each_entry(upd, &dyn_updates, list)
		for (v = 1; v <= upd->nr_versions; v++)
			if (upd->ver[v])
				dyn_show_version(m, upd, v);
	mutex_unlock(&dyn_table_lock);
	return 0;
}

/*
 * Only reachable with updates registered through "rmmod -f".  Remove every
 * redirection so nothing calls into our freed text, and leak the module
 * references of versions: tasks may still run in them.
 */
void dyn_version_exit(void)
{
	struct dyn_update *upd, *tmp;
	unsigned int v;

	mutex_lock(&dyn_mutex);
	list_for_each_entry_safe(upd, tmp, &dyn_updates, list) {
		pr_err("%s/%u still registered at unload: removing its redirection without quiescence check\n",
		       upd->name, upd->id);
		if (dyn_redirect_remove(upd))
			continue;	/* cannot free what ftrace still uses */
		list_del(&upd->list);
		for (v = 1; v <= DYNAMOS_MAX_VERSIONS; v++)
			dyn_free(upd->ver[v]);
		dyn_state_put(upd->state);
		dyn_free_counters(upd);
		dyn_free(upd);
	}
	mutex_unlock(&dyn_mutex);
}
