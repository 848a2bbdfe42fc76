// SPDX-License-Identifier: GPL-2.0
/*
 * The functions updates replace.  ftrace lets one IPMODIFY user redirect a
 * function, so each function has one redirection and a stack of updates,
 * oldest at the bottom.  Calls run the top update's choice; its version 1
 * means "what the update below chooses", down to the original function.
 * A new update on top therefore changes nothing until it activates a
 * version of its own, and taking the top one away gives back exactly what
 * the one below had (its active version, handler and counters).
 *
 * A function of a module may be named while that module is not loaded: it
 * is "absent" and not redirected.  The redirection is installed when the
 * module comes (before its init runs), removed when it goes (normally or
 * by force) and installed again when it comes back.  Target modules are
 * not pinned: updates follow them instead.
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/module.h>
#include <linux/string.h>

#include "internal.h"

LIST_HEAD(dyn_funcs);			/* both locks to change */

const char *dyn_func_module(const struct dyn_func *func)
{
	return func->module[0] ? func->module : "vmlinux";
}

/* 0 for the bottom of its function's stack.  Under either lock. */
unsigned int dyn_update_level(const struct dyn_update *upd)
{
	const struct dyn_update *u;
	unsigned int level = 0;

	list_for_each_entry(u, &upd->func->stack, stack_node) {
		if (u == upd)
			break;
		level++;
	}
	return level;
}

static struct dyn_func *dyn_func_find_loaded(unsigned long addr)
{
	struct dyn_func *func;

	list_for_each_entry(func, &dyn_funcs, list)
		if (func->addr == addr)
			return func;
	return NULL;
}

static struct dyn_func *dyn_func_find_absent(const char *modname,
					     const char *sym)
{
	struct dyn_func *func;

	list_for_each_entry(func, &dyn_funcs, list)
		if (!func->addr && !strcmp(func->module, modname) &&
		    !strcmp(func->sym, sym))
			return func;
	return NULL;
}

/* Is a function of @mod updated (loaded), or waiting for it (absent)? */
static bool dyn_func_of(const struct dyn_func *func, const struct module *mod)
{
	return func->addr ? func->mod == mod : !strcmp(func->module, mod->name);
}

/* Does any function depend on @mod coming or going?  May sleep. */
bool dyn_func_targets(const struct module *mod)
{
	struct dyn_func *func;
	bool found = false;

	mutex_lock(&dyn_table_lock);
	list_for_each_entry(func, &dyn_funcs, list)
		found |= dyn_func_of(func, mod);
	mutex_unlock(&dyn_table_lock);
	return found;
}

/*
 * Version 1 of every layer names the original function and enters it after
 * its ftrace site, or nowhere while the function is absent.  Under both
 * locks (or before anything is published).
 */
static void dyn_func_set_originals(struct dyn_func *func)
{
	struct dyn_update *upd;

	list_for_each_entry(upd, &func->stack, stack_node) {
		struct dyn_code *code = &upd->ver[1]->code;

		code->addr = func->addr;
		code->size = func->size;
		strscpy(code->sym, func->sym, sizeof(code->sym));
		dyn_version_set_state(upd, 1, DYN_LIVE);
	}
}

/* Fill the target fields from @code (loaded) or mark @func absent. */
static void dyn_func_set_target(struct dyn_func *func,
				const struct dyn_code *code,
				unsigned long fentry)
{
	func->mod = code ? code->mod : NULL;
	func->addr = code ? code->addr : 0;
	func->size = code ? code->size : 0;
	func->fentry = fentry;
}

/* Point @func (published) at its loaded code, or make it absent (NULL). */
static void dyn_func_retarget(struct dyn_func *func,
			      const struct dyn_code *code, unsigned long fentry)
{
	mutex_lock(&dyn_table_lock);
	dyn_func_set_target(func, code, fentry);
	dyn_func_set_originals(func);
	mutex_unlock(&dyn_table_lock);
}

static struct dyn_func *dyn_func_alloc(const char *modname, const char *sym)
{
	struct dyn_func *func = dyn_alloc(sizeof(*func));

	if (!func)
		return NULL;
	INIT_LIST_HEAD(&func->stack);
	func->route_slot = -1;		/* no stub, no route */
	if (strcmp(modname, "vmlinux"))
		strscpy(func->module, modname, sizeof(func->module));
	strscpy(func->sym, sym, sizeof(func->sym));
	return func;
}

/* The ftrace site of @code, or an error saying why it cannot be updated. */
static int dyn_func_site(const struct dyn_code *code, unsigned long *fentry,
			 struct dynamos_req *req)
{
	struct dyn_update *other;
	unsigned int v;

	other = dyn_find_code(code->addr, &v);
	if (other) {
		/* Its callers would be redirected again, possibly in a loop. */
		dyn_err(req, "%s is version %u of update %s/%u; a version cannot be updated itself",
			code->sym, v, other->name, other->id);
		return -EBUSY;
	}
	*fentry = dyn_ftrace_location(code->addr);
	if (*fentry)
		return 0;
	if (code->mod == THIS_MODULE)
		dyn_err(req, "%s is on the framework's redirection, removal or command path (built without ftrace sites): updating it could break the removal of the update itself",
			code->sym);
	else
		dyn_err(req, "ftrace cannot patch %s: it has no ftrace site (notrace or not traceable)",
			code->sym);
	return -EOPNOTSUPP;
}

