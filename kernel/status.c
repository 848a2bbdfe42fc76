// SPDX-License-Identifier: GPL-2.0
/*
 * Status: one snapshot of the version table as records (uapi/dynamos.h,
 * "Records"), taken under dyn_table_lock alone so that it is consistent
 * and never waits for a command's quiescence wait.  LIST copies the
 * records to the caller; read(/dev/dynamos) renders them as the text
 * table.  VERSION names the framework.
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "internal.h"

/* Bytes (and, in @nr, records) a snapshot needs.  Under dyn_table_lock. */
static size_t dyn_snapshot_size(unsigned int *nr)
{
	struct dyn_update *upd;
	unsigned int v, versions = 0;

	list_for_each_entry(upd, &dyn_updates, list)
		for (v = 1; v <= upd->nr_versions; v++)
			versions += !!upd->ver[v];
	*nr = 1 + dyn_nr_updates + versions;
	return sizeof(struct dynamos_rec_framework) +
	       dyn_nr_updates * sizeof(struct dynamos_rec_update) +
	       versions * sizeof(struct dynamos_rec_version);
}

static void dyn_rec_head(struct dynamos_rec_head *head, unsigned int kind,
			 size_t size)
{
	head->kind = kind;
	head->size = size;
}

static void *dyn_fill_update(void *p, struct dyn_update *upd)
{
	struct dynamos_rec_update *u = p;
	unsigned int v;

	dyn_rec_head(&u->head, DYNAMOS_REC_UPDATE, sizeof(*u));
	strscpy(u->name, upd->name, sizeof(u->name));
	u->id = upd->id;
	u->active = READ_ONCE(upd->active);
	for (v = 1; v <= upd->nr_versions; v++)
		u->nr_versions += !!upd->ver[v];
	u->phase = dynamos_phase(&upd->state->pub);
	u->must_update = dynamos_must_update(&upd->state->pub);
	u->level = dyn_update_level(upd);
	u->depth = upd->func->depth;
	if (!upd->func->addr)
		u->flags |= DYNAMOS_UPDATE_TARGET_ABSENT;
	if (dyn_stub_fast(upd->func))
		u->flags |= DYNAMOS_UPDATE_FAST_PATH;
	if (upd->handler_code.addr) {
		strscpy(u->handler, upd->handler_code.sym, sizeof(u->handler));
		strscpy(u->handler_module, dyn_code_module(&upd->handler_code),
			sizeof(u->handler_module));
	}
	return u + 1;
}

static void *dyn_fill_version(void *p, struct dyn_update *upd, unsigned int v)
{
	struct dynamos_rec_version *r = p;
	struct dyn_version *vp = upd->ver[v];
	int k;

	dyn_rec_head(&r->head, DYNAMOS_REC_VERSION, sizeof(*r));
	r->number = v;
	r->state = READ_ONCE(vp->state) == DYN_LIVE ? DYNAMOS_VERSION_LIVE :
						      DYNAMOS_VERSION_REMOVING;
	r->calls = dyn_sum_counter(upd, v);
	if (v == 1) {
		/* The original: named even while its module is absent. */
		strscpy(r->function, upd->func->sym, sizeof(r->function));
		strscpy(r->module, dyn_func_module(upd->func),
			sizeof(r->module));
	} else {
		strscpy(r->function, vp->code.sym, sizeof(r->function));
		strscpy(r->module, dyn_code_module(&vp->code),
			sizeof(r->module));
	}
	for (k = 0; k < DYN_NR_HOOKS; k++)
		if (vp->hooks[k].addr)
			strscpy(r->hooks[k], vp->hooks[k].sym,
				sizeof(r->hooks[k]));
	return r + 1;
}

/* Write the records into @buf (zeroed, large enough).  Under dyn_table_lock. */
static void dyn_snapshot_fill(void *buf, unsigned int nr)
{
	struct dynamos_rec_framework *fw = buf;
	struct dyn_update *upd;
	void *p = fw + 1;
	unsigned int v;

	dyn_rec_head(&fw->head, DYNAMOS_REC_FRAMEWORK, sizeof(*fw));
	fw->version_code = DYNAMOS_VERSION_CODE;
	fw->abi = DYNAMOS_ABI_VERSION;
	fw->format = DYNAMOS_RECORD_FORMAT;
	fw->nr_updates = dyn_nr_updates;
	fw->nr_versions = nr - 1 - dyn_nr_updates;
	strscpy(fw->version, DYNAMOS_VERSION_STRING, sizeof(fw->version));
	list_for_each_entry(upd, &dyn_updates, list) {
		p = dyn_fill_update(p, upd);
		for (v = 1; v <= upd->nr_versions; v++)
			if (upd->ver[v])
				p = dyn_fill_version(p, upd, v);
	}
}

static void dyn_snapshot_free(void *buf)
{
	if (!buf)
		return;
	kvfree(buf);
	dyn_count_free();
}

