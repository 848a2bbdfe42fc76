// SPDX-License-Identifier: GPL-2.0
/*
 * Code of the update that the framework runs for it: hooks around a
 * version's activation and removal (SET_HOOK), the adaptation handler
 * that picks a version per call (SET_HANDLER), and init functions (CALL).
 * Each function named pins its module until it is dropped.
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/errno.h>
#include <linux/string.h>

#include "internal.h"

/*
 * Run hook @kind of version @v.  Returns the hook's value, mapped to a
 * negative errno if it returned some other non-zero value.  Under
 * dyn_mutex: hooks only ever run inside commands.
 */
int dyn_run_hook(struct dyn_update *upd, unsigned int v, int kind, int *raw)
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
void dyn_handler_replace(struct dyn_update *upd, struct dyn_code *code)
{
	struct dyn_code old;

	mutex_lock(&dyn_table_lock);
	old = upd->handler_code;
	upd->handler_code = *code;
	WRITE_ONCE(upd->handler, (dynamos_handler_t)code->addr);
	mutex_unlock(&dyn_table_lock);
	/* Late calls no longer call the old handler directly ... */
	dyn_keyed_release(upd);
	memset(code, 0, sizeof(*code));
	if (old.addr) {
		/*
		 * ... and once those running have returned, the old handler no
		 * longer runs, nor can it make a version active behind the
		 * route computed next.
		 */
		dyn_sync_callbacks();
		dyn_code_put(&old);
	}
	/* With a handler: the handler path; without: a route, if possible. */
	dyn_func_refresh(upd->func);
}

/* Under dyn_mutex, with the update found (device.c). */
int dyn_cmd_set_handler(struct dyn_op *op)
{
	struct dyn_update *upd = op->upd;
	struct dyn_code code;
	int ret;

	ret = dyn_req_code(op->req, &code);
	if (ret)
		return ret;
	pr_info("%s/%u: adaptation handler %s\n", upd->name, upd->id,
		code.addr ? code.sym : "removed");
	dyn_handler_replace(upd, &code);
	return 0;
}

/* Replace a hook slot by @code; takes @code's reference. */
void dyn_hook_replace(struct dyn_code *slot, struct dyn_code *code)
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

/*
 * Under dyn_mutex, with the update and the live version found and the
 * hook kind checked (device.c).
 */
int dyn_cmd_set_hook(struct dyn_op *op)
{
	struct dynamos_req *req = op->req;
	struct dyn_code code;
	int ret;

	ret = dyn_req_code(req, &code);
	if (ret)
		return ret;
	pr_info("%s/%u: version %u %s hook %s\n", op->upd->name, op->upd->id,
		req->version, dyn_hook_names[req->hook - 1],
		code.addr ? code.sym : "removed");
	dyn_hook_replace(&op->ver->hooks[req->hook - 1], &code);
	return 0;
}

/* CALL: no lock; our module reference keeps the function loaded while it runs. */
int dyn_cmd_call(struct dyn_op *op)
{
	struct dynamos_req *req = op->req;
	struct dyn_code code;
	int ret;

	if (!req->symbol[0]) {
		dyn_err(req, "CALL needs a symbol");
		return -EINVAL;
	}
	ret = dyn_resolve(req->symbol, DYN_CODE_MODULE, &code, req);
	if (ret)
		return ret;
	req->result = ((dynamos_hook_t)code.addr)();
	pr_info("called %s [%s]: %lld\n", code.sym, dyn_code_module(&code),
		req->result);
	dyn_code_put(&code);
	return 0;
}
