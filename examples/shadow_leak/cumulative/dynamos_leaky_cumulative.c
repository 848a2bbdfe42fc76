// SPDX-License-Identifier: GPL-2.0
/*
 * shadow_cumulative: shadow_fix1 and shadow_fix2 as one cumulative update,
 * as kpatch or klp-build produce it: it declares that it replaces every
 * applied update (DYNAMOS_REPLACES_ALL), so applying it moves
 * leaky_alloc, leaky_check and leaky_free to this update in one step and
 * removes shadow_fix1 and shadow_fix2.  It uses their shadow ids, so the
 * objects in flight keep their leak buffer and their check count.  On a
 * kernel without the two fixes it does the same from scratch.
 */
#define pr_fmt(fmt) "shadow_cumulative: " fmt

#include <linux/err.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/slab.h>

#include <dynamos.h>

#define DYNAMOS_LEAKY_SHADOW_LEAK	0x6c65616bUL
#define DYNAMOS_LEAKY_SHADOW_COUNT	0x636e7421UL

struct leaky_obj {
	struct list_head node;
	unsigned long id;
	unsigned long expires;
};

void *dynamos_leaky_leak_new(unsigned long id, gfp_t gfp);
void dynamos_leaky_leak_release(void *buf);

static int leak_ctor(void *obj, void *shadow, void *ctor_data)
{
	void **slot = shadow;

	*slot = ctor_data;
	return 0;
}

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

static noinline struct leaky_obj *leaky_alloc_cumulative(unsigned long id,
							 unsigned long expires)
{
	struct leaky_obj *obj = kzalloc(sizeof(*obj), GFP_KERNEL);
	void *leak;

	if (!obj)
		return NULL;
	obj->id = id;
	obj->expires = expires;
	leak = dynamos_leaky_leak_new(id, GFP_KERNEL);
	if (!leak) {
		kfree(obj);
		return NULL;
	}
	if (IS_ERR_OR_NULL(dynamos_shadow_alloc(obj, DYNAMOS_LEAKY_SHADOW_LEAK,
						sizeof(leak), GFP_KERNEL,
						leak_ctor, leak))) {
		dynamos_leaky_leak_release(leak);
		kfree(obj);
		return NULL;
	}
	return obj;
}

static noinline bool leaky_check_cumulative(struct leaky_obj *obj,
					    unsigned long now)
{
	unsigned long *count;

	count = dynamos_shadow_get_or_alloc(obj, DYNAMOS_LEAKY_SHADOW_COUNT,
					    sizeof(*count), GFP_KERNEL,
					    count_ctor, NULL);
	if (!IS_ERR_OR_NULL(count))
		(*count)++;
	return now >= obj->expires;
}

static noinline void leaky_free_cumulative(struct leaky_obj *obj)
{
	unsigned long *count = dynamos_shadow_get(obj, DYNAMOS_LEAKY_SHADOW_COUNT);

	pr_info("object %lu freed after %lu counted check(s)\n", obj->id,
		count ? *count : 0);
	dynamos_shadow_free(obj, DYNAMOS_LEAKY_SHADOW_COUNT, NULL);
	dynamos_shadow_free(obj, DYNAMOS_LEAKY_SHADOW_LEAK, leak_dtor);
	kfree(obj);
}

static int cumulative_removed(void)
{
	unsigned long leaks = dynamos_shadow_count(DYNAMOS_LEAKY_SHADOW_LEAK);
	unsigned long counts = dynamos_shadow_count(DYNAMOS_LEAKY_SHADOW_COUNT);

	dynamos_shadow_free_all(DYNAMOS_LEAKY_SHADOW_COUNT, NULL);
	dynamos_shadow_free_all(DYNAMOS_LEAKY_SHADOW_LEAK, leak_dtor);
	pr_info("removed: freed %lu leak buffer(s) and %lu count(s) of objects still alive\n",
		leaks, counts);
	return 0;
}

static int cumulative_activated(void)
{
	pr_info("active: leak buffers kept and freed, checks counted\n");
	return 0;
}

DYNAMOS_UPDATE("shadow_cumulative");
DYNAMOS_REPLACES_ALL();
DYNAMOS_REPLACE(1, "dynamos_leaky:leaky_alloc", leaky_alloc_cumulative);
DYNAMOS_REPLACE(2, "dynamos_leaky:leaky_check", leaky_check_cumulative);
DYNAMOS_REPLACE(3, "dynamos_leaky:leaky_free", leaky_free_cumulative);
DYNAMOS_HOOK(post_activation, 1, 2, cumulative_activated);
DYNAMOS_HOOK(post_removal, 1, 2, cumulative_removed);
DYNAMOS_HOOK(post_removal, 2, 2, cumulative_removed);
DYNAMOS_HOOK(post_removal, 3, 2, cumulative_removed);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS example: shadow_fix1 and shadow_fix2 as one cumulative update");
