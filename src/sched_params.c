/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Body values as statement parameters: see sched_params.h. */
#include <stdlib.h>
#include <apr_strings.h>

#include "sched_params.h"
#include "sched_hook.h"
#include "sched_time.h"

static int sched_param_ok(const sched_body_value_t *v)
{
    return v->got == SCHED_FIELD_OK && !v->null;
}

int sched_param_given(const sched_body_value_t *v)
{
    return v->got == SCHED_FIELD_OK;
}

const char *sched_param_int(request_rec *r, const sched_body_value_t *v)
{
    return sched_param_ok(v) ? sched_i64(r, v->i) : NULL;
}

const char *sched_param_bool(request_rec *r, const sched_body_value_t *v)
{
    (void)r;
    return sched_param_ok(v) ? (v->i ? "true" : "false") : NULL;
}

const char *sched_param_text(const sched_body_value_t *v)
{
    return sched_param_ok(v) ? v->s : NULL;
}

const char *sched_param_time(request_rec *r, const sched_body_value_t *v)
{
    return sched_param_ok(v) ? sched_time_format_utc(r->pool, v->i) : NULL;
}

const char *sched_param_json(request_rec *r, const sched_body_value_t *v)
{
    char *text;
    const char *copy;

    if (!sched_param_ok(v) || v->json == NULL) {
        return NULL;
    }
    text = json_dumps(v->json, JSON_COMPACT);
    copy = text ? apr_pstrdup(r->pool, text) : NULL;
    free(text);
    return copy;
}

const char *sched_param_strings(request_rec *r, const sched_body_value_t *v)
{
    const char **elems;
    size_t i, n;

    if (!sched_param_ok(v) || v->json == NULL) {
        return NULL;
    }
    n = json_array_size(v->json);
    elems = apr_palloc(r->pool, sizeof(*elems) * (n ? n : 1));
    for (i = 0; i < n; i++) {
        elems[i] = json_string_value(json_array_get(v->json, i));
    }
    return sched_hook_pg_array(r->pool, elems, (int)n);
}
