// SPDX-License-Identifier: GPL-2.0
/*
 * Symbols: resolving "sym" / "mod:sym" to code, and reaching the kernel
 * functions 6.1 does not export to modules.
 *
 * kallsyms_lookup_name() itself is unexported; a kprobe registered on it
 * by name reports its address.  Every other unexported function is looked
 * up through it once at load time and kept here, so no other file depends
 * on how they were found.
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/stacktrace.h>
#include <linux/string.h>

#include "internal.h"

typedef int (*dyn_match_fn_t)(void *data, unsigned long addr);
typedef int (*dyn_each_fn_t)(void *data, const char *name,
			     struct module *mod, unsigned long addr);

/* Written once in dyn_symbols_init(), read-only afterwards. */
static struct {
	unsigned long (*kallsyms_lookup_name)(const char *name);
	int (*kallsyms_on_each_match_symbol)(dyn_match_fn_t fn,
					     const char *name, void *data);
	int (*module_kallsyms_on_each_symbol)(dyn_each_fn_t fn, void *data);
	int (*kallsyms_lookup_size_offset)(unsigned long addr,
					   unsigned long *size,
					   unsigned long *offset);
	unsigned long (*ftrace_location)(unsigned long ip);
	int (*stack_trace_save_tsk_reliable)(struct task_struct *tsk,
					     unsigned long *store,
					     unsigned int size);
	struct task_struct *(*idle_task)(int cpu);
	int (*core_kernel_text)(unsigned long addr);
	struct module *(*module_text_address)(unsigned long addr);
	int (*task_call_func)(struct task_struct *p,
			      int (*fn)(struct task_struct *, void *),
			      void *arg);
	int (*kallsyms_on_each_symbol)(dyn_each_fn_t fn, void *data);
	struct module *(*find_module)(const char *name);
	void *(*text_poke)(void *addr, const void *opcode, size_t len);
	struct mutex *text_mutex;
} dyn_sym;

static int dyn_find_kallsyms_lookup_name(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	int ret;

	ret = register_kprobe(&kp);
	if (ret < 0) {
		pr_err("cannot locate kallsyms_lookup_name (kprobe: %d)\n", ret);
		return ret;
	}
	dyn_sym.kallsyms_lookup_name = (void *)kp.addr;
	unregister_kprobe(&kp);
	return dyn_sym.kallsyms_lookup_name ? 0 : -ENOENT;
}

static int dyn_lookup(void **slot, const char *name)
{
	unsigned long addr = dyn_sym.kallsyms_lookup_name(name);

	if (!addr) {
		pr_err("kernel symbol %s not found\n", name);
		return -ENOENT;
	}
	*slot = (void *)addr;
	return 0;
}

int dyn_symbols_init(void)
{
	int ret;

	ret = dyn_find_kallsyms_lookup_name();
	if (ret)
		return ret;

#define DYN_LOOKUP(field, name) \
	do { \
		ret = dyn_lookup((void **)&dyn_sym.field, name); \
		if (ret) \
			return ret; \
	} while (0)

	DYN_LOOKUP(kallsyms_on_each_match_symbol, "kallsyms_on_each_match_symbol");
	DYN_LOOKUP(module_kallsyms_on_each_symbol, "module_kallsyms_on_each_symbol");
	DYN_LOOKUP(kallsyms_lookup_size_offset, "kallsyms_lookup_size_offset");
	DYN_LOOKUP(ftrace_location, "ftrace_location");
	DYN_LOOKUP(stack_trace_save_tsk_reliable, "stack_trace_save_tsk_reliable");
	DYN_LOOKUP(idle_task, "idle_task");
	DYN_LOOKUP(core_kernel_text, "core_kernel_text");
	DYN_LOOKUP(module_text_address, "__module_text_address");
	DYN_LOOKUP(task_call_func, "task_call_func");
	DYN_LOOKUP(kallsyms_on_each_symbol, "kallsyms_on_each_symbol");
	DYN_LOOKUP(find_module, "find_module");
	DYN_LOOKUP(text_poke, "text_poke");
	DYN_LOOKUP(text_mutex, "text_mutex");
#undef DYN_LOOKUP
	return 0;
}

/* The address of a (possibly unexported) kernel symbol; 0 if unknown. */
unsigned long dyn_kallsyms_address(const char *name)
{
	return dyn_sym.kallsyms_lookup_name(name);
}

/* Is a module of that name loaded (in any state)? */
bool dyn_module_loaded(const char *name)
{
	bool loaded;

	preempt_disable();	/* find_module() wants it, or module_mutex */
	loaded = dyn_sym.find_module(name);
	preempt_enable();
	return loaded;
}

