/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DynAMOS private declarations shared by the framework's files.
 *
 * Objects and their lifetimes:
 *   dyn_func     one kernel function that updates replace: the redirection
 *                (ftrace_ops) on its ftrace site and the stack of updates
 *                on it, oldest at the bottom.  Lives from the first REGISTER
 *                of an update on it until its last update is deregistered.
 *                Its module (if any) is not pinned: while that module is not
 *                loaded the function is "absent" and not redirected.
 *   dyn_update   one <name,id>: one layer of a dyn_func's stack, versions
 *                1..nr_versions (1 = "what the layer below chooses", down to
 *                the original function).  Lives from its first REGISTER
 *                until DEREGISTER of version 0 (or STOP).
 *   dyn_version  one version of an update; version 1 is the original.
 *   dyn_code     a function found by name or address, pinning its module.
 *   dyn_ustate   phase and must_update of an update name (state.c), shared
 *                by its <name,id>s; refcounted, each dyn_update holds one.
 *
 * Locking:
 *   dyn_mutex (table.c) serialises every command (device.c takes it for
 *   the commands that say so, and the hooks and quiescence waits they run
 *   happen under it) and the module notifier (modules.c); it protects the
 *   update list and all fields below that are written outside the ftrace
 *   callback.
 *   dyn_table_lock (table.c) is held, in addition, only while a command
 *   changes the table's shape (list membership, ver[], nr_versions, code,
 *   hooks, handler_code): status readers (LIST, read()) take it alone, so
 *   they never wait for a command's quiescence wait.  It nests inside
 *   dyn_mutex and is never held across a wait, hook or allocation.
 *   The callback (redirect.c) takes no lock: it reads the fields marked
 *   "lockless" with READ_ONCE; writers publish them with WRITE_ONCE /
 *   smp_store_release and wait for running callbacks (dyn_sync_callbacks)
 *   before memory or a module reference the callback could use goes away.
 */
#ifndef _DYNAMOS_INTERNAL_H
#define _DYNAMOS_INTERNAL_H

#include <linux/ftrace.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/types.h>

#include "include/uapi/dynamos.h"
#include "include/dynamos.h"
#include "stub.h"

#ifndef CONFIG_X86_64
#error "DynAMOS supports x86-64 only (argument registers are read from ftrace_regs)"
#endif
#ifndef CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS
#error "DynAMOS needs CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS"
#endif

#define DYNAMOS_VERSION_STRING	"0.1.0"
#define DYNAMOS_VERSION_CODE	((0 << 16) | (1 << 8) | 0)

#define DYN_NR_HOOKS		DYNAMOS_NR_HOOKS	/* indexed by DYNAMOS_HOOK_* - 1 */

enum dyn_state {
	DYN_EMPTY = 0,
	DYN_LIVE,		/* may be chosen for new calls */
	DYN_REMOVING,		/* removal in progress: never chosen */
};

/* A function of the kernel or of a module; @mod is referenced. */
struct dyn_code {
	unsigned long addr;
	unsigned long size;
	struct module *mod;		/* NULL: core kernel */
	char sym[DYNAMOS_SYMBOL_LEN];	/* symbol name without module */
};

struct dyn_version {
	int state;			/* enum dyn_state; lockless */
	struct dyn_code code;		/* addr is lockless (constant) */
	struct dyn_code hooks[DYN_NR_HOOKS];	/* addr 0: no hook */
};

/*
 * The state of an update name.  @pub is what update code sees (dynamos.h);
 * @list and @refs are under dyn_state_lock (state.c).
 */
struct dyn_ustate {
	struct dynamos_state pub;
	struct list_head list;
	refcount_t refs;
	char name[DYNAMOS_NAME_LEN];
};

struct dyn_counters {
	u64 calls[DYNAMOS_MAX_VERSIONS + 1];
};

