# /available_slots/: publishing a window cut into slots on the grid, the rules that
# refuse a window, the list of bookable slots with its filters (provider, date in UTC
# or a zone, from/to, paging), one slot with "available", moving and deleting a slot.
# The test server runs with SchedMinNotice 24h and SchedHoldTime 3s; /day has
# SchedWindow 1d. Every subtest makes its own provider, so nothing depends on what
# else is in the database.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use HTTP::Tiny;
use JSON::PP;
use POSIX qw(floor strftime);
use Time::Local qw(timegm);
use SchedTest;

needs_db('counts slots with psql');

my $NOW = time;
my $MISSING_ID = '9223372036854775807';
my %ITEM_KEYS = map { $_ => 1 } qw(id provider start_time end_time source);

# ---- Helpers ----------------------------------------------------------------------

# POST a window; expects 201 and returns the array of slots made.
sub window {
    my ($provider, $start, $end, %more) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $res = POST('/available_slots/', { provider => $provider, start_time => $start,
                                          end_time => $end, %more });
    my $name = "window $start - $end" . (%more ? ' (' . join(', ', %more) . ')' : '');
    is $res->{status}, 201, $name or diag $res->{content};
    return ref $res->{json} eq 'ARRAY' ? $res->{json} : [];
}

# [start, end] pairs of a list of slots.
sub spans {
    my ($slots) = @_;
    return [ map { [ $_->{start_time}, $_->{end_time} ] } @{ $slots || [] } ];
}

sub starts {
    my ($slots) = @_;
    return [ map { $_->{start_time} } @{ $slots || [] } ];
}

# Start times of GET $path (a list of slots); fails the test if it is not 200.
sub listed {
    my ($path) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $res = GET($path);
    is $res->{status}, 200, "GET $path" or diag $res->{content};
    return starts($res->{json});
}

sub slot_count {
    my ($provider) = @_;
    return psql("select count(*) from slots where provider_id = $provider");
}

# Books $slot for a new client; returns the reservation.
sub book {
    my ($slot) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $res = POST('/appointment_reservations/', { client => make_client(), slot => $slot });
    is $res->{status}, 201, "book slot $slot" or diag $res->{content};
    return $res->{json} || {};
}

# ---- Creating slots ---------------------------------------------------------------

subtest 'a window of two hours makes eight slots of 15 minutes' => sub {
    my $p = make_provider();
    my $res = POST('/available_slots/', { provider => $p, start_time => at(10, '08:00'),
                                          end_time => at(10, '10:00') });
    is $res->{status}, 201, 'POST is 201' or diag $res->{content};
    like $res->{headers}{'content-type'}, qr{^application/json}, 'JSON';
    my $slots = $res->{json};
    is ref $slots, 'ARRAY', 'an array';
    my @want = map { [ at(10, $_->[0]), at(10, $_->[1]) ] }
        ['08:00', '08:15'], ['08:15', '08:30'], ['08:30', '08:45'], ['08:45', '09:00'],
        ['09:00', '09:15'], ['09:15', '09:30'], ['09:30', '09:45'], ['09:45', '10:00'];
    is_deeply spans($slots), \@want, 'eight slots at the exact times, in order';
    for my $s (@{ $slots || [] }) {
        is_deeply { map { $_ => 1 } keys %$s }, \%ITEM_KEYS,
            'id, provider, start_time, end_time, source' or last;
        is $s->{source}, 'manual', 'a slot of a posted window is manual' or last;
    }
    is_deeply [ map { $_->{provider} } @$slots ], [ ($p) x 8 ], 'all of the provider';
    my @ids = map { $_->{id} } @$slots;
    ok !grep({ !/^[1-9][0-9]*$/ } @ids), 'ids are positive integers';
    is scalar(keys %{ { map { $_ => 1 } @ids } }), 8, 'eight distinct ids';
    is slot_count($p), 8, 'eight rows stored';

    my $one = GET("/available_slots/$ids[0]/");
    is $one->{status}, 200, 'GET one slot';
    is_deeply $one->{json}, { %{ $slots->[0] }, available => JSON::PP::true },
        'the slot, available';
};

