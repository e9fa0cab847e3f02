/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* GET /calendar/<token>.ics: the calendar of a feed (/calendar_feeds/), as iCalendar
 * (RFC 5545), for applications that subscribe to it with no credential but the token
 * of its URL. One VEVENT per reservation the feed shows (the statement decides which:
 * sql/011), with a strong ETag made of the text itself, so that a calendar that polls
 * gets 304 while nothing changed. */
#include <http_protocol.h>
#include <apr_strings.h>

#include "sched_private.h"
#include "sched_db.h"
#include "sched_feed.h"
#include "sched_ical.h"
#include "sched_limits.h"
#include "sched_parse.h"
#include "sched_res.h"
#include "sched_row.h"

#define SCHED_CT_CALENDAR "text/calendar; charset=utf-8"

/* Which of its columns the writers read (sched_calendar_feeds_ics). */
enum {
    SCHED_ICS_FEED_NAME = SCHED_CALENDAR_FEEDS_ICS__FEED_NAME,
    SCHED_ICS_OWNER = SCHED_CALENDAR_FEEDS_ICS__OWNER_NAME,
    SCHED_ICS_DOMAIN = SCHED_CALENDAR_FEEDS_ICS__UID_DOMAIN,
    SCHED_ICS_ID = SCHED_CALENDAR_FEEDS_ICS__ID,
    SCHED_ICS_STATUS = SCHED_CALENDAR_FEEDS_ICS__STATUS,
    SCHED_ICS_START = SCHED_CALENDAR_FEEDS_ICS__SLOT_START,
    SCHED_ICS_END = SCHED_CALENDAR_FEEDS_ICS__SLOT_END,
    SCHED_ICS_STAMP = SCHED_CALENDAR_FEEDS_ICS__STAMP,
    SCHED_ICS_SEQUENCE = SCHED_CALENDAR_FEEDS_ICS__SEQUENCE,
    SCHED_ICS_OTHER = SCHED_CALENDAR_FEEDS_ICS__OTHER_NAME
};

/* A time column as a DATE-TIME property (NULL, or infinity: none). */
static void sched_calendar_time(sched_ical_t *w, const char *name, const PGresult *res,
                                int row, int col)
{
    apr_int64_t usec;
    if (sched_row_time(res, row, col, &usec)) {
        sched_ical_time(w, name, usec);
    }
}

/* STATUS of a reservation's status: an expired hold is as cancelled as a cancelled
 * one; TRANSP says whether it takes the time. */
static void sched_calendar_status(sched_ical_t *w, const char *status)
{
    int pending = status && strcmp(status, "pending") == 0;
    int confirmed = status && strcmp(status, "confirmed") == 0;

    sched_ical_line(w, "STATUS", pending ? "TENTATIVE" : confirmed ? "CONFIRMED"
                                                                   : "CANCELLED");
    sched_ical_line(w, "TRANSP", pending || confirmed ? "OPAQUE" : "TRANSPARENT");
}

/* The VEVENT of the reservation of row. */
static void sched_calendar_event(request_rec *r, sched_ical_t *w, const PGresult *res,
                                 int row)
{
    apr_int64_t id = sched_row_int(res, row, SCHED_ICS_ID);
    const char *status = sched_row_text(res, row, SCHED_ICS_STATUS, NULL);
    const char *other = sched_row_text(res, row, SCHED_ICS_OTHER, NULL);
    const char *uid = apr_psprintf(r->pool, "reservation-%" APR_INT64_T_FMT "@%s", id,
                                   sched_row_text(res, row, SCHED_ICS_DOMAIN, NULL));
    const char *summary = apr_pstrcat(r->pool, "Appointment with ", other ? other : "?",
                                      NULL);
    const char *description = apr_psprintf(r->pool, "Reservation %" APR_INT64_T_FMT ": %s.",
                                           id, status ? status : "?");

    sched_ical_line(w, "BEGIN", "VEVENT");
    sched_ical_text(w, "UID", uid, strlen(uid));
    sched_calendar_time(w, "DTSTAMP", res, row, SCHED_ICS_STAMP);
    sched_calendar_time(w, "DTSTART", res, row, SCHED_ICS_START);
    sched_calendar_time(w, "DTEND", res, row, SCHED_ICS_END);
    sched_ical_text(w, "SUMMARY", summary, strlen(summary));
    sched_ical_text(w, "DESCRIPTION", description, strlen(description));
    sched_calendar_status(w, status);
    sched_ical_int(w, "SEQUENCE", sched_row_int(res, row, SCHED_ICS_SEQUENCE));
    sched_ical_line(w, "END", "VEVENT");
}

