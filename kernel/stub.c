// SPDX-License-Identifier: GPL-2.0
/*
 * Code memory for the redirection (redirect.c): the stub each redirected
 * function's ftrace site calls, and the routes stubs jump along.  Both
 * live in pools inside this module's text (trampoline.S), so they have symbols
 * in backtraces and need no executable allocation.
 *
 * Code is only ever written where no CPU can reach it (a free slot) with
 * text_poke(); the one instruction patched while reachable is a stub's
 * first, "jmp ROUTE".  It is replaced whole while every CPU is stopped
 * (stop_machine(): one CPU writes it through a writable, non-executable
 * alias of the stub pool mapped at init, then every CPU serialises before
 * it runs anything else), so
 * no CPU can see half of it or an old copy, and the route's code, written
 * before, is seen with it.  (text_poke_bp()'s int3 protocol would not
 * stop the machine, but a CPU calling the function in a loop can keep
 * trapping on the int3 under QEMU's TCG; stopping costs a few
 * microseconds per switch and lets a group of stubs switch as one.)
 * A slot left behind goes back to its pool only after an RCU-tasks grace
 * period: no task is then between its instructions (none of them sleeps,
 * and a task preempted there has not switched voluntarily).
 *
 * Locking: slots are taken under dyn_mutex and given back from RCU
 * callbacks, so the bitmaps use atomic bit operations; the kernel's
 * text_mutex serialises text_poke() with every other text patcher.
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/stop_machine.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <asm/sync_core.h>

#include "internal.h"
#include "stub.h"

extern u8 dyn_stub_pool[];
extern u8 dyn_route_pool[];
extern void dyn_handler_entry(void);

static DECLARE_BITMAP(dyn_stub_used, DYN_NR_STUBS);
static DECLARE_BITMAP(dyn_route_used, DYN_NR_ROUTES);
static struct rcu_head dyn_stub_rcu[DYN_NR_STUBS];
static struct rcu_head dyn_route_rcu[DYN_NR_ROUTES];

#define DYN_JMP32	0xe9
#define DYN_JMP32_SIZE	5

static int dyn_slot_take(unsigned long *used, unsigned int nr)
{
	unsigned int i;

	for (;;) {
		i = find_first_zero_bit(used, nr);
		if (i >= nr)
			return -ENOSPC;
		if (!test_and_set_bit(i, used))
			return i;
	}
}

static void dyn_stub_release(struct rcu_head *rcu)
{
	clear_bit(rcu - dyn_stub_rcu, dyn_stub_used);
}

static void dyn_route_release(struct rcu_head *rcu)
{
	clear_bit(rcu - dyn_route_rcu, dyn_route_used);
}

/* "jmp @to" for the instruction at @at, into @buf; returns its end. */
static u8 *dyn_put_jmp(u8 *buf, unsigned long at, unsigned long to)
{
	s32 rel = (s32)(to - (at + DYN_JMP32_SIZE));

	*buf++ = DYN_JMP32;
	memcpy(buf, &rel, sizeof(rel));
	return buf + sizeof(rel);
}

/* Modules and the kernel lie within 2 GiB of each other: rel32 reaches. */
static bool dyn_jmp_reaches(unsigned long at, unsigned long to)
{
	long rel = (long)to - (long)(at + DYN_JMP32_SIZE);

	return rel == (s32)rel;
}

static u8 *dyn_put_movabs(u8 *buf, u8 reg_op, unsigned long imm)
{
	*buf++ = 0x49;		/* REX.W + REX.B: %r8..%r15 */
	*buf++ = reg_op;	/* 0xba: %r10, 0xbb: %r11 */
	memcpy(buf, &imm, sizeof(imm));
	return buf + sizeof(imm);
}

/* Write code no CPU can reach yet (a free slot). */
static void dyn_code_write(u8 *at, const u8 *code, size_t len)
{
	mutex_lock(dyn_text_mutex());
	dyn_text_poke(at, code, len);
	mutex_unlock(dyn_text_mutex());
}

