/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hooks of source patches for 'dynamos generate', spelled as kpatch spells them, so that a patch written for
 * kpatch-build builds here unchanged.  Each macro records the function in a section of its own;
 * 'dynamos generate' finds the record in the patched object and declares the function as a hook of the update:
 *
 *	KPATCH_PRE_PATCH_CALLBACK(fn)	int fn(patch_object *)	before the update's versions become active;
 *					non-zero refuses the apply
 *	KPATCH_POST_PATCH_CALLBACK(fn)	void fn(patch_object *)	after they became active
 *	KPATCH_LOAD_HOOK(fn)		void fn(void)		likewise, after they became active
 *	KPATCH_PRE_UNPATCH_CALLBACK(fn)	void fn(patch_object *)	when a revert removes them: calls already
 *					go to the originals, tasks may still be in
 *					the patched code
 *	KPATCH_UNLOAD_HOOK(fn)		void fn(void)		likewise, when a revert removes them
 *	KPATCH_POST_UNPATCH_CALLBACK(fn) void fn(patch_object *) once they are removed: no task runs the
 *					patched code (the place to free shadow data)
 *
 * The object argument is NULL: an update made from a patch is not split per object as a livepatch is.
 */
#ifndef _DYNAMOS_KPATCH_MACROS_H
#define _DYNAMOS_KPATCH_MACROS_H

#include <linux/compiler.h>

struct klp_object;
typedef struct klp_object patch_object;

#define __DYNAMOS_PATCH_HOOK(kind, fn)					\
	static void *__dynamos_patch_hook_##kind##_##fn			\
	__used __section(".dynamos.patch_hook." #kind) = (void *)(fn)

#define KPATCH_PRE_PATCH_CALLBACK(fn)					\
	static inline int (*__dynamos_check_pre_patch_##fn(void))(patch_object *) { return fn; } \
	__DYNAMOS_PATCH_HOOK(pre_patch, fn)
#define KPATCH_POST_PATCH_CALLBACK(fn)					\
	static inline void (*__dynamos_check_post_patch_##fn(void))(patch_object *) { return fn; } \
	__DYNAMOS_PATCH_HOOK(post_patch, fn)
#define KPATCH_PRE_UNPATCH_CALLBACK(fn)					\
	static inline void (*__dynamos_check_pre_unpatch_##fn(void))(patch_object *) { return fn; } \
	__DYNAMOS_PATCH_HOOK(pre_unpatch, fn)
#define KPATCH_POST_UNPATCH_CALLBACK(fn)				\
	static inline void (*__dynamos_check_post_unpatch_##fn(void))(patch_object *) { return fn; } \
	__DYNAMOS_PATCH_HOOK(post_unpatch, fn)
#define KPATCH_LOAD_HOOK(fn)						\
	static inline void (*__dynamos_check_load_##fn(void))(void) { return fn; } \
	__DYNAMOS_PATCH_HOOK(load, fn)
#define KPATCH_UNLOAD_HOOK(fn)						\
	static inline void (*__dynamos_check_unload_##fn(void))(void) { return fn; } \
	__DYNAMOS_PATCH_HOOK(unload, fn)

#endif /* _DYNAMOS_KPATCH_MACROS_H */