/* The calendar's name: the feed's, or "Appointments of <its owner's username>". */
static const char *sched_calendar_name(request_rec *r, const PGresult *res)
{
    const char *name = sched_row_text(res, 0, SCHED_ICS_FEED_NAME, NULL);
    if (name && *name) {
        return name;
    }
    return apr_pstrcat(r->pool, "Appointments of ",
                       sched_row_text(res, 0, SCHED_ICS_OWNER, NULL), NULL);
}

/* The whole calendar text of the statement's rows, in r->pool. */
static const char *sched_calendar_text(request_rec *r, const PGresult *res, apr_size_t *len)
{
    int i, n = PQntuples(res);
    const char *name = sched_calendar_name(r, res);
    sched_ical_t w;

    sched_ical_init(&w, r->pool, 512 + (apr_size_t)n * 512);
    sched_ical_line(&w, "BEGIN", "VCALENDAR");
    sched_ical_line(&w, "VERSION", "2.0");
    sched_ical_line(&w, "PRODID", "-//mod_sched//calendar feed//EN");
    sched_ical_line(&w, "CALSCALE", "GREGORIAN");
    sched_ical_text(&w, "NAME", name, strlen(name));
    sched_ical_text(&w, "X-WR-CALNAME", name, strlen(name));
    sched_ical_line(&w, "REFRESH-INTERVAL;VALUE=DURATION", "PT15M");
    sched_ical_line(&w, "X-PUBLISHED-TTL", "PT15M");
    for (i = 0; i < n; i++) {
        if (!sched_row_null(res, i, SCHED_ICS_ID)) {
            sched_calendar_event(r, &w, res, i);
        }
    }
    sched_ical_line(&w, "END", "VCALENDAR");
    return sched_ical_done(&w, len);
}

static int sched_calendar_get(sched_req_t *req)
{
    request_rec *r = req->r;
    const char *params[1], *text, *etag;
    apr_size_t len;
    PGresult *res;
    int rv;

    /* A token of another shape names nothing: no need to ask the database. */
    if (!sched_parse_feed_file(req->route.file)) {
        return sched_problem(r, HTTP_NOT_FOUND, "no such calendar", NULL);
    }
    if ((params[0] = sched_feed_sha256_hex(r, req->route.file, SCHED_FEED_TOKEN_LEN)) == NULL) {
        return sched_problem(r, HTTP_INTERNAL_SERVER_ERROR,
                             "the server could not complete the request", NULL);
    }
    if ((rv = sched_db_exec(r, SCHED_STMT_CALENDAR_FEEDS_ICS, 1, params, &res)) != OK) {
        return rv;
    }
    if (PQntuples(res) == 0) {
        return sched_problem(r, HTTP_NOT_FOUND, "no such calendar", NULL);
    }
    text = sched_calendar_text(r, res, &len);
    if ((etag = sched_feed_etag(r, text, len)) == NULL) {
        return sched_problem(r, HTTP_INTERNAL_SERVER_ERROR,
                             "the server could not complete the request", NULL);
    }
    sched_set_etag(r, etag, 0);
    /* The URL is a secret: no shared cache keeps the answer, and a private one asks
     * again (with the ETag) before it shows it. */
    apr_table_setn(r->headers_out, "Cache-Control", "private, no-cache");
    return sched_send_typed_if_changed(r, HTTP_OK, SCHED_CT_CALENDAR, text, len);
}

const sched_resource_t sched_res_calendar = { .name = "calendar", .file = sched_calendar_get };
