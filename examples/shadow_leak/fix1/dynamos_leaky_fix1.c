// SPDX-License-Identifier: GPL-2.0
/*
 * shadow_fix1: fixes dynamos_leaky's leak with shadow data.
 *
 * leaky_alloc() allocates a leak buffer per object and drops the pointer.
 * The object's layout cannot grow, so this update keeps the pointer as a
 * shadow of the object, <obj, DYNAMOS_LEAKY_SHADOW_LEAK>, in the framework's
 * shadow namespace (a later update, shadow_fix2 or a cumulative update, finds
 * it there), and frees the buffer where the object is freed.
 *
 * Objects allocated before this update have no shadow: their buffers stay
 * leaked, and leaky_free_fix1() copes with the missing shadow.  When the
 * update is removed, the buffers of objects still alive are freed with
 * their shadows (post-removal hook), so no shadow outlives the update.
 */
#define pr_fmt(fmt) "shadow_fix1: " fmt

#include <linux/err.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/slab.h>

#include <dynamos.h>

/* Shadow ids, framework-wide; shadow_fix2 and the cumulative update use the same. */
#define DYNAMOS_LEAKY_SHADOW_LEAK	0x6c65616bUL	/* "leak": the leak buffer's address */

/* dynamos_leaky's object, as the module declares it. */
struct leaky_obj {
	struct list_head node;
	unsigned long id;
	unsigned long expires;
};

/* Exported by dynamos_leaky. */
void *dynamos_leaky_leak_new(unsigned long id, gfp_t gfp);
void dynamos_leaky_leak_release(void *buf);

/* Keeps the leak buffer's address (ctor_data) in the new shadow. */
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

/* leaky_alloc as it should have been: the leak buffer is kept. */
static noinline struct leaky_obj *leaky_alloc_fix1(unsigned long id,
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
		/* Without a shadow the buffer cannot be freed later. */
		dynamos_leaky_leak_release(leak);
		kfree(obj);
		return NULL;
	}
	return obj;
}

/* leaky_free, freeing the leak buffer too (objects older than the fix have none). */
static noinline void leaky_free_fix1(struct leaky_obj *obj)
{
	dynamos_shadow_free(obj, DYNAMOS_LEAKY_SHADOW_LEAK, leak_dtor);
	kfree(obj);
}

/* Removed (reverted): free the buffers of the objects still alive. */
static int fix1_removed(void)
{
	unsigned long left = dynamos_shadow_count(DYNAMOS_LEAKY_SHADOW_LEAK);

	dynamos_shadow_free_all(DYNAMOS_LEAKY_SHADOW_LEAK, leak_dtor);
	pr_info("removed: freed the leak buffers of %lu object(s) still alive\n", left);
	return 0;
}

static int fix1_activated(void)
{
	pr_info("active: new objects keep their leak buffer in a shadow\n");
	return 0;
}

DYNAMOS_UPDATE("shadow_fix1");
DYNAMOS_REPLACE(1, "dynamos_leaky:leaky_alloc", leaky_alloc_fix1);
DYNAMOS_REPLACE(2, "dynamos_leaky:leaky_free", leaky_free_fix1);
DYNAMOS_HOOK(post_activation, 1, 2, fix1_activated);
/* On both: whichever of the two is removed last frees what is left. */
DYNAMOS_HOOK(post_removal, 1, 2, fix1_removed);
DYNAMOS_HOOK(post_removal, 2, 2, fix1_removed);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS example: fixes dynamos_leaky's leak with shadow data");