/*
 * What a function's calls run while no handler decides (redirect.c): the
 * entry, and the per-CPU call counters of the versions passed on the way
 * (one per update of the stack down to the one whose version runs).
 * Compared with memcmp(): always memset() first.
 */
struct dyn_route {
	unsigned long target;
	u64 __percpu *count[DYN_ROUTE_MAX_COUNTS];
	unsigned int nr;
	bool handler;			/* none of this: the handler path */
	unsigned int keyed;		/* handler path: 1 + its key, 0: general */
};

/*
 * A function some updates replace.  @stack, @depth, @top and the target
 * fields change under both locks; dyn_handler_dispatch() reads @top (lockless).
 * The redirection fields (@stub, @route, @route_slot, @redirected) are
 * under dyn_mutex.
 */
struct dyn_func {
	struct list_head list;		/* in dyn_funcs */
	struct list_head stack;		/* dyn_update.stack_node, bottom first */
	struct dyn_update *top;		/* lockless: whose choice calls run */
	unsigned int depth;		/* updates on @stack */
	char module[MODULE_NAME_LEN];	/* "" for vmlinux */
	char sym[DYNAMOS_SYMBOL_LEN];
	struct module *mod;		/* not referenced; NULL while absent */
	unsigned long addr;		/* 0 while absent */
	unsigned long size;
	unsigned long fentry;		/* ftrace site; 0 while absent */
	bool redirected;		/* the ftrace site calls @stub */
	unsigned long stub;		/* its stub (stub.c); 0: none */
	struct dyn_route route;		/* what @stub does now */
	int route_slot;			/* of the route's code; -1: handler path */
};

struct dyn_update {
	struct list_head list;		/* in dyn_updates, oldest first */
	struct dyn_func *func;		/* constant */
	struct list_head stack_node;	/* in func->stack */
	struct dyn_update *below;	/* lockless: the layer below, or NULL */
	char name[DYNAMOS_NAME_LEN];
	u32 id;
	unsigned int active;		/* lockless; 1..DYNAMOS_MAX_VERSIONS */
	unsigned int nr_versions;	/* highest version number in use */
	dynamos_handler_t handler;	/* lockless; NULL: none */
	struct dyn_code handler_code;	/* owner of handler */
	struct dyn_version *ver[DYNAMOS_MAX_VERSIONS + 1];
	/*
	 * Where new calls of version v go while it is live, else 0
	 * (dyn_version_set_state() keeps it in step with ver[v]->state).
	 * Version 1: the instruction after the ftrace site.  Lockless.
	 */
	unsigned long entry[DYNAMOS_MAX_VERSIONS + 1];
	struct dyn_counters __percpu *counters;
	struct dyn_ustate *state;	/* of @name; constant, referenced */
};

/* An address range that must not be on any stack (quiescence.c). */
struct dyn_range {
	unsigned long start;
	unsigned long end;		/* exclusive */
	unsigned int version;
};

/* Tasks that kept a version busy, as the caller gets them (records). */
struct dyn_busy_tasks {
	unsigned int nr;		/* records in task[] */
	struct dynamos_rec_task task[DYNAMOS_MAX_TASKS];
};

/*
 * One command as device.c hands it over: the validated request and what
 * the command table said to look up first (struct dyn_cmd in device.c).
 */
struct dyn_op {
	struct dynamos_req *req;
	struct dyn_update *upd;		/* DYN_NEEDS_UPDATE: <req->name,id> */
	struct dyn_version *ver;	/* DYN_NEEDS_VERSION: live req->version */
	void *records;			/* LIST: to copy to req->address */
	size_t records_size;		/* bytes at @records */
	void (*records_free)(void *records);	/* frees @records */
	struct dyn_busy_tasks busy;	/* out: IN_USE, DEREGISTER, STOP */
	const struct file *file;	/* the /dev/dynamos file it came on */
};

