# Provider schedules through the server: /schedules/, /schedule_overrides/ and
# /time_off/ created, read, listed (filters, paging), changed and deleted; every bad
# field a 400 that names it and makes nothing; the slots a schedule makes (source
# "schedule"), listed and booked like any other: a worked Europe/Paris week in winter
# and in summer time, Sundays of 23 and 25 hours in Europe/Paris and Australia/Sydney,
# half- and quarter-hour offsets, overrides by local date in Pacific/Auckland; time
# off; manual slots that win; reserved slots that a change keeps ("kept"); buffers,
# min_notice_minutes and horizon_days binding listing and booking alike; who may do
# what at /secure/ and /public/; concurrent changes of one provider.
#
# The test server runs with SchedMinNotice 24h and SchedHoldTime 3s at / (bookings
# that must stay active are confirmed); /day has SchedWindow 1d, so that
# ?date=D&tz=Z lists exactly one local day. Dates are found relative to now (the next
# day of 23 or 25 hours of a zone, the next Monday in winter or in summer time, ...),
# and the UTC instants expected of local times come from the system's zone database
# (POSIX mktime), not from PostgreSQL. Every subtest makes its own providers.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use HTTP::Tiny;
use JSON::PP;
use MIME::Base64 qw(encode_base64);
use POSIX ();
use Time::Local qw(timegm);
use SchedTest;

needs_local("needs the test server's /day (SchedWindow 1d) and /public mounts");

my $NOW = time;
my $MISSING_ID = '9223372036854775807';
my $TRUE = JSON::PP::true;
my $FALSE = JSON::PP::false;
my @SCHEDULE_KEYS = qw(buffer_after_minutes buffer_before_minutes horizon_days id
                       materialized_until min_notice_minutes provider slot_minutes
                       time_zone weekly);
my @OVERRIDE_KEYS = qw(date id intervals provider);
my @TIME_OFF_KEYS = qw(end_time id provider reason start_time);
my @SLOT_KEYS = qw(end_time id provider source start_time);

# ---- Dates and zones ----------------------------------------------------------------

# Seconds since the epoch of the local wall-clock time $hm ("HH:MM") of $date in
# $zone, by the system's zone database.
sub local_epoch {
    my ($zone, $date, $hm) = @_;
    my ($y, $m, $d) = split /-/, $date;
    my ($H, $M) = split /:/, $hm;
    my $t;
    {
        local $ENV{TZ} = $zone;
        POSIX::tzset();
        $t = POSIX::mktime(0, $M, $H, $d, $m - 1, $y - 1900, 0, 0, -1);
    }
    POSIX::tzset();
    die "local_epoch: $zone $date $hm\n" unless defined $t;
    return $t;
}

# RFC 3339 (UTC) of local time $hm of $date in $zone.
sub utc {
    my ($zone, $date, $hm) = @_;
    return rfc3339(local_epoch($zone, $date, $hm));
}

# 00:00 UTC of $date.
sub day_epoch {
    my ($date) = @_;
    my ($y, $m, $d) = split /-/, $date;
    return timegm(0, 0, 0, $d, $m - 1, $y);
}

sub add_days {
    my ($date, $n) = @_;
    return POSIX::strftime('%Y-%m-%d', gmtime(day_epoch($date) + 43200 + $n * 86400));
}

# ISO weekday of $date (1 Monday ... 7 Sunday).
sub isodow {
    my ($date) = @_;
    return (gmtime(day_epoch($date) + 43200))[6] || 7;
}

# The local date of $zone $n days from when the file started.
sub local_date {
    my ($zone, $n) = @_;
    my $d;
    {
        local $ENV{TZ} = $zone;
        POSIX::tzset();
        $d = POSIX::strftime('%Y-%m-%d', localtime($NOW + $n * 86400));
    }
    POSIX::tzset();
    return $d;
}

# Hours between local midnights of $date and the next date in $zone.
sub day_hours {
    my ($zone, $date) = @_;
    return (local_epoch($zone, add_days($date, 1), '00:00') - local_epoch($zone, $date, '00:00'))
        / 3600;
}

# The next local date of $zone, two days from now at the earliest, that lasts $hours.
sub next_day_of {
    my ($zone, $hours) = @_;
    my $d = local_date($zone, 2);
    for (1 .. 400) {
        return $d if day_hours($zone, $d) == $hours;
        $d = add_days($d, 1);
    }
    die "no day of $hours hours in $zone within 400 days\n";
}

# The first local date of $zone from $n days on that is ISO weekday $dow and for which
# $test->($date) holds.
sub next_weekday {
    my ($zone, $n, $dow, $test) = @_;
    my $d = local_date($zone, $n);
    for (1 .. 400) {
        return $d if isodow($d) == $dow && (!$test || $test->($d));
        $d = add_days($d, 1);
    }
    die "no such weekday in $zone\n";
}

# ---- Rows ---------------------------------------------------------------------------

sub keys_of {
    my ($h) = @_;
    return [ sort keys %{ ref $h eq 'HASH' ? $h : {} } ];
}

sub without {
    my ($h, @drop) = @_;
    my %copy = %{ ref $h eq 'HASH' ? $h : {} };
    delete @copy{@drop};
    return \%copy;
}

# Every day of the week, start to end.
sub daily {
    my ($start, $end) = @_;
    return [ map { { weekday => $_, start => $start, end => $end } } 1 .. 7 ];
}

