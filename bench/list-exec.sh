#!/usr/bin/env bash
# bench/list-exec.sh SCHEDCTL DSN [RUNS]
#
# The database's own time for one page of the bookable list: a provider with 201
# slots, the module's statement sched_slots_list_provider (as SCHEDCTL prints it)
# prepared with a generic plan, then EXPLAIN (ANALYZE) of it RUNS times (200 by
# default). Prints the mean and the median of PostgreSQL's "Execution Time", in ms.
# Works against any checkout's schedctl and a database migrated by it, so a run of
# an earlier version and of this one can be put side by side (README: Performance).
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: bench/list-exec.sh SCHEDCTL DSN [RUNS]" >&2; exit 2; }
SCHEDCTL=$1 DSN=$2 RUNS=${3:-200}
PSQL=${PSQL:-psql}

sql=$("$SCHEDCTL" statement sched_slots_list_provider)
provider=$("$PSQL" -X -A -t -q -v ON_ERROR_STOP=1 -d "$DSN" <<'SQL'
WITH u AS (INSERT INTO users (username, password)
           VALUES ('list_exec_' || txid_current(), '$2y$10$' || repeat('x', 53))
           RETURNING id),
     p AS (INSERT INTO providers (user_id) SELECT id FROM u RETURNING id),
     s AS (INSERT INTO slots (provider_id, start_time, end_time)
           SELECT p.id, t, t + interval '15 minutes'
             FROM p, generate_series(date_trunc('day', now()) + interval '3 days',
                                     date_trunc('day', now()) + interval '3 days'
                                     + 200 * interval '15 minutes',
                                     interval '15 minutes') t)
SELECT id FROM p
SQL
)
"$PSQL" -X -A -t -q -v ON_ERROR_STOP=1 -d "$DSN" <<SQL | perl -e '
    my @t = sort { $a <=> $b } map { /"Execution Time": ([\d.]+)/ ? $1 : () } <STDIN>;
    die "no plans\n" unless @t;
    my $sum = 0; $sum += $_ for @t;
    printf "list_slots execution in the database: mean %.3f ms, median %.3f ms (%d runs, 201 rows)\n",
        $sum / @t, $t[@t / 2], scalar @t;' 
SET plan_cache_mode = force_generic_plan;
PREPARE list AS $sql;
$(for _ in $(seq 1 "$RUNS"); do
    echo "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) EXECUTE list($provider, NULL, NULL, NULL, NULL, '604800 seconds', '86400 seconds', NULL, NULL, 1000);"
done)
SQL
