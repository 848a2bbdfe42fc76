// SPDX-License-Identifier: GPL-2.0
/*
 * DynAMOS test: a module that stays in MODULE_STATE_COMING until told to
 * go on, then lets its init fail or succeed.  While it initialises, its
 * functions are in kallsyms and a reference on it can be taken, but the
 * kernel frees it if init fails: the framework must not accept its code.
 *
 * Parameters: proceed (write 1 to end init), init_result (init's return).
 */
#include <linux/delay.h>
#include <linux/module.h>

static int proceed;
module_param(proceed, int, 0644);
static int init_result;
module_param(init_result, int, 0644);

/* Same prototype as dynamos_target_fn: a candidate version. */
noinline long dynamos_coming_fn(long a, long b)
{
	return a + b + 7000;
}

static int __init coming_init(void)
{
	int i;

	pr_info("dynamos_test_coming: initialising, waiting for proceed=1\n");
	for (i = 0; i < 3000 && !READ_ONCE(proceed); i++)
		msleep(20);
	pr_info("dynamos_test_coming: init returns %d\n", init_result);
	return init_result;
}

static void __exit coming_exit(void)
{
}

module_init(coming_init);
module_exit(coming_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS test: a module that initialises slowly");
