// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/dynamos: the control interface.  read() gives the version table as
 * text, ioctl() runs commands (include/uapi/dynamos.h): validated, then
 * dispatched as the command table says (lock, update and version looked
 * up once, here), then their records copied out.  Root only: open
 * and every command check CAP_SYS_ADMIN, because the fd may be passed on;
 * commands that make the kernel run code of the caller's choosing
 * (REGISTER, SET_HANDLER, SET_HOOK, CALL) need CAP_SYS_MODULE as well, as
 * loading a module does.
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>

#include "internal.h"

/* Request fields a command may use; all others must be zero. */
#define F_NAME		BIT(0)
#define F_ID		BIT(1)
#define F_VERSION	BIT(2)
#define F_SYMBOL	BIT(3)
#define F_ADDRESS	BIT(4)
#define F_HOOK		BIT(5)
#define F_TIMEOUT	BIT(6)
#define F_FLAGS		BIT(7)	/* flags may be set (the command checks them) */
#define F_STATE		BIT(8)	/* phase, must_update */
#define F_RUNS_CODE	BIT(9)	/* not a field: needs CAP_SYS_MODULE */
#define F_RECORDS	BIT(10)	/* address + size: a buffer for records */
#define F_COUNT		BIT(11)	/* version holds a count (the command checks it) */

/* What the dispatcher does before running a command. */
#define N_MUTEX		BIT(0)	/* hold dyn_mutex while it runs */
#define N_UPDATE	BIT(1)	/* <name,id> must be registered: op->upd */
#define N_VERSION	BIT(2)	/* req->version must be live: op->ver */

struct dyn_cmd {
	const char *name;
	unsigned int fields;
	unsigned int needs;
	int (*run)(struct dyn_op *op);
};

/* Indexed by the ioctl number's nr. */
static const struct dyn_cmd dyn_cmds[] = {
	{ "VERSION", 0, 0, dyn_cmd_version },
	{ "REGISTER", F_NAME | F_ID | F_SYMBOL | F_ADDRESS | F_RUNS_CODE, N_MUTEX,
	  dyn_cmd_register },
	{ "DEREGISTER", F_NAME | F_ID | F_VERSION | F_TIMEOUT | F_RECORDS,
	  N_MUTEX | N_UPDATE, dyn_cmd_deregister },
	{ "ACTIVATE", F_NAME | F_ID | F_VERSION, N_MUTEX | N_UPDATE | N_VERSION,
	  dyn_cmd_activate },
	{ "SET_HANDLER", F_NAME | F_ID | F_SYMBOL | F_ADDRESS | F_RUNS_CODE,
	  N_MUTEX | N_UPDATE, dyn_cmd_set_handler },
	{ "SET_HOOK", F_NAME | F_ID | F_VERSION | F_SYMBOL | F_ADDRESS | F_HOOK |
	  F_RUNS_CODE, N_MUTEX | N_UPDATE | N_VERSION, dyn_cmd_set_hook },
	{ "CALL", F_SYMBOL | F_RUNS_CODE, 0, dyn_cmd_call },
	{ "STOP", F_TIMEOUT | F_RECORDS, N_MUTEX, dyn_cmd_stop },
	{ "STATE", F_NAME | F_FLAGS | F_STATE, 0, dyn_cmd_state },
	{ "ACTIVATE_GROUP", F_COUNT | F_ADDRESS, N_MUTEX,
	  dyn_cmd_activate_group },
	{ "IN_USE", F_NAME | F_ID | F_VERSION | F_TIMEOUT | F_RECORDS,
	  N_MUTEX | N_UPDATE, dyn_cmd_in_use },
	{ "LIST", F_RECORDS, 0, dyn_cmd_list },
	/* monitor.c: its own lock, not dyn_mutex */
	{ "MONITOR_START", F_SYMBOL | F_FLAGS | F_COUNT, 0,
	  dyn_cmd_monitor_start },
	{ "MONITOR_STOP", F_ID, 0, dyn_cmd_monitor_stop },
	{ "MONITOR_LIST", F_RECORDS, 0, dyn_cmd_monitor_list },
};