/*
 * Put the new update @upd (version 1 only, not yet published) on top of the
 * function req->symbol names: a new redirection if no update replaces it
 * yet (installed at once, or when its module loads), else the next layer
 * of its stack.  Under dyn_mutex.  On failure nothing changed.
 */
int dyn_func_attach(struct dyn_update *upd, struct dynamos_req *req)
{
	char modname[MODULE_NAME_LEN];
	struct dyn_func *func, *created = NULL;
	struct dyn_code code = {};
	unsigned long fentry = 0;
	const char *sym;
	int ret;

	ret = dyn_split_spec(req->symbol, modname, &sym, req);
	if (ret)
		return ret;
	if (req->address)	/* one of several same-named functions */
		ret = dyn_resolve_named(req->symbol, req->address,
					DYN_CODE_TARGET, &code, req);
	else
		ret = dyn_resolve(req->symbol, DYN_CODE_TARGET, &code, req);
	if (ret == -ENOENT && !req->address && modname[0] &&
	    strcmp(modname, "vmlinux") && !dyn_module_loaded(modname)) {
		/* Waits for its module; nothing to check before it comes. */
		memset(req->error, 0, sizeof(req->error));
		ret = 0;
		func = dyn_func_find_absent(modname, sym);
		if (!func)
			created = func = dyn_func_alloc(modname, sym);
		if (!func)
			return -ENOMEM;
	} else if (ret) {
		return ret;
	} else {
		func = dyn_func_find_loaded(code.addr);
		if (!func) {
			ret = dyn_func_site(&code, &fentry, req);
			if (!ret) {
				created = func = dyn_func_alloc(
					code.mod ? code.mod->name : "vmlinux",
					code.sym);
				if (!func)
					ret = -ENOMEM;
			}
			if (ret) {
				dyn_code_put(&code);
				return ret;
			}
			dyn_func_set_target(func, &code, fentry);
		}
	}

	upd->func = func;
	upd->below = func->top;
	mutex_lock(&dyn_table_lock);
	if (created)
		list_add_tail(&func->list, &dyn_funcs);
	list_add_tail(&upd->stack_node, &func->stack);
	func->depth++;
	list_add_tail(&upd->list, &dyn_updates);
	dyn_nr_updates++;
	dyn_func_set_originals(func);
	mutex_unlock(&dyn_table_lock);

	if (created && func->addr) {
		WRITE_ONCE(func->top, upd);
		ret = dyn_redirect_install(func, req);
	} else if (created && dyn_module_loaded(func->module)) {
		/*
		 * The module became formed after we looked: its notifier may
		 * have passed before the function was listed.
		 */
		dyn_err(req, "module %s began loading meanwhile; retry",
			func->module);
		ret = -EAGAIN;
	} else {
		/* Complete before dyn_handler_dispatch() can see it. */
		smp_store_release(&func->top, upd);
		/* Its version 1 now counts the calls it passes down. */
		dyn_func_refresh(func);
	}
	/*
	 * The module stays while we hold @code's reference, and its notifier
	 * finds the function listed from here on.
	 */
	dyn_code_put(&code);
	if (ret) {
		mutex_lock(&dyn_table_lock);
		list_del(&upd->stack_node);
		list_del(&upd->list);
		dyn_nr_updates--;
		list_del(&func->list);
		mutex_unlock(&dyn_table_lock);
		dyn_free(func);
		upd->func = NULL;
		return ret;
	}
	/* Updates pin dynamos: module_exit cannot undo them safely. */
	__module_get(THIS_MODULE);
	return 0;
}

/*
 * Take the deregistered @upd (active version 1, no live version of its
 * own) out of its function's stack and the table; the updates above it
 * then fall through to the one below it.  The last one takes the
 * redirection with it.  Under dyn_mutex; on failure nothing changed.
 */
int dyn_func_detach(struct dyn_update *upd)
{
	struct dyn_func *func = upd->func;
	bool last = func->depth == 1;
	struct dyn_update *above;
	int ret;

	if (last) {
		ret = dyn_redirect_remove(func);
		if (ret)
			return ret;
	}
	/* Its handler goes with it (the syncs below wait for late calls). */
	dyn_keyed_release(upd);
	mutex_lock(&dyn_table_lock);
	if (upd == func->top) {
		WRITE_ONCE(func->top, upd->below);
	} else {
		above = list_next_entry(upd, stack_node);
		WRITE_ONCE(above->below, upd->below);
	}
	list_del(&upd->stack_node);
	func->depth--;
	list_del(&upd->list);
	dyn_nr_updates--;
	if (last)
		list_del(&func->list);
	mutex_unlock(&dyn_table_lock);
	if (last) {
		dyn_free(func);		/* unregistering waited for callbacks */
	} else {
		/* No route counts into @upd's counters any more ... */
		dyn_func_refresh(func);
		/* ... and no call is still looking at @upd. */
		dyn_sync_routes();
	}
	upd->func = NULL;
	return 0;
}

