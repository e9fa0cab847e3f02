# The module writes the JSON of every answer from typed rows: times as PostgreSQL's
# to_json writes a timestamp, in UTC with a Z (null for infinity), whatever the
# database session's DateStyle and TimeZone; strings escaped; objects equal to what
# PostgreSQL's own JSON functions build from the same rows.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP ();
use SchedTest;

needs_local('starts httpd servers of its own');

my $JSON = JSON::PP->new->utf8->canonical;

# A server whose database sessions print dates another way.
my $odd = start_httpd(replace => {
    "options='-c statement_timeout=5s'" =>
        "options='-c statement_timeout=5s -c DateStyle=German -c TimeZone=Asia/Kolkata'",
});

# What PostgreSQL's to_json writes for a timestamptz column in UTC, with a Z; NULL
# for infinity.
sub pg_time {
    my ($expr) = @_;
    return "CASE WHEN isfinite($expr) THEN btrim(to_json($expr AT TIME ZONE 'UTC')::text,"
         . " '\"') || 'Z' END";
}

sub both_servers {
    my ($path) = @_;
    my $a = GET($path);
    my $b = req('GET', $odd->url . $path);
    is $a->{status}, 200, "GET $path" or diag $a->{content};
    is $b->{content}, $a->{content}, "GET $path: the same text from the other session";
    return $a->{json};
}

