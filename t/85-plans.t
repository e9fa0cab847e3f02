# Query plans of the hot statements: listing bookable slots, reading one client,
# booking, the password hash of a login, the feed of events and a calendar feed. The list of one provider has the same
# plan whether its slots are manual or a schedule made them (with buffers and time
# off), and keeps the index order (no Sort). Each statement's exact text comes from
# `tools/schedctl statement NAME`; it is prepared in a scratch database holding enough
# rows that a sequential scan would be a poor choice, and explained as a generic plan
# (the plan a pooled connection settles on after a few executions). The main table
# must be read through an index, and no table the statement touches (slots,
# reservations, clients, users) sequentially.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use File::Temp ();
use JSON::PP;
use SchedTest;

needs_local("makes a scratch database on make test's cluster");
use Test::More;

my $root = $ENV{SCHED_ROOT};
my $schedctl = $ENV{SCHED_SCHEDCTL} // "$root/tools/schedctl";
my $psql_bin = "$ENV{SCHED_PGBIN}/psql";

# A scratch database of its own: the plans depend on its rows alone.
my $scratch = 'sched_plans_' . $$;
psql("create database $scratch");
(my $dsn = $ENV{SCHED_DSN}) =~ s/dbname=\S+/dbname=$scratch/;
END { eval { psql("drop database if exists $scratch") } if $scratch }

# Runs SQL (several statements) in the scratch database; returns the output
# (unaligned, tuples only). Dies with psql's message on error.
sub scratch_sql {
    my ($sql) = @_;
    my $file = File::Temp->new(SUFFIX => '.sql');
    print {$file} $sql;
    close $file;
    my ($code, $out) = run_capture($psql_bin, '-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1',
                                   '-d', $dsn, '-f', $file->filename);
    die "psql failed: $out" if $code != 0;
    $out =~ s/^\s+|\s+\z//g;
    return $out;
}

my ($code, $out) = run_capture($schedctl, '--dsn', $dsn, 'migrate');
is $code, 0, 'scratch database migrated' or diag $out;

# 5000 users, all of them clients; 50 providers with 100 future and 100 past slots
# each (10,000 slots); every past slot with a cancelled and a confirmed reservation,
# every 10th future slot booked (about 10,500 reservations).
scratch_sql(<<'SQL');
INSERT INTO users (username, password)
SELECT 'plan_' || i, '$2y$10$planplanplanplanplanpleOZl5Mb2u1G4N5t5Uc0F3n0m3d7Q6u9e'
  FROM generate_series(1, 5000) i ORDER BY i;
INSERT INTO clients (user_id) SELECT id FROM users ORDER BY id;
INSERT INTO providers (user_id) SELECT id FROM users ORDER BY id LIMIT 50;
INSERT INTO slots (provider_id, start_time, end_time)
SELECT p.id, t, t + interval '15 minutes'
  FROM providers p, generate_series(-100, 99) q,
       LATERAL (SELECT date_trunc('day', now()) + interval '3 days'
                       + q * interval '15 minutes' AS t) x
 ORDER BY p.id, t;
INSERT INTO reservations (client_id, slot_id, created_at, expires_at, confirmed_at,
                          cancelled_at, held_from, held_until, slot_start, slot_end)
SELECT c.id, s.id, s.start_time - v.ago, s.start_time - v.ago + interval '30 minutes',
       CASE WHEN v.confirmed THEN s.start_time - v.ago + interval '5 minutes' END,
       CASE WHEN NOT v.confirmed THEN s.start_time - v.ago + interval '5 minutes' END,
       s.start_time - v.ago,
       CASE WHEN v.confirmed THEN 'infinity'
            ELSE s.start_time - v.ago + interval '30 minutes' END,
       s.start_time, s.end_time
  FROM slots s
  JOIN providers p ON p.id = s.provider_id
  JOIN clients c ON c.user_id = p.user_id,
       (VALUES (interval '9 days', false), (interval '8 days', true)) v(ago, confirmed)
 WHERE s.start_time < date_trunc('day', now()) + interval '3 days'
 ORDER BY s.id;
INSERT INTO reservations (client_id, slot_id, expires_at, confirmed_at, held_until,
                          slot_start, slot_end)
