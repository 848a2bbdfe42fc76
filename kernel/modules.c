// SPDX-License-Identifier: GPL-2.0
/*
 * Module lifetimes.  Every function the framework uses pins its module
 * (symbols.c takes the reference, only on a module that is LIVE: one still
 * initialising is freed by the kernel if its init fails, whatever its
 * reference count).  A pinned module can still go away by force
 * ("rmmod -f", CONFIG_MODULE_FORCE_UNLOAD): this notifier then detaches
 * everything of it - the updates whose original it holds, its versions,
 * hooks and handlers - before the kernel frees its text.
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/module.h>
#include <linux/notifier.h>

#include "internal.h"

static int dyn_module_event(struct notifier_block *nb, unsigned long event,
			    void *data)
{
	struct module *mod = data;

	/*
	 * Most modules come and go without us: look before taking the
	 * command lock, which a removal may hold for its whole timeout.
	 */
	if (event == MODULE_STATE_GOING && dyn_uses_module(mod))
		dyn_detach_module(mod);
	return NOTIFY_OK;
}

static struct notifier_block dyn_module_nb = {
	.notifier_call	= dyn_module_event,
	/* Before livepatch and ftrace let go of the module's functions. */
	.priority	= INT_MAX,
};

int dyn_modules_init(void)
{
	int ret = register_module_notifier(&dyn_module_nb);

	if (ret)
		pr_err("cannot register the module notifier: %d\n", ret);
	return ret;
}

void dyn_modules_exit(void)
{
	unregister_module_notifier(&dyn_module_nb);
}
