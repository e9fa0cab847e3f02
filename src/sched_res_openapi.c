/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* GET /openapi.json: the OpenAPI document of the API, as src/openapi.json has it. */
#include <http_protocol.h>

#include "sched_private.h"
#include "sched_openapi.h"
#include "sched_res.h"

static int sched_openapi_get(sched_req_t *req)
{
    return sched_send_json(req->r, HTTP_OK, sched_openapi_json, sched_openapi_json_len);
}

const sched_resource_t sched_res_openapi = {
    .name = "openapi.json", .list = sched_openapi_get
};
