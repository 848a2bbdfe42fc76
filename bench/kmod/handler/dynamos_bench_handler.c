// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark: the adaptation handler for bench/redirection-cost.  It makes
 * the cheapest real per-call choice, by argument, so the figure shows what
 * the framework adds around a handler rather than the handler's own work.
 */
#include <linux/module.h>

#include <dynamos.h>

/* Version 2 for calls whose first argument is 2; the active one otherwise. */
int notrace dynamos_bench_handler(const struct dynamos_call *call)
{
	return dynamos_arg(call, 0) == 2 ? 2 : 0;
}

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS benchmark: a minimal adaptation handler");