subtest 'slot_minutes overrides the slot length' => sub {
    my $p = make_provider();
    my $slots = window($p, at(10, '08:00'), at(10, '10:00'), slot_minutes => 30);
    is_deeply spans($slots), [ map { [ at(10, $_->[0]), at(10, $_->[1]) ] }
                               ['08:00', '08:30'], ['08:30', '09:00'],
                               ['09:00', '09:30'], ['09:30', '10:00'] ],
        'four slots of 30 minutes';
    $slots = window($p, at(11, '00:00'), at(13, '00:00'), slot_minutes => 1440);
    is_deeply spans($slots), [ [ at(11, '00:00'), at(12, '00:00') ],
                               [ at(12, '00:00'), at(13, '00:00') ] ],
        'slot_minutes 1440: whole days';
    $slots = window($p, at(14, '08:00'), at(14, '08:12'), slot_minutes => 5);
    is_deeply spans($slots), [ [ at(14, '08:00'), at(14, '08:05') ],
                               [ at(14, '08:05'), at(14, '08:10') ] ],
        'slot_minutes 5';
};

subtest 'the grid counts from midnight UTC; the start rounds up' => sub {
    my $p = make_provider();
    my $slots = window($p, at(10, '08:07'), at(10, '09:00'));
    is_deeply starts($slots), [ map { at(10, $_) } qw(08:15 08:30 08:45) ],
        '08:07 rounds up to 08:15';
    $slots = window($p, day(11) . 'T08:00:01Z', at(11, '08:30'));
    is_deeply starts($slots), [ at(11, '08:15') ], 'one second past the grid rounds up';
    # 7-minute slots: 08:00 is minute 480, not a multiple of 7; 483 (08:03) is.
    $slots = window($p, at(12, '08:00'), at(12, '08:30'), slot_minutes => 7);
    is_deeply spans($slots), [ map { [ at(12, $_->[0]), at(12, $_->[1]) ] }
                               ['08:03', '08:10'], ['08:10', '08:17'], ['08:17', '08:24'] ],
        '7-minute slots lie on multiples of 7 minutes since midnight';
    # Across midnight the grid of the first day goes on (1440 is not a multiple of 7).
    $slots = window($p, at(13, '23:50'), at(14, '00:30'), slot_minutes => 7);
    is_deeply starts($slots), [ at(13, '23:55'), at(14, '00:02'), at(14, '00:09'),
                                at(14, '00:16'), at(14, '00:23') ],
        'the grid of the first day continues past midnight';
};

subtest 'offsets are read, output is UTC' => sub {
    my $p = make_provider();
    my $d = day(10);
    my $slots = window($p, "${d}T10:00:00+02:00", "${d}T11:00:00+02:00");
    is_deeply starts($slots), [ map { at(10, $_) } qw(08:00 08:15 08:30 08:45) ],
        '+02:00 in, Z out';
    $slots = window($p, "${d}T05:07:00-05:00", "${d}T10:45:00Z");
    is_deeply starts($slots), [ map { at(10, $_) } qw(10:15 10:30) ],
        '-05:00, rounded up on the UTC grid';
    $slots = window($p, "${d}T12:00:00.000Z", "${d}T12:15:00.000+00:00");
    is_deeply spans($slots), [ [ at(10, '12:00'), at(10, '12:15') ] ],
        'a zero fraction is accepted and not written';
    $slots = window($p, "${d}t13:00:00z", "${d}t13:15:00z");
    is_deeply starts($slots), [ at(10, '13:00') ], 'lower-case t and z (RFC 3339)';
};

subtest 'only whole slots are made' => sub {
    my $p = make_provider();
    my $slots = window($p, at(10, '08:00'), at(10, '08:20'));
    is_deeply spans($slots), [ [ at(10, '08:00'), at(10, '08:15') ] ], '08:00-08:20: one slot';
    $slots = window($p, at(10, '09:10'), at(10, '09:44'));
    is_deeply spans($slots), [ [ at(10, '09:15'), at(10, '09:30') ] ],
        '09:10-09:44: only 09:15-09:30 fits';
    is slot_count($p), 2, 'two rows';
};

subtest 'the same window twice: 201, then 201 with []' => sub {
    my $p = make_provider();
    my $first = window($p, at(10, '08:00'), at(10, '09:00'));
    is scalar @$first, 4, 'four slots';
    my $res = POST('/available_slots/', { provider => $p, start_time => at(10, '08:00'),
                                          end_time => at(10, '09:00') });
    is $res->{status}, 201, 'again: 201';
    is_deeply $res->{json}, [], 'nothing new';
    is slot_count($p), 4, 'still four rows';
    my $more = window($p, at(10, '08:00'), at(10, '10:00'));
    is_deeply starts($more), [ map { at(10, $_) } qw(09:00 09:15 09:30 09:45) ],
        'a longer window adds only the new slots';
    is slot_count($p), 8, 'eight rows';
    is_deeply window($p, at(10, '08:30'), at(10, '09:30')), [],
        'a window inside existing identical slots: []';
};