unsigned long dyn_ftrace_location(unsigned long ip)
{
	return dyn_sym.ftrace_location(ip);
}

/* The lock of every kernel text patcher (jump labels, ftrace, kprobes). */
struct mutex *dyn_text_mutex(void)
{
	return dyn_sym.text_mutex;
}

/* Write code no CPU executes; under dyn_text_mutex(). */
void dyn_text_poke(void *addr, const void *code, size_t len)
{
	dyn_sym.text_poke(addr, code, len);
}

/* Only for tasks that cannot run meanwhile (see quiescence.c). */
int dyn_stack_trace_reliable(struct task_struct *tsk, unsigned long *store,
			     unsigned int size)
{
	return dyn_sym.stack_trace_save_tsk_reliable(tsk, store, size);
}

struct task_struct *dyn_idle_task(int cpu)
{
	return dyn_sym.idle_task(cpu);
}

/* @fn runs with @t's pi_lock (and rq lock if it is queued) held. */
int dyn_task_call(struct task_struct *t,
		  int (*fn)(struct task_struct *, void *), void *arg)
{
	return dyn_sym.task_call_func(t, fn, arg);
}

/* ---- the code of a function beyond its symbol ---- */

struct dyn_parts {
	const struct dyn_code *code;
	size_t len;			/* strlen(code->sym) */
	unsigned int version;
	struct dyn_range *out;
	unsigned int max;
	unsigned int nr;
};

static int dyn_part_of(void *data, const char *name, struct module *mod,
		       unsigned long addr)
{
	struct dyn_parts *p = data;
	unsigned long size = 0, offset = 0;
	struct dyn_range *r;

	if (mod != p->code->mod || strncmp(name, p->code->sym, p->len) ||
	    name[p->len] != '.')
		return 0;
	if (!dyn_sym.kallsyms_lookup_size_offset(addr, &size, &offset) ||
	    offset || !size)
		return 0;
	if (p->nr >= p->max) {
		p->nr++;	/* counted: the caller sees there were more */
		return 0;
	}
	r = &p->out[p->nr++];
	r->start = addr;
	r->end = addr + size;
	r->version = p->version;
	return 0;
}

/*
 * The other pieces GCC made of @code's function: "fn.cold" (unlikely paths
 * moved to .text.unlikely), "fn.part.N", "fn.isra.N", "fn.constprop.N"...
 * A task can run there with no PC or return address inside "fn" itself.
 * C names have no '.', so every "fn.*" symbol of the same module (or of
 * vmlinux) is one of them; a static namesake's pieces are included too,
 * which only makes a check more careful.  Fills up to @max ranges and
 * returns how many pieces exist.  May sleep (walks every kallsyms entry
 * for vmlinux code).
 */
unsigned int dyn_code_parts(const struct dyn_code *code, unsigned int version,
			    struct dyn_range *out, unsigned int max)
{
	struct dyn_parts p = {
		.code = code, .len = strlen(code->sym), .version = version,
		.out = out, .max = max,
	};

	if (code->mod)
		dyn_sym.module_kallsyms_on_each_symbol(dyn_part_of, &p);
	else
		dyn_sym.kallsyms_on_each_symbol(dyn_part_of, &p);
	return p.nr;
}

/*
 * All of @mod's text that stays after init: every function, helper and
 * .text.unlikely piece (module_layout puts them all in the core text).
 * @mod is referenced by the caller.
 */
void dyn_module_text(struct module *mod, unsigned int version,
		     struct dyn_range *out)
{
	out->start = (unsigned long)mod->core_layout.base;
	out->end = out->start + mod->core_layout.text_size;
	out->version = version;
}

const char *dyn_code_module(const struct dyn_code *code)
{
	/* The reference we hold keeps mod->name valid. */
	return code->mod ? code->mod->name : "vmlinux";
}

void dyn_code_put(struct dyn_code *code)
{
	if (code->mod)
		module_put(code->mod);
	memset(code, 0, sizeof(*code));
}

/* All kallsyms entries with one name; distinct addresses are counted. */
#define DYN_MAX_MATCHES 8
struct dyn_match {
	const char *sym;
	const char *modname;	/* NULL: anywhere; "vmlinux": core only */
	unsigned int count;	/* distinct addresses */
	unsigned long addr[DYN_MAX_MATCHES];
	char where[96];		/* "vmlinux,modA,..." for the message */
	bool in_modules;
};

static bool dyn_listed(const char *list, const char *item)
{
	size_t n = strlen(item);

	while (*list) {
		if (!strncmp(list, item, n) && (list[n] == ',' || !list[n]))
			return true;
		list = strchrnul(list, ',');
		if (*list)
			list++;
	}
	return false;
}