static int dyn_validate(struct dynamos_req *req, const struct dyn_cmd *cmd)
{
	unsigned int f = cmd->fields;
	size_t i;

	if (req->abi != DYNAMOS_ABI_VERSION) {
		dyn_err(req, "unsupported ABI version %u (dynamos %s speaks %d)",
			req->abi, DYNAMOS_VERSION_STRING, DYNAMOS_ABI_VERSION);
		return -EPROTO;
	}
	if (req->flags && !(f & F_FLAGS)) {
		dyn_err(req, "%s: unknown flags 0x%x", cmd->name, req->flags);
		return -EINVAL;
	}
	if (!(f & F_STATE) && (req->phase || req->must_update)) {
		dyn_err(req, "%s: phase and must_update are for STATE only",
			cmd->name);
		return -EINVAL;
	}
	for (i = 0; i < sizeof(req->reserved); i++) {
		if (req->reserved[i]) {
			dyn_err(req, "%s: reserved bytes must be zero",
				cmd->name);
			return -EINVAL;
		}
	}
	if (!memchr(req->name, '\0', sizeof(req->name)) ||
	    !memchr(req->symbol, '\0', sizeof(req->symbol))) {
		dyn_err(req, "%s: name or symbol is not NUL-terminated",
			cmd->name);
		return -ENAMETOOLONG;
	}
	if ((!(f & F_NAME) && req->name[0]) ||
	    (!(f & F_ID) && req->id) ||
	    (!(f & (F_VERSION | F_COUNT)) && req->version) ||
	    (!(f & F_SYMBOL) && req->symbol[0]) ||
	    (!(f & (F_ADDRESS | F_RECORDS)) && req->address) ||
	    (!(f & F_RECORDS) && req->size) ||
	    (!(f & F_HOOK) && req->hook) ||
	    (!(f & F_TIMEOUT) && req->timeout_ms)) {
		dyn_err(req, "%s: a field this command does not use is set",
			cmd->name);
		return -EINVAL;
	}
	if ((f & F_NAME) && !req->name[0]) {
		dyn_err(req, "%s: update name missing", cmd->name);
		return -EINVAL;
	}
	if ((f & F_VERSION) && req->version > DYNAMOS_MAX_VERSIONS) {
		dyn_err(req, "%s: version %u out of range (0..%d)", cmd->name,
			req->version, DYNAMOS_MAX_VERSIONS);
		return -EINVAL;
	}
	if (req->timeout_ms > DYNAMOS_MAX_TIMEOUT_MS) {
		dyn_err(req, "%s: timeout %u ms too long (at most %d)",
			cmd->name, req->timeout_ms, DYNAMOS_MAX_TIMEOUT_MS);
		return -EINVAL;
	}
	if ((f & F_HOOK) && (req->hook < 1 || req->hook > DYN_NR_HOOKS)) {
		dyn_err(req, "unknown hook kind %u (want 1..%d)", req->hook,
			DYN_NR_HOOKS);
		return -EINVAL;
	}
	return 0;
}

/*
 * Run a validated command: take the lock and find the update and version
 * it needs (with the same messages whichever command asks), then run it.
 */
/*
 * notrace (as the ioctl itself): a command that removes a self-update runs
 * here, so an update of these could never be removed.
 */
static notrace int dyn_dispatch(const struct dyn_cmd *cmd, struct dyn_op *op)
{
	int ret;

	if (cmd->needs & N_MUTEX) {
		ret = mutex_lock_killable(&dyn_mutex);
		if (ret)
			return ret;
	}
	ret = 0;
	if (cmd->needs & N_UPDATE) {
		op->upd = dyn_find_req(op->req);
		if (!op->upd)
			ret = -ENOENT;
	}
	if (!ret && (cmd->needs & N_VERSION)) {
		op->ver = dyn_version_req(op->upd, op->req->version, op->req);
		if (!op->ver)
			ret = -ENOENT;
	}
	if (!ret)
		ret = cmd->run(op);
	if (cmd->needs & N_MUTEX)
		mutex_unlock(&dyn_mutex);
	return ret;
}

/*
 * Copy the answer's records (LIST's table, or busy tasks, as many as fit)
 * to the caller's buffer, after the command dropped its locks.
 */
