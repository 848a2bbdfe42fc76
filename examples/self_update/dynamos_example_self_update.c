// SPDX-License-Identifier: GPL-2.0
/*
 * Example update of the framework itself: a new version of dynamos.ko's dyn_status_show, the
 * function that renders the text of /dev/dynamos (`cat /dev/dynamos`).
 *
 * The version is a wrapper: it runs the framework's own body (past the ftrace site, so it needs no
 * copy of the status code and no private header of the framework) and then appends one line: which update renders the text and how often it has done so since it was
 * applied.  Tools read the binary records of the LIST command, not this text, so the extra line
 * changes nothing for them.
 */
#include <linux/atomic.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <dynamos.h>

/*
 * The framework's function; dynamos.ko does not export it, so 'dynamos apply' binds it to its
 * address in the running kernel (from /proc/kallsyms) when it loads this module.
 */
extern int dyn_status_show(struct seq_file *m, void *unused);

/* dyn_status_show's original body; set once at load, before the version can be registered. */
static int (*original_status_show)(struct seq_file *m, void *unused);
static atomic_long_t renders = ATOMIC_LONG_INIT(0);

noinline int dyn_status_show_v2(struct seq_file *m, void *unused)
{
	int ret = original_status_show(m, unused);

	if (ret)
		return ret;
	seq_printf(m, "# status text by update self_update (dyn_status_show version 2), read %ld time(s)\n",
		   atomic_long_inc_return(&renders));
	return 0;
}

static int __init self_update_init(void)
{
	original_status_show = DYNAMOS_ORIGINAL(dyn_status_show);
	if (!original_status_show) {
		pr_err("dynamos_example_self_update: cannot find dyn_status_show's original entry\n");
		return -ENOENT;
	}
	return 0;
}

static void __exit self_update_exit(void)
{
}

DYNAMOS_UPDATE("self_update");
DYNAMOS_REPLACE(1, "dynamos:dyn_status_show", dyn_status_show_v2);

module_init(self_update_init);
module_exit(self_update_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS example: a live update of the framework's own status text");
