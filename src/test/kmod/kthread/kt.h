/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by dynamos_kt_target (a kernel thread that never exits) and
 * dynamos_kt_update (its new versions).
 *
 * The thread's state is a local of its main loop: a round counter, passed
 * by address to the function it sleeps in.  Every round reports its value
 * to dynamos_kt_note(), which counts a "jump" whenever it is not the
 * previous value + 1: a thread restarted without its state (counting from
 * 1 again) or a round counted twice shows up there.
 */
#ifndef DYNAMOS_KT_H
#define DYNAMOS_KT_H

#include <linux/mutex.h>
#include <linux/sched.h>

/* The data every incarnation of the thread gets (kthread_data()). */
struct dynamos_kt_data {
	unsigned long magic;
};
#define DYNAMOS_KT_MAGIC	0x6b74687265616421UL

extern struct dynamos_kt_data dynamos_kt_data;
/* The thread, as the target module keeps it for kthread_stop() at exit. */
extern struct mutex dynamos_kt_lock;		/* protects dynamos_kt_task */
extern struct task_struct *dynamos_kt_task;
/* Incarnations that got other data than dynamos_kt_data. */
extern atomic_t dynamos_kt_bad_data;

int dynamos_kt_main(void *data);
void dynamos_kt_sleep(unsigned long *counter);
void dynamos_kt_note(unsigned long counter);

#endif /* DYNAMOS_KT_H */