static int dyn_copy_records(struct dyn_op *op)
{
	struct dynamos_req *req = op->req;
	void __user *buf = u64_to_user_ptr(req->address);
	size_t room = req->size;
	unsigned int n;

	if (op->records) {
		req->size = op->records_size;
		req->count = req->result;
		if (copy_to_user(buf, op->records, op->records_size))
			goto fault;
		return 0;
	}
	req->size = op->busy.nr * sizeof(op->busy.task[0]);
	n = min_t(size_t, op->busy.nr, room / sizeof(op->busy.task[0]));
	if (!req->address)
		n = 0;
	if (n && copy_to_user(buf, op->busy.task, n * sizeof(op->busy.task[0])))
		goto fault;
	req->count = n;
	return 0;
fault:
	dyn_err(req, "cannot write the records to the buffer at 0x%llx",
		req->address);
	return -EFAULT;
}

/* EPERM, with only the message written back: the rest is none of our business. */
static long dyn_refuse(void __user *uarg, const char *msg)
{
	if (copy_to_user(uarg + offsetof(struct dynamos_req, error), msg,
			 strlen(msg) + 1))
		return -EFAULT;
	return -EPERM;
}

static notrace long dyn_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	struct dynamos_req *req;
	struct dyn_op *op;
	unsigned int nr = _IOC_NR(cmd);
	long ret;

	if (nr >= ARRAY_SIZE(dyn_cmds) ||
	    cmd != _IOWR(DYNAMOS_IOC_MAGIC, nr, struct dynamos_req))
		return -ENOTTY;
	nr = array_index_nospec(nr, ARRAY_SIZE(dyn_cmds));
	if (!capable(CAP_SYS_ADMIN))
		return dyn_refuse(uarg, "dynamos: CAP_SYS_ADMIN required");
	if ((dyn_cmds[nr].fields & F_RUNS_CODE) && !capable(CAP_SYS_MODULE))
		return dyn_refuse(uarg, "dynamos: this command runs kernel code: CAP_SYS_MODULE required (as for loading a module)");

	op = dyn_alloc(sizeof(*op));
	req = dyn_alloc(sizeof(*req));
	if (!op || !req) {
		ret = -ENOMEM;
		goto out;
	}
	if (copy_from_user(req, uarg, sizeof(*req))) {
		ret = -EFAULT;
		goto out;
	}
	req->result = 0;
	req->count = 0;
	memset(req->error, 0, sizeof(req->error));
	op->req = req;
	op->file = file;

	ret = dyn_validate(req, &dyn_cmds[nr]);
	if (!ret)
		ret = dyn_dispatch(&dyn_cmds[nr], op);
	if (ret > 0)		/* commands return 0 or -errno */
		ret = -EINVAL;
	if ((dyn_cmds[nr].fields & F_RECORDS) && ret != -ENOSPC) {
		int err = dyn_copy_records(op);

		if (err)
			ret = err;
	}
	if (ret && !req->error[0])
		dyn_err(req, "%s failed (error %ld)", dyn_cmds[nr].name, ret);
	req->error[sizeof(req->error) - 1] = '\0';

	if (copy_to_user(uarg, req, sizeof(*req)))
		ret = -EFAULT;
out:
	if (op && op->records_free)
		op->records_free(op->records);
	dyn_free(op);
	dyn_free(req);
	return ret;
}

/* The fd may have been passed to someone else since open. */
static ssize_t dyn_read(struct file *file, char __user *buf, size_t size,
			loff_t *ppos)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return seq_read(file, buf, size, ppos);
}

static int dyn_open(struct inode *inode, struct file *file)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	/* misc_open() stored the miscdevice; seq_open() wants it empty. */
	file->private_data = NULL;
	return single_open(file, dyn_status_show, NULL);
}

/* Closing the file stops the monitors it started (monitor.c). */
static int dyn_release(struct inode *inode, struct file *file)
{
	dyn_monitor_release(file);
	return single_release(inode, file);
}

static const struct file_operations dyn_fops = {
	.owner		= THIS_MODULE,
	.open		= dyn_open,
	.read		= dyn_read,
	.llseek		= seq_lseek,
	.release	= dyn_release,
	.unlocked_ioctl	= dyn_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice dyn_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "dynamos",
	.fops	= &dyn_fops,
	.mode	= 0600,
};

int dyn_device_init(void)
{
	int ret = misc_register(&dyn_misc);

	if (ret)
		pr_err("cannot register /dev/dynamos: %d\n", ret);
	return ret;
}

void dyn_device_exit(void)
{
	misc_deregister(&dyn_misc);
}
