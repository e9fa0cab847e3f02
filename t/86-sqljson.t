# The SQL functions that write the API's JSON text (sql/004_faster_json.sql): RFC 3339
# times whatever the session's DateStyle and TimeZone, and objects equal to what
# PostgreSQL's own JSON functions build from the same rows.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use SchedTest;

my @times = (
    [ '2026-01-01 10:00:00+02'        => '2026-01-01T08:00:00Z' ],
    [ '2026-01-01 10:00:00.120+02'    => '2026-01-01T08:00:00.12Z' ],
    [ '2026-06-30 23:59:59.999999+00' => '2026-06-30T23:59:59.999999Z' ],
    [ '2027-03-28 02:30:00+01'        => '2027-03-28T01:30:00Z' ],
    [ '1999-12-31 19:00:00-05'        => '2000-01-01T00:00:00Z' ],
);

for my $session ("SET DateStyle = 'ISO, MDY'; SET TimeZone = 'UTC'",
                 "SET DateStyle = 'SQL, DMY'; SET TimeZone = 'America/New_York'",
                 "SET DateStyle = 'German'; SET TimeZone = 'Asia/Kolkata'") {
    subtest "sched_rfc3339 after $session" => sub {
        for my $t (@times) {
            is psql("$session; SELECT sched_rfc3339('$t->[0]'::timestamptz)"), $t->[1],
                "$t->[0] is $t->[1]";
        }
        is psql("$session; SELECT coalesce(sched_rfc3339('infinity'), 'NULL')"), 'NULL',
            'infinity has no RFC 3339 form: NULL';
        is psql("$session; SELECT coalesce(sched_rfc3339(NULL), 'NULL')"), 'NULL',
            'NULL is NULL';
    };
}

subtest 'objects equal to jsonb_build_object of the same rows' => sub {
    my $p = make_provider();
    make_client();
    my $d = day(5);
    my $res = POST('/available_slots/', { provider => $p, start_time => "${d}T09:00:00Z",
                                          end_time => "${d}T10:00:00Z" });
    is $res->{status}, 201, 'a window of four slots'
        or diag $res->{content};
    is psql("SELECT count(*) FROM slots WHERE provider_id = $p"), 4, 'four slots';
    my $text = psql("SELECT sched_slots_json(s) FROM slots s WHERE provider_id = $p"
                    . " ORDER BY start_time LIMIT 1");
    like $text, qr/^\{"id":\d+,"provider":$p,"start_time":"${d}T09:00:00Z","end_time":"${d}T09:15:00Z"\}$/,
        'a slot: compact, with RFC 3339 times';
    my %checks = (
        slots     => "SELECT bool_and(j - 'start_time' - 'end_time'"
                   . "   = jsonb_build_object('id', s.id, 'provider', s.provider_id)"
                   . " AND (j->>'start_time')::timestamptz = s.start_time"
                   . " AND (j->>'end_time')::timestamptz = s.end_time)"
                   . " FROM slots s CROSS JOIN LATERAL (SELECT sched_slots_json(s)::jsonb AS j) x"
                   . " WHERE s.provider_id = $p",
        clients   => "SELECT bool_and(sched_clients_json(c)::jsonb"
                   . " = jsonb_build_object('id', c.id, 'user', c.user_id)) FROM clients c",
        providers => "SELECT bool_and(sched_providers_json(p)::jsonb"
                   . " = jsonb_build_object('id', p.id, 'user', p.user_id)) FROM providers p",
    );
    for my $table (sort keys %checks) {
        is psql($checks{$table}), 't', "every row of $table";
    }
};

finish();
