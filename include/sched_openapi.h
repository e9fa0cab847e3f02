/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The OpenAPI document of the API: src/openapi.json, embedded by tools/embed.pl
 * into src/sched_openapi_doc.c at build time. */
#ifndef SCHED_OPENAPI_H
#define SCHED_OPENAPI_H

#include <apr.h>

/* The bytes of src/openapi.json, followed by a NUL. */
extern const char sched_openapi_json[];

/* Their count, without the NUL. */
extern const apr_size_t sched_openapi_json_len;

#endif
