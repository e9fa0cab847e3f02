# ETags and conditional requests (sql/008): a strong ETag on every answer of one
# resource, writes included, that changes whenever the representation does (a
# reservation's status and a slot's availability included, which time changes
# without a write); If-None-Match gives 304; If-Match on PUT, PATCH, DELETE, confirm
# and cancel gives 412 with the current ETag and changes nothing, checked in the
# statement that writes (two writers with one ETag: one wins); lists have a weak ETag;
# SchedRequireIfMatch On makes unconditional writes 428; authenticated answers are
# Cache-Control: private, no-cache.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use MIME::Base64 qw(encode_base64);
use Time::HiRes qw(sleep);
use SchedTest;

needs_db('reads rows with psql');

my $TRUE = JSON::PP::true;

sub etag { my ($res) = @_; return $res->{headers}{etag} }

sub basic {
    my ($u) = @_;
    return { Authorization => 'Basic ' . encode_base64("$u->{username}:$u->{password}", '') };
}

my $SU = make_user(is_superuser => $TRUE);
$SU->{password} = 'password-123';

# A slot window of a new provider, some days ahead: its slot ids.
sub slots {
    my ($n, $day) = @_;
    my $res = POST('/available_slots/', { provider => make_provider(),
        start_time => at($day, '08:00'), end_time => at($day, sprintf('%02d:00', 8 + $n)),
        slot_minutes => 60 });
    die "POST /available_slots/: $res->{status} $res->{content}" unless $res->{status} == 201;
    return map { $_->{id} } @{ $res->{json} };
}

subtest 'GET: a strong ETag, If-None-Match, 304' => sub {
    my $u = make_user();
    my $res = GET("/users/$u->{id}/");
    my $tag = etag($res);
    like $tag, qr/^"[^"]+"$/, "a strong ETag ($tag)";
    my $again = GET("/users/$u->{id}/", { 'If-None-Match' => $tag });
    is $again->{status}, 304, 'If-None-Match with it: 304';
    is $again->{content}, '', 'no body';
    is etag($again), $tag, 'the ETag again';
    is GET("/users/$u->{id}/", { 'If-None-Match' => '"0", ' . $tag })->{status}, 304,
        'one of a list';
    is GET("/users/$u->{id}/", { 'If-None-Match' => "W/$tag" })->{status}, 304,
        'its weak form too (If-None-Match compares weakly)';
    is GET("/users/$u->{id}/", { 'If-None-Match' => '*' })->{status}, 304, '*: 304';
    is GET("/users/$u->{id}/", { 'If-None-Match' => '"0"' })->{status}, 200, 'another: 200';
    is GET("/users/$u->{id}/", { 'If-Modified-Since' => 'Sun, 06 Nov 2044 08:49:37 GMT' })
        ->{status}, 200, 'If-Modified-Since alone is ignored (no modification date)';
    is HEAD("/users/$u->{id}/", { 'If-None-Match' => $tag })->{status}, 304, 'HEAD too';
    problem_ok(GET("/users/$u->{id}/", { 'If-Match' => '"0"' }), 412,
               'GET with an If-Match that names another: 412');
    my $after = PATCH("/users/$u->{id}/", { email => 'new@example.com' });
    isnt etag($after), $tag, 'a change answers a new ETag';
    is etag(GET("/users/$u->{id}/")), etag($after), 'the one GET shows';
    is GET("/users/$u->{id}/", { 'If-None-Match' => $tag })->{status}, 200,
        'the old one no longer matches';
    my $same = PATCH("/users/$u->{id}/", { email => 'new@example.com' });
    is etag($same), etag($after), 'a change to the same values changes nothing';
};