SELECT c.id, s.id, now() + interval '30 minutes', now(), 'infinity', s.start_time, s.end_time
  FROM slots s
  JOIN providers p ON p.id = s.provider_id
  JOIN clients c ON c.user_id = p.user_id
 WHERE s.start_time >= date_trunc('day', now()) + interval '3 days' AND s.id % 10 = 0;
SQL

# 50 more providers whose slots their schedules make (UTC, every day 08:00-16:00,
# 15 minutes, 10 days, half of them with buffers), some time off, and every 10th
# schedule slot booked.
scratch_sql(<<'SQL');
INSERT INTO users (username, password)
SELECT 'plan_s_' || i, '$2y$10$planplanplanplanplanpleOZl5Mb2u1G4N5t5Uc0F3n0m3d7Q6u9e'
  FROM generate_series(1, 50) i ORDER BY i;
INSERT INTO providers (user_id)
SELECT id FROM users WHERE username LIKE 'plan\_s\_%' ORDER BY id;
INSERT INTO schedules (provider_id, time_zone, slot_minutes, horizon_days,
                       buffer_after_minutes)
SELECT p.id, 'UTC', 15, 10, CASE WHEN p.id % 2 = 0 THEN 10 ELSE 0 END
  FROM providers p JOIN users u ON u.id = p.user_id AND u.username LIKE 'plan\_s\_%';
INSERT INTO schedule_intervals (schedule_id, weekday, start_minute, end_minute)
SELECT sc.id, wd, 480, 960 FROM schedules sc, generate_series(1, 7) wd;
SELECT sum(sched_schedule_extend(provider_id)) FROM schedules;
INSERT INTO time_off (provider_id, start_time, end_time)
SELECT provider_id, date_trunc('day', now()) + interval '5 days',
       date_trunc('day', now()) + interval '6 days'
  FROM schedules WHERE id % 5 = 0;
INSERT INTO reservations (client_id, slot_id, expires_at, confirmed_at, held_until,
                          slot_start, slot_end)
SELECT c.id, s.id, now() + interval '30 minutes', now(), 'infinity', s.start_time, s.end_time
  FROM slots s
  JOIN providers p ON p.id = s.provider_id
  JOIN clients c ON c.user_id = p.user_id
 WHERE s.source = 'schedule' AND s.id % 10 = 0
   AND NOT EXISTS (SELECT 1 FROM time_off o WHERE o.provider_id = s.provider_id
                      AND tstzrange(o.start_time, o.end_time)
                          && tstzrange(s.start_time, s.end_time));
VACUUM ANALYZE;
SQL

my $provider = scratch_sql('SELECT min(id) FROM providers');
my $scheduled = scratch_sql("SELECT min(provider_id) FROM schedules WHERE buffer_after_minutes > 0");
cmp_ok(scratch_sql("SELECT count(*) FROM slots WHERE source = 'schedule'"), '>=', 5000,
       'at least 5000 schedule slots');
my $client = scratch_sql('SELECT max(id) FROM clients');
my $free_slot = scratch_sql(
    "SELECT max(id) FROM slots WHERE start_time > now() + interval '2 days'");
my $date = scratch_sql("SELECT (date_trunc('day', now()) + interval '3 days')::date");
cmp_ok(scratch_sql('SELECT count(*) FROM slots'), '>=', 5000, 'at least 5000 slots');
# The rows above are events too (sql/007): a feed to read from its middle.
cmp_ok(scratch_sql('SELECT count(*) FROM events'), '>=', 20000, 'at least 20000 events');
my ($event_xid, $event_id) = split /\|/, scratch_sql(
    'SELECT xid, id FROM events ORDER BY xid, id OFFSET 10000 LIMIT 1');

# Calendar feeds: one of the first provider (200 reservations, and 100 slots booked
# later), one of the last client, and 2000 others, of every provider and client.
scratch_sql(<<SQL);
INSERT INTO calendar_feeds (provider_id, token_hash) VALUES ($provider, sha256('plan-p'));
INSERT INTO calendar_feeds (client_id, token_hash) VALUES ($client, sha256('plan-c'));
INSERT INTO calendar_feeds (provider_id, token_hash)
SELECT id, sha256(('p' || id)::bytea) FROM providers WHERE id <> $provider;
INSERT INTO calendar_feeds (client_id, token_hash)
SELECT id, sha256(('c' || id)::bytea) FROM clients WHERE id <> $client ORDER BY id LIMIT 2000;
ANALYZE calendar_feeds;
SQL