subtest 'a window overlapping a different slot is 409 and makes nothing' => sub {
    my $p = make_provider();
    window($p, at(10, '08:00'), at(10, '09:00'));
    is slot_count($p), 4, 'four 15-minute slots';
    my $res = POST('/available_slots/', { provider => $p, start_time => at(10, '07:00'),
                                          end_time => at(10, '09:00'), slot_minutes => 30 });
    problem_ok($res, 409, '07:00-09:00 in 30-minute slots');
    is slot_count($p), 4, 'nothing created, not even 07:00 and 07:30 that were free';
    $res = POST('/available_slots/', { provider => $p, start_time => at(10, '08:50'),
                                       end_time => at(10, '10:00'), slot_minutes => 10 });
    problem_ok($res, 409, '10-minute slots from 08:50 overlap 08:45-09:00');
    is slot_count($p), 4, 'still four';
    # Touching is not overlapping.
    my $slots = window($p, at(10, '09:00'), at(10, '10:00'), slot_minutes => 30);
    is scalar @$slots, 2, '30-minute slots right after the 15-minute ones are fine';
    my $other = make_provider();
    is scalar @{ window($other, at(10, '08:00'), at(10, '09:00'), slot_minutes => 20) }, 3,
        'another provider may have slots at the same time';
};

subtest 'windows refused with 400' => sub {
    my $p = make_provider();
    my $post = sub { POST('/available_slots/', { provider => $p, @_ }) };
    problem_ok($post->(start_time => at(10, '09:00'), end_time => at(10, '08:00')), 400,
               'end before start');
    problem_ok($post->(start_time => at(10, '09:00'), end_time => at(10, '09:00')), 400,
               'end equal to start');
    problem_ok($post->(start_time => at(10, '00:00'), end_time => at(42, '00:01'),
                       slot_minutes => 1440), 400, 'longer than 31 days');
    problem_ok($post->(start_time => at(10, '08:01'), end_time => at(10, '08:14')), 400,
               'no whole slot (08:01-08:14)');
    problem_ok($post->(start_time => at(10, '08:05'), end_time => at(10, '08:35'),
                       slot_minutes => 30), 400, 'no whole 30-minute slot in 08:05-08:35');
    is slot_count($p), 0, 'nothing created';
    my $month = window($p, at(10, '00:00'), at(41, '00:00'), slot_minutes => 1440);
    is scalar @$month, 31, 'exactly 31 days is allowed';
};

subtest 'slot_minutes must be an integer from 5 to 1440' => sub {
    my $p = make_provider();
    for my $bad (4, 0, -15, 1441, 15.5, '15', JSON::PP::true, JSON::PP::null, [15]) {
        my $name = ref $bad eq 'ARRAY' ? 'a list' : JSON::PP->new->allow_nonref->encode($bad);
        field_error(POST('/available_slots/', { provider => $p, start_time => at(10, '08:00'),
                                                end_time => at(10, '10:00'),
                                                slot_minutes => $bad }),
                    400, 'slot_minutes', "slot_minutes $name");
    }
    field_error(POST('/available_slots/',
                     sprintf('{"provider": %d, "start_time": "%s", "end_time": "%s", '
                             . '"slot_minutes": 15.0}', $p, at(10, '08:00'), at(10, '10:00')),
                     { 'Content-Type' => 'application/json' }),
                400, 'slot_minutes', 'slot_minutes 15.0');
    is slot_count($p), 0, 'nothing created';
};