subtest 'every resource answers its ETag, and it moves with each change' => sub {
    # Each its own provider: a change of one provider's time off or overrides makes its
    # schedule's slots again (and moves the schedule's materialized_until, so its ETag).
    my @cases = (
        [ 'clients', POST('/clients/', { user => make_user()->{id} }),
          sub { PUT("/clients/$_[0]/", { user => make_user()->{id} }, $_[1]) } ],
        [ 'providers', POST('/providers/', { user => make_user()->{id} }),
          sub { PUT("/providers/$_[0]/", { user => make_user()->{id} }, $_[1]) } ],
        [ 'time_off', POST('/time_off/', { provider => make_provider(), start_time => at(40, '00:00'),
                                          end_time => at(40, '06:00') }),
          sub { PATCH("/time_off/$_[0]/", { reason => $_[2] // 'away' }, $_[1]) } ],
        [ 'schedule_overrides', POST('/schedule_overrides/', { provider => make_provider(),
                                     date => day(41), intervals => [] }),
          sub { PATCH("/schedule_overrides/$_[0]/", { intervals => [ { start => '09:00',
                                                                    end => '10:00' } ] },
                                                          $_[1]) } ],
        [ 'schedules', POST('/schedules/', { provider => make_provider(), time_zone => 'UTC',
                            horizon_days => 3, slot_minutes => 60,
                            weekly => [ { weekday => 1, start => '09:00', end => '10:00' } ] }),
          sub { PATCH("/schedules/$_[0]/", { weekly => [ { weekday => 2, start => '09:00',
                                                          end => '10:00' } ] }, $_[1]) } ],
    );
    for my $c (@cases) {
        my ($name, $created, $change) = @$c;
        is $created->{status}, 201, "POST /$name/" or diag $created->{content};
        my $id = $created->{json}{id};
        ok etag($created), "$name: the creation answers an ETag";
        is etag(GET("/$name/$id/")), etag($created), "$name: the one GET shows";
        my $changed = $change->($id);
        is $changed->{status}, 200, "$name: changed" or diag $changed->{content};
        isnt etag($changed), etag($created), "$name: a new ETag";
        is etag(GET("/$name/$id/")), etag($changed), "$name: GET shows it";
        my $stale = $change->($id, { 'If-Match' => etag($created) }, 'stale');
        problem_ok($stale, 412, "$name: a change with the old ETag");
        is etag($stale), etag($changed), "$name: the 412 names the current one";
        is etag(GET("/$name/$id/")), etag($changed), "$name: unchanged";
        problem_ok(DELETE("/$name/$id/", { 'If-Match' => etag($created) }), 412,
                   "$name: DELETE with the old ETag");
        is GET("/$name/$id/")->{status}, 200, "$name: still there";
        is DELETE("/$name/$id/", { 'If-Match' => etag($changed) })->{status}, 204,
            "$name: DELETE with the current one";
    }
};

subtest 'If-Match: 412 with the current ETag, and nothing changes' => sub {
    my $u = make_user(email => 'before@example.com');
    my $tag = etag(GET("/users/$u->{id}/"));
    my $res = PATCH("/users/$u->{id}/", { email => 'after@example.com' },
                    { 'If-Match' => '"999999"' });
    problem_ok($res, 412, 'another ETag');
    is etag($res), $tag, 'the 412 carries the current ETag';
    is GET("/users/$u->{id}/")->{json}{email}, 'before@example.com', 'nothing changed';
    is psql("SELECT count(*) FROM events WHERE object = 'user' AND object_id = $u->{id}"
            . " AND action = 'updated'"), 0, 'and no event was written';
    problem_ok(PATCH("/users/$u->{id}/", { email => 'after@example.com' },
                     { 'If-Match' => "W/$tag" }), 412, 'its weak form: 412 (strong comparison)');
    problem_ok(PATCH("/users/$u->{id}/", { email => 'after@example.com' },
                     { 'If-Match' => 'garbage' }), 412, 'a header that names no ETag: 412');
    $res = PATCH("/users/$u->{id}/", { email => 'after@example.com' },
                 { 'If-Match' => "\"1\", $tag" });
    is $res->{status}, 200, 'one of a list: done';
    $res = PATCH("/users/$u->{id}/", { email => 'star@example.com' }, { 'If-Match' => '*' });
    is $res->{status}, 200, '*: done (it exists)';
    problem_ok(PATCH('/users/9223372036854775807/', { email => 'x@example.com' },
                     { 'If-Match' => '*' }), 404, '*, on nothing: 404');
    problem_ok(DELETE("/users/$u->{id}/", { 'If-Match' => $tag }), 412, 'DELETE: 412');
    is GET("/users/$u->{id}/")->{status}, 200, 'not deleted';
};

subtest 'reservations: confirm and cancel, and the status time changes' => sub {
    needs_local("waits for the test server's 3 s hold to pass");
    my ($s1, $s2) = slots(2, 5);
    my $client = make_client();
    my $r = POST('/appointment_reservations/', { client => $client, slot => $s1 });
    is $r->{status}, 201, 'booked';
    my $id = $r->{json}{id};
    my $pending = etag($r);
    is etag(GET("/appointment_reservations/$id/")), $pending, 'GET: the same ETag';
    sleep 3.5;    # SchedHoldTime 3s: the hold passes, with no write
    my $expired = GET("/appointment_reservations/$id/");
    is $expired->{json}{status}, 'expired', 'expired by the clock';
    isnt etag($expired), $pending, 'the ETag follows the status';
    is GET("/appointment_reservations/$id/", { 'If-None-Match' => $pending })->{status}, 200,
        'If-None-Match with the pending one: 200';
    problem_ok(POST("/appointment_reservations/$id/cancel/", undef,
                    { 'If-Match' => $pending }), 412, 'cancel with the pending ETag: 412');

    $r = POST('/appointment_reservations/', { client => $client, slot => $s2 });
    $id = $r->{json}{id};
    my $tag = etag($r);
    problem_ok(POST("/appointment_reservations/$id/confirm/", undef, { 'If-Match' => '"1-x"' }),
               412, 'confirm with another ETag: 412');
    is GET("/appointment_reservations/$id/")->{json}{status}, 'pending', 'still pending';
    my $c = POST("/appointment_reservations/$id/confirm/", undef, { 'If-Match' => $tag });
    is $c->{status}, 200, 'confirm with its ETag';
    isnt etag($c), $tag, 'confirmed: a new ETag';
    my $x = POST("/appointment_reservations/$id/cancel/", undef, { 'If-Match' => etag($c) });
    is $x->{status}, 200, 'cancel with the confirmed one';
    is $x->{json}{status}, 'cancelled', 'cancelled';
};

subtest 'an Idempotency-Key replay answers the first answer, its ETag too' => sub {
    needs_local("the test server's /strict mount");
    my ($slot) = slots(1, 9);
    my $key = { 'Idempotency-Key' => 'etag-' . uniq('k') };
    my $body = { client => make_client(), slot => $slot };
    my $first = POST('/strict/appointment_reservations/', $body, $key);
    is $first->{status}, 201, 'booked (a creation needs no If-Match, even where required)';
    my $again = POST('/strict/appointment_reservations/', $body, $key);
    is_deeply [ $again->{status}, $again->{content}, etag($again) ],
              [ 201, $first->{content}, etag($first) ], 'the replay: the same answer and ETag';
};

subtest 'slots: the availability is part of the ETag' => sub {
    my ($slot) = slots(1, 6);
    my $free = GET("/available_slots/$slot/");
    is $free->{json}{available}, $TRUE, 'available';
    my $r = POST('/appointment_reservations/', { client => make_client(), slot => $slot });
    is $r->{status}, 201, 'booked';
    my $taken = GET("/available_slots/$slot/");
    is $taken->{json}{available}, JSON::PP::false, 'no longer available';
    isnt etag($taken), etag($free), 'another ETag, though the slot row did not change';
    problem_ok(DELETE("/available_slots/$slot/", { 'If-Match' => etag($free) }), 412,
               'DELETE with the ETag of the free slot: 412');
    my $moved = PATCH("/available_slots/$slot/", { start_time => at(6, '09:00'),
                                                    end_time => at(6, '10:00') },
                      { 'If-Match' => etag($taken) });
    is $moved->{status}, 409, 'with the current one, the rules speak: reserved (409)';
};

subtest 'two writers with one ETag: exactly one wins' => sub {
    for my $round (1 .. 5) {
        my $u = make_user();
        my $tag = etag(GET("/users/$u->{id}/"));
        my @out = race(8, sub {
            my ($http, $i) = @_;
            return $http->request('PATCH', url("/users/$u->{id}/"), {
                headers => { 'content-type' => 'application/json', 'if-match' => $tag },
                content => encode_json({ email => "w$i\@example.com" }) });
        });
        my @status = sort map { $_->[0] } @out;
        is_deeply \@status, [ 200, (412) x 7 ], "round $round: one 200, seven 412"
            or diag explain \@status;
        my ($winner) = map { $_->[1]{email} } grep { $_->[0] == 200 } @out;
        is GET("/users/$u->{id}/")->{json}{email}, $winner, "round $round: the winner's change";
    }
    my ($slot) = slots(1, 7);
    my $r = POST('/appointment_reservations/', { client => make_client(), slot => $slot });
    my $tag = etag($r);
    my @out = race(6, sub {
        my ($http, $i) = @_;
        my $action = $i % 2 ? 'confirm' : 'cancel';
        return $http->request('POST', url("/appointment_reservations/$r->{json}{id}/$action/"),
                              { headers => { 'if-match' => $tag } });
    });
    is scalar(grep { $_->[0] == 200 } @out), 1, 'confirm and cancel racing: one of six';
};

subtest 'lists: a weak ETag and 304' => sub {
    my $res = GET('/users/?limit=5');
    my $tag = etag($res);
    like $tag, qr{^W/"[0-9a-f]{16}"$}, "a weak ETag ($tag)";
    is GET('/users/?limit=5', { 'If-None-Match' => $tag })->{status}, 304, 'If-None-Match: 304';
    is GET('/users/?limit=6')->{headers}{etag} eq $tag ? 1 : 0, 0, 'another page, another ETag';
    my $first = GET('/users/?limit=1')->{json}[0];
    my $before = etag(GET('/users/?limit=1'));
    PATCH("/users/$first->{id}/", { email => 'list@example.com' });
    isnt etag(GET('/users/?limit=1')), $before, 'a change in the page changes it';
    like etag(GET("/users/$first->{id}/history/")), qr{^W/}, 'a history too';
};

subtest 'SchedRequireIfMatch On: unconditional writes get 428' => sub {
    needs_local("the test server's /strict mount");
    my $u = make_user();
    my $res = PATCH("/strict/users/$u->{id}/", { email => 'x@example.com' });
    problem_ok($res, 428, 'PATCH without If-Match');
    problem_ok(DELETE("/strict/users/$u->{id}/"), 428, 'DELETE without If-Match');
    my ($slot) = slots(1, 8);
    my $r = POST('/strict/appointment_reservations/', { client => make_client(),
                                                        slot => $slot });
    is $r->{status}, 201, 'a creation needs none';
    problem_ok(POST("/strict/appointment_reservations/$r->{json}{id}/confirm/"), 428,
               'confirm without If-Match');
    is PATCH("/strict/users/$u->{id}/", { email => 'y@example.com' },
             { 'If-Match' => etag(GET("/users/$u->{id}/")) })->{status}, 200,
        'with it: done';
    is GET("/users/$u->{id}/")->{json}{email}, 'y@example.com', 'only the conditional one';
    is PATCH("/users/$u->{id}/", { email => 'z@example.com' })->{status}, 200,
        'elsewhere (Off, the default), no If-Match needed';
};

subtest '/users/me/: each caller\'s own ETag' => sub {
    my ($a, $b) = map { my $u = make_user(); $u->{password} = 'password-123'; $u } 1 .. 2;
    my $ra = req('GET', '/secure/users/me/', undef, basic($a));
    my $rb = req('GET', '/secure/users/me/', undef, basic($b));
    isnt etag($ra), etag($rb), 'two users, two ETags (same URL, same version)';
    my $cached = req('GET', '/secure/users/me/', undef, { %{ basic($b) }, 'If-None-Match' => etag($ra) });
    is $cached->{status}, 200, 'another user\'s ETag does not make a 304';
    is $cached->{json}{username}, $b->{username}, 'the caller\'s own answer';
};

subtest 'Cache-Control: private, no-cache on authenticated answers' => sub {
    my $res = req('GET', "/secure/users/$SU->{id}/", undef, basic($SU));
    is $res->{headers}{'cache-control'}, 'private, no-cache', 'a read';
    is req('GET', '/secure/users/', undef, basic($SU))->{headers}{'cache-control'},
        'private, no-cache', 'a list';
    is req('GET', '/secure/users/9223372036854775807/', undef, basic($SU))
        ->{headers}{'cache-control'}, 'private, no-cache', 'a problem';
    SKIP: {
        # The shipped configuration answers no anonymous request (Require valid-user).
        skip 'a running server answers nothing anonymous', 1 if remote();
        ok !defined GET('/health/')->{headers}{'cache-control'}, 'not an anonymous answer';
    }
};

finish();
