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
        NULL
    };
    json_t *root = sched_json_object(req->r);
    const char *const *name;
    char *text;

    for (name = names; *name; name++) {
        json_object_set_new(root, *name, json_string(apr_pstrcat(req->r->pool,
                            req->base_url, "/", *name, "/", NULL)));
    }
    text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    sched_send_json(req->r, HTTP_OK, apr_pstrdup(req->r->pool, text), strlen(text));
    free(text);
    return DONE;
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
