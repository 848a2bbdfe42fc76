/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DynAMOS 0.5 datatype-update names ("dynreplace_access_*"), mapped one to
 * one onto the shadow data API of <dynamos.h>, for porting updates written
 * against the original manual.  New code should use dynamos_shadow_*.
 *
 *   dynreplace_access_t               struct dynamos_shadow_table
 *   dynreplace_access_init(t)         dynamos_shadow_init(t)
 *   dynreplace_access_cleanup(t)      dynamos_shadow_cleanup(t)
 *   dynreplace_access_create(t,o,n)   dynamos_shadow_create(t,o,n,GFP_ATOMIC),
 *                                     but an existing shadow is returned
 *                                     and failure is NULL (see below)
 *   dynreplace_access_find(t,o)       dynamos_shadow_find(t,o)
 *   dynreplace_access_remove(t,o)     dynamos_shadow_remove(t,o)
 *   dynreplace_access_lock(t)         dynamos_shadow_lock(t)
 *   dynreplace_access_unlock(t)       dynamos_shadow_unlock(t)
 *   dynreplace_access_field(T,p,f)    DYNAMOS_SHADOW_FIELD(T,p,f)
 *
 * The old interface had no allocation flags and was used with the table
 * lock held, so create allocates with GFP_ATOMIC.  Its callers followed
 * create with find and checked the pointer for NULL, so create here returns
 * the object's shadow whether it was just made or already there, and NULL
 * on any failure.  Calling contexts are those of the new API.
 */
#ifndef _DYNREPLACE_ACCESS_H
#define _DYNREPLACE_ACCESS_H

#include <linux/err.h>
#include <linux/gfp.h>

#include "dynamos.h"

typedef struct dynamos_shadow_table dynreplace_access_t;

#define dynreplace_access_init(t)	dynamos_shadow_init(t)
#define dynreplace_access_field(type, ptr, field) \
	DYNAMOS_SHADOW_FIELD(type, ptr, field)

static inline unsigned long dynreplace_access_cleanup(dynreplace_access_t *t)
{
	return dynamos_shadow_cleanup(t);
}

static inline void *dynreplace_access_create(dynreplace_access_t *t,
					     const void *obj, size_t size)
{
	void *shadow = dynamos_shadow_create(t, obj, size, GFP_ATOMIC);

	if (shadow == ERR_PTR(-EEXIST))
		return dynamos_shadow_find(t, obj);
	return IS_ERR(shadow) ? NULL : shadow;
}

static inline void *dynreplace_access_find(dynreplace_access_t *t,
					   const void *obj)
{
	return dynamos_shadow_find(t, obj);
}

static inline int dynreplace_access_remove(dynreplace_access_t *t,
					   const void *obj)
{
	return dynamos_shadow_remove(t, obj);
}

/* 0 with the lock held, -EPERM in a context that may not take it. */
static inline int dynreplace_access_lock(dynreplace_access_t *t)
{
	return dynamos_shadow_lock(t);
}

static inline void dynreplace_access_unlock(dynreplace_access_t *t)
{
	dynamos_shadow_unlock(t);
}

#endif /* _DYNREPLACE_ACCESS_H */
