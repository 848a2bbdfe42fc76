/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layout of the code stub.c writes into the pools of trampoline.S; included by
 * both.
 *
 * A stub (one per redirected function; its ftrace site calls it):
 *   +0   jmp rel32           to the function's route, or to +8
 *   +8   movabs $func, %r10  the handler path
 *   +18  jmp rel32           to dyn_handler_entry
 * A route (one per decision of the fast path):
 *   add $8, %rsp             drop the site's return address
 *   DYN_ROUTE_MAX_COUNTS times at most, this CPU's call counter of a
 *   version:
 *     incq %gs:counter       if the per-CPU offset fits 32 bits, else
 *     movabs $counter, %r11 ; incq %gs:(%r11)
 *   jmp rel32                to the version's entry
 */
#ifndef _DYNAMOS_STUB_H
#define _DYNAMOS_STUB_H

#define DYN_STUB_SIZE		32
#define DYN_STUB_HANDLER	8	/* offset of the handler path */
#define DYN_NR_STUBS		1024	/* functions redirected at once */

#define DYN_ROUTE_SIZE		64
#define DYN_ROUTE_MAX_COUNTS	3	/* 4 + 3 * 14 + 5 <= 64 bytes */
#define DYN_NR_ROUTES		2048	/* live routes plus retired ones */

/*
 * Keyed handler paths (redirect.c): each has its own entry, dispatch and
 * static call of the handler, so calls of a function whose top update has
 * a handler jump from the stub straight to it and call the handler
 * directly.  DYN_KEYED_LIST must count 0 .. DYN_NR_KEYED - 1.
 */
#define DYN_NR_KEYED		8
#define DYN_KEYED_LIST		0, 1, 2, 3, 4, 5, 6, 7

#endif /* _DYNAMOS_STUB_H */