subtest 'body validation names the field' => sub {
    my $p = make_provider();
    my %good = (provider => $p, start_time => at(10, '08:00'), end_time => at(10, '09:00'));
    for my $field (qw(provider start_time end_time)) {
        my %body = %good;
        delete $body{$field};
        field_error(POST('/available_slots/', \%body), 400, $field, "missing $field");
    }
    my @cases = (
        [ provider => "$p", 'provider as a string' ],
        [ provider => 1.5, 'provider as a float' ],
        [ provider => 0, 'provider 0' ],
        [ provider => JSON::PP::null, 'provider null' ],
        [ provider => 9223372036854775000, 'unknown provider' ],
        [ start_time => 1800000000, 'start_time as a number' ],
        [ start_time => JSON::PP::null, 'start_time null' ],
        [ end_time => [ at(10, '09:00') ], 'end_time as a list' ],
        [ start_time => day(10) . 'T08:00:00', 'start_time without an offset' ],
        [ end_time => day(10) . 'T09:00:00', 'end_time without an offset' ],
        [ start_time => day(10), 'start_time a date only' ],
        [ start_time => '2027-02-30T08:00:00Z', 'an impossible date (February 30)' ],
        [ start_time => '2027-13-01T08:00:00Z', 'month 13' ],
        [ end_time => day(10) . 'T24:00:00Z', 'hour 24' ],
        [ start_time => day(10) . 'T08:60:00Z', 'minute 60' ],
        [ start_time => day(10) . 'T08:00:00+19:00', 'offset beyond 18:00' ],
        [ start_time => 'next tuesday', 'not a time' ],
        [ start_time => '', 'empty' ],
    );
    for my $case (@cases) {
        my ($field, $value, $name) = @$case;
        field_error(POST('/available_slots/', { %good, $field => $value }), 400, $field,
                    $name);
    }
    is slot_count($p), 0, 'nothing created';
    problem_ok(POST('/available_slots/', '[]', { 'Content-Type' => 'application/json' }), 400,
               'an array body');
    problem_ok(POST('/available_slots/', encode_json(\%good),
                    { 'Content-Type' => 'text/plain' }), 415, 'not JSON');
    my $gone = make_provider();
    is DELETE("/providers/$gone/")->{status}, 204, 'a provider deleted';
    field_error(POST('/available_slots/', { %good, provider => $gone }), 400, 'provider',
                'a deleted provider');
    my $res = POST('/available_slots/', { %good, id => 5, colour => 'blue' });
    is $res->{status}, 201, 'unknown fields are ignored';
};

# ---- Listing ----------------------------------------------------------------------