/* ---- target modules coming and going (module notifier, dyn_mutex) ---- */

static void dyn_func_going_hooks(struct dyn_func *func)
{
	struct dyn_update *upd;
	int raw;

	list_for_each_entry_reverse(upd, &func->stack, stack_node) {
		unsigned int v = READ_ONCE(upd->active);

		if (dyn_run_hook(upd, v, DYNAMOS_HOOK_TARGET_GOING, &raw))
			pr_warn("%s/%u: target_going hook of version %u returned %d\n",
				upd->name, upd->id, v, raw);
	}
}

/* Uninstall @func's redirection; it becomes absent.  Its module goes. */
static void dyn_func_unload(struct dyn_func *func)
{
	if (dyn_redirect_remove(func)) {
		/* ftrace keeps calling us: leave it as it is. */
		pr_err("%s:%s: the redirection could not be removed; its module is going anyway\n",
		       func->module, func->sym);
		return;
	}
	dyn_func_retarget(func, NULL, 0);
}

void dyn_func_target_going(struct module *mod)
{
	struct dyn_func *func;

	list_for_each_entry_reverse(func, &dyn_funcs, list) {
		if (!func->addr || func->mod != mod)
			continue;
		dyn_func_unload(func);
		pr_info("%s:%s: module unloaded; %u update(s) wait for it to load again\n",
			func->module, func->sym, func->depth);
		dyn_func_going_hooks(func);
	}
}

/* Resolve absent @func in the loading @mod, without installing anything. */
static int dyn_func_find_in(struct dyn_func *func, struct module *mod,
			    struct dyn_code *code, unsigned long *fentry,
			    struct dynamos_req *req)
{
	char spec[MODULE_NAME_LEN + DYNAMOS_SYMBOL_LEN];
	int ret;

	snprintf(spec, sizeof(spec), "%s:%s", func->module, func->sym);
	ret = dyn_resolve(spec, DYN_CODE_TARGET | DYN_CODE_COMING, code, req);
	if (ret)
		return ret;
	if (code->mod != mod) {
		dyn_err(req, "%s is not in module %s", spec, mod->name);
		dyn_code_put(code);
		return -ENOENT;
	}
	ret = dyn_func_site(code, fentry, req);
	if (ret)
		dyn_code_put(code);
	return ret;
}

/* The target_coming hooks of every update waiting for @mod, oldest first. */
static int dyn_func_coming_hooks(struct module *mod, struct dynamos_req *req)
{
	struct dyn_update *upd;
	int ret, raw;

	list_for_each_entry(upd, &dyn_updates, list) {
		unsigned int v = READ_ONCE(upd->active);

		if (upd->func->addr || strcmp(upd->func->module, mod->name))
			continue;
		ret = dyn_run_hook(upd, v, DYNAMOS_HOOK_TARGET_COMING, &raw);
		if (ret) {
			dyn_err(req, "target_coming hook %s of %s/%u version %u returned %d",
				upd->ver[v]->hooks[DYNAMOS_HOOK_TARGET_COMING - 1].sym,
				upd->name, upd->id, v, raw);
			return ret;
		}
	}
	return 0;
}

/*
 * @mod is loading (its init has not run): install the redirection of every
 * function waiting for it.  If one cannot be found or redirected, or a
 * target_coming hook refuses, nothing stays installed and the load is
 * refused (the error is logged; hooks that ran are not undone).
 */
int dyn_func_target_coming(struct module *mod, struct dynamos_req *req)
{
	struct dyn_func *func, *done;
	struct dyn_code code;
	unsigned long fentry;
	int ret;

	list_for_each_entry(func, &dyn_funcs, list) {
		if (func->addr || strcmp(func->module, mod->name))
			continue;
		ret = dyn_func_find_in(func, mod, &code, &fentry, req);
		if (ret)
			return ret;
		dyn_code_put(&code);
	}
	ret = dyn_func_coming_hooks(mod, req);
	if (ret)
		return ret;

	list_for_each_entry(func, &dyn_funcs, list) {
		if (func->addr || strcmp(func->module, mod->name))
			continue;
		ret = dyn_func_find_in(func, mod, &code, &fentry, req);
		if (ret)
			goto undo;
		dyn_func_retarget(func, &code, fentry);
		/* @mod cannot go while its load waits for us. */
		dyn_code_put(&code);
		ret = dyn_redirect_install(func, req);
		if (ret) {
			dyn_func_retarget(func, NULL, 0);
			goto undo;
		}
		pr_info("%s:%s: module loaded; redirection installed (%u update(s))\n",
			func->module, func->sym, func->depth);
	}
	return 0;

undo:
	list_for_each_entry(done, &dyn_funcs, list) {
		if (done == func)
			break;
		if (done->addr && done->mod == mod)
			dyn_func_unload(done);
	}
	return ret;
}
