// SPDX-License-Identifier: GPL-2.0
/*
 * How QEMU's -icount counts string instructions: one 4 KiB "rep movsq" (as 6.1's
 * copy_user_generic_string on a rep_good CPU) and one 4 KiB "rep stosq" (as clear_page_rep), in guest
 * ns, which under -icount shift=0 are instructions.  Each iteration counts: about 512 per 4 KiB.
 *   gcc -static -O2 -o /tmp/rep-icount bench/guest/rep-icount.c
 *   ./dynamos vm --icount -- sh -c 'cp /tmp/rep-icount /tmp/r && /tmp/r'
 * (copied into the guest's RAM first: a program run from the host's 9p file system adds host I/O time)
 * Measured with 6.1.0-50-amd64: rep_movsq_4k=519 rep_stosq_4k=518 empty_loop=6.
 */
#include <stdio.h>
#include <time.h>
static unsigned long long now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000ull + t.tv_nsec; }
static unsigned char a[4096] __attribute__((aligned(4096))), b[4096] __attribute__((aligned(4096)));
int main(void)
{
	int i, n = 20000;
	unsigned long long t0, t1, t2, t3;
	for (i = 0; i < 4096; i++) a[i] = i;
	t0 = now();
	for (i = 0; i < n; i++) { void *d = b, *s = a; unsigned long c = 512; asm volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(c) : : "memory"); }
	t1 = now();
	for (i = 0; i < n; i++) { void *d = b; unsigned long c = 512; asm volatile("rep stosq" : "+D"(d), "+c"(c) : "a"(0UL) : "memory"); }
	t2 = now();
	for (i = 0; i < n; i++) { void *d = b; unsigned long c = 0; asm volatile("rep stosq" : "+D"(d), "+c"(c) : "a"(0UL) : "memory"); }
	t3 = now();
	printf("@@ rep_movsq_4k=%llu rep_stosq_4k=%llu empty_loop=%llu (guest ns per iteration of the loop)\n",
	       (t1 - t0) / n, (t2 - t1) / n, (t3 - t2) / n);
	return 0;
}