subtest 'the list shows bookable slots only, ordered by start_time' => sub {
    my $p = make_provider();
    # Made in reverse order: the list is by start_time, not by id.
    window($p, at(12, '08:00'), at(12, '08:30'));
    window($p, at(10, '08:00'), at(10, '08:30'));
    my $res = GET("/available_slots/?provider=$p");
    is $res->{status}, 200, 'GET list';
    like $res->{headers}{'content-type'}, qr{^application/json}, 'JSON';
    is_deeply starts($res->{json}), [ at(10, '08:00'), at(10, '08:15'), at(12, '08:00'),
                                      at(12, '08:15') ], 'ordered by start_time';
    ok !grep({ $_->{provider} != $p } @{ $res->{json} || [] }), 'only that provider';
    is_deeply { map { $_ => 1 } keys %{ $res->{json}[0] || {} } }, \%ITEM_KEYS,
        'each with id, provider, start_time, end_time, source';

    my $other = make_provider();
    window($other, at(10, '08:00'), at(10, '08:30'));
    is_deeply listed("/available_slots/?provider=$other"),
        [ at(10, '08:00'), at(10, '08:15') ], 'the provider filter';
    is_deeply listed("/available_slots/?provider=$MISSING_ID"), [], 'unknown provider: []';

    my $all = GET('/available_slots/?limit=1000');
    is $all->{status}, 200, 'GET without a filter';
    my $bad = grep { (epoch($_->{start_time}) // 0) < $NOW + 86400 } @{ $all->{json} || [] };
    is $bad, 0, 'nothing inside the 24 h notice';
};

subtest 'slots inside the minimum notice are not listed and not available' => sub {
    my $p = make_provider();
    my $near = window($p, rfc3339($NOW + 2 * 3600), rfc3339($NOW + 4 * 3600));
    cmp_ok scalar @$near, '>=', 6, 'slots two to four hours from now';
    my $far = window($p, at(3, '08:00'), at(3, '08:30'));
    is_deeply listed("/available_slots/?provider=$p"), starts($far),
        'only the slots beyond 24 h are listed';
    is_deeply listed("/available_slots/?provider=$p&from=" . rfc3339($NOW - 3600)),
        starts($far), 'also with from= before them';
    my $near_day = substr $near->[0]{start_time} // '', 0, 10;
    is_deeply listed("/available_slots/?provider=$p&date=$near_day"), starts($far),
        'nor with date= their day';
    my $res = GET("/available_slots/$near->[0]{id}/");
    is $res->{status}, 200, 'GET a near slot';
    is_deeply $res->{json}, { %{ $near->[0] }, available => JSON::PP::false },
        'it exists, "available": false';
    is GET("/available_slots/$far->[0]{id}/")->{json}{available}, JSON::PP::true,
        'a far one is available';
};

subtest 'a slot with a pending reservation is not listed and not available' => sub {
    my $p = make_provider();
    my $slots = window($p, at(10, '08:00'), at(10, '08:45'));
    my $r = book($slots->[1]{id});
    is $r->{status}, 'pending', 'pending';
    # The hold is 3 s: look at once.
    is_deeply listed("/available_slots/?provider=$p"), [ at(10, '08:00'), at(10, '08:30') ],
        'the held slot is not listed';
    my $res = GET("/available_slots/$slots->[1]{id}/");
    is $res->{status}, 200, 'still readable';
    is $res->{json}{available}, JSON::PP::false, '"available": false';
    is GET("/available_slots/$slots->[0]{id}/")->{json}{available}, JSON::PP::true,
        'its neighbour is available';
};

subtest 'date= lists a window of 7 days from midnight UTC' => sub {
    my $p = make_provider();
    window($p, at(9, '23:45'), at(10, '00:15'));     # day D-1 23:45, D 00:00
    window($p, at(13, '12:00'), at(13, '12:15'));    # D+3 12:00
    window($p, at(16, '14:45'), at(16, '15:15'));    # D+6 14:45, 15:00
    window($p, at(16, '23:45'), at(17, '00:15'));    # D+6 23:45, D+7 00:00
    window($p, at(9, '14:45'), at(9, '15:15'));      # D-1 14:45, 15:00
    my $d = day(10);
    is_deeply listed("/available_slots/?provider=$p&date=$d"),
        [ at(10, '00:00'), at(13, '12:00'), at(16, '14:45'), at(16, '15:00'),
          at(16, '23:45') ],
        'D 00:00 to D+6 23:45; not D-1 23:45, not D+7 00:00';
    # Tokyo is UTC+9 all year: its day D starts at D-1 15:00 UTC.
    is_deeply listed("/available_slots/?provider=$p&date=$d&tz=Asia/Tokyo"),
        [ at(9, '15:00'), at(9, '23:45'), at(10, '00:00'), at(13, '12:00'), at(16, '14:45') ],
        'tz=Asia/Tokyo: D-1 15:00Z to D+6 15:00Z';
    is_deeply listed("/available_slots/?provider=$p&date=$d&tz=UTC"),
        listed("/available_slots/?provider=$p&date=$d"), 'tz=UTC is the default';
    is_deeply listed("/available_slots/?provider=$p&date=" . day(17)), [ at(17, '00:00') ],
        'date=D+7';
};

subtest 'from and to' => sub {
    my $p = make_provider();
    window($p, at(10, '08:00'), at(10, '09:00'));
    window($p, at(11, '08:00'), at(11, '08:30'));
    is_deeply listed("/available_slots/?provider=$p&from=" . at(10, '08:15')
                     . '&to=' . at(10, '08:45')),
        [ at(10, '08:15'), at(10, '08:30') ], 'from inclusive, to exclusive';
    is_deeply listed("/available_slots/?provider=$p&from=" . at(10, '08:40')),
        [ at(10, '08:45'), at(11, '08:00'), at(11, '08:15') ], 'from alone: no end';
    is_deeply listed("/available_slots/?provider=$p&to=" . at(10, '08:30')),
        [ at(10, '08:00'), at(10, '08:15') ], 'to alone: from now';
    my $d = day(10);
    is_deeply listed("/available_slots/?provider=$p&from=${d}T10:30:00%2B02:00"
                     . "&to=${d}T03:45:00-05:00"),
        [ at(10, '08:30') ], 'offsets in from and to';
};

subtest 'bad query parameters are 400' => sub {
    my $d = day(10);
    my $t = at(10, '08:00');
    for my $q ("date=$d&from=$t", "date=$d&to=$t", 'tz=Europe/Paris',
               "from=$t&tz=Europe/Paris", "date=$d&tz=Mars/Olympus",
               "date=$d&tz=", "date=$d&tz=../../../../etc/passwd",
               "date=$d&tz=%2Fetc%2Flocaltime",
               'date=2027-02-30', 'date=2027-13-01', 'date=20270101', 'date=tomorrow', 'date=',
               'from=yesterday', 'from=' . day(10) . 'T08:00:00', 'to=2027-02-30T08:00:00Z',
               'from=', 'provider=abc', 'provider=0', 'provider=-1', 'provider=1&provider=2',
               "date=$d&date=$d", 'limit=0', 'limit=1001', 'after=garbage', 'after=') {
        problem_ok(GET("/available_slots/?$q"), 400, $q);
    }
    is GET("/available_slots/?date=$d&colour=blue")->{status}, 200, 'unknown ones ignored';
};

subtest 'paging follows Link to the end' => sub {
    my $p = make_provider();
    window($p, at(10, '08:00'), at(10, '09:30'));    # 6
    window($p, at(11, '08:00'), at(11, '09:00'));    # 4
    window($p, at(12, '08:00'), at(12, '08:45'));    # 3
    my $all = GET("/available_slots/?provider=$p&limit=1000");
    is $all->{status}, 200, 'one big page';
    my @want = map { $_->{id} } @{ $all->{json} || [] };
    is scalar @want, 13, 'thirteen slots';
    ok !defined $all->{headers}{link}, 'no Link when all fit';

    my $raw = http_client(timeout => 30);
    my (@seen, @sizes, $links_ok);
    $links_ok = 1;
    my $next = url("/available_slots/?provider=$p&limit=3");
    while (defined $next && @sizes <= 13) {
        my $res = $raw->get($next);
        unless ($res->{status} == 200) {
            fail("$next: $res->{status}");
            last;
        }
        my $page = decode_json($res->{content});
        push @sizes, scalar @$page;
        push @seen, map { $_->{id} } @$page;
        $next = next_link({ headers => $res->{headers} });
        if (defined $next) {
            $links_ok &&= $next =~ m{^\Q${\ url('/available_slots/') }\E\?}
                && $next =~ /[?&]provider=$p(?:&|$)/ && $next =~ /[?&]limit=3(?:&|$)/
                && $next =~ /[?&]after=[^&]+/;
            diag "odd Link: $next" unless $links_ok;
        }
    }
    ok $links_ok, 'each Link is absolute and keeps provider= and limit=';
    is_deeply \@seen, \@want, 'the same slots in the same order, none twice, none missed';
    is_deeply [ @sizes[0 .. 3] ], [ 3, 3, 3, 3 ], 'pages of three';
    cmp_ok scalar @sizes, '<=', 5, 'five pages at most';

    # A cursor survives new rows before it: nothing skipped or repeated.
    my $first = GET("/available_slots/?provider=$p&limit=3");
    window($p, at(10, '06:00'), at(10, '06:30'));
    my $after = GET(next_link($first) // url('/nope/'));
    is_deeply [ map { $_->{id} } @{ $after->{json} || [] } ], [ @want[3 .. 5] ],
        'the next page after adding earlier slots';
};

# 00:00Z of the last Sunday of a month with 31 days ($mon: 0-11) of $year.
sub last_sunday {
    my ($year, $mon) = @_;
    my $t = timegm(0, 0, 0, 31, $mon, $year);
    return $t - (gmtime $t)[6] * 86400;
}

# The next such Sunday at least two days ahead: the clocks of Europe/Paris change
# that day at 01:00Z (forward in March, back in October).
sub next_change {
    my ($mon) = @_;
    my $year = (gmtime $NOW)[5] + 1900;
    $year++ while last_sunday($year, $mon) < $NOW + 2 * 86400;
    return last_sunday($year, $mon);
}

subtest 'DST: a local day is 23 or 25 hours (/day has SchedWindow 1d)' => sub {
    needs_local("the test server's /day mount");
    my $p = make_provider();
    my $t = next_change(2);    # March: from UTC+1 to UTC+2
    my $d = strftime('%Y-%m-%d', gmtime $t);
    window($p, rfc3339($t - 75 * 60), rfc3339($t + 22.5 * 3600));
    my $res = GET("/day/available_slots/?provider=$p&date=$d&tz=Europe/Paris&limit=1000");
    is $res->{status}, 200, "GET /day/available_slots/?date=$d&tz=Europe/Paris"
        or diag $res->{content};
    my $got = starts($res->{json});
    is scalar @$got, 92, '23 hours of 15-minute slots';
    is $got->[0], rfc3339($t - 3600), 'first: 00:00 local (23:00Z the day before)';
    is $got->[-1], rfc3339($t + 21.75 * 3600), 'last: 23:45 local (21:45Z)';
    ok !grep({ $_ eq rfc3339($t + 22 * 3600) || $_ eq rfc3339($t - 75 * 60) } @$got),
        '00:00 local of the next day and 23:45 local of the day before are not in it';
    $got = starts(GET("/day/available_slots/?provider=$p&date=$d&limit=1000")->{json});
    is scalar @$got, 90, 'the same date in UTC: 00:00Z to 22:15Z';
    is $got->[0], rfc3339($t), 'from midnight UTC';

    # The default window of 7 local days at / takes the change in its stride.
    my $week = strftime('%Y-%m-%d', gmtime($t - 6 * 86400));
    $got = starts(GET("/available_slots/?provider=$p&date=$week&tz=Europe/Paris&limit=1000")
                  ->{json});
    is $got->[-1], rfc3339($t + 21.75 * 3600),
        "7 days from $week local end at 00:00 local the day after the change";

    $t = next_change(9);    # October: back to UTC+1
    $d = strftime('%Y-%m-%d', gmtime $t);
    window($p, rfc3339($t - 135 * 60), rfc3339($t + 23.5 * 3600));
    $res = GET("/day/available_slots/?provider=$p&date=$d&tz=Europe/Paris&limit=1000");
    is $res->{status}, 200, "date=$d&tz=Europe/Paris";
    $got = starts($res->{json});
    is scalar @$got, 100, '25 hours of 15-minute slots';
    is $got->[0], rfc3339($t - 2 * 3600), 'first: 00:00 local (22:00Z the day before)';
    is $got->[-1], rfc3339($t + 22.75 * 3600), 'last: 23:45 local (22:45Z)';
    ok !grep({ $_ eq rfc3339($t + 23 * 3600) || $_ eq rfc3339($t - 135 * 60) } @$got),
        '00:00 local of the next day and 23:45 local of the day before are not in it';
};

# ---- One slot ---------------------------------------------------------------------

subtest 'GET one slot' => sub {
    problem_ok(GET("/available_slots/$MISSING_ID/"), 404, 'a missing slot');
    problem_ok(GET('/available_slots/0/'), 404, 'id 0');
    problem_ok(GET('/available_slots/abc/'), 404, 'id abc');
    my $p = make_provider();
    my $s = window($p, at(10, '08:00'), at(10, '08:15'))->[0];
    my $res = GET("/available_slots/$s->{id}");
    is $res->{status}, 200, 'without the trailing slash';
    is $res->{json}{start_time}, $s->{start_time}, 'the slot';
    my $head = HEAD("/available_slots/$s->{id}/");
    is $head->{status}, 200, 'HEAD';
    is $head->{content}, '', 'HEAD has no body';
};

subtest 'PUT and PATCH move a slot' => sub {
    my $p = make_provider();
    my $slots = window($p, at(10, '08:00'), at(10, '08:30'));
    my ($a, $b) = @$slots;
    my $res = PATCH("/available_slots/$a->{id}/", { start_time => at(10, '07:00'),
                                                    end_time => at(10, '07:15') });
    is $res->{status}, 200, 'PATCH start_time and end_time' or diag $res->{content};
    is_deeply [ @{ $res->{json} || {} }{qw(id provider start_time end_time)} ],
        [ $a->{id}, $p, at(10, '07:00'), at(10, '07:15') ], 'moved';
    is_deeply GET("/available_slots/$a->{id}/")->{json}{start_time}, at(10, '07:00'),
        'GET shows it';
    $res = PUT("/available_slots/$a->{id}/", { provider => $p, start_time => at(10, '06:00'),
                                               end_time => at(10, '06:30') });
    is $res->{status}, 200, 'PUT' or diag $res->{content};
    is $res->{json}{end_time}, at(10, '06:30'), 'moved and longer';
    $res = PATCH("/available_slots/$a->{id}/", { end_time => at(10, '06:15') });
    is $res->{status}, 200, 'PATCH end_time alone';
    is $res->{json}{start_time}, at(10, '06:00'), 'start kept';

    problem_ok(PATCH("/available_slots/$a->{id}/", { start_time => at(10, '08:10'),
                                                     end_time => at(10, '08:25') }),
               409, 'overlapping the other slot');
    problem_ok(PATCH("/available_slots/$a->{id}/", { end_time => at(10, '08:20') }),
               409, 'growing into the other slot');
    problem_ok(PATCH("/available_slots/$a->{id}/", { end_time => at(10, '06:00') }),
               400, 'end equal to start');
    problem_ok(PATCH("/available_slots/$a->{id}/", { start_time => at(10, '07:00') }),
               400, 'start after end');
    field_error(PATCH("/available_slots/$a->{id}/", { start_time => 'soon' }), 400,
                'start_time', 'not a time');
    field_error(PATCH("/available_slots/$a->{id}/", { start_time => day(10) . 'T05:00:00' }),
                400, 'start_time', 'no offset');
    field_error(PUT("/available_slots/$a->{id}/", { provider => $p,
                                                    start_time => at(10, '05:00') }),
                400, 'end_time', 'PUT without end_time');
    is_deeply [ @{ GET("/available_slots/$a->{id}/")->{json} }{qw(start_time end_time)} ],
        [ at(10, '06:00'), at(10, '06:15') ], 'unchanged after the failures';
    is GET("/available_slots/$b->{id}/")->{json}{start_time}, at(10, '08:15'),
        'the other one unchanged';
    problem_ok(PATCH("/available_slots/$MISSING_ID/", { end_time => at(10, '06:15') }), 404,
               'PATCH of a missing slot');

    my $r = book($b->{id});
    is POST("/appointment_reservations/$r->{id}/confirm/")->{status}, 200,
        'booked and confirmed';
    problem_ok(PATCH("/available_slots/$b->{id}/", { start_time => at(10, '09:00'),
                                                     end_time => at(10, '09:15') }),
               409, 'moving a reserved slot');
    problem_ok(PUT("/available_slots/$b->{id}/", { provider => $p,
                                                   start_time => at(10, '09:00'),
                                                   end_time => at(10, '09:15') }),
               409, 'PUT of a reserved slot');
    is GET("/available_slots/$b->{id}/")->{json}{start_time}, at(10, '08:15'), 'not moved';
    is POST("/appointment_reservations/$r->{id}/cancel/")->{status}, 200, 'cancelled';
    is PATCH("/available_slots/$b->{id}/", { start_time => at(10, '09:00'),
                                             end_time => at(10, '09:15') })->{status}, 200,
        'then it moves';
};

subtest 'DELETE a slot' => sub {
    my $p = make_provider();
    my ($a, $b) = @{ window($p, at(10, '08:00'), at(10, '08:30')) };
    my $res = DELETE("/available_slots/$a->{id}/");
    is $res->{status}, 204, 'DELETE is 204';
    is $res->{content}, '', 'no body';
    problem_ok(GET("/available_slots/$a->{id}/"), 404, 'then GET is 404');
    problem_ok(DELETE("/available_slots/$a->{id}/"), 404, 'DELETE again is 404');
    is_deeply listed("/available_slots/?provider=$p"), [ at(10, '08:15') ], 'not listed';

    my $r = book($b->{id});
    problem_ok(DELETE("/available_slots/$b->{id}/"), 409, 'while pending');
    is POST("/appointment_reservations/$r->{id}/confirm/")->{status}, 200, 'confirmed';
    problem_ok(DELETE("/available_slots/$b->{id}/"), 409, 'while confirmed');
    is GET("/available_slots/$b->{id}/")->{status}, 200, 'still there';
    is POST("/appointment_reservations/$r->{id}/cancel/")->{status}, 200, 'cancelled';
    is DELETE("/available_slots/$b->{id}/")->{status}, 204, 'then DELETE is 204';
    problem_ok(GET("/appointment_reservations/$r->{id}/"), 404,
               'its past reservation went with it');
};

subtest 'methods' => sub {
    my %allow = (
        '/available_slots/'   => [qw(GET HEAD OPTIONS POST)],
        '/available_slots/1/' => [qw(DELETE GET HEAD OPTIONS PATCH PUT)],
    );
    for my $path (sort keys %allow) {
        my $res = OPTIONS($path);
        is $res->{status}, 204, "OPTIONS $path";
        is_deeply [ sort map { s/^\s+|\s+$//gr } split /,/, $res->{headers}{allow} // '' ],
            $allow{$path}, "Allow of $path";
    }
    problem_ok(PUT('/available_slots/', {}), 405, 'PUT on the collection');
    problem_ok(POST('/available_slots/1/', {}), 405, 'POST on an item');
};

finish();
