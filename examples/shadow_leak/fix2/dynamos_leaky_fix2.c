// SPDX-License-Identifier: GPL-2.0
/*
 * shadow_fix2: a second fix on top of shadow_fix1 (apply that first).
 *
 * It counts how often each object is checked, in a second shadow of the
 * object, <obj, DYNAMOS_LEAKY_SHADOW_COUNT>, created on the object's first
 * check after this update went in (get-or-alloc): objects already in
 * flight are counted too, from then on.
 *
 * It replaces leaky_free, which shadow_fix1 already replaces: the two
 * stack, and calls run this one.  It frees both shadows: the count, and
 * shadow_fix1's leak buffer, found in the framework-wide namespace by the
 * same <obj, id>.  Reverting this update leaves shadow_fix1's leaky_free in
 * effect again; shadow_fix1 cannot be reverted while this one is applied.
 */
#define pr_fmt(fmt) "shadow_fix2: " fmt

#include <linux/err.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/slab.h>

#include <dynamos.h>

#define DYNAMOS_LEAKY_SHADOW_LEAK	0x6c65616bUL	/* shadow_fix1's: the leak buffer's address */
#define DYNAMOS_LEAKY_SHADOW_COUNT	0x636e7421UL	/* "cnt!": checks of the object */

struct leaky_obj {
	struct list_head node;
	unsigned long id;
	unsigned long expires;
};

void dynamos_leaky_leak_release(void *buf);

static void leak_dtor(void *obj, void *shadow)
{
	void **slot = shadow;

	dynamos_leaky_leak_release(*slot);
}

static int count_ctor(void *obj, void *shadow, void *ctor_data)
{
	unsigned long *count = shadow;

	*count = 0;
	return 0;
}

/* leaky_check, counting the check.  Runs under dynamos_leaky's tick lock. */
static noinline bool leaky_check_fix2(struct leaky_obj *obj, unsigned long now)
{
	unsigned long *count;

	count = dynamos_shadow_get_or_alloc(obj, DYNAMOS_LEAKY_SHADOW_COUNT,
					    sizeof(*count), GFP_KERNEL,
					    count_ctor, NULL);
	if (!IS_ERR_OR_NULL(count))
		(*count)++;
	return now >= obj->expires;
}

static noinline void leaky_free_fix2(struct leaky_obj *obj)
{
	unsigned long *count = dynamos_shadow_get(obj, DYNAMOS_LEAKY_SHADOW_COUNT);

	pr_info("object %lu freed after %lu counted check(s)\n", obj->id,
		count ? *count : 0);
	dynamos_shadow_free(obj, DYNAMOS_LEAKY_SHADOW_COUNT, NULL);
	dynamos_shadow_free(obj, DYNAMOS_LEAKY_SHADOW_LEAK, leak_dtor);
	kfree(obj);
}

/* Removed: drop the counts of the objects still alive (their leak buffers stay shadow_fix1's). */
static int fix2_removed(void)
{
	unsigned long left = dynamos_shadow_count(DYNAMOS_LEAKY_SHADOW_COUNT);

	dynamos_shadow_free_all(DYNAMOS_LEAKY_SHADOW_COUNT, NULL);
	pr_info("removed: dropped the counts of %lu object(s) still alive\n", left);
	return 0;
}

static int fix2_activated(void)
{
	pr_info("active: checks are counted per object\n");
	return 0;
}

DYNAMOS_UPDATE("shadow_fix2");
DYNAMOS_REPLACE(1, "dynamos_leaky:leaky_check", leaky_check_fix2);
DYNAMOS_REPLACE(2, "dynamos_leaky:leaky_free", leaky_free_fix2);
DYNAMOS_HOOK(post_activation, 1, 2, fix2_activated);
DYNAMOS_HOOK(post_removal, 1, 2, fix2_removed);
DYNAMOS_HOOK(post_removal, 2, 2, fix2_removed);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS example: counts dynamos_leaky's checks per object, stacked on shadow_fix1");
