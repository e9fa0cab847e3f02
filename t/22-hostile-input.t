# Bytes meant to slip through: a known query parameter whose value cannot be decoded
# (a bad % escape, %00) is 400, never taken as absent; a parameter without '=' has an
# empty value; a raw NUL anywhere in a request body is 400 and changes nothing, and
# the escape \u0000 is refused in every field.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use SchedTest;

needs_db('counts rows with psql');

my $provider = make_provider();
my $slot_res = POST('/available_slots/', { provider => $provider,
    start_time => at(3, '09:00'), end_time => at(3, '10:00') });
die "no slots: $slot_res->{content}" unless $slot_res->{status} == 201;
my @slots = map { $_->{id} } @{ $slot_res->{json} };
my $client = make_client();
my $other = make_client();
my $booked = POST('/appointment_reservations/', { client => $client, slot => $slots[0] });
die "no booking: $booked->{content}" unless $booked->{status} == 201;
my $rid = $booked->{json}{id};

subtest 'known query parameters with undecodable values are 400' => sub {
    my @cases = (
        [ '/appointment_reservations/?client=1%00', 'client' ],
        [ "/appointment_reservations/?client=$client%00", 'client' ],
        [ '/appointment_reservations/?status=confirmed%00', 'status' ],
        [ '/appointment_reservations/?status=pend%zzing', 'status' ],
        [ '/appointment_reservations/?provider=%', 'provider' ],
        [ '/appointment_reservations/?slot=%4', 'slot' ],
        [ '/clients/?user=%zz', 'user' ],
        [ '/users/?limit=1%00', 'limit' ],
        [ '/users/?after=%g1', 'after' ],
        [ '/available_slots/?provider=%00', 'provider' ],
        [ '/available_slots/?date=2026-12-01%00', 'date' ],
        [ '/available_slots/?tz=Europe%2FParis%00', 'tz' ],
        [ '/available_slots/?from=%zz', 'from' ],
    );
    for my $case (@cases) {
        my ($path, $name) = @$case;
        my $p = problem_ok(GET($path), 400, $path);
        like ref $p eq 'HASH' ? $p->{detail} // '' : '', qr/\b\Q$name\E\b/, "$path: the detail names $name";
    }
};

subtest 'a known parameter given twice is 400, even when one value is undecodable' => sub {
    for my $path ("/appointment_reservations/?client=$client&client=%zz",
                  "/appointment_reservations/?client=%zz&client=$client",
                  "/appointment_reservations/?client=$client&client=$client",
                  '/users/?limit=1&limit=%00') {
        problem_ok(GET($path), 400, $path);
    }
};

subtest 'what is decodable still works; unknown parameters are still ignored' => sub {
    my $res = GET("/appointment_reservations/?client=$client");
    is $res->{status}, 200, 'client filter';
    is_deeply [ map { $_->{client} } @{ $res->{json} } ], [$client], 'only that client';
    $res = GET("/appointment_reservations/?%63lient=$client");
    is $res->{status}, 200, 'an encoded name decodes';
    is_deeply [ map { $_->{client} } @{ $res->{json} } ], [$client], 'and filters';
    $res = GET('/available_slots/?tz=Europe%2FParis&date=' . day(3));
    is $res->{status}, 200, 'an encoded slash in a value';
    $res = GET('/users/?limit=1&foo=%zz&bar%00=1&%zz=2');
    is $res->{status}, 200, 'undecodable unknown parameters are ignored';
    is scalar @{ $res->{json} }, 1, 'and limit applies';
    $res = GET('/users/?LIMIT=1&limit=2');
    is $res->{status}, 200, 'parameter names are case-sensitive';
    is scalar @{ $res->{json} }, 2, 'limit=2 applies, LIMIT is unknown';
};

subtest 'a parameter without "=" has an empty value' => sub {
    my $res = GET('/users/?flag');
    is $res->{status}, 200, 'an unknown one is ignored' or diag $res->{content};
    $res = GET('/users/?limit=1&flag&after');
    problem_ok($res, 400, 'after with no value: not a cursor');
    $res = GET('/users/?flag&limit=1');
    is $res->{status}, 200, 'with others after it' or diag $res->{content};
    is scalar @{ $res->{json} // [] }, 1, 'and limit applies';
    problem_ok(GET('/users/?limit'), 400, 'limit with no value');
};

# The rows a write could change, as psql sees them.
sub state_of {
    return psql('SELECT (SELECT count(*) FROM clients) || \'/\' || '
        . '(SELECT count(*) FROM providers) || \'/\' || '
        . '(SELECT count(*) FROM reservations) || \'/\' || '
        . "(SELECT string_agg(user_id::text, ',' ORDER BY id) FROM clients) || '/' || "
        . "(SELECT string_agg(slot_id::text, ',' ORDER BY id) FROM reservations)");
}

subtest 'a raw NUL byte in a body is 400 and changes nothing' => sub {
    my $user = make_user()->{id};
    my $json = { 'Content-Type' => 'application/json' };
    my @cases = (
        [ POST  => '/clients/',   qq({"user": $user\0}) ],
        [ POST  => '/providers/', qq({"user": $user\0}) ],
        [ POST  => '/clients/',   qq({"user": $user}\0) ],
        [ POST  => '/clients/',   qq(\0{"user": $user}) ],
        [ POST  => '/providers/', qq({"user": true\0, "x": 1}) ],
        [ PUT   => "/clients/$other/", qq({"user": $user\0}) ],
        [ PATCH => "/clients/$other/", qq({"user": $user\0}) ],
        [ PATCH => "/providers/$provider/", qq({"user": $user\0}) ],
        [ POST  => '/appointment_reservations/',
          qq({"client": $other\0, "slot": $slots[1]}) ],
        [ PATCH => "/appointment_reservations/$rid/", qq({"slot": $slots[2]\0}) ],
        [ PUT   => "/appointment_reservations/$rid/", qq({"slot": $slots[2]}\0\0) ],
        [ POST  => '/users/', qq({"username": "nul", "password": "long enough"\0}) ],
        [ POST  => '/available_slots/', qq({"provider": $provider\0, "start_time": ")
              . at(4, '09:00') . '", "end_time": "' . at(4, '10:00') . '"}' ],
    );
    my $before = state_of();
    my $slots_before = psql('SELECT count(*) FROM slots');
    for my $case (@cases) {
        my ($method, $path, $body) = @$case;
        (my $shown = $body) =~ s/\0/<NUL>/g;
        problem_ok(req($method, $path, $body, $json), 400, "$method $path $shown");
    }
    is state_of(), $before, 'no client, provider or reservation changed';
    is psql('SELECT count(*) FROM slots'), $slots_before, 'no slot made';
};

subtest 'the escape \u0000 is refused in every field' => sub {
    my $json = { 'Content-Type' => 'application/json' };
    my $before = psql('SELECT count(*) FROM users');
    for my $body ('{"username": "a\u0000b", "password": "long enough"}',
                  '{"username": "ab", "password": "long\u0000enough"}',
                  '{"username": "ab", "password": "long enough", "email": "a@b\u0000"}') {
        problem_ok(POST('/users/', $body, $json), 400, "POST /users/ $body");
    }
    is psql('SELECT count(*) FROM users'), $before, 'no user made';
    problem_ok(POST('/available_slots/', '{"provider": ' . $provider
        . ', "start_time": "' . at(5, '09:00') . '\u0000", "end_time": "'
        . at(5, '10:00') . '"}', $json), 400, 'a time with \u0000');
};

finish();
