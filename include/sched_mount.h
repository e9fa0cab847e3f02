/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* Where the API is mounted: the path of each <Location> that says "SetHandler sched"
 * ("" for <Location /> and for a server or virtual host that says it outside any
 * <Location>). Read from the configuration tree when httpd starts, because httpd
 * gives a module no configuration of its own for a section that holds none of its
 * directives (and a <Location> with SetHandler alone holds none of mod_sched's). */
#ifndef SCHED_MOUNT_H
#define SCHED_MOUNT_H

#include "sched_private.h"

/* post_config: the mount points of every server (a virtual host has the main
 * server's and its own). */
void sched_mount_configure(apr_pool_t *p, server_rec *main_server);

/* The mount point a request is below: the longest whose path prefixes r->uri by
 * whole segments, or NULL when none does. */
const char *sched_mount_of(request_rec *r);

#endif
