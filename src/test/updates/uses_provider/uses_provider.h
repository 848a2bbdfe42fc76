/* SPDX-License-Identifier: GPL-2.0 */
/* What the update uses_provider exports to updates built with --uses (test fixture). */
#ifndef USES_PROVIDER_H
#define USES_PROVIDER_H

/* Added to every result of the consumer's version; the provider may change it. */
extern long uses_provider_offset;

/* x times ten. */
long uses_provider_scale(long x);

#endif