/*
 * A consistent snapshot of the table as records in a new buffer (free it
 * with dyn_snapshot_free()); @size and @nr say how long it is.  The buffer
 * is allocated outside dyn_table_lock; if the table grew meanwhile, again.
 */
static void *dyn_snapshot(size_t *size, unsigned int *nr)
{
	size_t need, now;
	void *buf;
	int ret;

	ret = mutex_lock_killable(&dyn_table_lock);
	if (ret)
		return ERR_PTR(ret);
	need = dyn_snapshot_size(nr);
	for (;;) {
		mutex_unlock(&dyn_table_lock);
		buf = kvzalloc(need, GFP_KERNEL);
		if (!buf)
			return ERR_PTR(-ENOMEM);
		dyn_count_alloc();
		ret = mutex_lock_killable(&dyn_table_lock);
		if (ret) {
			dyn_snapshot_free(buf);
			return ERR_PTR(ret);
		}
		now = dyn_snapshot_size(nr);
		if (now <= need)
			break;
		dyn_snapshot_free(buf);
		need = now;
	}
	dyn_snapshot_fill(buf, *nr);
	mutex_unlock(&dyn_table_lock);
	*size = now;
	return buf;
}

/* LIST: dyn_table_lock only (device.c takes no lock for it). */
int dyn_cmd_list(struct dyn_op *op)
{
	struct dynamos_req *req = op->req;
	unsigned int nr;
	size_t size;
	void *buf;

	buf = dyn_snapshot(&size, &nr);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	if (size > req->size) {
		dyn_err(req, "LIST: the buffer has %u bytes; the table's %u records need %zu",
			req->size, nr, size);
		dyn_snapshot_free(buf);
		req->size = size;
		req->count = nr;
		return -ENOSPC;
	}
	op->records = buf;
	op->records_size = size;
	op->records_free = dyn_snapshot_free;
	req->result = nr;
	return 0;
}

/* The text table, one line per version (format: uapi/dynamos.h). */
/* The PATH column: how the function's calls reach their version. */
static const char *dyn_path_name(u32 flags)
{
	if (flags & DYNAMOS_UPDATE_TARGET_ABSENT)
		return "-";
	return flags & DYNAMOS_UPDATE_FAST_PATH ? "fast" : "handler";
}

static void dyn_show_version(struct seq_file *m,
			     const struct dynamos_rec_update *u,
			     const struct dynamos_rec_version *r)
{
	bool any = false;
	int k;

	seq_printf(m, "%s %u %u %s %s %llu %s %s %s ", u->name, u->id,
		   r->number, u->active == r->number ? "yes" : "no",
		   r->state == DYNAMOS_VERSION_LIVE ? "live" : "removing",
		   r->calls, r->function, r->module,
		   u->handler[0] ? u->handler : "-");
	for (k = 0; k < DYN_NR_HOOKS; k++) {
		if (!r->hooks[k][0])
			continue;
		seq_printf(m, "%s%s=%s", any ? "," : "", dyn_hook_names[k],
			   r->hooks[k]);
		any = true;
	}
	seq_printf(m, "%s %d %s %u/%u %s %s\n", any ? "" : "-", u->phase,
		   u->must_update ? "yes" : "no", u->level + 1, u->depth,
		   u->flags & DYNAMOS_UPDATE_TARGET_ABSENT ? "absent" : "loaded",
		   dyn_path_name(u->flags));
}

/* read(/dev/dynamos): the snapshot's records rendered as text. */
int dyn_status_show(struct seq_file *m, void *unused)
{
	const struct dynamos_rec_framework *fw;
	const struct dynamos_rec_update *u = NULL;
	const struct dynamos_rec_head *head;
	unsigned int nr;
	size_t size, off;
	void *buf;

	buf = dyn_snapshot(&size, &nr);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	fw = buf;
	seq_printf(m, "dynamos %s abi %u updates %u versions %u\n",
		   fw->version, fw->abi, fw->nr_updates, fw->nr_versions);
	seq_puts(m, "UPDATE ID VERSION ACTIVE STATE CALLS FUNCTION MODULE HANDLER HOOKS PHASE MUST_UPDATE STACK TARGET PATH\n");
	for (off = fw->head.size; off < size; off += head->size) {
		head = buf + off;
		if (head->kind == DYNAMOS_REC_UPDATE)
			u = buf + off;
		else if (head->kind == DYNAMOS_REC_VERSION && u)
			dyn_show_version(m, u, buf + off);
	}
	dyn_snapshot_free(buf);
	return 0;
}

int dyn_cmd_version(struct dyn_op *op)
{
	struct dynamos_req *req = op->req;

	req->result = DYNAMOS_VERSION_CODE;
	snprintf(req->error, sizeof(req->error), "dynamos %s abi %d",
		 DYNAMOS_VERSION_STRING, DYNAMOS_ABI_VERSION);
	return 0;
}
