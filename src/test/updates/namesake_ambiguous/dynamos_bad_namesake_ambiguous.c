// SPDX-License-Identifier: GPL-2.0
/*
 * Test fixture: replaces load_elf_binary, a name two static functions of Debian 6.1's kernel share
 * (fs/binfmt_elf.c and fs/compat_binfmt_elf.c), without DYNAMOS_SYMBOL to say which.
 */
#include <linux/binfmts.h>
#include <linux/module.h>
#include <dynamos.h>

static int load_elf_binary_v2(struct linux_binprm *bprm)
{
	return -ENOEXEC;	/* never registered */
}

DYNAMOS_UPDATE("bad_namesake_ambiguous");
DYNAMOS_REPLACE(1, load_elf_binary, load_elf_binary_v2);
MODULE_LICENSE("GPL");