/* One stub's new first instruction, written while the machine stops. */
struct dyn_stub_patch {
	u8 *alias;			/* the stub's bytes, writable */
	u8 jmp[DYN_JMP32_SIZE];
	atomic_t cpus;			/* CPUs arrived */
	atomic_t written;		/* the first one has written */
};

/* Runs on every CPU, interrupts off: nobody executes anything else. */
static int dyn_stub_patch_all(void *data)
{
	struct dyn_stub_patch *p = data;

	if (atomic_inc_return(&p->cpus) == 1) {
		memcpy(p->alias, p->jmp, sizeof(p->jmp));
		atomic_set_release(&p->written, 1);
	} else {
		while (!atomic_read_acquire(&p->written))
			cpu_relax();
	}
	sync_core();	/* no stale copy of the old jmp survives */
	return 0;
}

/* The stub pool, writable (not executable): only dyn_stub_patch_all() writes. */
static u8 *dyn_stub_alias;

/* Point the reachable stub's first instruction at @to.  Under dyn_mutex. */
static void dyn_stub_jump(u8 *stub, unsigned long to)
{
	struct dyn_stub_patch p = {};

	p.alias = dyn_stub_alias + (stub - dyn_stub_pool);
	dyn_put_jmp(p.jmp, (unsigned long)stub, to);
	/* Other text patchers must not write these pages meanwhile. */
	mutex_lock(dyn_text_mutex());
	stop_machine(dyn_stub_patch_all, &p, cpu_online_mask);
	mutex_unlock(dyn_text_mutex());
}

#define DYN_STUB_PAGES	(DYN_NR_STUBS * DYN_STUB_SIZE / PAGE_SIZE)

int dyn_stub_init(void)
{
	struct page *pages[DYN_STUB_PAGES];
	unsigned int i;

	BUILD_BUG_ON(DYN_NR_STUBS * DYN_STUB_SIZE % PAGE_SIZE);
	for (i = 0; i < DYN_STUB_PAGES; i++) {
		pages[i] = vmalloc_to_page(dyn_stub_pool + i * PAGE_SIZE);
		if (!pages[i])
			return -EFAULT;
	}
	dyn_stub_alias = vmap(pages, DYN_STUB_PAGES, VM_MAP, PAGE_KERNEL);
	return dyn_stub_alias ? 0 : -ENOMEM;
}

/*
 * A stub for @func, taking the handler path.  Under dyn_mutex, before the
 * ftrace site calls it.
 */
int dyn_stub_alloc(struct dyn_func *func)
{
	u8 code[DYN_STUB_SIZE], *p;
	unsigned long at;
	int i;

	i = dyn_slot_take(dyn_stub_used, DYN_NR_STUBS);
	if (i < 0)
		return i;
	at = (unsigned long)&dyn_stub_pool[i * DYN_STUB_SIZE];
	memset(code, 0xcc, sizeof(code));	/* int3 between the pieces */
	dyn_put_jmp(code, at, at + DYN_STUB_HANDLER);
	p = dyn_put_movabs(&code[DYN_STUB_HANDLER], 0xba, (unsigned long)func);
	dyn_put_jmp(p, at + (p - code), (unsigned long)dyn_handler_entry);
	dyn_code_write((u8 *)at, code, sizeof(code));
	func->stub = at;
	func->route_slot = -1;
	memset(&func->route, 0, sizeof(func->route));
	func->route.handler = true;
	return 0;
}

static void dyn_route_retire(struct dyn_func *func)
{
	if (func->route_slot >= 0)
		call_rcu_tasks(&dyn_route_rcu[func->route_slot],
			       dyn_route_release);
	WRITE_ONCE(func->route_slot, -1);
}

/*
 * The ftrace site no longer calls @func's stub and no task is inside it
 * (dyn_redirect_remove() waited): give it and its route back.
 */