# POST $body to $path; expects 201 and returns the resource.
sub created {
    my ($path, $body, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $res = POST($path, $body);
    is $res->{status}, 201, $name // "POST $path" or diag $res->{content};
    return ref $res->{json} eq 'HASH' ? $res->{json} : {};
}

sub schedule {
    my (%body) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    $body{provider} = 0 + $body{provider};
    return created('/schedules/', \%body,
                   "a schedule of provider $body{provider} in $body{time_zone}");
}

sub override {
    my ($provider, $date, $intervals) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    return created('/schedule_overrides/', { provider => 0 + $provider, date => $date,
                                            intervals => $intervals },
                   "an override of provider $provider on $date");
}

sub time_off {
    my ($provider, $start, $end, %more) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    return created('/time_off/', { provider => 0 + $provider, start_time => $start,
                                   end_time => $end, %more },
                   "time off of provider $provider, $start - $end");
}

# POST a window; expects 201 and returns the slots made.
sub window {
    my ($provider, $start, $end, %more) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $res = POST('/available_slots/', { provider => 0 + $provider, start_time => $start,
                                          end_time => $end, %more });
    is $res->{status}, 201, "window $start - $end" or diag $res->{content};
    return ref $res->{json} eq 'ARRAY' ? $res->{json} : [];
}

# A booking of $slot by a new client (the answer).
sub book_res {
    my ($slot) = @_;
    return POST('/appointment_reservations/', { client => make_client(), slot => 0 + $slot });
}

# Books $slot for a new client and confirms the booking, so that it stays active;
# returns the reservation's id.
sub book {
    my ($slot) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $res = book_res($slot);
    is $res->{status}, 201, "book slot $slot" or diag $res->{content};
    my $id = ref $res->{json} eq 'HASH' ? $res->{json}{id} : undef;
    return undef unless defined $id;
    my $c = POST("/appointment_reservations/$id/confirm/");
    is $c->{status}, 200, "confirm reservation $id" or diag $c->{content};
    return $id;
}

sub cancel {
    my ($reservation) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $res = POST("/appointment_reservations/$reservation/cancel/");
    is $res->{status}, 200, "cancel reservation $reservation" or diag $res->{content};
}

# GET $path: 200 with an array, which it returns.
sub list_of {
    my ($path) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $res = GET($path);
    is $res->{status}, 200, "GET $path" or diag $res->{content};
    return ref $res->{json} eq 'ARRAY' ? $res->{json} : [];
}

# The bookable slots of $provider on local date $date of $zone (/day lists one day).
sub listed_day {
    my ($provider, $zone, $date) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    return list_of("/day/available_slots/?provider=$provider&date=$date&tz=$zone&limit=1000");
}

sub spans  { return [ map { "$_->{start_time} $_->{end_time}" } @{ $_[0] || [] } ] }
sub starts { return [ map { $_->{start_time} } @{ $_[0] || [] } ] }
sub ids    { return [ map { $_->{id} } @{ $_[0] || [] } ] }
sub has    { my ($list, $id) = @_; return scalar grep { $_ == $id } @$list }

# "start end" of the local times @hm of $date in $zone, each $minutes long.
sub local_spans {
    my ($zone, $date, $minutes, @hm) = @_;
    return [ map { my $t = local_epoch($zone, $date, $_);
                   rfc3339($t) . ' ' . rfc3339($t + 60 * $minutes) } @hm ];
}

sub hours {
    my ($slots) = @_;
    my $sum = 0;
    $sum += epoch($_->{end_time}) - epoch($_->{start_time}) for @{ $slots || [] };
    return $sum / 3600;
}

# Each slot ends where the next one starts.
sub contiguous {
    my ($slots) = @_;
    return 1 if @$slots < 2;
    return !grep { $slots->[$_]{end_time} ne $slots->[$_ + 1]{start_time} } 0 .. $#$slots - 1;
}

# Every slot of $provider in the database that starts in [$from, $to) (SQL
# timestamptz expressions; from now on by default), booked or not, listed or not:
# {id, start_time, end_time, source} in time order.
sub stored {
    my ($provider, $from, $to) = @_;
    $from //= 'now()';
    $to //= "'infinity'";
    my $fmt = q{'YYYY-MM-DD"T"HH24:MI:SS"Z"'};
    my $out = psql("SELECT id || ' ' || to_char(start_time AT TIME ZONE 'UTC', $fmt) || ' '"
                   . " || to_char(end_time AT TIME ZONE 'UTC', $fmt) || ' ' || source"
                   . " FROM slots WHERE provider_id = $provider AND start_time >= $from"
                   . " AND start_time < $to ORDER BY start_time, id");
    return [ map {
        my ($id, $s, $e, $source) = split / /;
        { id => 0 + $id, start_time => $s, end_time => $e, source => $source }
    } grep { length } split /\n/, $out ];
}

# The slots of $provider in the database that start on local date $date of $zone.
sub stored_day {
    my ($provider, $zone, $date) = @_;
    return stored($provider, "'" . utc($zone, $date, '00:00') . "'",
                  "'" . utc($zone, add_days($date, 1), '00:00') . "'");
}

sub count_of {
    my ($table, $provider) = @_;
    return 0 + psql("SELECT count(*) FROM $table WHERE provider_id = $provider");
}

sub overlaps {
    my ($provider) = @_;
    return 0 + psql("SELECT count(*) FROM slots a JOIN slots b ON a.provider_id = b.provider_id"
                    . " AND a.id < b.id AND tstzrange(a.start_time, a.end_time)"
                    . " && tstzrange(b.start_time, b.end_time) WHERE a.provider_id = $provider");
}

# Distinct "HH:MM-HH:MM" (UTC) of the provider's future slots.
sub times_of_day {
    my ($provider) = @_;
    my %t;
    $t{ substr($_->{start_time}, 11, 5) . '-' . substr($_->{end_time}, 11, 5) }++
        for @{ stored($provider) };
    return [ sort keys %t ];
}

# Follows the Links of a list from $path; returns (ids, page sizes, problems).
sub walk {
    my ($path, $limit) = @_;
    my $raw = HTTP::Tiny->new(timeout => 30);
    my (@ids, @sizes, @bad, %seen);
    my $next = url($path);
    my ($base) = $path =~ m{^([^?]*)};
    while (defined $next) {
        my $res = $raw->get($next);
        if ($res->{status} != 200) {
            push @bad, "$next: $res->{status} $res->{content}";
            last;
        }
        my $page = eval { decode_json($res->{content}) };
        if (ref $page ne 'ARRAY') {
            push @bad, "$next: not an array";
            last;
        }
        push @sizes, scalar @$page;
        push @ids, map { $_->{id} } @$page;
        $next = next_link({ headers => $res->{headers} });
        last unless defined $next;
        push @bad, "odd Link: $next"
            unless index($next, url($base) . '?') == 0 && $next =~ /[?&]limit=$limit(?:&|$)/
                && $next =~ /[?&]after=[^&]+/;
        if ($seen{$next}++ || @sizes > 2000) {
            push @bad, "the Links loop: $next";
            last;
        }
    }
    return (\@ids, \@sizes, \@bad);
}

# POST $body to $path must be 400 naming $field. Should it make something instead,
# that is deleted again, so that the next case starts from the same state.
sub refused {
    my ($path, $body, $field, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $res = POST($path, $body);
    field_error($res, 400, $field, $name);
    DELETE("$path$res->{json}{id}/")
        if $res->{status} == 201 && ref $res->{json} eq 'HASH' && $res->{json}{id};
    return $res;
}

# ---- A schedule and its slots ---------------------------------------------------------

subtest 'the worked example: Mondays 09:00-12:00 and 13:00-17:30 in Europe/Paris' => sub {
    my $zone = 'Europe/Paris';
    my $p = make_provider();
    my $weekly = [ { weekday => 1, start => '13:00', end => '17:30' },
                   { weekday => 1, start => '09:00', end => '12:00' } ];
    my $res = POST('/schedules/', { provider => $p, time_zone => $zone, slot_minutes => 30,
                                    buffer_after_minutes => 10, horizon_days => 365,
                                    weekly => $weekly });
    is $res->{status}, 201, 'POST /schedules/ is 201' or diag $res->{content};
    like $res->{headers}{'content-type'} // '', qr{^application/json}, 'JSON';
    my $s = ref $res->{json} eq 'HASH' ? $res->{json} : {};
    like $s->{id} // '', qr/^[1-9][0-9]*$/, 'an id';
    is $res->{headers}{location}, url("/schedules/$s->{id}/"), 'Location';
    is_deeply keys_of($s), [ sort @SCHEDULE_KEYS, 'kept' ], 'the fields of a schedule, and kept';
    is_deeply { map { $_ => $s->{$_} } qw(provider time_zone slot_minutes buffer_before_minutes
                                          buffer_after_minutes min_notice_minutes horizon_days) },
        { provider => $p, time_zone => $zone, slot_minutes => 30, buffer_before_minutes => 0,
          buffer_after_minutes => 10, min_notice_minutes => undef, horizon_days => 365 },
        'the values sent; buffer_before_minutes 0; min_notice_minutes null (SchedMinNotice)';
    is_deeply $s->{weekly}, [ $weekly->[1], $weekly->[0] ], 'weekly sorted by weekday and start';
    is_deeply $s->{kept}, [], 'kept: []';
    my $until = epoch($s->{materialized_until});
    ok defined $until && $until >= time - 60 + 364 * 86400 && $until <= time + 60 + 365 * 86400,
        'materialized_until is about now + 365 days (' . ($s->{materialized_until} // 'none') . ')';

    my $get = GET("/schedules/$s->{id}/");
    is $get->{status}, 200, 'GET /schedules/{id}/';
    is_deeply $get->{json}, without($s, 'kept'), 'the schedule, without kept';
    is_deeply GET("/schedules/$s->{id}")->{json}, $get->{json}, 'the same without the final slash';
    my $head = HEAD("/schedules/$s->{id}/");
    is $head->{status}, 200, 'HEAD';
    is $head->{content}, '', 'HEAD has no body';

    is psql("SELECT count(*) FROM slots WHERE provider_id = $p AND"
            . " extract(isodow FROM start_time AT TIME ZONE '$zone') <> 1"), 0,
        'slots on Mondays only';
    # The first Monday in winter time (UTC+1) and the first in summer time (UTC+2).
    for my $offset (1, 2) {
        my $monday = next_weekday($zone, 2, 1, sub {
            day_epoch($_[0]) + 12 * 3600 - local_epoch($zone, $_[0], '12:00') == $offset * 3600 });
        my @want;
        for my $iv ([ 9 * 60, 12 * 60 ], [ 13 * 60, 17 * 60 + 30 ]) {
            for (my $m = $iv->[0]; $m + 30 <= $iv->[1]; $m += 30) {
                my $t = day_epoch($monday) + ($m - 60 * $offset) * 60;
                push @want, rfc3339($t) . ' ' . rfc3339($t + 1800);
            }
        }
        # The 7 local days from that Monday: that Monday's slots only.
        my $got = list_of("/available_slots/?provider=$p&date=$monday&tz=$zone&limit=1000");
        is_deeply spans($got), \@want,
            "Monday $monday (UTC+$offset): 15 slots, from 09:00 local = "
            . substr($want[0], 11, 5) . 'Z to 17:30 local' or diag explain spans($got);
        is_deeply [ map { $_->{source} } @$got ], [ ('schedule') x @$got ], 'source: schedule';
        is_deeply [ map { $_->{provider} } @$got ], [ ($p) x @$got ], 'of the provider';
        ok !grep({ join(',', @{ keys_of($_) }) ne join(',', @SLOT_KEYS) } @$got),
            'each with id, provider, start_time, end_time, source';
        my $slot = $got->[5] or next;    # 11:30-12:00 local
        my $one = GET("/available_slots/$slot->{id}/");
        is $one->{status}, 200, 'GET one schedule slot';
        is_deeply without($one->{json}, 'available'), $slot, 'the slot as listed';
        book($slot->{id});
        my $after = list_of("/available_slots/?provider=$p&date=$monday&tz=$zone&limit=1000");
        is_deeply ids($after), [ map { $_->{id} } @$got[0 .. 3, 6 .. 14] ],
            'booked by id: no longer listed, nor 11:00 local (within its 10 minutes after)';
    }
};

subtest 'defaults; 24:00 and intervals that meet; min_notice_minutes null' => sub {
    my $p = make_provider();
    my $weekly = [ { weekday => 2, start => '12:00', end => '24:00' },
                   { weekday => 2, start => '09:00', end => '12:00' } ];
    my $s = schedule(provider => $p, time_zone => 'UTC', weekly => $weekly);
    is_deeply [ @$s{qw(slot_minutes buffer_before_minutes buffer_after_minutes
                       min_notice_minutes horizon_days)} ], [ 15, 0, 0, undef, 60 ],
        'defaults: slot_minutes SchedSlotLength (15), no buffers, SchedMinNotice, 60 days';
    is_deeply $s->{weekly}, [ $weekly->[1], $weekly->[0] ], '"24:00" and intervals that meet';
    my $until = epoch($s->{materialized_until});
    ok defined $until && $until >= time - 60 + 59 * 86400 && $until <= time + 60 + 60 * 86400,
        'materialized_until is about now + 60 days';
    my $tuesday = next_weekday('UTC', 2, 2);
    my $got = listed_day($p, 'UTC', $tuesday);
    is scalar @$got, 60, "Tuesday $tuesday 09:00-24:00 UTC: 60 slots of 15 minutes";
    is $got->[0]{start_time}, "${tuesday}T09:00:00Z", 'from 09:00Z';
    is $got->[-1]{end_time}, add_days($tuesday, 1) . 'T00:00:00Z', 'to 24:00, the next 00:00Z';
    ok contiguous($got), 'without a hole at 12:00';
    is psql("SELECT count(*) FROM slots WHERE provider_id = $p"
            . " AND start_time >= now() + interval '60 days'"), 0, 'none beyond 60 days';
    cmp_ok psql("SELECT count(*) FROM slots WHERE provider_id = $p"
                . " AND start_time >= now() + interval '53 days'"), '>=', 56,
        'but up to there';

    my $q = make_provider();
    my $t = schedule(provider => $q, time_zone => 'Asia/Tokyo', min_notice_minutes => undef,
                     weekly => []);
    is $t->{min_notice_minutes}, undef, 'min_notice_minutes null is accepted';
    is_deeply $t->{weekly}, [], 'weekly [] is a schedule with no hours';
    is count_of('slots', $q), 0, 'and makes no slot';
};

subtest 'one schedule per provider: 409' => sub {
    my $p = make_provider();
    schedule(provider => $p, time_zone => 'UTC', horizon_days => 5,
             weekly => daily('09:00', '10:00'));
    problem_ok(POST('/schedules/', { provider => $p, time_zone => 'Europe/Paris',
                                     weekly => daily('10:00', '11:00') }),
               409, 'a second schedule of the provider');
    is count_of('schedules', $p), 1, 'still one schedule';
    is psql("SELECT time_zone FROM schedules WHERE provider_id = $p"), 'UTC', 'unchanged';
    is_deeply times_of_day($p), [ '09:00-09:15', '09:15-09:30', '09:30-09:45', '09:45-10:00' ],
        'and so are its slots';
};

subtest 'schedule fields refused with 400 naming the field, nothing made' => sub {
    my $p = make_provider();
    my %good = (provider => $p, time_zone => 'Europe/Paris', slot_minutes => 30,
                weekly => [ { weekday => 1, start => '09:00', end => '12:00' } ]);
    for my $field (qw(provider time_zone weekly)) {
        refused('/schedules/', without(\%good, $field), $field, "missing $field");
    }
    my $gone = make_provider();
    is DELETE("/providers/$gone/")->{status}, 204, 'a provider deleted';
    my $iv = sub { return [ { weekday => 1, start => '09:00', end => '12:00' }, @_ ] };
    my @cases = (
        [ provider => "$p", 'provider as a string' ],
        [ provider => 1.5, 'provider as a float' ],
        [ provider => 0, 'provider 0' ],
        [ provider => undef, 'provider null' ],
        [ provider => 9223372036854775000, 'an unknown provider' ],
        [ provider => $gone, 'a deleted provider' ],
        [ time_zone => 'Mars/Olympus', 'an unknown zone' ],
        [ time_zone => 'europe/paris', 'a zone spelt in lower case' ],
        [ time_zone => 'UTC+3', 'a POSIX zone string' ],
        [ time_zone => '../../../../etc/passwd', 'a path' ],
        [ time_zone => '', 'an empty zone' ],
        [ time_zone => 5, 'a zone as a number' ],
        [ time_zone => undef, 'zone null' ],
        [ slot_minutes => 4, 'slot_minutes 4' ],
        [ slot_minutes => 1441, 'slot_minutes 1441' ],
        [ slot_minutes => 0, 'slot_minutes 0' ],
        [ slot_minutes => -30, 'slot_minutes -30' ],
        [ slot_minutes => 15.5, 'slot_minutes 15.5' ],
        [ slot_minutes => '30', 'slot_minutes as a string' ],
        [ slot_minutes => $TRUE, 'slot_minutes true' ],
        [ slot_minutes => undef, 'slot_minutes null' ],
        [ buffer_before_minutes => -1, 'buffer_before_minutes -1' ],
        [ buffer_before_minutes => 1441, 'buffer_before_minutes 1441' ],
        [ buffer_before_minutes => '10', 'buffer_before_minutes as a string' ],
        [ buffer_after_minutes => -1, 'buffer_after_minutes -1' ],
        [ buffer_after_minutes => 1441, 'buffer_after_minutes 1441' ],
        [ buffer_after_minutes => 2.5, 'buffer_after_minutes 2.5' ],
        [ min_notice_minutes => -1, 'min_notice_minutes -1' ],
        [ min_notice_minutes => 525601, 'min_notice_minutes 525601' ],
        [ min_notice_minutes => '60', 'min_notice_minutes as a string' ],
        [ min_notice_minutes => $FALSE, 'min_notice_minutes false' ],
        [ horizon_days => 0, 'horizon_days 0' ],
        [ horizon_days => 366, 'horizon_days 366' ],
        [ horizon_days => '60', 'horizon_days as a string' ],
        [ horizon_days => 1.5, 'horizon_days 1.5' ],
        [ weekly => {}, 'weekly an object' ],
        [ weekly => 'Mondays', 'weekly a string' ],
        [ weekly => undef, 'weekly null' ],
        [ weekly => $iv->('09:00-12:00'), 'an interval that is not an object' ],
        [ weekly => [ { weekday => 0, start => '09:00', end => '10:00' } ], 'weekday 0' ],
        [ weekly => [ { weekday => 8, start => '09:00', end => '10:00' } ], 'weekday 8' ],
        [ weekly => [ { weekday => '1', start => '09:00', end => '10:00' } ], 'weekday "1"' ],
        [ weekly => [ { weekday => 1.5, start => '09:00', end => '10:00' } ], 'weekday 1.5' ],
        [ weekly => [ { start => '09:00', end => '10:00' } ], 'no weekday' ],
        [ weekly => [ { weekday => 1, start => '9:00', end => '10:00' } ], 'start 9:00' ],
        [ weekly => [ { weekday => 1, start => '25:00', end => '26:00' } ], 'start 25:00' ],
        [ weekly => [ { weekday => 1, start => '09:60', end => '10:00' } ], 'start 09:60' ],
        [ weekly => [ { weekday => 1, start => '24:00', end => '24:00' } ], 'start 24:00' ],
        [ weekly => [ { weekday => 1, start => 540, end => 600 } ], 'minutes as numbers' ],
        [ weekly => [ { weekday => 1, start => '09:00:00', end => '10:00:00' } ],
          'times with seconds' ],
        [ weekly => [ { weekday => 1, start => '09:00', end => '24:01' } ], 'end 24:01' ],
        [ weekly => [ { weekday => 1, start => '10:00', end => '10:00' } ], 'end = start' ],
        [ weekly => [ { weekday => 1, start => '11:00', end => '10:00' } ], 'end before start' ],
        [ weekly => [ { weekday => 1, start => '10:00' } ], 'no end' ],
        [ weekly => [ { weekday => 1, end => '10:00' } ], 'no start' ],
        [ weekly => $iv->({ weekday => 1, start => '11:30', end => '13:00' }),
          'overlapping intervals of one weekday' ],
        [ weekly => $iv->({ weekday => 1, start => '09:00', end => '12:00' }),
          'the same interval twice' ],
    );
    for my $case (@cases) {
        my ($field, $value, $name) = @$case;
        refused('/schedules/', { %good, $field => $value }, $field, $name);
    }
    is count_of('schedules', $p), 0, 'no schedule made';
    is count_of('slots', $p), 0, 'no slot made';
    problem_ok(POST('/schedules/', '[]', { 'Content-Type' => 'application/json' }), 400,
               'an array body');
    problem_ok(POST('/schedules/', '{"provider":', { 'Content-Type' => 'application/json' }),
               400, 'malformed JSON');
    problem_ok(POST('/schedules/', encode_json(\%good), { 'Content-Type' => 'text/plain' }), 415,
               'not JSON');
    is count_of('schedules', $p), 0, 'still none';
    my $s = schedule(%good, weekly => $iv->({ weekday => 2, start => '09:00', end => '12:00' }),
                     colour => 'blue');
    is $s->{provider}, $p, 'the same intervals on another weekday are fine; unknown fields ignored';
    ok !exists $s->{colour}, 'and not echoed';
};

subtest 'GET /schedules/: the provider filter and paging' => sub {
    my @p = map { make_provider() } 1 .. 3;
    my @s = map { schedule(provider => $_, time_zone => 'UTC', horizon_days => 1, weekly => []) }
        @p;
    for my $i (0 .. 2) {
        my $got = list_of("/schedules/?provider=$p[$i]");
        is_deeply $got, [ without($s[$i], 'kept') ], "?provider=$p[$i]: its schedule";
    }
    is_deeply keys_of(list_of("/schedules/?provider=$p[0]")->[0]), [ sort @SCHEDULE_KEYS ],
        'list items have the fields of a schedule, no kept';
    is_deeply list_of('/schedules/?provider=' . make_provider()), [],
        'a provider without a schedule: []';
    my $one = GET("/schedules/?provider=$p[1]&limit=1");
    is scalar @{ $one->{json} || [] }, 1, 'limit=1';
    ok !defined $one->{headers}{link}, 'no Link when all fit';

    my ($seen, $sizes, $bad) = walk('/schedules/?limit=2', 2);
    ok !@$bad, 'every page 200, each Link absolute and with limit= and after='
        or diag join "\n", @$bad;
    ok !grep({ $_ > 2 } @$sizes), 'pages of 2 at most';
    is_deeply $seen, [ sort { $a <=> $b } @$seen ], 'ordered by id';
    my %n;
    is scalar(grep { $n{$_}++ } @$seen), 0, 'none twice';
    is_deeply [ grep { my $id = $_; grep { $_ == $id } map { $_->{id} } @s } @$seen ],
        [ map { $_->{id} } @s ], 'the three schedules, in order';
    is scalar @$seen, 0 + psql('SELECT count(*) FROM schedules'), 'every schedule';

    for my $q ('provider=abc', 'provider=0', 'provider=-1', 'provider=', 'limit=0',
               'limit=1001', 'limit=abc', 'after=garbage', 'after=') {
        problem_ok(GET("/schedules/?$q"), 400, $q);
    }
    is GET("/schedules/?provider=$p[0]&colour=blue")->{status}, 200, 'unknown ones are ignored';
};

subtest 'PATCH and PUT a schedule: its slots follow at once' => sub {
    my $p = make_provider();
    my $s = schedule(provider => $p, time_zone => 'UTC', slot_minutes => 60, horizon_days => 10,
                     weekly => daily('09:00', '10:00'));
    my $url = "/schedules/$s->{id}/";
    is_deeply times_of_day($p), [ '09:00-10:00' ], 'slots 09:00-10:00 UTC';
    cmp_ok scalar @{ stored($p) }, '>=', 9, 'every day for 10 days';

    my $res = PATCH($url, { slot_minutes => 30 });
    is $res->{status}, 200, 'PATCH slot_minutes' or diag $res->{content};
    is_deeply keys_of($res->{json}), [ sort @SCHEDULE_KEYS, 'kept' ], 'the schedule, and kept';
    is_deeply without($res->{json}, qw(slot_minutes materialized_until kept)),
        without($s, qw(slot_minutes materialized_until kept)), 'the rest unchanged';
    is $res->{json}{slot_minutes}, 30, 'slot_minutes 30';
    is_deeply $res->{json}{kept}, [], 'kept: []';
    is GET($url)->{json}{slot_minutes}, 30, 'GET shows it';
    is_deeply times_of_day($p), [ '09:00-09:30', '09:30-10:00' ], 'slots of 30 minutes now';

    $res = PATCH($url, { buffer_before_minutes => 5, buffer_after_minutes => 10,
                         min_notice_minutes => 120, horizon_days => 20 });
    is $res->{status}, 200, 'PATCH buffers, notice and horizon' or diag $res->{content};
    is_deeply [ @{ $res->{json} || {} }{qw(buffer_before_minutes buffer_after_minutes
                                           min_notice_minutes horizon_days slot_minutes)} ],
        [ 5, 10, 120, 20, 30 ], 'changed; slot_minutes kept';
    my $until = epoch($res->{json}{materialized_until});
    ok defined $until && $until >= time - 60 + 19 * 86400 && $until <= time + 60 + 20 * 86400,
        'materialized_until about now + 20 days';
    is psql("SELECT count(*) > 0 FROM slots WHERE provider_id = $p"
            . " AND start_time > now() + interval '18 days'"), 't', 'slots up to the new horizon';
    $res = PATCH($url, { min_notice_minutes => undef });
    is $res->{status}, 200, 'PATCH min_notice_minutes null';
    is $res->{json}{min_notice_minutes}, undef, 'back to SchedMinNotice';
    is $res->{json}{buffer_after_minutes}, 10, 'the rest kept';
    my $before = GET($url)->{json};
    $res = PATCH($url, {});
    is $res->{status}, 200, 'PATCH {}';
    is_deeply without($res->{json}, qw(kept materialized_until)),
        without($before, 'materialized_until'), 'changes nothing';

    $res = PUT($url, { time_zone => 'Asia/Tokyo', slot_minutes => 60, buffer_before_minutes => 0,
                       buffer_after_minutes => 0, min_notice_minutes => undef, horizon_days => 10,
                       weekly => daily('09:00', '10:00') });
    is $res->{status}, 200, 'PUT' or diag $res->{content};
    is_deeply [ @{ $res->{json} || {} }{qw(id provider time_zone slot_minutes horizon_days)} ],
        [ $s->{id}, $p, 'Asia/Tokyo', 60, 10 ], 'the same schedule, in Asia/Tokyo';
    is_deeply $res->{json}{weekly}, daily('09:00', '10:00'), 'weekly';
    is_deeply times_of_day($p), [ '00:00-01:00' ], '09:00 in Tokyo is 00:00Z: the slots moved';
    is psql("SELECT count(*) FROM slots WHERE provider_id = $p"
            . " AND start_time >= now() + interval '10 days'"), 0, 'none beyond 10 days again';

    $before = GET($url)->{json};
    my @bad = (
        [ PUT => { weekly => daily('09:00', '10:00') }, 'time_zone', 'PUT without time_zone' ],
        [ PUT => { time_zone => 'UTC' }, 'weekly', 'PUT without weekly' ],
        [ PATCH => { time_zone => 'Mars/Olympus' }, 'time_zone', 'an unknown zone' ],
        [ PATCH => { time_zone => undef }, 'time_zone', 'zone null' ],
        [ PATCH => { slot_minutes => 1441 }, 'slot_minutes', 'slot_minutes 1441' ],
        [ PATCH => { buffer_after_minutes => -1 }, 'buffer_after_minutes', 'a negative buffer' ],
        [ PATCH => { min_notice_minutes => 525601 }, 'min_notice_minutes', 'notice too long' ],
        [ PATCH => { horizon_days => 366 }, 'horizon_days', 'horizon_days 366' ],
        [ PATCH => { weekly => {} }, 'weekly', 'weekly an object' ],
        [ PATCH => { weekly => [ { weekday => 3, start => '09:00', end => '12:00' },
                                 { weekday => 3, start => '11:00', end => '13:00' } ] },
          'weekly', 'overlapping intervals' ],
        [ PATCH => { slot_minutes => 30, weekly => [ { weekday => 9, start => '09:00',
                                                       end => '10:00' } ] },
          'weekly', 'a good value and a bad one' ],
    );
    for my $case (@bad) {
        my ($method, $body, $field, $name) = @$case;
        field_error(req($method, $url, $body), 400, $field, $name);
    }
    is_deeply GET($url)->{json}, $before, 'the schedule is unchanged after the refused changes';
    is_deeply times_of_day($p), [ '00:00-01:00' ], 'and so are its slots';

    $res = PATCH($url, { weekly => [] });
    is $res->{status}, 200, 'PATCH weekly []';
    is_deeply $res->{json}{weekly}, [], 'no hours';
    is_deeply stored($p), [], 'no future slot left';
};

subtest 'DELETE a schedule' => sub {
    my $p = make_provider();
    my $s = schedule(provider => $p, time_zone => 'UTC', horizon_days => 7,
                     weekly => daily('09:00', '11:00'));
    cmp_ok scalar @{ stored($p) }, '>=', 48, 'its slots';
    my $manual = window($p, at(3, '15:00'), at(3, '15:30'));
    my $res = DELETE("/schedules/$s->{id}/");
    is $res->{status}, 204, 'DELETE is 204';
    is $res->{content}, '', 'no body';
    problem_ok(GET("/schedules/$s->{id}/"), 404, 'then GET is 404');
    problem_ok(DELETE("/schedules/$s->{id}/"), 404, 'DELETE again is 404');
    is_deeply [ map { $_->{source} } @{ stored($p) } ], [ 'manual', 'manual' ],
        'its future slots are gone; the manual ones stay';
    is_deeply list_of("/schedules/?provider=$p"), [], 'not listed';
    my $again = schedule(provider => $p, time_zone => 'UTC', horizon_days => 7,
                         weekly => daily('09:00', '10:00'));
    isnt $again->{id}, $s->{id}, 'a new schedule for the provider afterwards';
    cmp_ok scalar @{ stored($p) }, '>=', 26, 'with its slots';

    # A provider deleted takes its schedule, overrides and time off with it.
    my $o = override($p, day(4), []);
    my $t = time_off($p, at(5, '09:00'), at(5, '10:00'));
    is DELETE("/providers/$p/")->{status}, 204, 'the provider deleted';
    problem_ok(GET("/schedules/$again->{id}/"), 404, 'its schedule is gone');
    problem_ok(GET("/schedule_overrides/$o->{id}/"), 404, 'its override is gone');
    problem_ok(GET("/time_off/$t->{id}/"), 404, 'its time off is gone');
};

subtest 'unknown ids are 404; methods' => sub {
    my $p = make_provider();
    my %body = (
        schedules          => { time_zone => 'UTC', weekly => [] },
        schedule_overrides => { provider => $p, date => day(30), intervals => [] },
        time_off           => { provider => $p, start_time => at(30, '10:00'),
                                end_time => at(30, '11:00') },
    );
    for my $r (qw(schedules schedule_overrides time_off)) {
        problem_ok(GET("/$r/$MISSING_ID/"), 404, "GET a missing /$r/ id");
        problem_ok(PUT("/$r/$MISSING_ID/", $body{$r}), 404, "PUT a missing /$r/ id");
        problem_ok(PATCH("/$r/$MISSING_ID/", {}), 404, "PATCH a missing /$r/ id");
        problem_ok(DELETE("/$r/$MISSING_ID/"), 404, "DELETE a missing /$r/ id");
        for my $id ('0', 'abc', '-1', '01', '99999999999999999999') {
            problem_ok(GET("/$r/$id/"), 404, "GET /$r/$id/");
        }
        my $res = OPTIONS("/$r/");
        is $res->{status}, 204, "OPTIONS /$r/";
        is_deeply [ sort map { s/^\s+|\s+$//gr } split /,/, $res->{headers}{allow} // '' ],
            [qw(GET HEAD OPTIONS POST)], "Allow of /$r/";
        $res = OPTIONS("/$r/1/");
        is $res->{status}, 204, "OPTIONS /$r/1/";
        is_deeply [ sort map { s/^\s+|\s+$//gr } split /,/, $res->{headers}{allow} // '' ],
            [qw(DELETE GET HEAD OPTIONS PATCH PUT)], "Allow of /$r/1/";
        for my $method (qw(PUT PATCH DELETE)) {
            $res = req($method, "/$r/", $method eq 'DELETE' ? undef : {});
            problem_ok($res, 405, "$method /$r/");
            ok defined $res->{headers}{allow}, "$method /$r/: with Allow";
        }
        problem_ok(POST("/$r/1/", {}), 405, "POST /$r/1/");
        is GET("/$r/")->{status}, 200, "GET /$r/";
        is HEAD("/$r/")->{status}, 200, "HEAD /$r/";
    }
    is count_of('schedule_overrides', $p) + count_of('time_off', $p), 0, 'nothing made';
};

# ---- Zones -----------------------------------------------------------------------------

subtest 'DST: Europe/Paris, Sunday 00:00-06:00 on days of 23 and 25 hours' => sub {
    my $zone = 'Europe/Paris';
    my $spring = next_day_of($zone, 23);
    my $autumn = next_day_of($zone, 25);
    note "spring forward $spring, fall back $autumn";
    is isodow($spring), 7, "$spring is a Sunday";
    is isodow($autumn), 7, "$autumn is a Sunday";
    my $p = make_provider();
    schedule(provider => $p, time_zone => $zone, slot_minutes => 30, horizon_days => 365,
             weekly => [ { weekday => 7, start => '00:00', end => '06:00' } ]);

    my $sp = listed_day($p, $zone, $spring);
    is hours($sp), 5, "$spring: 5 hours of slots";
    is scalar @$sp, 10, '10 slots of 30 minutes';
    is $sp->[0]{start_time}, add_days($spring, -1) . 'T23:00:00Z', 'from 00:00 local = 23:00Z (UTC+1)';
    is $sp->[-1]{end_time}, "${spring}T04:00:00Z", 'to 06:00 local = 04:00Z (UTC+2)';
    ok contiguous($sp), 'without a hole: the skipped hour is not there in UTC';

    my $au = listed_day($p, $zone, $autumn);
    is hours($au), 7, "$autumn: 7 hours of slots";
    is scalar @$au, 14, '14 slots';
    is $au->[0]{start_time}, add_days($autumn, -1) . 'T22:00:00Z', 'from 00:00 local = 22:00Z (UTC+2)';
    is $au->[-1]{end_time}, "${autumn}T05:00:00Z", 'to 06:00 local = 05:00Z (UTC+1)';
    ok contiguous($au), 'the repeated hour twice, without a hole';
    is_deeply [ grep { $_->{source} ne 'schedule' } @$sp, @$au ], [], 'source: schedule';

    my $plain = next_weekday($zone, 3, 7, sub { $_[0] ne $spring && $_[0] ne $autumn });
    is hours(listed_day($p, $zone, $plain)), 6, "an ordinary Sunday, $plain: 6 hours";
    is overlaps($p), 0, 'no two slots overlap';

    # A local time in the gap or in the repeated hour: PostgreSQL's rule (sql/006).
    my $o = override($p, $spring, [ { start => '02:30', end => '04:00' } ]);
    is_deeply spans(listed_day($p, $zone, $spring)), [ "${spring}T01:30:00Z ${spring}T02:00:00Z" ],
        'in the gap: 02:30-04:00 starts at 02:30+01:00 (01:30Z): 30 minutes';
    my $o2 = override($p, $autumn, [ { start => '02:30', end => '03:30' } ]);
    is_deeply spans(listed_day($p, $zone, $autumn)),
        [ "${autumn}T01:30:00Z ${autumn}T02:00:00Z", "${autumn}T02:00:00Z ${autumn}T02:30:00Z" ],
        'in the repeated hour: 02:30-03:30 starts at the second 02:30 (01:30Z): 1 hour';
    is DELETE("/schedule_overrides/$_->{id}/")->{status}, 204, 'override deleted' for $o, $o2;
    is hours(listed_day($p, $zone, $spring)), 5, "$spring: 5 hours again";
    is hours(listed_day($p, $zone, $autumn)), 7, "$autumn: 7 hours again";
    is overlaps($p), 0, 'no overlap';
};

subtest 'southern hemisphere: Australia/Sydney' => sub {
    my $zone = 'Australia/Sydney';
    my $spring = next_day_of($zone, 23);    # October: from UTC+10 to UTC+11
    my $autumn = next_day_of($zone, 25);    # April: from UTC+11 to UTC+10
    note "Sydney: $spring lasts 23 hours, $autumn 25";
    my $p = make_provider();
    my %days = map { isodow($_) => 1 } $spring, $autumn;
    schedule(provider => $p, time_zone => $zone, slot_minutes => 30, horizon_days => 365,
             weekly => [ map { { weekday => 0 + $_, start => '00:00', end => '06:00' } }
                         sort keys %days ]);
    my $sp = listed_day($p, $zone, $spring);
    is hours($sp), 5, "$spring 00:00-06:00: 5 hours";
    is $sp->[0]{start_time}, add_days($spring, -1) . 'T14:00:00Z', '00:00 local = 14:00Z the day before (UTC+10)';
    is $sp->[-1]{end_time}, add_days($spring, -1) . 'T19:00:00Z', '06:00 local = 19:00Z (UTC+11)';
    ok contiguous($sp), 'contiguous';
    my $au = listed_day($p, $zone, $autumn);
    is hours($au), 7, "$autumn 00:00-06:00: 7 hours";
    is $au->[0]{start_time}, add_days($autumn, -1) . 'T13:00:00Z', '00:00 local = 13:00Z the day before (UTC+11)';
    is $au->[-1]{end_time}, add_days($autumn, -1) . 'T20:00:00Z', '06:00 local = 20:00Z (UTC+10)';
    ok contiguous($au), 'contiguous';
};

subtest 'half- and quarter-hour offsets: Asia/Kolkata, Asia/Kathmandu' => sub {
    for my $case ([ 'Asia/Kolkata', '03:30', '03:55', '04:20' ],
                  [ 'Asia/Kathmandu', '03:15', '03:40', '04:05' ]) {
        my ($zone, @at) = @$case;
        my $day = local_date($zone, 3);
        my $p = make_provider();
        schedule(provider => $p, time_zone => $zone, slot_minutes => 25, horizon_days => 30,
                 weekly => [ { weekday => isodow($day), start => '09:00', end => '10:00' } ]);
        is_deeply spans(listed_day($p, $zone, $day)),
            [ "${day}T$at[0]:00Z ${day}T$at[1]:00Z", "${day}T$at[1]:00Z ${day}T$at[2]:00Z" ],
            "$zone: 09:00-10:00 on $day in 25 minutes: two whole slots from $at[0]Z";
    }
};

subtest 'overrides by local date: Pacific/Auckland' => sub {
    my $zone = 'Pacific/Auckland';
    my $d = local_date($zone, 10);
    my ($d0, $d1, $d2) = (add_days($d, -1), add_days($d, 1), add_days($d, 2));
    my $p = make_provider();
    schedule(provider => $p, time_zone => $zone, slot_minutes => 60, horizon_days => 30,
             weekly => daily('09:00', '12:00'));
    my $got = listed_day($p, $zone, $d);
    is_deeply spans($got), local_spans($zone, $d, 60, qw(09:00 10:00 11:00)),
        "$d 09:00-12:00 in Auckland: " . ($got->[0]{start_time} // 'nothing');
    like $got->[0]{start_time} // '', qr/^\Q${d0}\ET(?:20|21):00:00Z$/, 'the day before in UTC';

    # Closed one day.
    my $res = POST('/schedule_overrides/', { provider => $p, date => $d, intervals => [] });
    is $res->{status}, 201, "POST /schedule_overrides/: $d closed" or diag $res->{content};
    my $o1 = ref $res->{json} eq 'HASH' ? $res->{json} : {};
    is $res->{headers}{location}, url("/schedule_overrides/$o1->{id}/"), 'Location';
    is_deeply keys_of($o1), [ sort @OVERRIDE_KEYS, 'kept' ], 'the fields of an override, and kept';
    is_deeply [ @$o1{qw(provider date)} ], [ $p, $d ], 'provider and date';
    is_deeply $o1->{intervals}, [], 'intervals: []';
    is_deeply $o1->{kept}, [], 'kept: []';
    is_deeply listed_day($p, $zone, $d), [], "$d: closed, nothing listed";
    is_deeply stored_day($p, $zone, $d), [], 'and no slot of that day exists';
    is scalar @{ listed_day($p, $zone, $d0) }, 3, "$d0: 3 slots still";
    is scalar @{ listed_day($p, $zone, $d1) }, 3, "$d1: 3 slots still";
    my $get = GET("/schedule_overrides/$o1->{id}/");
    is $get->{status}, 200, 'GET /schedule_overrides/{id}/';
    is_deeply $get->{json}, without($o1, 'kept'), 'the override, without kept';

    # Other hours another day: 06:00 on $d1 in Auckland is on $d in UTC.
    my $o2 = override($p, $d1, [ { start => '06:00', end => '08:00' } ]);
    is_deeply $o2->{intervals}, [ { start => '06:00', end => '08:00' } ], 'its intervals';
    $got = listed_day($p, $zone, $d1);
    is_deeply spans($got), local_spans($zone, $d1, 60, qw(06:00 07:00)),
        "$d1: 06:00 and 07:00 local instead of the weekly hours";
    like $got->[0]{start_time} // '', qr/^\Q$d\ET1[78]:00:00Z$/, "which is on $d in UTC";

    # Changed by PATCH and PUT.
    $res = PATCH("/schedule_overrides/$o1->{id}/",
                 { intervals => [ { start => '15:00', end => '17:30' },
                                  { start => '13:00', end => '14:00' } ] });
    is $res->{status}, 200, 'PATCH intervals' or diag $res->{content};
    is_deeply keys_of($res->{json}), [ sort @OVERRIDE_KEYS, 'kept' ], 'the override, and kept';
    is_deeply $res->{json}{intervals}, [ { start => '13:00', end => '14:00' },
                                         { start => '15:00', end => '17:30' } ],
        'sorted by start';
    is $res->{json}{date}, $d, 'date unchanged';
    is_deeply spans(listed_day($p, $zone, $d)),
        local_spans($zone, $d, 60, qw(13:00 15:00 16:00)),
        "$d: 13:00 and 15:00-17:00 (no half slot)";
    $res = PUT("/schedule_overrides/$o2->{id}/",
               { provider => $p, date => $d2, intervals => [ { start => '06:00', end => '08:00' } ] });
    is $res->{status}, 200, 'PUT moves the other one to the next date' or diag $res->{content};
    is $res->{json}{date}, $d2, 'date';
    is_deeply spans(listed_day($p, $zone, $d1)), local_spans($zone, $d1, 60, qw(09:00 10:00 11:00)),
        "$d1: the weekly hours again";
    is_deeply spans(listed_day($p, $zone, $d2)), local_spans($zone, $d2, 60, qw(06:00 07:00)),
        "$d2: the override's";
    field_error(PUT("/schedule_overrides/$o2->{id}/", { provider => $p, intervals => [] }), 400,
                'date', 'PUT without date');
    field_error(PUT("/schedule_overrides/$o2->{id}/", { provider => $p, date => $d2 }), 400,
                'intervals', 'PUT without intervals');
    field_error(PATCH("/schedule_overrides/$o2->{id}/", { date => '2027-02-30' }), 400, 'date',
                'PATCH an impossible date');
    field_error(PATCH("/schedule_overrides/$o2->{id}/",
                      { intervals => [ { start => '07:00', end => '06:00' } ] }), 400,
                'intervals', 'PATCH intervals that end before they start');
    is_deeply without(GET("/schedule_overrides/$o2->{id}/")->{json}, 'kept'),
        { id => $o2->{id}, provider => $p, date => $d2,
          intervals => [ { start => '06:00', end => '08:00' } ] }, 'unchanged by those';

    # One per provider and date.
    problem_ok(POST('/schedule_overrides/', { provider => $p, date => $d2, intervals => [] }), 409,
               'a second override of the date');
    problem_ok(PATCH("/schedule_overrides/$o1->{id}/", { date => $d2 }), 409,
               'moving one onto a date that has one');
    is GET("/schedule_overrides/$o1->{id}/")->{json}{date}, $d, 'not moved';
    is count_of('schedule_overrides', $p), 2, 'two overrides';
    my $other = override(make_provider(), $d2, []);
    ok $other->{id}, 'another provider may have one that date';

    # Deleted: the weekly hours again.
    $res = DELETE("/schedule_overrides/$o1->{id}/");
    is $res->{status}, 204, 'DELETE is 204';
    is $res->{content}, '', 'no body';
    problem_ok(GET("/schedule_overrides/$o1->{id}/"), 404, 'then GET is 404');
    problem_ok(DELETE("/schedule_overrides/$o1->{id}/"), 404, 'DELETE again is 404');
    is_deeply spans(listed_day($p, $zone, $d)), local_spans($zone, $d, 60, qw(09:00 10:00 11:00)),
        "$d: the weekly hours again";
    is overlaps($p), 0, 'no overlap';
};

subtest 'override fields refused with 400 naming the field, nothing made' => sub {
    my $p = make_provider();
    my $date = day(20);
    my %good = (provider => $p, date => $date,
                intervals => [ { start => '09:00', end => '12:00' } ]);
    for my $field (qw(provider date intervals)) {
        refused('/schedule_overrides/', without(\%good, $field), $field, "missing $field");
    }
    my $iv = sub { return [ { start => '09:00', end => '12:00' }, @_ ] };
    my @cases = (
        [ provider => "$p", 'provider as a string' ],
        [ provider => 0, 'provider 0' ],
        [ provider => undef, 'provider null' ],
        [ provider => 9223372036854775000, 'an unknown provider' ],
        [ date => '2027-02-30', 'February 30' ],
        [ date => '2027-13-01', 'month 13' ],
        [ date => '20270101', 'no dashes' ],
        [ date => 'tomorrow', 'not a date' ],
        [ date => '', 'empty' ],
        [ date => "${date}T00:00:00Z", 'a time, not a date' ],
        [ date => 20270101, 'a number' ],
        [ date => undef, 'date null' ],
        [ intervals => {}, 'intervals an object' ],
        [ intervals => 'closed', 'intervals a string' ],
        [ intervals => undef, 'intervals null' ],
        [ intervals => [ '09:00-12:00' ], 'an interval that is not an object' ],
        [ intervals => [ { start => '9:00', end => '10:00' } ], 'start 9:00' ],
        [ intervals => [ { start => '24:00', end => '24:00' } ], 'start 24:00' ],
        [ intervals => [ { start => '09:00', end => '24:01' } ], 'end 24:01' ],
        [ intervals => [ { start => '10:00', end => '10:00' } ], 'end = start' ],
        [ intervals => [ { start => '11:00', end => '10:00' } ], 'end before start' ],
        [ intervals => [ { start => '10:00' } ], 'no end' ],
        [ intervals => [ { end => '10:00' } ], 'no start' ],
        [ intervals => $iv->({ start => '08:00', end => '09:30' }), 'overlapping intervals' ],
    );
    for my $case (@cases) {
        my ($field, $value, $name) = @$case;
        refused('/schedule_overrides/', { %good, $field => $value }, $field, $name);
    }
    is count_of('schedule_overrides', $p), 0, 'nothing made';
    my $o = override($p, $date, $iv->({ start => '12:00', end => '24:00' }));
    is_deeply $o->{intervals}, [ { start => '09:00', end => '12:00' },
                                 { start => '12:00', end => '24:00' } ],
        'intervals that meet and "24:00" are fine (and a provider needs no schedule for it)';
    is count_of('slots', $p), 0, 'without a schedule it makes no slot';
};

subtest 'GET /schedule_overrides/: provider, from, to, paging' => sub {
    my $p = make_provider();
    my $q = make_provider();
    my @dates = map { day(30 + $_) } 0 .. 4;
    my @o = map { override($p, $_, []) } reverse @dates;    # ids in reverse date order
    @o = reverse @o;                                          # $o[i] is on $dates[i]
    my $theirs = override($q, $dates[0], []);
    my $all = list_of("/schedule_overrides/?provider=$p&limit=1000");
    is_deeply ids($all), [ sort { $a <=> $b } map { $_->{id} } @o ], 'by provider, ordered by id';
    is_deeply keys_of($all->[0]), [ sort @OVERRIDE_KEYS ], 'items: id, provider, date, intervals';
    is_deeply $all->[0], without(GET("/schedule_overrides/$all->[0]{id}/")->{json}, 'kept'),
        'as GET answers';
    my $between = sub {
        my ($query, $want, $name) = @_;
        local $Test::Builder::Level = $Test::Builder::Level + 1;
        is_deeply [ sort { $a <=> $b } @{ ids(list_of("/schedule_overrides/?provider=$p&$query")) } ],
            [ sort { $a <=> $b } map { $o[$_]{id} } @$want ], $name;
    };
    $between->("from=$dates[1]&to=$dates[3]", [ 1, 2, 3 ], 'from and to, both inclusive');
    $between->("from=$dates[3]", [ 3, 4 ], 'from alone');
    $between->("to=$dates[1]", [ 0, 1 ], 'to alone');
    $between->("from=$dates[2]&to=$dates[2]", [ 2 ], 'one date');
    $between->("from=$dates[3]&to=$dates[1]", [], 'from after to: none');
    ok has(ids(list_of("/schedule_overrides/?from=$dates[0]&to=$dates[0]&limit=1000")),
           $theirs->{id}), 'without provider: every provider';

    my ($seen, $sizes, $bad) = walk("/schedule_overrides/?provider=$p&limit=2", 2);
    ok !@$bad, 'paging: every page 200, each Link keeps limit' or diag join "\n", @$bad;
    is_deeply $seen, ids($all), 'the same overrides, none twice, none missed';
    is_deeply $sizes, [ 2, 2, 1 ], 'pages of 2';
    my $first = GET("/schedule_overrides/?provider=$p&limit=2");
    like next_link($first) // '', qr/[?&]provider=$p(?:&|$)/, 'the Link keeps provider=';

    for my $query ('from=2027-02-30', 'to=20270101', 'from=tomorrow', 'from=', 'provider=abc',
                   'provider=0', 'limit=0', 'limit=1001', 'after=garbage') {
        problem_ok(GET("/schedule_overrides/?$query"), 400, $query);
    }
};

# ---- Time off, manual slots, kept slots ---------------------------------------------------

subtest 'time off: slots go, booking there is 409, over a booking is 409' => sub {
    my $p = make_provider();
    my $d = day(5);
    schedule(provider => $p, time_zone => 'UTC', slot_minutes => 60, horizon_days => 30,
             weekly => daily('08:00', '18:00'));
    my @hours = map { sprintf '%02d:00', $_ } 8 .. 17;
    is_deeply starts(listed_day($p, 'UTC', $d)), [ map { at(5, $_) } @hours ], "$d: 08:00-18:00";
    my ($manual) = @{ window($p, at(5, '06:00'), at(5, '07:00'), slot_minutes => 60) };
    is $manual->{source}, 'manual', 'a manual slot at 06:00: source manual';

    my $res = POST('/time_off/', { provider => $p, start_time => at(5, '10:30'),
                                   end_time => "${d}T15:00:00+02:00", reason => 'dentist' });
    is $res->{status}, 201, 'POST /time_off/ 10:30-13:00Z' or diag $res->{content};
    my $t = ref $res->{json} eq 'HASH' ? $res->{json} : {};
    is $res->{headers}{location}, url("/time_off/$t->{id}/"), 'Location';
    is_deeply keys_of($t), [ sort @TIME_OFF_KEYS, 'kept' ], 'the fields of time off, and kept';
    is_deeply [ @$t{qw(provider start_time end_time reason)} ],
        [ $p, at(5, '10:30'), at(5, '13:00'), 'dentist' ], 'the values, in UTC';
    is_deeply $t->{kept}, [], 'kept: []';
    my $get = GET("/time_off/$t->{id}/");
    is $get->{status}, 200, 'GET /time_off/{id}/';
    is_deeply $get->{json}, without($t, 'kept'), 'the time off, without kept';
    my @left = ('06:00', grep { $_ lt '10:00' || $_ ge '13:00' } @hours);
    is_deeply starts(listed_day($p, 'UTC', $d)), [ map { at(5, $_) } @left ],
        'the slots it overlaps (10:00-11:00 too) are not listed';
    is_deeply starts(stored_day($p, 'UTC', $d)), [ map { at(5, $_) } @left ],
        'nor made: the schedule has none there';

    # Extended over the manual slot: it stays, but is neither listed nor bookable.
    $res = PATCH("/time_off/$t->{id}/", { start_time => at(5, '05:00') });
    is $res->{status}, 200, 'PATCH start_time to 05:00' or diag $res->{content};
    is_deeply [ @{ $res->{json} || {} }{qw(start_time end_time reason)} ],
        [ at(5, '05:00'), at(5, '13:00'), 'dentist' ], 'end_time and reason unchanged';
    is_deeply $res->{json}{kept}, [], 'kept: []';
    my $one = GET("/available_slots/$manual->{id}/");
    is $one->{status}, 200, 'the manual slot is still there';
    ok defined $one->{json}{available} && !$one->{json}{available}, 'available: false';
    is_deeply starts(listed_day($p, 'UTC', $d)), [ map { at(5, $_) } grep { $_ ge '13:00' } @hours ],
        'listed: from 13:00 only';
    problem_ok(book_res($manual->{id}), 409, 'booking the manual slot inside time off');

    # Not over an active reservation, nor over other time off.
    my $last = stored_day($p, 'UTC', $d)->[-1];
    is $last->{start_time}, at(5, '17:00'), 'the 17:00 slot';
    book($last->{id});
    problem_ok(POST('/time_off/', { provider => $p, start_time => at(5, '16:30'),
                                    end_time => at(5, '19:00') }), 409,
               'time off over an active reservation');
    problem_ok(PATCH("/time_off/$t->{id}/", { end_time => at(5, '17:30') }), 409,
               'extending time off over it');
    problem_ok(POST('/time_off/', { provider => $p, start_time => at(5, '12:00'),
                                    end_time => at(5, '14:00') }), 409,
               'time off overlapping other time off');
    is count_of('time_off', $p), 1, 'nothing made';
    is GET("/time_off/$t->{id}/")->{json}{end_time}, at(5, '13:00'), 'nothing changed';
    my $next = time_off($p, at(5, '13:00'), at(5, '14:00'));
    is $next->{reason}, '', 'adjacent time off is fine; reason ""';
    ok !grep({ $_ eq at(5, '13:00') } @{ starts(stored_day($p, 'UTC', $d)) }),
        'the 13:00 slot is gone';

    # Deleted: the schedule's slots come back, the manual slot is bookable again.
    for my $id ($t->{id}, $next->{id}) {
        $res = DELETE("/time_off/$id/");
        is $res->{status}, 204, 'DELETE is 204';
        is $res->{content}, '', 'no body';
    }
    problem_ok(GET("/time_off/$t->{id}/"), 404, 'then GET is 404');
    problem_ok(DELETE("/time_off/$t->{id}/"), 404, 'DELETE again is 404');
    is_deeply starts(listed_day($p, 'UTC', $d)),
        [ map { at(5, $_) } '06:00', grep { $_ ne '17:00' } @hours ],
        'every slot listed again but the booked one';
    book($manual->{id});
    is overlaps($p), 0, 'no overlap';
};

subtest 'time off fields refused with 400 naming the field, nothing made' => sub {
    my $p = make_provider();
    my %good = (provider => $p, start_time => at(6, '10:00'), end_time => at(6, '11:00'));
    for my $field (qw(provider start_time end_time)) {
        refused('/time_off/', without(\%good, $field), $field, "missing $field");
    }
    my @cases = (
        [ provider => "$p", 'provider', 'provider as a string' ],
        [ provider => 0, 'provider', 'provider 0' ],
        [ provider => undef, 'provider', 'provider null' ],
        [ provider => 9223372036854775000, 'provider', 'an unknown provider' ],
        [ start_time => 'soon', 'start_time', 'not a time' ],
        [ start_time => day(6) . 'T10:00:00', 'start_time', 'no offset' ],
        [ start_time => '2027-02-30T10:00:00Z', 'start_time', 'February 30' ],
        [ start_time => 1800000000, 'start_time', 'a number' ],
        [ start_time => undef, 'start_time', 'start_time null' ],
        [ end_time => day(6) . 'T24:00:00Z', 'end_time', 'hour 24' ],
        [ end_time => day(6) . 'T11:00:00+19:00', 'end_time', 'offset beyond 18:00' ],
        [ end_time => undef, 'end_time', 'end_time null' ],
        [ end_time => at(6, '10:00'), 'end_time', 'end = start' ],
        [ end_time => at(6, '09:00'), 'end_time', 'end before start' ],
        [ reason => 5, 'reason', 'reason a number' ],
        [ reason => [ 'x' ], 'reason', 'reason a list' ],
        [ reason => 'x' x 1001, 'reason', 'a reason of 1001 characters' ],
    );
    for my $case (@cases) {
        my ($field, $value, $error, $name) = @$case;
        refused('/time_off/', { %good, $field => $value }, $error, $name);
    }
    is count_of('time_off', $p), 0, 'nothing made';
    my $t = time_off($p, $good{start_time}, $good{end_time}, reason => 'y' x 1000);
    is length($t->{reason} // ''), 1000, 'a reason of 1000 characters is fine';
    field_error(PATCH("/time_off/$t->{id}/", { end_time => at(6, '09:00') }), 400, 'end_time',
                'PATCH end_time before start_time');
    field_error(PATCH("/time_off/$t->{id}/", { start_time => at(6, '12:00') }), 400, 'end_time',
                'PATCH start_time after end_time');
    is_deeply [ @{ GET("/time_off/$t->{id}/")->{json} || {} }{qw(start_time end_time)} ],
        [ at(6, '10:00'), at(6, '11:00') ], 'unchanged';
};

subtest 'GET /time_off/: provider filter, paging; PUT' => sub {
    my $p = make_provider();
    my @t = map { time_off($p, at($_, '10:00'), at($_, '12:00'), reason => "day $_") } 40 .. 42;
    my $theirs = time_off(make_provider(), at(40, '10:00'), at(40, '12:00'));
    my $all = list_of("/time_off/?provider=$p");
    is_deeply ids($all), [ map { $_->{id} } @t ], 'by provider, ordered by id';
    is_deeply $all, [ map { without($_, 'kept') } @t ], 'as made, without kept';
    ok !has(ids($all), $theirs->{id}), 'not another provider\'s';
    my ($seen, $sizes, $bad) = walk("/time_off/?provider=$p&limit=2", 2);
    ok !@$bad, 'paging: every page 200, each Link keeps limit' or diag join "\n", @$bad;
    is_deeply $seen, ids($all), 'the same, none twice, none missed';
    is_deeply $sizes, [ 2, 1 ], 'pages of 2';
    for my $query ('provider=abc', 'provider=0', 'limit=0', 'limit=1001', 'after=garbage') {
        problem_ok(GET("/time_off/?$query"), 400, $query);
    }

    my $res = PUT("/time_off/$t[0]{id}/", { provider => $p, start_time => at(43, '08:00'),
                                           end_time => at(43, '09:00'), reason => 'moved' });
    is $res->{status}, 200, 'PUT' or diag $res->{content};
    is_deeply without($res->{json}, 'kept'),
        { id => $t[0]{id}, provider => $p, start_time => at(43, '08:00'),
          end_time => at(43, '09:00'), reason => 'moved' }, 'moved';
    is_deeply $res->{json}{kept}, [], 'kept: []';
    field_error(PUT("/time_off/$t[0]{id}/", { provider => $p, start_time => at(44, '08:00') }),
                400, 'end_time', 'PUT without end_time');
    problem_ok(PUT("/time_off/$t[0]{id}/", { provider => $p, start_time => at(41, '11:00'),
                                             end_time => at(41, '13:00') }),
               409, 'PUT onto other time off');
    $res = PATCH("/time_off/$t[0]{id}/", { reason => 'holiday' });
    is $res->{status}, 200, 'PATCH reason alone';
    is_deeply [ @{ $res->{json} || {} }{qw(start_time end_time reason)} ],
        [ at(43, '08:00'), at(43, '09:00'), 'holiday' ], 'times unchanged';
};

subtest 'manual slots win over schedule slots' => sub {
    my $p = make_provider();
    my $d = day(6);
    my $s = schedule(provider => $p, time_zone => 'UTC', slot_minutes => 45, horizon_days => 30,
                     weekly => daily('09:00', '12:00'));
    my $shown = sub {
        return [ map { substr($_->{start_time}, 11, 5) . " $_->{source}" } @{ $_[0] } ];
    };
    is_deeply $shown->(listed_day($p, 'UTC', $d)),
        [ '09:00 schedule', '09:45 schedule', '10:30 schedule', '11:15 schedule' ],
        "$d: 09:00-12:00 in 45 minutes";
    my $w = window($p, at(6, '09:30'), at(6, '10:30'));
    is_deeply $shown->($w), [ map { "$_ manual" } qw(09:30 09:45 10:00 10:15) ],
        'a window over schedule slots: four manual slots (source manual)';
    is_deeply $shown->(listed_day($p, 'UTC', $d)),
        [ '09:30 manual', '09:45 manual', '10:00 manual', '10:15 manual', '10:30 schedule',
          '11:15 schedule' ],
        'the schedule slots it overlapped (09:00, 09:45) are gone';
    my $res = PATCH("/schedules/$s->{id}/", { slot_minutes => 30 });
    is $res->{status}, 200, 'the schedule changes to 30 minutes' or diag $res->{content};
    is_deeply $shown->(listed_day($p, 'UTC', $d)),
        [ '09:00 schedule', '09:30 manual', '09:45 manual', '10:00 manual', '10:15 manual',
          '10:30 schedule', '11:00 schedule', '11:30 schedule' ],
        'slots of 30 minutes around the manual ones, none over them';
    my ($taken) = grep { $_->{start_time} eq at(6, '11:00') } @{ stored_day($p, 'UTC', $d) };
    book($taken->{id});
    problem_ok(POST('/available_slots/', { provider => $p, start_time => at(6, '10:45'),
                                           end_time => at(6, '11:30') }), 409,
               'a window over a reserved schedule slot');
    is_deeply $shown->(stored_day($p, 'UTC', $d)),
        [ '09:00 schedule', '09:30 manual', '09:45 manual', '10:00 manual', '10:15 manual',
          '10:30 schedule', '11:00 schedule', '11:30 schedule' ],
        'nothing made, nothing deleted';
    my $first = stored_day($p, 'UTC', $d)->[0];
    $res = PATCH("/available_slots/$first->{id}/", { start_time => at(6, '08:00'),
                                                     end_time => at(6, '08:30') });
    is $res->{status}, 200, 'a schedule slot moved by hand to 08:00' or diag $res->{content};
    is $res->{json}{source}, 'manual', 'is manual now';
    is_deeply GET("/available_slots/$first->{id}/")->{json}{source}, 'manual', 'GET says so';
    is overlaps($p), 0, 'no overlap';
};

subtest 'reserved slots are kept by every change, and answered in kept' => sub {
    my $zone = 'Europe/Paris';
    my $d = local_date($zone, 4);
    my $dow = isodow($d);
    my $p = make_provider();
    my $s = schedule(provider => $p, time_zone => $zone, slot_minutes => 30, horizon_days => 30,
                     weekly => [ { weekday => $dow, start => '09:00', end => '12:00' } ]);
    my $url = "/schedules/$s->{id}/";
    my $slots = stored_day($p, $zone, $d);
    is scalar @$slots, 6, "$d: 6 slots";
    my $booked = $slots->[1];
    my $r = book($booked->{id});

    my $res = PUT($url, { time_zone => $zone, slot_minutes => 30, horizon_days => 30,
                          weekly => [ { weekday => $dow, start => '14:00', end => '15:00' } ] });
    is $res->{status}, 200, 'PUT: the hours move to the afternoon' or diag $res->{content};
    is_deeply $res->{json}{kept}, [ $booked->{id} ], 'kept: the booked slot';
    is_deeply $res->{json}{weekly}, [ { weekday => $dow, start => '14:00', end => '15:00' } ],
        'weekly as saved';
    my $now = stored_day($p, $zone, $d);
    is_deeply spans($now),
        [ "$booked->{start_time} $booked->{end_time}",
          @{ local_spans($zone, $d, 30, qw(14:00 14:30)) } ],
        'the booked morning slot stays, the afternoon slots are made';
    is $now->[0]{id}, $booked->{id}, 'the same slot';
    is_deeply spans(listed_day($p, $zone, $d)), local_spans($zone, $d, 30, qw(14:00 14:30)),
        'listed: the afternoon';
    my $one = GET("/available_slots/$booked->{id}/");
    is $one->{json}{source}, 'schedule', 'the kept slot: source schedule';
    ok defined $one->{json}{available} && !$one->{json}{available}, 'not available';
    $res = PATCH($url, {});
    is_deeply $res->{json}{kept}, [ $booked->{id} ], 'the next change answers it again';

    cancel($r);
    $res = PATCH($url, {});
    is_deeply $res->{json}{kept}, [], 'cancelled: not kept';
    problem_ok(GET("/available_slots/$booked->{id}/"), 404, 'and deleted');

    my $afternoon = stored_day($p, $zone, $d)->[0];
    book($afternoon->{id});
    $res = POST('/schedule_overrides/', { provider => $p, date => $d, intervals => [] });
    is $res->{status}, 201, 'an override closes the day' or diag $res->{content};
    is_deeply $res->{json}{kept}, [ $afternoon->{id} ], 'kept: the booked afternoon slot';
    is_deeply ids(stored_day($p, $zone, $d)), [ $afternoon->{id} ], 'the only slot of the day';
    is DELETE("/schedule_overrides/$res->{json}{id}/")->{status}, 204, 'override deleted';
    is_deeply spans(stored_day($p, $zone, $d)), local_spans($zone, $d, 30, qw(14:00 14:30)),
        'the day\'s slots again, the booked one not twice';
    is stored_day($p, $zone, $d)->[0]{id}, $afternoon->{id}, 'the booked one is the same';

    is DELETE($url)->{status}, 204, 'the schedule deleted';
    is_deeply ids(stored($p)), [ $afternoon->{id} ], 'its only future slot left: the booked one';
    is GET("/available_slots/$afternoon->{id}/")->{status}, 200, 'still readable';
};

# ---- One rule for listing and booking ---------------------------------------------------

subtest 'buffers: the list hides what booking refuses' => sub {
    my $p = make_provider();
    my $d = day(5);
    my $s = schedule(provider => $p, time_zone => 'UTC', slot_minutes => 30,
                     buffer_after_minutes => 10, horizon_days => 30,
                     weekly => daily('09:00', '12:00'));
    my %at = map { substr($_->{start_time}, 11, 5) => $_->{id} } @{ stored_day($p, 'UTC', $d) };
    is_deeply [ sort keys %at ], [qw(09:00 09:30 10:00 10:30 11:00 11:30)], "$d: six slots";
    my $listed = sub { [ map { substr($_, 11, 5) } @{ starts(listed_day($p, 'UTC', $d)) } ] };
    is_deeply $listed->(), [qw(09:00 09:30 10:00 10:30 11:00 11:30)], 'all listed';
    book($at{'09:00'});
    is_deeply $listed->(), [qw(10:00 10:30 11:00 11:30)],
        '09:00 booked occupies 09:00-09:40: 09:30 is no longer listed';
    problem_ok(book_res($at{'09:30'}), 409, 'booking 09:30');
    my $one = GET("/available_slots/$at{'09:30'}/");
    ok defined $one->{json}{available} && !$one->{json}{available}, '09:30: available false';
    my $res = PATCH("/schedules/$s->{id}/", { buffer_before_minutes => 40,
                                              buffer_after_minutes => 0 });
    is $res->{status}, 200, '40 minutes before, none after' or diag $res->{content};
    is_deeply $listed->(), [qw(10:30 11:00 11:30)],
        '10:00 would occupy 09:20-10:30, over 09:00\'s 09:00-09:40: hidden; 10:30 is not';
    problem_ok(book_res($at{'10:00'}), 409, 'booking 10:00');
    book($at{'10:30'});
    is_deeply $listed->(), [],
        '10:30 booked occupies 09:50-11:00: 11:00 (10:20-11:30) and 11:30 (10:50-12:00) hidden';
    problem_ok(book_res($at{'11:30'}), 409, 'booking 11:30');
    is psql("SELECT count(*) FROM reservations WHERE provider_id = $p"), 2, 'two bookings';
};

subtest 'min_notice_minutes and horizon_days bind listing and booking' => sub {
    my $p = make_provider();
    my $s = schedule(provider => $p, time_zone => 'UTC', slot_minutes => 60, horizon_days => 5,
                     min_notice_minutes => 0, weekly => daily('00:00', '24:00'));
    my $url = "/schedules/$s->{id}/";
    my $soon = stored($p, "now() + interval '1 hour'", "now() + interval '3 hours'")->[0];
    ok $soon, "a slot within 3 hours: $soon->{start_time}";
    my $near = "/available_slots/?provider=$p&to=" . rfc3339(time + 4 * 3600) . '&limit=1000';
    ok has(ids(list_of($near)), $soon->{id}),
        'min_notice_minutes 0: listed (SchedMinNotice is 24 h)';
    ok has(ids(list_of('/available_slots/?to=' . rfc3339(time + 4 * 3600) . '&limit=1000')),
           $soon->{id}), 'also in the list of every provider';
    my $soon_day = substr($soon->{start_time}, 0, 10);
    ok has(ids(list_of("/available_slots/?date=$soon_day&limit=1000")), $soon->{id}),
        "and in ?date=$soon_day";
    my $res = book_res($soon->{id});
    is $res->{status}, 201, 'and bookable' or diag $res->{content};
    cancel($res->{json}{id}) if ref $res->{json} eq 'HASH' && $res->{json}{id};

    $res = PATCH($url, { min_notice_minutes => undef });
    is $res->{status}, 200, 'min_notice_minutes null: SchedMinNotice (24 h)';
    ok !has(ids(list_of($near)), $soon->{id}), 'not listed';
    field_error(book_res($soon->{id}), 400, 'slot', 'booking it: too soon');

    $res = PATCH($url, { min_notice_minutes => 2880 });
    is $res->{status}, 200, 'min_notice_minutes 2880 (2 days)';
    my $in30 = stored($p, "now() + interval '30 hours'", "now() + interval '32 hours'")->[0];
    my $in50 = stored($p, "now() + interval '50 hours'", "now() + interval '52 hours'")->[0];
    my $list = ids(list_of("/available_slots/?provider=$p&to=" . rfc3339(time + 3 * 86400)
                           . '&limit=1000'));
    ok !has($list, $in30->{id}), 'a slot in 30 hours is not listed';
    ok has($list, $in50->{id}), 'one in 50 hours is';
    field_error(book_res($in30->{id}), 400, 'slot', 'booking the one in 30 hours: too soon');

    is psql("SELECT count(*) FROM slots WHERE provider_id = $p"
            . " AND start_time >= now() + interval '5 days'"), 0, 'no slot beyond 5 days';
    cmp_ok psql("SELECT count(*) FROM slots WHERE provider_id = $p"
                . " AND start_time >= now() + interval '4 days'"), '>=', 20, 'up to there';
    is_deeply list_of("/available_slots/?provider=$p&from=" . rfc3339(time + 5 * 86400)
                      . '&limit=1000'), [], 'none listed beyond 5 days';
    my ($far) = @{ window($p, at(9, '10:00'), at(9, '11:00'), slot_minutes => 60) };
    is $far->{source}, 'manual', 'a manual slot in 9 days';
    ok !has(ids(list_of("/available_slots/?provider=$p&date=" . day(9) . '&limit=1000')),
            $far->{id}), 'not listed: beyond the horizon';
    ok !has(ids(list_of('/available_slots/?from=' . at(9, '10:00') . '&to=' . at(9, '10:30')
                        . '&limit=1000')), $far->{id}),
        'nor in the list of every provider';
    my $one = GET("/available_slots/$far->{id}/");
    ok defined $one->{json}{available} && !$one->{json}{available}, 'available: false';
    field_error(book_res($far->{id}), 400, 'slot', 'booking it: beyond the horizon');

    $res = PATCH($url, { horizon_days => 10 });
    is $res->{status}, 200, 'horizon_days 10';
    ok has(ids(list_of("/available_slots/?provider=$p&date=" . day(9) . '&limit=1000')),
           $far->{id}), 'now it is listed';
    book($far->{id});

    my $q = make_provider();
    my ($free) = @{ window($q, at(9, '10:00'), at(9, '11:00'), slot_minutes => 60) };
    ok has(ids(list_of("/available_slots/?provider=$q&date=" . day(9) . '&limit=1000')),
           $free->{id}), 'a provider without a schedule has no horizon';
};

subtest 'a reschedule follows the same rule' => sub {
    my $p = make_provider();
    my $d = day(3);
    schedule(provider => $p, time_zone => 'UTC', slot_minutes => 30, buffer_after_minutes => 10,
             horizon_days => 5, weekly => daily('09:00', '12:00'));
    my %at = map { substr($_->{start_time}, 11, 5) => $_->{id} } @{ stored_day($p, 'UTC', $d) };
    my ($far) = @{ window($p, at(8, '10:00'), at(8, '10:30'), slot_minutes => 30) };
    my ($off) = @{ window($p, at(3, '13:00'), at(3, '13:30'), slot_minutes => 30) };
    time_off($p, at(3, '13:00'), at(3, '14:00'));
    my $r1 = book($at{'09:00'});
    my $r2 = book($at{'11:00'});
    problem_ok(PATCH("/appointment_reservations/$r2/", { slot => $at{'09:30'} }), 409,
               'moving onto a slot within another booking\'s buffer');
    field_error(PATCH("/appointment_reservations/$r2/", { slot => $far->{id} }), 400, 'slot',
                'moving onto a slot beyond the horizon');
    problem_ok(PATCH("/appointment_reservations/$r2/", { slot => $off->{id} }), 409,
               'moving onto a slot inside time off');
    is psql("SELECT slot_id FROM reservations WHERE id = $r2"), $at{'11:00'}, 'not moved';
    my $res = PATCH("/appointment_reservations/$r2/", { slot => $at{'11:30'} });
    is $res->{status}, 200, 'moving next to itself: its own buffer is not in the way'
        or diag $res->{content};
    is_deeply [ map { substr($_, 11, 5) } @{ starts(listed_day($p, 'UTC', $d)) } ],
        [qw(10:00 10:30)], 'listed: 09:30 (buffer of 09:00), 11:00 (buffer of 11:30) hidden';
};

# ---- Who may do what ----------------------------------------------------------------------

sub user_with_password {
    my (%fields) = @_;
    my $password = 'pw-' . int(rand 1e9) . "-$$";
    my $u = make_user(password => $password, %fields);
    $u->{password} = $password;
    return $u;
}

# $method /secure$path as $u (undef: no credentials).
sub as {
    my ($u, $method, $path, $body) = @_;
    my %h = $u ? (Authorization => 'Basic ' . encode_base64("$u->{username}:$u->{password}", ''))
               : ();
    return req($method, "/secure$path", $body, \%h);
}

subtest 'who may do what at /secure/' => sub {
    my $S = user_with_password(is_superuser => $TRUE);
    my ($PA, $PB, $C, $N) = map { user_with_password() } 1 .. 4;
    for my $u ($PA, $PB) {
        $u->{provider} = created('/providers/', { user => $u->{id} })->{id};
    }
    $C->{client} = created('/clients/', { user => $C->{id} })->{id};
    my ($A, $B) = ($PA->{provider}, $PB->{provider});
    my %who = ($S => 'superuser', $PA => 'provider A', $PB => 'provider B', $C => 'client user',
               $N => 'plain user');
    my $expect = sub {
        my ($u, $method, $path, $body, $status) = @_;
        local $Test::Builder::Level = $Test::Builder::Level + 1;
        my $res = as($u, $method, $path, $body);
        my $name = ($u ? $who{$u} : 'anonymous') . ": $method /secure$path";
        if ($status >= 400) {
            problem_ok($res, $status, $name) unless $status == 401;
            is $res->{status}, 401, "$name: 401" if $status == 401;
        }
        else {
            is $res->{status}, $status, "$name: $status" or diag $res->{content};
        }
        return $res->{json};
    };
    my $weekly = [ { weekday => 3, start => '09:00', end => '10:00' } ];
    my $sbody = sub { return { provider => $_[0], time_zone => 'UTC', slot_minutes => 60,
                               horizon_days => 20, weekly => $weekly } };

    # Schedules.
    $expect->($_, POST => '/schedules/', $sbody->($A), 403) for $PB, $C, $N;
    is count_of('schedules', $A), 0, 'none made for A';
    my $sa = $expect->($PA, POST => '/schedules/', $sbody->($A), 201) || {};
    $expect->($PA, POST => '/schedules/', $sbody->($B), 403);
    is count_of('schedules', $B), 0, 'none made for B';
    my $sb = $expect->($S, POST => '/schedules/', $sbody->($B), 201) || {};
    for my $u ($C, $N, $PB, $PA, $S) {
        my $got = $expect->($u, GET => "/schedules/$sa->{id}/", undef, 200);
        is_deeply $got, without($sa, 'kept'), "$who{$u} reads A's schedule";
        $got = $expect->($u, GET => "/schedules/?provider=$A", undef, 200);
        is_deeply ids($got), [ $sa->{id} ], "$who{$u} lists it";
    }
    $expect->($_, PATCH => "/schedules/$sa->{id}/", { slot_minutes => 30 }, 403) for $PB, $C, $N;
    $expect->($PB, PUT => "/schedules/$sa->{id}/", { time_zone => 'UTC', weekly => [] }, 403);
    $expect->($_, DELETE => "/schedules/$sa->{id}/", undef, 403) for $PB, $C;
    $expect->($PA, PATCH => "/schedules/$sb->{id}/", { slot_minutes => 30 }, 403);
    is psql("SELECT slot_minutes FROM schedules WHERE id = $sa->{id}"), 60, 'A\'s unchanged';
    cmp_ok scalar @{ stored($A) }, '>=', 2, 'and so are its slots';
    $expect->($PA, PATCH => "/schedules/$sa->{id}/", { slot_minutes => 30 }, 200);
    $expect->($S, PATCH => "/schedules/$sa->{id}/", { slot_minutes => 20 }, 200);
    is psql("SELECT slot_minutes FROM schedules WHERE id = $sa->{id}"), 20, 'changed by both';

    # Overrides.
    my $obody = sub { return { provider => $_[0], date => day(20), intervals => [] } };
    $expect->($_, POST => '/schedule_overrides/', $obody->($A), 403) for $PB, $C, $N;
    is count_of('schedule_overrides', $A), 0, 'no override made for A';
    my $oa = $expect->($PA, POST => '/schedule_overrides/', $obody->($A), 201) || {};
    $expect->($PA, POST => '/schedule_overrides/', $obody->($B), 403);
    my $ob = $expect->($S, POST => '/schedule_overrides/', $obody->($B), 201) || {};
    for my $u ($C, $N, $PB) {
        $expect->($u, GET => "/schedule_overrides/$oa->{id}/", undef, 200);
        is_deeply ids($expect->($u, GET => "/schedule_overrides/?provider=$A", undef, 200)),
            [ $oa->{id} ], "$who{$u} lists A's override";
    }
    $expect->($_, PATCH => "/schedule_overrides/$oa->{id}/", { intervals => [] }, 403)
        for $PB, $C;
    $expect->($_, DELETE => "/schedule_overrides/$oa->{id}/", undef, 403) for $PB, $C;
    $expect->($PA, DELETE => "/schedule_overrides/$ob->{id}/", undef, 403);
    $expect->($PA, PATCH => "/schedule_overrides/$oa->{id}/",
              { intervals => [ { start => '09:00', end => '10:00' } ] }, 200);
    $expect->($PA, DELETE => "/schedule_overrides/$oa->{id}/", undef, 204);
    $expect->($S, DELETE => "/schedule_overrides/$ob->{id}/", undef, 204);

    # Time off.
    my $tbody = sub { return { provider => $_[0], start_time => at(21, '08:00'),
                               end_time => at(21, '09:00') } };
    $expect->($_, POST => '/time_off/', $tbody->($A), 403) for $PB, $C, $N;
    is count_of('time_off', $A), 0, 'no time off made for A';
    my $ta = $expect->($PA, POST => '/time_off/', $tbody->($A), 201) || {};
    $expect->($PA, POST => '/time_off/', $tbody->($B), 403);
    my $tb = $expect->($S, POST => '/time_off/', $tbody->($B), 201) || {};
    for my $u ($C, $N, $PB) {
        $expect->($u, GET => "/time_off/$ta->{id}/", undef, 200);
        is_deeply ids($expect->($u, GET => "/time_off/?provider=$A", undef, 200)), [ $ta->{id} ],
            "$who{$u} lists A's time off";
    }
    $expect->($_, PATCH => "/time_off/$ta->{id}/", { reason => 'x' }, 403) for $PB, $C;
    $expect->($_, DELETE => "/time_off/$ta->{id}/", undef, 403) for $PB, $C;
    $expect->($PA, PATCH => "/time_off/$tb->{id}/", { reason => 'x' }, 403);
    is psql("SELECT count(*) FROM time_off WHERE provider_id IN ($A, $B) AND reason <> ''"), 0,
        'no reason changed';
    $expect->($PA, PATCH => "/time_off/$ta->{id}/", { reason => 'own' }, 200);
    $expect->($S, DELETE => "/time_off/$ta->{id}/", undef, 204);
    $expect->($PA, DELETE => "/time_off/$tb->{id}/", undef, 403);
    $expect->($PB, DELETE => "/time_off/$tb->{id}/", undef, 204);

    # Anonymous: httpd's 401.
    $expect->(undef, GET => '/schedules/', undef, 401);
    $expect->(undef, GET => "/schedules/$sa->{id}/", undef, 401);
    $expect->(undef, POST => '/schedules/', $sbody->($A), 401);
    $expect->(undef, GET => '/schedule_overrides/', undef, 401);
    $expect->(undef, GET => '/time_off/', undef, 401);

    $expect->($PB, DELETE => "/schedules/$sb->{id}/", undef, 204);
    $expect->($PA, DELETE => "/schedules/$sa->{id}/", undef, 204);
    is count_of('schedules', $A) + count_of('schedules', $B), 0, 'both deleted by their providers';
};

subtest '/public/: anonymous may read, not write' => sub {
    my $p = make_provider();
    my $s = schedule(provider => $p, time_zone => 'UTC', slot_minutes => 60, horizon_days => 10,
                     weekly => daily('09:00', '10:00'));
    my $o = override($p, day(8), []);
    my $t = time_off($p, at(7, '09:00'), at(7, '10:00'));
    # As they are now (the override and the time off moved materialized_until).
    my %item = map { $_->[0] => GET("/$_->[0]/$_->[1]{id}/")->{json} }
        [ schedules => $s ], [ schedule_overrides => $o ], [ time_off => $t ];
    for my $r (sort keys %item) {
        my $id = $item{$r}{id};
        my $res = GET("/public/$r/$id/");
        is $res->{status}, 200, "GET /public/$r/{id}/";
        is_deeply $res->{json}, without($item{$r}, 'kept'), 'the resource';
        $res = GET("/public/$r/?provider=$p");
        is $res->{status}, 200, "GET /public/$r/?provider=";
        is_deeply ids($res->{json}), [ $id ], 'the list';
        problem_ok(GET("/public/$r/$MISSING_ID/"), 404, "GET /public/$r/ of a missing id");
        problem_ok(PATCH("/public/$r/$id/", {}), 401, "PATCH /public/$r/{id}/");
        problem_ok(DELETE("/public/$r/$id/"), 401, "DELETE /public/$r/{id}/");
    }
    problem_ok(PUT("/public/schedules/$s->{id}/", { time_zone => 'UTC', weekly => [] }), 401,
               'PUT /public/schedules/{id}/');
    my $q = make_provider();
    problem_ok(POST('/public/schedules/', { provider => $q, time_zone => 'UTC', weekly => [] }),
               401, 'POST /public/schedules/');
    problem_ok(POST('/public/schedule_overrides/', { provider => $p, date => day(9),
                                                     intervals => [] }),
               401, 'POST /public/schedule_overrides/');
    problem_ok(POST('/public/time_off/', { provider => $p, start_time => at(9, '09:00'),
                                           end_time => at(9, '10:00') }),
               401, 'POST /public/time_off/');
    is count_of('schedules', $q), 0, 'no schedule made';
    is count_of('schedule_overrides', $p), 1, 'no override made';
    is count_of('time_off', $p), 1, 'no time off made';
    for my $r (sort keys %item) {
        is_deeply GET("/$r/$item{$r}{id}/")->{json}, without($item{$r}, 'kept'),
            "the $r unchanged";
    }
    my $slots = GET("/public/available_slots/?provider=$p&limit=1000");
    is $slots->{status}, 200, 'its slots are listed at /public/';
    is_deeply [ map { $_->{source} } @{ $slots->{json} || [] } ],
        [ ('schedule') x @{ $slots->{json} || [] } ], 'with source schedule';
};

# ---- Concurrency -------------------------------------------------------------------------

subtest 'concurrent changes of one provider: no overlap, no slot twice' => sub {
    my $zone = 'Europe/Paris';
    my $p = make_provider();
    my $s = schedule(provider => $p, time_zone => $zone, slot_minutes => 30, horizon_days => 20,
                     weekly => daily('08:00', '18:00'));
    my %hours = (20 => [ '08:00', '17:00' ], 45 => [ '07:00', '19:00' ]);
    my $plain = local_date($zone, 15);    # no override, no time off that day
    for my $round (1 .. 4) {
        my @requests = (
            [ PATCH => "/schedules/$s->{id}/", { slot_minutes => 20, weekly => daily(@{ $hours{20} }) } ],
            [ PATCH => "/schedules/$s->{id}/", { slot_minutes => 45, weekly => daily(@{ $hours{45} }) } ],
            [ POST => '/schedule_overrides/', { provider => $p, date => local_date($zone, 3 + $round),
                                                intervals => [ { start => '10:00', end => '13:00' } ] } ],
            [ POST => '/time_off/', { provider => $p, start_time => at(8 + $round, '12:00'),
                                      end_time => at(8 + $round, '14:00') } ],
        );
        my @out = race(scalar @requests, sub {
            my ($http, $i) = @_;
            my ($method, $path, $body) = @{ $requests[$i - 1] };
            return $http->request($method, url($path), {
                headers => { 'content-type' => 'application/json' },
                content => encode_json($body) });
        });
        is_deeply [ map { $_->[0] } @out ], [ 200, 200, 201, 201 ],
            "round $round: two PATCHes, an override and time off at once all succeed"
            or diag explain \@out;
        is overlaps($p), 0, "round $round: no two slots overlap";
        is psql("SELECT count(*) - count(DISTINCT start_time) FROM slots WHERE provider_id = $p"),
            0, "round $round: no slot twice";
        my $now = GET("/schedules/$s->{id}/")->{json} || {};
        my $len = $now->{slot_minutes} // 0;
        is_deeply $now->{weekly}, daily(@{ $hours{$len} || [] }),
            "round $round: the schedule is one PATCH's whole ($len minutes)";
        is psql("SELECT string_agg(DISTINCT (extract(epoch FROM end_time - start_time) / 60)"
                . "::int::text, ',') FROM slots WHERE provider_id = $p AND source = 'schedule'"
                . " AND start_time > now()"), $len,
            "round $round: every future schedule slot lasts $len minutes";
        my ($from, $to) = @{ $hours{$len} || [ '00:00', '00:00' ] };
        my $n = int((epoch("2000-01-01T$to:00Z") - epoch("2000-01-01T$from:00Z")) / 60 / ($len || 1));
        my $day = stored_day($p, $zone, $plain);
        is scalar @$day, $n, "round $round: $plain has $n slots";
        is $day->[0]{start_time}, utc($zone, $plain, $from), "round $round: from $from local";
        is psql("SELECT count(*) FROM slots s JOIN time_off o ON o.provider_id = s.provider_id"
                . " AND tstzrange(o.start_time, o.end_time) && tstzrange(s.start_time, s.end_time)"
                . " WHERE s.provider_id = $p"), 0, "round $round: none inside time off";
        my $odate = local_date($zone, 3 + $round);
        my $base = local_epoch($zone, $odate, '10:00');
        my @want;
        for (my $m = 0; $len && $m + $len <= 180; $m += $len) {
            push @want, rfc3339($base + 60 * $m);
        }
        is_deeply starts(stored_day($p, $zone, $odate)), \@want,
            "round $round: the override's day follows its hours in $len-minute slots";
    }

    my $q = make_provider();
    my @zones = qw(UTC Europe/Paris Asia/Tokyo America/New_York);
    my @out = race(4, sub {
        my ($http, $i) = @_;
        return $http->request('POST', url('/schedules/'), {
            headers => { 'content-type' => 'application/json' },
            content => encode_json({ provider => $q, time_zone => $zones[$i - 1],
                                     horizon_days => 10, weekly => daily('09:00', '11:00') }) });
    });
    is_deeply [ sort map { $_->[0] } @out ], [ 201, 409, 409, 409 ],
        'four POSTs of a schedule of one provider at once: one 201, three 409'
        or diag explain \@out;
    is count_of('schedules', $q), 1, 'one schedule';
    is overlaps($q), 0, 'no overlap';
    is psql("SELECT count(*) - count(DISTINCT start_time) FROM slots WHERE provider_id = $q"), 0,
        'no slot twice';
};

finish();
