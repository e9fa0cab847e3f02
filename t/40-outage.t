# The database goes away and comes back: while it is gone every request that needs it
# is 503 with Retry-After (never 500), and the module recovers by itself afterwards.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(sleep);
use HTTP::Tiny;
use JSON::PP ();
use MIME::Base64 ();
use SchedTest;

needs_local('stops and starts PostgreSQL');

# The module logs each request that finds the database unavailable (src/sched_db.c).
allow_log(qr/SCHED00202\b/);
# So does the webhook sender, which keeps a connection of its own (src/sched_sender.c).
allow_log(qr/SCHED0070[24]\b/);

my @statuses;    # every status seen in this file

sub call {
    my $res = req(@_);
    push @statuses, "$res->{status} $_[0] $_[1]";
    return $res;
}

# Runs $request->($http, $i) in $n processes at once, each with its own connection:
# reaches many httpd processes and threads, and so many pooled database connections.
# Returns the statuses.
sub concurrently {
    my ($n, $what, $request) = @_;
    my @got = map { $_->[0] } race($n, $request);
    push @statuses, map { "$_ $what" } @got;
    return @got;
}

sub unavailable_ok {
    my ($res, $name) = @_;
    my $p = problem_ok($res, 503, $name);
    like $res->{headers}{'retry-after'} // '', qr/^\d+$/, "$name: Retry-After in seconds";
    unlike $p->{detail} // '', qr/SELECT|INSERT|127\.0\.0\.1|port \d|\/tmp\/|\.c\b|PQ|libpq/i,
        "$name: detail leaks nothing";
}

my $before = make_user();
is call(GET => '/health/')->{status}, 200, 'healthy before';
# Open database connections in every httpd process, as a busy server has them:
# overlapping requests (creating users takes a while: bcrypt) each hold one.
my $prefix = uniq('warm');
my @warm = concurrently(40, 'POST /users/', sub {
    my ($http, $i) = @_;
    return $http->post(url('/users/'), {
        headers => { 'Content-Type' => 'application/json' },
        content => JSON::PP::encode_json({ username => "${prefix}_$i",
                                           password => 'long enough' }),
    });
});
is scalar(grep { $_ != 201 } @warm), 0, 'forty concurrent creations before: all 201'
    or diag "answers: @warm";

# Logins against the users table on every process, before the outage: with mod_sched's
# provider (/secure/) and with mod_authn_dbd, which shares mod_dbd's pool (/dbdauth/).
my $login = make_user(is_superuser => JSON::PP::true, password => 'login-before');
my $basic = 'Basic ' . MIME::Base64::encode_base64("$login->{username}:login-before", '');
my @LOGIN_AT = ('/secure', '/dbdauth');
sub logins {
    my ($at, $what) = @_;
    return concurrently(40, "GET $at/users/me/ $what", sub {
        $_[0]->get(url("$at/users/me/"), { headers => { Authorization => $basic } });
    });
}
for my $at (@LOGIN_AT) {
    my @logins = logins($at, 'before');
    is scalar(grep { $_ != 200 } @logins), 0, "forty concurrent logins at $at/ before: all 200"
        or diag "answers: @logins";
}

my $stopped = eval { pg_stop(); 1 };
ok $stopped, 'database stopped' or diag $@;

my $ok = eval {
    subtest 'while the database is down' => sub {
        unavailable_ok(call(GET => '/health/'), 'GET /health/');
        unavailable_ok(call(GET => '/clients/'), 'GET /clients/');
        unavailable_ok(call(GET => '/users/'), 'GET /users/');
        unavailable_ok(call(GET => "/users/$before->{id}/"), 'GET /users/<id>/');
        unavailable_ok(call(POST => '/users/', { username => uniq('down'),
                                                 password => 'long enough' }),
                       'POST /users/');
        unavailable_ok(call(PATCH => "/users/$before->{id}/", { email => 'x@example.org' }),
                       'PATCH /users/<id>/');
        unavailable_ok(call(DELETE => "/providers/$before->{id}/"), 'DELETE /providers/<id>/');
        # Enough requests to meet several processes, threads and pooled connections.
        my @more = map { call(GET => '/health/')->{status} } 1 .. 20;
        is_deeply [ grep { $_ != 503 } @more ], [], 'twenty more GET /health/: all 503';

        # Credentials cannot be checked: 503 too, not the 500 of a failed auth
        # provider. Without credentials the answer is still the Basic challenge.
        for my $at (@LOGIN_AT) {
            unavailable_ok(call(GET => "$at/users/me/", undef, { Authorization => $basic }),
                           "GET $at/users/me/ with credentials");
            is call(GET => "$at/users/me/")->{status}, 401,
                "GET $at/users/me/ without credentials: 401";
        }

        # What does not need the database keeps working.
        is call(GET => '/')->{status}, 200, 'GET / still answers';
        problem_ok(call(GET => '/nope/'), 404, 'unknown paths are still 404');
        problem_ok(call(POST => '/users/', '{', { 'Content-Type' => 'application/json' }),
                   400, 'a malformed body is still 400');
    };
    1;
};
my $error = $@;

my $started = eval { pg_start(); 1 };
ok $started, 'database started again' or diag $@;
die $error unless $ok;

subtest 'after the database is back' => sub {
    my ($health, $users, $attempts) = (0, 0, 0);
    while ($attempts < 30) {
        $attempts++;
        $health = call(GET => '/health/')->{status};
        $users = call(GET => '/users/')->{status};
        last if $health == 200 && $users == 200;
        sleep 0.2;
    }
    is $health, 200, "GET /health/ is 200 again (attempt $attempts)";
    is $users, 200, 'GET /users/ is 200 again';

    my $name = uniq('back');
    my $res = call(POST => '/users/', { username => $name, password => 'long enough' });
    is $res->{status}, 201, 'POST /users/ succeeds' or diag $res->{content};
    is call(GET => "/users/$res->{json}{id}/")->{json}{username}, $name, 'and reads back'
        if $res->{status} == 201;
    is call(GET => "/users/$before->{id}/")->{status}, 200, 'older rows are there';

    my @burst = map { call(GET => "/users/$before->{id}/")->{status} } 1 .. 20;
    is_deeply [ grep { $_ != 200 } @burst ], [], 'twenty more reads: all 200';
};

subtest 'connections opened before the outage recover without failing a request' => sub {
    # The pools of every process still hold connections to the old server.
    for my $round (1 .. 3) {
        my @burst = concurrently(40, 'GET /users/<id>/', sub {
            $_[0]->get(url("/users/$before->{id}/"));
        });
        is scalar(grep { $_ != 200 } @burst), 0, "forty concurrent reads ($round): all 200"
            or diag 'answers: ' . join ' ', sort @burst;
    }
};

subtest 'logins work again on connections reset after the restart' => sub {
    # mod_dbd resets a broken connection without preparing mod_authn_dbd's query
    # again; mod_sched restores it before authentication.
    for my $at (@LOGIN_AT) {
        for my $round (1 .. 3) {
            my @burst = logins($at, "after ($round)");
            is scalar(grep { $_ != 200 } @burst), 0,
                "forty concurrent logins at $at/ ($round): all 200"
                or diag 'answers: ' . join ' ', sort @burst;
        }
    }
};

subtest 'no 500 at any time' => sub {
    my @five_hundred = grep { /^500 / } @statuses;
    is_deeply \@five_hundred, [], 'none of ' . scalar(@statuses) . ' answers was 500';
};

finish();