/* main.c */
__printf(2, 3) void dyn_err(struct dynamos_req *req, const char *fmt, ...);
void *dyn_alloc(size_t size);
void dyn_free(const void *ptr);
void dyn_count_alloc(void);
void dyn_count_free(void);

/* modules.c: modules unloaded by force */
int dyn_modules_init(void);
void dyn_modules_exit(void);

/* shadow.c: the framework-wide shadow namespace (<object, id>) */
int dyn_shadow_init(void);
void dyn_shadow_exit(void);

/* state.c */
struct dyn_ustate *dyn_state_get(const char *name);
struct dyn_ustate *dyn_state_lookup(const char *name);
void dyn_state_put(struct dyn_ustate *s);
int dyn_cmd_state(struct dyn_op *op);
void dyn_state_exit(void);

/* device.c */
int dyn_device_init(void);
void dyn_device_exit(void);

/* table.c: the updates, their versions, the locks */
extern struct mutex dyn_mutex;
extern struct mutex dyn_table_lock;
extern struct list_head dyn_updates;
extern unsigned int dyn_nr_updates;
extern const char *const dyn_hook_names[DYN_NR_HOOKS];
struct dyn_update *dyn_find(const char *name, u32 id);
struct dyn_update *dyn_find_req(struct dynamos_req *req);
struct dyn_update *dyn_find_code(unsigned long addr, unsigned int *v);
struct dyn_version *dyn_version_req(struct dyn_update *upd, unsigned int v,
				    struct dynamos_req *req);
void dyn_version_set_state(struct dyn_update *upd, unsigned int v,
			   int state);
void dyn_set_states(struct dyn_update *upd, unsigned long mask, int state);
int dyn_check_name(struct dynamos_req *req);
struct dyn_update *dyn_update_alloc(void);
void dyn_update_free(struct dyn_update *upd);
void dyn_update_drop(struct dyn_update *upd);
struct dyn_version *dyn_version_alloc(void);
void dyn_version_free(struct dyn_version *vp);
void dyn_version_add(struct dyn_update *upd, unsigned int v,
		     struct dyn_version *vp);
void dyn_version_drop(struct dyn_update *upd, unsigned int v);
u64 dyn_sum_counter(struct dyn_update *upd, unsigned int v);
void dyn_table_exit(void);

/* register.c */
int dyn_cmd_register(struct dyn_op *op);

/* activate.c */
int dyn_activate(struct dyn_update *upd, unsigned int v,
		 struct dynamos_req *req);
int dyn_cmd_activate(struct dyn_op *op);

/* group.c: synchronized activation */
int dyn_cmd_activate_group(struct dyn_op *op);

/* hooks.c: hooks, adaptation handlers, CALL */
int dyn_run_hook(struct dyn_update *upd, unsigned int v, int kind, int *raw);
void dyn_handler_replace(struct dyn_update *upd, struct dyn_code *code);
void dyn_hook_replace(struct dyn_code *slot, struct dyn_code *code);
int dyn_cmd_set_handler(struct dyn_op *op);
int dyn_cmd_set_hook(struct dyn_op *op);
int dyn_cmd_call(struct dyn_op *op);

/* removal.c: in-use check, quiescent removal, STOP */
int dyn_cmd_deregister(struct dyn_op *op);
int dyn_cmd_stop(struct dyn_op *op);
int dyn_cmd_in_use(struct dyn_op *op);

/* status.c: LIST records, the text table, VERSION */
struct seq_file;
int dyn_status_show(struct seq_file *m, void *unused);
int dyn_cmd_list(struct dyn_op *op);
int dyn_cmd_version(struct dyn_op *op);

/* function.c: the functions updates replace, their stacks, target modules */
extern struct list_head dyn_funcs;
unsigned int dyn_update_level(const struct dyn_update *upd);
int dyn_func_attach(struct dyn_update *upd, struct dynamos_req *req);
int dyn_func_detach(struct dyn_update *upd);
int dyn_func_target_coming(struct module *mod, struct dynamos_req *req);
void dyn_func_target_going(struct module *mod);
bool dyn_func_targets(const struct module *mod);
const char *dyn_func_module(const struct dyn_func *func);

