// SPDX-License-Identifier: GPL-2.0
/*
 * Module lifetimes.  Every function the framework runs for an update - its
 * versions, hooks, handlers - pins its module (symbols.c takes the
 * reference, only on a module that is LIVE: one still initialising is
 * freed by the kernel if its init fails, whatever its reference count).
 * A pinned module can still go away by force ("rmmod -f",
 * CONFIG_MODULE_FORCE_UNLOAD): this notifier then detaches its versions,
 * hooks and handlers before the kernel frees its text.
 *
 * The functions updates replace are not pinned: when their module comes or
 * goes, the notifier installs or removes their redirections (function.c).
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/bitops.h>
#include <linux/module.h>
#include <linux/notifier.h>

#include "internal.h"

static bool dyn_code_in(const struct dyn_code *code, struct module *mod)
{
	return code->addr && code->mod == mod;
}

/* Is any function of @mod a version, hook or handler?  Any context that may sleep. */
static bool dyn_uses_module(struct module *mod)
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
	dyn_func_refresh(upd->func);
	if (dyn_code_in(&upd->handler_code, mod))
		dyn_handler_replace(upd, &none);	/* waits for callbacks */
	else
		dyn_sync_callbacks();
	/* A handler may have made one of them active meanwhile. */
	if (mask & BIT(READ_ONCE(upd->active)))
		WRITE_ONCE(upd->active, 1);
	dyn_func_refresh(upd->func);
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

/* Under dyn_mutex. */
static void dyn_detach_module(struct module *mod)
{
	struct dyn_update *upd;

	list_for_each_entry(upd, &dyn_updates, list)
		dyn_detach_from(upd, mod);
}

/* A module that updated functions live in is loading: redirect them. */
static int dyn_module_coming(struct module *mod)
{
	struct dynamos_req *req;
	int ret;

	req = dyn_alloc(sizeof(*req));	/* carries the error message */
	if (!req)
		return -ENOMEM;
	mutex_lock(&dyn_mutex);
	ret = dyn_func_target_coming(mod, req);
	mutex_unlock(&dyn_mutex);
	if (ret)
		pr_err("refusing to load module %s: %s (%d)\n", mod->name,
		       req->error, ret);
	dyn_free(req);
	return ret;
}

static int dyn_module_event(struct notifier_block *nb, unsigned long event,
			    void *data)
{
	struct module *mod = data;

	/*
	 * Most modules come and go without us: look before taking the
	 * command lock, which a removal may hold for its whole timeout.
	 */
	if (event == MODULE_STATE_COMING && dyn_func_targets(mod))
		return notifier_from_errno(dyn_module_coming(mod));
	if (event == MODULE_STATE_GOING &&
	    (dyn_func_targets(mod) || dyn_uses_module(mod))) {
		mutex_lock(&dyn_mutex);
		dyn_func_target_going(mod);
		dyn_detach_module(mod);
		mutex_unlock(&dyn_mutex);
	}
	return NOTIFY_OK;
}

static struct notifier_block dyn_module_nb = {
	.notifier_call	= dyn_module_event,
	/*
	 * Going: before ftrace lets go of the module's functions.  Coming:
	 * first, so a refusal needs no other notifier undone.
	 */
	.priority	= INT_MAX,
};

int dyn_modules_init(void)
{
	int ret = register_module_notifier(&dyn_module_nb);

	if (ret)
		pr_err("cannot register the module notifier: %d\n", ret);
	return ret;
}

void dyn_modules_exit(void)
{
	unregister_module_notifier(&dyn_module_nb);
}