void dyn_stub_free(struct dyn_func *func)
{
	int i = (func->stub - (unsigned long)dyn_stub_pool) / DYN_STUB_SIZE;

	if (func->route.handler && func->route.keyed)
		dyn_keyed_entry(func->route.keyed - 1, false);
	memset(&func->route, 0, sizeof(func->route));
	dyn_route_retire(func);
	/* Another grace period, for symmetry with routes: cheap and safe. */
	call_rcu_tasks(&dyn_stub_rcu[i], dyn_stub_release);
	func->stub = 0;
}

/* Write the route @r into a free slot; returns its address or 0. */
static unsigned long dyn_route_write(const struct dyn_route *r, int *slot)
{
	u8 code[DYN_ROUTE_SIZE], *p = code;
	unsigned long at;
	unsigned int k;
	int i;

	i = dyn_slot_take(dyn_route_used, DYN_NR_ROUTES);
	if (i < 0)
		return 0;
	at = (unsigned long)&dyn_route_pool[i * DYN_ROUTE_SIZE];
	if (!dyn_jmp_reaches(at, r->target)) {
		clear_bit(i, dyn_route_used);
		return 0;
	}
	memset(code, 0xcc, sizeof(code));
	/* add $8, %rsp */
	*p++ = 0x48; *p++ = 0x83; *p++ = 0xc4; *p++ = 0x08;
	for (k = 0; k < r->nr; k++) {
		unsigned long counter = (unsigned long)r->count[k];
		s32 disp = (s32)counter;

		/*
		 * One instruction, so exact per CPU.  Per-CPU offsets in the
		 * first chunk fit a disp32; others need a register.
		 */
		if ((long)disp == (long)counter) {
			/* incq %gs:disp32 */
			*p++ = 0x65; *p++ = 0x48; *p++ = 0xff; *p++ = 0x04;
			*p++ = 0x25;
			memcpy(p, &disp, sizeof(disp));
			p += sizeof(disp);
		} else {
			p = dyn_put_movabs(p, 0xbb, counter);
			/* incq %gs:(%r11) */
			*p++ = 0x65; *p++ = 0x49; *p++ = 0xff; *p++ = 0x03;
		}
	}
	p = dyn_put_jmp(p, at + (p - code), r->target);
	dyn_code_write((u8 *)at, code, p - code);
	*slot = i;
	return at;
}

/*
 * Make @func's stub take route @r (or the handler path).  Under
 * dyn_mutex.  Without a free route slot the handler path is taken, which
 * is always right, only slower.
 */
void dyn_stub_route(struct dyn_func *func, const struct dyn_route *r)
{
	unsigned long to = func->stub + DYN_STUB_HANDLER;
	int slot = -1;

	if (!memcmp(r, &func->route, sizeof(*r)))
		return;
	if (r->handler && r->keyed)
		to = dyn_keyed_entry(r->keyed - 1, true);
	if (!r->handler) {
		to = dyn_route_write(r, &slot);
		if (!to) {
			pr_warn_ratelimited("%s: no route slot free; its calls take the handler path\n",
					    func->sym);
			to = func->stub + DYN_STUB_HANDLER;
			if (func->route.handler)
				return;
		}
	}
	dyn_stub_jump((u8 *)func->stub, to);
	if (func->route.handler && func->route.keyed)
		dyn_keyed_entry(func->route.keyed - 1, false);
	dyn_route_retire(func);
	WRITE_ONCE(func->route_slot, slot);
	if (slot >= 0 || r->handler) {
		func->route = *r;
	} else {		/* no room for the route: the general handler path */
		memset(&func->route, 0, sizeof(func->route));
		func->route.handler = true;
	}
}

/* Is @func on the fast path?  For status; under either lock. */
bool dyn_stub_fast(const struct dyn_func *func)
{
	return READ_ONCE(func->route_slot) >= 0;
}

/* Module exit: wait for slots on their way back (their callbacks are ours). */
void dyn_stub_exit(void)
{
	rcu_barrier_tasks();
	vunmap(dyn_stub_alias);
}
