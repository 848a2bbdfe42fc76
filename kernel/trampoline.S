/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The code that an updated function's ftrace site calls (stub.c manages them):
 *
 *   dyn_handler_entry  the handler path: saves the argument registers as a
 *                      pt_regs, asks dyn_handler_dispatch() (redirect.c) where the
 *                      call goes and returns there;
 *   dyn_stub_pool      one stub per redirected function: "jmp ROUTE" (the
 *                      only instruction ever patched while reachable) and
 *                      the function's way into the handler path;
 *   dyn_route_pool     routes, written by stub.c while unreachable: count
 *                      the call per CPU and jump straight to the version.
 *
 * The pools start as int3: a jump into an unused slot traps instead of
 * running anything.  Their unwind hint describes all their code: a stub,
 * and a route before its first instruction, run with the site's return
 * address on top, a route after it with the caller's: either way the
 * stack as at a function's entry.
 */
#include <linux/linkage.h>
#include <asm/page_types.h>
#include <asm/ptrace-abi.h>
#include <asm/unwind_hints.h>

#include "stub.h"

	.text

/*
 * DYN_HANDLER_ENTRY name, dispatch, with_func
 * In:  the stack as at the updated function's entry, with the return
 *      address of its ftrace site (the site + 5) on top; if with_func,
 *      %r10: the struct dyn_func of the function.
 * Out: the argument registers as they came, the stack as at the
 *      function's entry, running the code the dispatch function returned
 *      (called as dispatch(func, regs), or dispatch(regs) without func).
 * %rax, %r10 and %r11 carry nothing at a C function's entry (call-clobbered;
 * no argument; the kernel is built with -mskip-rax-setup and without SSE,
 * so not even a varargs count), as BPF trampolines also assume; the
 * return slot of the site becomes the chosen entry, as ftrace's own
 * trampolines do it.
 */
.macro DYN_HANDLER_ENTRY name, dispatch, with_func
SYM_FUNC_START(\name)
	subq	$FRAME_SIZE, %rsp
	movq	%rdi, RDI(%rsp)
	movq	%rsi, RSI(%rsp)
	movq	%rdx, RDX(%rsp)
	movq	%rcx, RCX(%rsp)
	movq	%r8, R8(%rsp)
	movq	%r9, R9(%rsp)
.if \with_func
	movq	%r10, %rdi
	movq	%rsp, %rsi
.else
	movq	%rsp, %rdi
.endif
	call	\dispatch
	movq	%rax, FRAME_SIZE(%rsp)
	movq	RDI(%rsp), %rdi
	movq	RSI(%rsp), %rsi
	movq	RDX(%rsp), %rdx
	movq	RCX(%rsp), %rcx
	movq	R8(%rsp), %r8
	movq	R9(%rsp), %r9
	addq	$FRAME_SIZE, %rsp
	RET
SYM_FUNC_END(\name)
.endm

/* Any function with a handler on its stack (redirect.c). */
DYN_HANDLER_ENTRY dyn_handler_entry, dyn_handler_dispatch, 1

/*
 * One function whose top update's handler is keyed (redirect.c): the
 * stub jumps here directly, and the dispatch knows function and handler.
 */
.irp k, DYN_KEYED_LIST
DYN_HANDLER_ENTRY dyn_keyed_entry_\k, dyn_keyed_dispatch_\k, 0
.endr

	.balign	PAGE_SIZE, 0xcc
SYM_CODE_START(dyn_stub_pool)
	UNWIND_HINT_FUNC
	.fill	DYN_NR_STUBS * DYN_STUB_SIZE, 1, 0xcc
SYM_CODE_END(dyn_stub_pool)

	.balign	DYN_ROUTE_SIZE, 0xcc
SYM_CODE_START(dyn_route_pool)
	UNWIND_HINT_FUNC
	.fill	DYN_NR_ROUTES * DYN_ROUTE_SIZE, 1, 0xcc
	ud2			/* the hint's walk ends here */
SYM_CODE_END(dyn_route_pool)