# Every scan of the plan: [node type, relation] (a Bitmap Heap Scan's index is its
# child Bitmap Index Scan).
sub scans {
    my ($node, $out) = @_;
    push @$out, [ $node->{'Node Type'}, $node->{'Relation Name'} // '',
                  $node->{'Index Name'} // '' ]
        if $node->{'Node Type'} =~ /Scan$/;
    scans($_, $out) for @{ $node->{Plans} || [] };
    return $out;
}

# The generic plan of statement NAME with these parameters (SQL literals), as JSON.
sub generic_plan {
    my ($name, @params) = @_;
    my ($code, $sql) = run_capture($schedctl, 'statement', $name);
    is $code, 0, "schedctl statement $name" or diag $sql;
    $sql =~ s/\s+\z//;
    my $json = scratch_sql("SET plan_cache_mode = force_generic_plan;\n"
                           . "PREPARE hot AS $sql;\n"
                           . 'EXPLAIN (FORMAT JSON) EXECUTE hot(' . join(', ', @params)
                           . ");\n");
    return decode_json($json)->[0]{Plan};
}

my @statements = (
    [ sched_slots_list_provider => 'slots', $provider, 'NULL', 'NULL', "'$date'", 'NULL',
      "'604800 seconds'", "'86400 seconds'", 'NULL', 'NULL', 101 ],
    [ sched_slots_list_provider => 'slots', $scheduled, 'NULL', 'NULL', "'$date'", 'NULL',
      "'604800 seconds'", "'86400 seconds'", 'NULL', 'NULL', 101 ],
    [ sched_slots_list => 'slots', 'NULL', 'NULL', 'NULL', "'$date'", 'NULL',
      "'604800 seconds'", "'86400 seconds'", 'NULL', 'NULL', 101 ],
    [ sched_clients_get => 'clients', "'plan_1'", 'false', $client ],
    [ sched_auth_password => 'users', "'plan_4000'" ],
    [ sched_reservations_create => 'slots', "'plan_1'", 'false', $client, $free_slot,
      "'1800 seconds'", "'86400 seconds'", 'NULL', "'client=$client&slot=$free_slot&user='" ],
    [ sched_events_list => 'events', "'plan_1'", 'true', 'NULL', 'NULL', 101 ],
    [ sched_events_list => 'events', "'plan_1'", 'true', $event_xid, $event_id, 101 ],
    [ sched_history_list => 'events', "'plan_1'", 'true', "'slot'", $free_slot, 'NULL', 101 ],
    [ sched_calendar_feeds_ics => 'reservations', "encode(sha256('plan-p'), 'hex')" ],
    [ sched_calendar_feeds_ics => 'reservations', "encode(sha256('plan-c'), 'hex')" ],
);

for my $s (@statements) {
    my ($name, $main, @params) = @$s;
    subtest $name => sub {
        my $plan = generic_plan($name, @params);
        my @scans = @{ scans($plan, []) };
        my $text = join("\n", map { "  $_->[0]" . ($_->[1] ? " on $_->[1]" : '')
                                     . ($_->[2] ? " using $_->[2]" : '') } @scans);
        note "scans of the generic plan of $name:\n$text";
        my @on_main = grep { $_->[1] eq $main } @scans;
        ok(@on_main, "$name reads $main") or diag $text;
        for my $scan (@on_main) {
            like($scan->[0], qr/^(?:Index Scan|Index Only Scan|Bitmap Heap Scan)$/,
                 "$name reads $main through an index ($scan->[0])") or diag $text;
        }
        my @seq = grep { $_->[0] eq 'Seq Scan' && $_->[1] =~ /^(?:slots|reservations|clients|users)$/ }
            @scans;
        ok(!@seq, "$name: no Seq Scan on slots, reservations, clients or users")
            or diag "scans of the generic plan:\n$text";
    };
}

# The feed and a history read their page from the index in its order: the LIMIT
# stops the index scan after a page, whatever the size of the table.
for my $s ([ 'the feed', 'events_feed_idx', 'sched_events_list', "'plan_1'", 'true',
             $event_xid, $event_id, 101 ],
           [ 'a history', 'events_object_idx', 'sched_history_list', "'plan_1'", 'true',
             "'slot'", $free_slot, 'NULL', 101 ]) {
    my ($what, $index, $name, @params) = @$s;
    my @scans = grep { $_->[1] eq 'events' } @{ scans(generic_plan($name, @params), []) };
    is_deeply [ map { "$_->[0] $_->[2]" } @scans ], [ "Index Scan $index" ],
        "$what: one index scan of events, on $index";
}

# A calendar feed: the feed by the hash of its token, a provider's reservations by the
# index of what a feed shows (sql/011), whatever their number, a client's by client.
for my $s ([ "a provider's calendar", 'plan-p', 'reservations_provider_feed_idx' ],
           [ "a client's calendar", 'plan-c', 'reservations_client_idx' ]) {
    my ($what, $secret, $index) = @$s;
    my @scans = @{ scans(generic_plan('sched_calendar_feeds_ics',
                                      "encode(sha256('$secret'), 'hex')"), []) };
    my ($feed) = grep { $_->[1] eq 'calendar_feeds' } @scans;
    is "$feed->[0] $feed->[2]", 'Index Scan calendar_feeds_token_hash_key',
        "$what: the feed by its token's hash";
    ok((grep { $_->[2] eq $index } @scans), "$what: its reservations through $index");
}

# The webhook sender's claim and record, with a backlog of 60,000 deliveries (three
# webhooks of every event): by index, never a scan of the deliveries or the events.
subtest 'the webhook sender reads its queue by index, whatever the backlog' => sub {
    scratch_sql(<<'SQL');
INSERT INTO webhooks (url, events, secret)
SELECT 'https://example.org/' || i, '{*}', decode(repeat('ab', 32), 'hex')
  FROM generate_series(1, 3) i;
INSERT INTO webhook_deliveries (webhook_id, event_id, next_attempt_at)
SELECT w.id, e.id, now() FROM webhooks w, events e ORDER BY e.id, w.id;
VACUUM ANALYZE;
SQL
    my $ids = '{' . join(',', split /\n/, scratch_sql(
        'SELECT id FROM webhook_deliveries ORDER BY id DESC LIMIT 8')) . '}';
    for my $s ([ sched_webhooks_claim => "'25 seconds'", 8, 6 ],
               [ sched_webhooks_record => "'$ids'", "'{1,1,1,1,1,1,1,1}'",
                 "'{now,now,now,now,now,now,now,now}'", "'{204,204,204,204,204,204,204,204}'",
                 "'{NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL}'",
                 "'{NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL}'", "'{f,f,f,f,f,f,f,f}'" ]) {
        my ($name, @params) = @$s;
        my @scans = @{ scans(generic_plan($name, @params), []) };
        my $text = join("\n", map { "  $_->[0] on $_->[1] $_->[2]" } @scans);
        ok((grep { $_->[1] eq 'webhook_deliveries' } @scans), "$name reads the deliveries")
            or diag $text;
        my @seq = grep { $_->[0] eq 'Seq Scan'
                         && $_->[1] =~ /^(?:webhook_deliveries|events|webhook_attempts)$/ } @scans;
        ok(!@seq, "$name: no Seq Scan on the deliveries, the events or the attempts")
            or diag $text;
    }
};

# The shape of a plan: its node types, depth first.
sub shape {
    my ($node) = @_;
    return join(' ', $node->{'Node Type'} . ($node->{'Index Name'} ? "[$node->{'Index Name'}]" : ''),
                map { '(' . shape($_) . ')' } @{ $node->{Plans} || [] });
}

subtest 'a list over schedule slots has the plan of a list over manual slots' => sub {
    my @args = ('NULL', 'NULL', "'$date'", 'NULL', "'604800 seconds'", "'86400 seconds'",
                'NULL', 'NULL', 101);
    my $manual = generic_plan('sched_slots_list_provider', $provider, @args);
    my $schedule = generic_plan('sched_slots_list_provider', $scheduled, @args);
    is shape($schedule), shape($manual), 'the same plan' or diag shape($schedule);
    unlike shape($manual), qr/\bSort\b/, 'no Sort: the index gives the order';
    like shape($manual), qr/Index Scan\[slots_provider_start_idx\]/,
        'slots read by provider and start';
};

finish();
