/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Query strings, decoded by name. See sched_query.h. */
#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "sched_query.h"

typedef struct sched_param_t {
    const char *value;
    int count;
    int undecodable;
} sched_param_t;

struct sched_query_t {
    apr_hash_t *params;         /* name -> sched_param_t */
};

static int sched_hex(int c)
{
    return apr_isdigit(c) ? c - '0' : apr_tolower(c) - 'a' + 10;
}

int sched_query_decode(char *s)
{
    char *out = s;
    for (; *s; s++) {
        if (*s == '+') {
            *out++ = ' ';
        }
        else if (*s != '%') {
            *out++ = *s;
        }
        else if (apr_isxdigit(s[1]) && apr_isxdigit(s[2])) {
            char c = (char)(sched_hex(s[1]) * 16 + sched_hex(s[2]));
            if (c == '\0') {
                return 0;
            }
            *out++ = c;
            s += 2;
        }
        else {
            return 0;
        }
    }
    *out = '\0';
    return 1;
}

sched_query_t *sched_query_parse(apr_pool_t *p, const char *args)
{
    sched_query_t *q = apr_palloc(p, sizeof(*q));
    char *copy, *pair, *last;

    q->params = apr_hash_make(p);
    if (args == NULL) {
        return q;
    }
    copy = apr_pstrdup(p, args);
    for (pair = apr_strtok(copy, "&", &last); pair; pair = apr_strtok(NULL, "&", &last)) {
        char *eq = strchr(pair, '=');
        /* no '=': the value is the empty string at the end of pair, which
         * sched_query_decode may write to (a string constant it may not) */
        char *value = eq ? eq + 1 : pair + strlen(pair);
        sched_param_t *param;
        int decoded;

        if (eq) {
            *eq = '\0';
        }
        if (!sched_query_decode(pair)) {
            continue;
        }
        decoded = sched_query_decode(value);
        param = apr_hash_get(q->params, pair, APR_HASH_KEY_STRING);
        if (param == NULL) {
            param = apr_pcalloc(p, sizeof(*param));
            apr_hash_set(q->params, pair, APR_HASH_KEY_STRING, param);
        }
        param->count++;
        param->value = decoded ? value : NULL;
        param->undecodable |= !decoded;
    }
    return q;
}

sched_query_state_e sched_query_lookup(const sched_query_t *q, const char *name,
                                       const char **value)
{
    const sched_param_t *param = apr_hash_get(q->params, name, APR_HASH_KEY_STRING);
    *value = NULL;
    if (param == NULL) {
        return SCHED_QUERY_ABSENT;
    }
    if (param->count > 1) {
        return SCHED_QUERY_REPEATED;
    }
    if (param->undecodable) {
        return SCHED_QUERY_UNDECODABLE;
    }
    *value = param->value;
    return SCHED_QUERY_OK;
}
