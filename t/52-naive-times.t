# Times without an offset: refused where SchedNaiveTimeZone is not set (the API at /),
# read in that zone where it is (/naive: Asia/Tokyo, UTC+9 all year), in bodies of
# POST, PATCH and PUT and in the from/to query parameters. Every subtest makes its
# own provider.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use SchedTest;

needs_local("needs the test server's /naive mount (SchedNaiveTimeZone)");

my $OFFSET_REQUIRED = "offset required (Z or \x{b1}hh:mm)";

# "YYYY-MM-DDTHH:MM:00" of day $n at HH:MM, with no offset.
sub naive {
    my ($n, $hm) = @_;
    return day($n) . "T$hm:00";
}

sub starts {
    my ($res) = @_;
    return [ map { $_->{start_time} } @{ ref $res->{json} eq 'ARRAY' ? $res->{json} : [] } ];
}

subtest 'refused without SchedNaiveTimeZone' => sub {
    my $p = make_provider();
    my $res = POST('/available_slots/', { provider => $p, start_time => naive(10, '08:00'),
                                          end_time => at(10, '09:00') });
    my $e = field_error($res, 400, 'start_time', 'POST: naive start_time');
    is_deeply $e->{errors}{start_time}, [ $OFFSET_REQUIRED ], 'POST: the message';
    ok !exists $e->{errors}{end_time}, 'POST: end_time is fine';
    $res = GET("/available_slots/?provider=$p&from=" . naive(10, '08:00'));
    is $res->{status}, 400, 'GET from=naive: 400';
    like $res->{json}{detail}, qr/^query parameter from: offset required/, 'GET: detail';
};

subtest 'read in Asia/Tokyo with SchedNaiveTimeZone' => sub {
    my $p = make_provider();
    my $res = POST('/naive/available_slots/', { provider => $p,
                                                start_time => naive(10, '17:00'),
                                                end_time => naive(10, '17:30') });
    is $res->{status}, 201, 'POST naive times: 201' or diag $res->{content};
    is_deeply starts($res), [ at(10, '08:00'), at(10, '08:15') ], '17:00 Tokyo is 08:00Z';
    $res = POST('/naive/available_slots/', { provider => $p, start_time => at(11, '08:00'),
                                             end_time => naive(11, '17:15') });
    is $res->{status}, 201, 'POST: an offset and a naive time' or diag $res->{content};
    is_deeply starts($res), [ at(11, '08:00') ], 'one slot, 08:00Z to 08:15Z';

    $res = GET("/naive/available_slots/?provider=$p&from=" . naive(10, '17:15')
               . '&to=' . naive(11, '17:00'));
    is $res->{status}, 200, 'GET from and to naive' or diag $res->{content};
    is_deeply starts($res), [ at(10, '08:15') ], 'from and to read in Tokyo';

    my $slot = GET("/naive/available_slots/?provider=$p")->{json}[0]{id};
    $res = PATCH("/naive/available_slots/$slot/", { start_time => naive(12, '17:00'),
                                                     end_time => naive(12, '17:15') });
    is $res->{status}, 200, 'PATCH naive times' or diag $res->{content};
    is $res->{json}{start_time}, at(12, '08:00'), 'PATCH: start read in Tokyo';
    $res = PUT("/naive/available_slots/$slot/", { provider => $p,
                                                  start_time => naive(13, '17:00'),
                                                  end_time => at(13, '08:15') });
    is $res->{status}, 200, 'PUT naive and offset' or diag $res->{content};
    is_deeply [ @{ $res->{json} }{qw(start_time end_time)} ],
        [ at(13, '08:00'), at(13, '08:15') ], 'PUT: both times';
};

subtest 'naive times compared once read in the zone' => sub {
    my $p = make_provider();
    # 17:00 in Tokyo is 08:00Z: an end at 08:00Z is not after it.
    my $res = POST('/naive/available_slots/', { provider => $p,
                                                start_time => naive(10, '17:00'),
                                                end_time => at(10, '08:00') });
    my $e = field_error($res, 400, 'end_time', 'end equal to a naive start');
    is_deeply $e->{errors}{end_time}, [ 'must be after start_time' ], 'the message';
    $res = POST('/naive/available_slots/', { provider => 'x',
                                             start_time => naive(10, '99:00'),
                                             end_time => naive(10, '17:15') });
    $e = field_error($res, 400, 'provider', 'several fields at fault');
    is_deeply [ sort keys %{ $e->{errors} } ], [ 'provider', 'start_time' ],
        'provider and start_time, not end_time';
    is_deeply $e->{errors}{start_time}, [ 'hour out of range' ], 'start_time: the reason';
};

finish();
