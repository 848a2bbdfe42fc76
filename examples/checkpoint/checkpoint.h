/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The system call numbers examples/checkpoint adds (x86-64), shared by the
 * update module and its test program ckpt.c.
 *
 * Both lie in 387..423, the part of the x86-64 table that upstream keeps
 * free for good (a comment in the table says so: other ABIs use these
 * numbers for their time64 calls), below NR_syscalls (451 on 6.1: larger
 * numbers never leave do_syscall_64) and without the x32 bit.  They are
 * this update's numbers, not the kernel's: the module checks at load
 * (insmod or dynamos apply) that the running kernel leaves them free, and
 * refuses to load otherwise.  Other numbers: module parameters nr_collect
 * and nr_checkpoint.
 */
#ifndef CHECKPOINT_SYSCALLS_H
#define CHECKPOINT_SYSCALLS_H

/* long collect(pid_t pid): start collecting the areas and files pid creates. */
#define CKPT_NR_COLLECT		400
/* long checkpoint(pid_t pid, int fd): write pid's text checkpoint to fd. */
#define CKPT_NR_CHECKPOINT	401

#endif