static void dyn_match_add(struct dyn_match *m, unsigned long addr,
			  const char *owner)
{
	unsigned int i, n = min_t(unsigned int, m->count, DYN_MAX_MATCHES);
	size_t len = strlen(m->where);

	for (i = 0; i < n; i++)
		if (m->addr[i] == addr)
			return;		/* alias of an entry we have */
	if (m->count < DYN_MAX_MATCHES)
		m->addr[m->count] = addr;
	m->count++;
	if (strcmp(owner, "vmlinux"))
		m->in_modules = true;
	/* List each owner once; a module name cannot contain ','. */
	if (len < sizeof(m->where) - 1 && !dyn_listed(m->where, owner))
		snprintf(m->where + len, sizeof(m->where) - len, "%s%s",
			 len ? "," : "", owner);
}

static int dyn_match_vmlinux(void *data, unsigned long addr)
{
	dyn_match_add(data, addr, "vmlinux");
	return 0;
}

static int dyn_match_module(void *data, const char *name, struct module *mod,
			    unsigned long addr)
{
	struct dyn_match *m = data;

	if (!mod || strcmp(name, m->sym))
		return 0;
	if (m->modname && strcmp(m->modname, mod->name))
		return 0;
	dyn_match_add(m, addr, mod->name);
	return 0;
}

/*
 * Split "sym", "module:sym" or "vmlinux:sym": @modname gets the module
 * ("" if none given), @sym points into @spec.
 */
int dyn_split_spec(const char *spec, char *modname, const char **sym,
		   struct dynamos_req *req)
{
	const char *colon = strchr(spec, ':');

	modname[0] = '\0';
	*sym = spec;
	if (colon) {
		size_t len = colon - spec;

		if (!len || len >= MODULE_NAME_LEN) {
			dyn_err(req, "bad module name in '%s'", spec);
			return -EINVAL;
		}
		memcpy(modname, spec, len);
		modname[len] = '\0';
		*sym = colon + 1;
	}
	if (!**sym || strchr(*sym, ':')) {
		dyn_err(req, "bad function name '%s' (want symbol or module:symbol)",
			spec);
		return -EINVAL;
	}
	return 0;
}

int dyn_resolve(const char *spec, unsigned int flags, struct dyn_code *out,
		struct dynamos_req *req)
{
	char modname[MODULE_NAME_LEN];
	struct dyn_match m = {};
	int ret;

	ret = dyn_split_spec(spec, modname, &m.sym, req);
	if (ret)
		return ret;
	if (modname[0])
		m.modname = modname;

	if (!m.modname || !strcmp(m.modname, "vmlinux"))
		dyn_sym.kallsyms_on_each_match_symbol(dyn_match_vmlinux,
						      m.sym, &m);
	if (!m.modname || strcmp(m.modname, "vmlinux"))
		dyn_sym.module_kallsyms_on_each_symbol(dyn_match_module, &m);

	if (!m.count) {
		if (m.modname)
			dyn_err(req, "unknown symbol '%s' in %s", m.sym,
				m.modname);
		else
			dyn_err(req, "unknown symbol '%s'", m.sym);
		return -ENOENT;
	}
	if (m.count > 1) {
		if (m.in_modules)
			dyn_err(req, "ambiguous symbol '%s': %u kallsyms entries (in %s); name it module:symbol",
				m.sym, m.count, m.where);
		else
			dyn_err(req, "ambiguous symbol '%s': %u kallsyms entries, all in vmlinux (same-named static functions): give the address of one",
				m.sym, m.count);
		return -ENOTUNIQ;
	}

	ret = dyn_resolve_addr(m.addr[0], flags, out, req);
	if (ret)
		return ret;
	strscpy(out->sym, m.sym, sizeof(out->sym));
	return 0;
}

/* The entries of one core-kernel name, and whether one starts at @addr. */
struct dyn_named {
	unsigned long addr;
	unsigned int count;
	bool found;
};

static int dyn_named_entry(void *data, unsigned long addr)
{
	struct dyn_named *n = data;

	n->count++;
	if (addr == n->addr)
		n->found = true;
	return 0;
}

/*
 * Resolve "sym" or "vmlinux:sym" given with the address of one of its
 * kallsyms entries: how REGISTER names one of several same-named static
 * functions of the core kernel (userspace counts their positions in
 * /proc/kallsyms).  The address is not trusted: it must be the start of a
 * kallsyms entry named @spec's symbol.  Module functions are always found
 * by name, since they are looked up again whenever their module reloads.
 * May sleep (walks the kallsyms entries of that name).
 */
