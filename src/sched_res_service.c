/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Service endpoints: the API root and the health check. */
#include <http_protocol.h>
#include <apr_strings.h>

#include "sched_private.h"
#include "sched_db.h"
#include "sched_res.h"

int sched_res_root(sched_req_t *req)
{
    static const char *const names[] = {
        "users", "clients", "providers", "available_slots", "appointment_reservations",
        "schedules", "schedule_overrides", "time_off", "calendar_feeds", NULL
    };
    const char *const *name;
    const char *text;
    sched_jsonw_t w;
    apr_size_t len;

    sched_jsonw_init(&w, req->r->pool, 512);
    sched_jsonw_open(&w, NULL, '{');
    for (name = names; *name; name++) {
        const char *url = apr_pstrcat(req->r->pool, req->base_url, "/", *name, "/", NULL);
        sched_jsonw_str(&w, *name, url, strlen(url));
    }
    sched_jsonw_close(&w, '}');
    text = sched_jsonw_text(&w, &len);
    return sched_send_json(req->r, HTTP_OK, text, len);
}

static int sched_health(sched_req_t *req)
{
    static const char ok[] = "{\"status\":\"ok\"}";
    PGresult *res;
    int rv = sched_db_exec(req->r, SCHED_STMT_HEALTH, 0, NULL, &res);
    if (rv != OK) {
        return rv;
    }
    return sched_send_json(req->r, HTTP_OK, ok, sizeof(ok) - 1);
}

const sched_resource_t sched_res_health = { .name = "health", .list = sched_health };
