// SPDX-License-Identifier: GPL-2.0
/*
 * An update to install and see applied at boot (PackageIT): /proc/version
 * gets a line of its own after the kernel's banner, so a reader of the
 * file can tell whether the update runs.
 */
#include <linux/module.h>
#include <linux/seq_file.h>
#include <dynamos.h>

static int version_proc_show_v2(struct seq_file *m, void *v)
{
	seq_puts(m, "DynAMOS boot_version update applied\n");
	return 0;
}

DYNAMOS_UPDATE("boot_version");
DYNAMOS_REPLACE(1, version_proc_show, version_proc_show_v2);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS test: /proc/version replaced, for the boot-time apply");