subtest 'times, as to_json writes them' => sub {
    my $p = make_provider();
    my @times = (
        [ '2026-01-01 10:00:00+02',        '2026-01-01 10:00:00.120+02' ],
        [ '2026-06-30 23:59:59.999999+00', '2027-03-28 02:30:00+01' ],
        [ '1999-12-31 19:00:00-05',        '2000-01-01 00:00:00.000001+00' ],
        [ '0999-01-01 00:00:00+00',        '0999-01-01 00:15:00.5+00' ],
        [ '1969-07-20 20:17:40+00',        '1970-01-01 00:00:00+00' ],
        [ '10000-01-01 00:00:00+00',       '10000-01-01 00:15:00+00' ],
        [ '10001-01-01 00:00:00+00',       'infinity' ],
    );
    my $values = join ', ', map { "('$_->[0]'::timestamptz, '$_->[1]'::timestamptz)" } @times;
    my @ids = split /\n/, psql("INSERT INTO slots (provider_id, start_time, end_time)"
        . " SELECT $p, s, e FROM (VALUES $values) v(s, e) RETURNING id");
    is scalar(@ids), scalar(@times), 'slots made in psql';
    for my $id (@ids) {
        my $want = psql("SELECT coalesce(" . pg_time('start_time') . ", 'null') || ' '"
                        . " || coalesce(" . pg_time('end_time') . ", 'null')"
                        . " FROM slots WHERE id = $id");
        my $j = both_servers("/available_slots/$id/");
        is join(' ', map { $_ // 'null' } $j->{start_time}, $j->{end_time}), $want,
            "slot $id: $want";
    }
    my $ids = join ',', @ids;
    psql("DELETE FROM slots WHERE id IN ($ids)");
};

subtest 'strings, escaped' => sub {
    my @emails = ('q"uote@x.org', 'back\\slash@x.org', "caf\x{e9}\x{20ac}\x{1F600}\@x.org",
                  '</script>@x.org', "tab\tx\@x.org");
    for my $email (@emails) {
        my $u = POST('/users/', { username => uniq('esc'), password => 'long enough',
                                  email => $email });
        if ($email =~ /\t/) {
            problem_ok($u, 400, 'a tab is space: refused');
            next;
        }
        is $u->{status}, 201, "a user with email $email" or diag $u->{content};
        my $j = both_servers("/users/$u->{json}{id}/");
        is $j->{email}, $email, 'reads back as written';
        is $j->{email}, $JSON->decode(psql("SELECT to_json(email) FROM users"
                                           . " WHERE id = $j->{id}")), 'as stored';
    }
};

# The API's object for each row, as PostgreSQL's JSON functions build it (a calendar
# feed's never holds its token).
my %built = (
    users => "SELECT jsonb_build_object('id', u.id, 'username', u.username, 'email', u.email,"
           . " 'is_superuser', u.is_superuser, 'is_active', u.is_active, 'date_joined', "
           . pg_time('u.date_joined') . ") FROM users u WHERE u.id = %d",
    clients => "SELECT jsonb_build_object('id', c.id, 'user', c.user_id) FROM clients c"
             . " WHERE c.id = %d",
    providers => "SELECT jsonb_build_object('id', p.id, 'user', p.user_id)"
               . " FROM providers p WHERE p.id = %d",
    available_slots => "SELECT jsonb_build_object('id', s.id, 'provider', s.provider_id,"
                     . " 'start_time', " . pg_time('s.start_time') . ", 'end_time', "
                     . pg_time('s.end_time') . ", 'source', s.source, 'available', "
                     . "s.start_time >= now() + "
                     . "interval '24 hours' AND NOT EXISTS (SELECT 1 FROM reservations r"
                     . " WHERE r.slot_id = s.id AND sched_holds(r))) FROM slots s"
                     . " WHERE s.id = %d",
    appointment_reservations => "SELECT jsonb_build_object('id', r.id, 'client', r.client_id,"
                     . " 'slot', r.slot_id, 'created_at', " . pg_time('r.created_at')
                     . ", 'confirmed', r.confirmed_at IS NOT NULL AND r.cancelled_at IS NULL,"
                     . " 'status', sched_reservation_status(r), 'expires_at', "
                     . pg_time('r.expires_at') . ", 'confirmed_at', "
                     . pg_time('r.confirmed_at') . ") FROM reservations r WHERE r.id = %d",
    schedules => "SELECT jsonb_build_object('id', x.id, 'provider', x.provider_id,"
               . " 'time_zone', x.time_zone, 'slot_minutes', x.slot_minutes,"
               . " 'buffer_before_minutes', x.buffer_before_minutes,"
               . " 'buffer_after_minutes', x.buffer_after_minutes,"
               . " 'min_notice_minutes', x.min_notice_minutes, 'horizon_days', x.horizon_days,"
               . " 'weekly', (SELECT coalesce(jsonb_agg(jsonb_build_object('weekday', i.weekday,"
               . " 'start', to_char(make_interval(mins => i.start_minute), 'HH24:MI'),"
               . " 'end', to_char(make_interval(mins => i.end_minute), 'HH24:MI'))"
               . " ORDER BY i.weekday, i.start_minute), '[]') FROM schedule_intervals i"
               . " WHERE i.schedule_id = x.id), 'materialized_until', "
               . pg_time('x.materialized_until') . ") FROM schedules x WHERE x.id = %d",
    schedule_overrides => "SELECT jsonb_build_object('id', o.id, 'provider', o.provider_id,"
               . " 'date', o.local_date, 'intervals', (SELECT coalesce(jsonb_agg("
               . "jsonb_build_object('start', to_char(make_interval(mins => i.start_minute),"
               . " 'HH24:MI'), 'end', to_char(make_interval(mins => i.end_minute), 'HH24:MI'))"
               . " ORDER BY i.start_minute), '[]') FROM schedule_override_intervals i"
               . " WHERE i.override_id = o.id)) FROM schedule_overrides o WHERE o.id = %d",
    time_off => "SELECT jsonb_build_object('id', t.id, 'provider', t.provider_id,"
              . " 'start_time', " . pg_time('t.start_time') . ", 'end_time', "
              . pg_time('t.end_time') . ", 'reason', t.reason) FROM time_off t"
              . " WHERE t.id = %d",
    calendar_feeds => "SELECT jsonb_build_object('id', f.id, 'provider', f.provider_id,"
              . " 'client', f.client_id, 'name', f.name, 'created_at', "
              . pg_time('f.created_at') . ") FROM calendar_feeds f WHERE f.id = %d",
);

subtest 'objects equal to jsonb_build_object of the same rows' => sub {
    my $p = make_provider();
    my $c = make_client();
    my $res = POST('/available_slots/', { provider => $p, start_time => at(5, '09:00'),
                                          end_time => at(5, '10:00') });
    is $res->{status}, 201, 'a window of four slots' or diag $res->{content};
    my @slots = map { $_->{id} } @{ $res->{json} || [] };
    my $r1 = POST('/appointment_reservations/', { client => $c, slot => $slots[0] })->{json};
    my $r2 = POST('/appointment_reservations/', { client => $c, slot => $slots[1] })->{json};
    is POST("/appointment_reservations/$r2->{id}/confirm/")->{status}, 200, 'one confirmed';
    my $user = psql("SELECT user_id FROM clients WHERE id = $c");
    my $sp = make_provider();
    my $sc = POST('/schedules/', { provider => $sp, time_zone => 'America/New_York',
                                   buffer_after_minutes => 5, min_notice_minutes => 90,
                                   weekly => [ { weekday => 2, start => '08:30',
                                                 end => '24:00' },
                                               { weekday => 1, start => '00:00',
                                                 end => '09:15' } ] });
    is $sc->{status}, 201, 'a schedule' or diag $sc->{content};
    my $ov = POST('/schedule_overrides/', { provider => $sp, date => day(20),
                                            intervals => [ { start => '13:05',
                                                             end => '14:00' } ] });
    is $ov->{status}, 201, 'an override' or diag $ov->{content};
    my $to = POST('/time_off/', { provider => $sp, start_time => at(30, '10:00'),
                                  end_time => at(31, '10:00'), reason => "caf\x{e9} \"x\"" });
    is $to->{status}, 201, 'time off' or diag $to->{content};
    my $pf = POST('/calendar_feeds/', { provider => $p, name => "caf\x{e9} \"x\"\n;," });
    is $pf->{status}, 201, "a provider's calendar feed" or diag $pf->{content};
    my $cf = POST('/calendar_feeds/', { client => $c });
    is $cf->{status}, 201, "a client's calendar feed" or diag $cf->{content};
    my %one = (users => $user, clients => $c, providers => $p,
               available_slots => $slots[0], appointment_reservations => $r1->{id},
               schedules => $sc->{json}{id}, schedule_overrides => $ov->{json}{id},
               time_off => $to->{json}{id}, calendar_feeds => $pf->{json}{id});
    for my $collection (sort keys %one) {
        for my $id ($one{$collection}, $collection eq 'appointment_reservations' ? $r2->{id}
                                       : $collection eq 'available_slots' ? $slots[2]
                                       : $collection eq 'calendar_feeds' ? $cf->{json}{id} : ()) {
            my $api = both_servers("/$collection/$id/");
            my $pg = $JSON->decode(psql(sprintf $built{$collection}, $id));
            is_deeply $api, $pg, "$collection $id";
        }
    }
    # Lists write the same objects.
    my $list = GET("/appointment_reservations/?client=$c");
    is_deeply $list->{json}, [ map { $JSON->decode(psql(sprintf
        $built{appointment_reservations}, $_)) } $r1->{id}, $r2->{id} ], 'a list';
};

finish();
