/* SPDX-License-Identifier: Apache-2.0 (see LICENSE) */
/* The limits of the API, in one place: the directives check their values against
 * them, the request bodies and query parameters are validated with them, schedctl
 * applies the same rules, and the messages that state them are made from them
 * (SCHED_STR). The database's constraints (sql/) restate the rules that guard its
 * rows; t/01-source.t checks that the two agree. Pure: no header needed. */
#ifndef SCHED_LIMITS_H
#define SCHED_LIMITS_H

/* "150" for SCHED_USERNAME_MAX: a limit in a message. */
#define SCHED_STR(x)  SCHED_STR_(x)
#define SCHED_STR_(x) #x

/* Users (users_username_check, users_email_check). */
#define SCHED_USERNAME_MAX      150
#define SCHED_PASSWORD_MIN      8
#define SCHED_PASSWORD_MAX      72      /* bytes: bcrypt reads no further */
#define SCHED_EMAIL_MAX         254

/* Slots. */
#define SCHED_SLOT_MINUTES_MIN  5
#define SCHED_SLOT_MINUTES_MAX  1440
#define SCHED_WINDOW_MAX_DAYS   31

/* Schedules (schedules_*_check of sql/006). */
#define SCHED_BUFFER_MINUTES_MAX      1440
#define SCHED_NOTICE_MINUTES_MAX      525600
#define SCHED_HORIZON_DAYS_MIN        1
#define SCHED_HORIZON_DAYS_MAX        365
#define SCHED_HORIZON_DAYS_DEFAULT    60
#define SCHED_WEEKLY_MAX              336     /* intervals: 48 a day */
#define SCHED_OVERRIDE_INTERVALS_MAX  48
#define SCHED_ZONE_NAME_MAX           64
#define SCHED_TIME_OFF_REASON_MAX     1000

/* Calendar feeds (calendar_feeds_name_check of sql/011), and the token of a feed's
 * URL: the prefix, then 32 random bytes in base64url without padding (RFC 4648 5). */
#define SCHED_FEED_NAME_MAX       200
#define SCHED_FEED_TOKEN_PREFIX   "cal_"
#define SCHED_FEED_TOKEN_BYTES    32
#define SCHED_FEED_TOKEN_LEN      (4 + 43)

/* Lists: ?limit= and SchedPageSize. */
#define SCHED_MAX_PAGE_SIZE     1000

/* Idempotency-Key: visible ASCII characters. */
#define SCHED_IDEMPOTENCY_KEY_MAX 255

/* Directive ranges, in seconds. */
#define SCHED_HOLD_TIME_MAX     (7 * 86400)
#define SCHED_MIN_NOTICE_MAX    (365 * 86400)
#define SCHED_WINDOW_MIN        60
#define SCHED_AUTH_CACHE_MAX    86400
#define SCHED_POOL_WAIT_MAX     300
#define SCHED_MAINTENANCE_MAX   86400
#define SCHED_RETENTION_MAX     (100LL * 365 * 86400)
#define SCHED_WEBHOOK_TIMEOUT_MAX   300
#define SCHED_WEBHOOK_DELAY_MAX     (7 * 86400)
#define SCHED_WEBHOOK_PARALLEL_MAX  64
#define SCHED_MAX_BODY_MAX      (64 * 1024 * 1024)

/* The username and email rules of the API, of schedctl and of the users table. */

/* 1 when s is 1 to SCHED_USERNAME_MAX ASCII letters, digits and @.+-_ */
int sched_rules_username_ok(const char *s);
/* The same, the length aside (the API checks it as every string's). */
int sched_rules_username_chars_ok(const char *s);
#define SCHED_RULES_USERNAME "ASCII letters, digits and @.+-_, 1 to " \
                             SCHED_STR(SCHED_USERNAME_MAX) " of them"

/* 1 when s is empty, or local@domain (one '@', text on both sides, no space or
 * control character) of SCHED_EMAIL_MAX bytes at most. */
int sched_rules_email_ok(const char *s);

#endif