int dyn_resolve_named(const char *spec, unsigned long addr, unsigned int flags,
		      struct dyn_code *out, struct dynamos_req *req)
{
	char modname[MODULE_NAME_LEN];
	struct dyn_named n = { .addr = addr };
	unsigned long size = 0, offset = 0;
	const char *sym;
	int ret;

	ret = dyn_split_spec(spec, modname, &sym, req);
	if (ret)
		return ret;
	if (modname[0] && strcmp(modname, "vmlinux")) {
		dyn_err(req, "an address names only core-kernel functions; %s is found by name (give no address)",
			spec);
		return -EINVAL;
	}
	dyn_sym.kallsyms_on_each_match_symbol(dyn_named_entry, sym, &n);
	if (!n.count) {
		dyn_err(req, "unknown symbol '%s' in vmlinux", sym);
		return -ENOENT;
	}
	if (!dyn_sym.kallsyms_lookup_size_offset(addr, &size, &offset) ||
	    !size || offset) {
		dyn_err(req, "not a function: 0x%lx is not the start of a kernel symbol",
			addr);
		return -ENOEXEC;
	}
	if (!n.found) {
		dyn_err(req, "0x%lx is %ps, not one of the %u kallsyms entries named '%s'",
			addr, (void *)addr, n.count, sym);
		return -EINVAL;
	}
	ret = dyn_resolve_addr(addr, flags, out, req);
	if (ret)
		return ret;
	if (out->mod) {		/* kallsyms_on_each_match_symbol: vmlinux only */
		dyn_err(req, "0x%lx is not core-kernel text", addr);
		dyn_code_put(out);
		return -EINVAL;
	}
	strscpy(out->sym, sym, sizeof(out->sym));
	return 0;
}

int dyn_resolve_addr(unsigned long addr, unsigned int flags,
		     struct dyn_code *out, struct dynamos_req *req)
{
	unsigned long size = 0, offset = 0;
	struct module *mod;
	char *sp;

	memset(out, 0, sizeof(*out));
	if (!dyn_sym.kallsyms_lookup_size_offset(addr, &size, &offset) ||
	    !size) {
		dyn_err(req, "not a function: no symbol at address 0x%lx", addr);
		return -ENOEXEC;
	}
	if (offset) {
		dyn_err(req, "not a function: %pS is not the start of a symbol",
			(void *)addr);
		return -ENOEXEC;
	}

	preempt_disable();
	mod = dyn_sym.module_text_address(addr);
	if (mod && !try_module_get(mod)) {
		preempt_enable();
		dyn_err(req, "%ps: its module is being unloaded", (void *)addr);
		return -ENOENT;
	}
	preempt_enable();
	/*
	 * try_module_get() succeeds on a module whose init still runs, but
	 * the kernel frees such a module if its init fails, reference or not.
	 * The module notifier may look at one that is loading (its load waits
	 * for the notifier, and a failed init notifies us before the free).
	 */
	if (mod && READ_ONCE(mod->state) != MODULE_STATE_LIVE &&
	    !((flags & DYN_CODE_COMING) &&
	      READ_ONCE(mod->state) == MODULE_STATE_COMING)) {
		dyn_err(req, "%ps: module %s is still initialising (or going away); retry once it is loaded",
			(void *)addr, mod->name);
		module_put(mod);
		return -EAGAIN;
	}

	if (!mod) {
		if (flags & DYN_CODE_MODULE) {
			dyn_err(req, "%ps is not in a loaded module's text (only module functions are allowed here)",
				(void *)addr);
			return -ENOEXEC;
		}
		if (!dyn_sym.core_kernel_text(addr)) {
			dyn_err(req, "not a function: %ps is not in kernel or module text",
				(void *)addr);
			return -ENOEXEC;
		}
	} else if (mod == THIS_MODULE && !(flags & DYN_CODE_TARGET)) {
		module_put(mod);
		dyn_err(req, "%ps belongs to dynamos itself", (void *)addr);
		return -EINVAL;
	} else if (!within_module_core(addr, mod) ||
		   addr == (unsigned long)mod->init ||
		   addr == (unsigned long)mod->exit) {
		/* Running a module's init or exit code again breaks it. */
		module_put(mod);
		dyn_err(req, "%ps is init or exit code of module %s",
			(void *)addr, mod->name);
		return -EINVAL;
	}

	out->addr = addr;
	out->size = size;
	out->mod = mod;
	/* "%ps" appends " [module]"; keep the bare name. */
	snprintf(out->sym, sizeof(out->sym), "%ps", (void *)addr);
	sp = strchr(out->sym, ' ');
	if (sp)
		*sp = '\0';
	return 0;
}