/* redirect.c: which code calls run (fast path or handler path) */
int dyn_redirect_install(struct dyn_func *func, struct dynamos_req *req);
int dyn_redirect_remove(struct dyn_func *func);
void dyn_func_refresh(struct dyn_func *func);
void dyn_func_route(struct dyn_func *func, bool handler);
unsigned long dyn_handler_dispatch(struct dyn_func *func, struct pt_regs *regs);
void dyn_sync_callbacks(void);
void dyn_sync_routes(void);
unsigned long dyn_keyed_entry(unsigned int k, bool add);
void dyn_keyed_release(struct dyn_update *upd);
struct dyn_update *dyn_handler_update(void);

/* stub.c: code memory of the redirection */
int dyn_stub_init(void);
int dyn_stub_alloc(struct dyn_func *func);
void dyn_stub_free(struct dyn_func *func);
void dyn_stub_route(struct dyn_func *func, const struct dyn_route *r);
bool dyn_stub_fast(const struct dyn_func *func);
void dyn_stub_exit(void);

/* quiescence.c */
int dyn_sync_tasks(unsigned long deadline, struct dynamos_req *req);
int dyn_quiesce(const struct dyn_range *ranges, unsigned int nr,
		unsigned long deadline, unsigned int timeout_ms,
		struct dynamos_req *req, struct dyn_busy_tasks *busy);
void dyn_quiescence_exit(void);

/* monitor.c: monitored functions (kretprobes), owned by a file */
int dyn_cmd_monitor_start(struct dyn_op *op);
int dyn_cmd_monitor_stop(struct dyn_op *op);
int dyn_cmd_monitor_list(struct dyn_op *op);
void dyn_monitor_release(const struct file *file);
void dyn_monitor_exit(void);

/* symbols.c */
#define DYN_CODE_MODULE	0x1	/* must be module text (not vmlinux) */
#define DYN_CODE_TARGET	0x2	/* a function to update: dynamos's own too */
#define DYN_CODE_COMING	0x4	/* may be in a module still loading */
int dyn_split_spec(const char *spec, char *modname, const char **sym,
		   struct dynamos_req *req);
int dyn_symbols_init(void);
int dyn_resolve(const char *spec, unsigned int flags, struct dyn_code *out,
		struct dynamos_req *req);
int dyn_resolve_addr(unsigned long addr, unsigned int flags,
		     struct dyn_code *out, struct dynamos_req *req);
int dyn_resolve_named(const char *spec, unsigned long addr, unsigned int flags,
		      struct dyn_code *out, struct dynamos_req *req);
void dyn_code_put(struct dyn_code *code);
const char *dyn_code_module(const struct dyn_code *code);
unsigned long dyn_ftrace_location(unsigned long ip);
struct mutex *dyn_text_mutex(void);
void dyn_text_poke(void *addr, const void *code, size_t len);
bool dyn_module_loaded(const char *name);
unsigned long dyn_kallsyms_address(const char *name);
void dyn_kthread_exit(void);
unsigned long dyn_function_by_name(const char *name, bool entry,
				   const char *caller);
int dyn_stack_trace_reliable(struct task_struct *tsk, unsigned long *store,
			     unsigned int size);
struct task_struct *dyn_idle_task(int cpu);
int dyn_task_call(struct task_struct *t, int (*fn)(struct task_struct *, void *),
		  void *arg);
unsigned int dyn_code_parts(const struct dyn_code *code, unsigned int version,
			    struct dyn_range *out, unsigned int max);
void dyn_module_text(struct module *mod, unsigned int version,
		     struct dyn_range *out);

#endif /* _DYNAMOS_INTERNAL_H */
