// SPDX-License-Identifier: GPL-2.0
/*
 * Test update: replaces one of two same-named static functions of the core kernel.  Debian 6.1 has
 * two load_elf_binary: fs/binfmt_elf.c's (64-bit ELF programs, every exec in the test VM) comes
 * first in kallsyms, fs/compat_binfmt_elf.c's (32-bit programs) second.  DYNAMOS_SYMBOL picks the
 * first, both as the replaced original and as the symbol the version calls through.
 */
#include <linux/atomic.h>
#include <linux/binfmts.h>
#include <linux/module.h>
#include <dynamos.h>

extern int load_elf_binary(struct linux_binprm *bprm);

static int (*original_load_elf_binary)(struct linux_binprm *bprm);
static atomic_t execs = ATOMIC_INIT(0);

static int load_elf_binary_v2(struct linux_binprm *bprm)
{
	if (atomic_inc_return(&execs) == 1)
		pr_info("namesake_elf: first exec through the new native load_elf_binary: %s\n",
			bprm->filename);
	return original_load_elf_binary(bprm);
}

static int find_original(void)
{
	original_load_elf_binary = DYNAMOS_ORIGINAL(load_elf_binary);
	return original_load_elf_binary ? 0 : -ENOENT;
}

static int report(void)
{
	pr_info("namesake_elf: removed after %d exec(s) of 64-bit ELF programs\n",
		atomic_read(&execs));
	return 0;
}

DYNAMOS_UPDATE("namesake_elf");
DYNAMOS_INIT(find_original);
DYNAMOS_REPLACE(1, load_elf_binary, load_elf_binary_v2);
DYNAMOS_SYMBOL(load_elf_binary, 1);
DYNAMOS_HOOK(post_removal, 1, 2, report);
MODULE_LICENSE("GPL");
