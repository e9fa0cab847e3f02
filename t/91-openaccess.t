# SchedOpenAccess On: no authorization at all, the original service's behaviour. A
# second test server of its own, whose / mount has it on (no authentication configured
# there): every endpoint answers without credentials, for any user, client, provider
# or reservation. The same requests to /secure/ (authorization on) need credentials.
# httpd warns at start-up when the directive is on.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use SchedTest;

needs_local('starts httpd servers of its own');

# Every request of this file goes to the second server.
my $server = start_httpd();
$ENV{SCHED_URL} = $server->url;

my $NOW = time;
my $TRUE = JSON::PP::true;
my $FALSE = JSON::PP::false;

# Sends the request to / with no credentials; the answer must have this status.
sub expect {
    my ($method, $path, $body, $status, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $res = req($method, $path, $body);
    is $res->{status}, $status, "$method $path" . ($name ? " ($name)" : '') . ": $status"
        or diag $res->{content};
    unlike $res->{content}, qr/\$2[abxy]\$|"password"\s*:/, "$method $path: no password"
        if length $res->{content};
    return $res;
}

sub ids {
    my ($res) = @_;
    return [ map { $_->{id} } @{ ref $res->{json} eq 'ARRAY' ? $res->{json} : [] } ];
}

sub has_all {
    my ($list, $want, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my %in = map { $_ => 1 } @$list;
    my @missing = grep { !$in{$_} } @$want;
    ok !@missing, $name or diag "missing: @missing";
}

my %made;    # what this file made, for the /secure/ comparison below

subtest 'users: anyone does anything, with no credentials' => sub {
    my $u1 = expect('POST', '/users/', { username => uniq('open_a'), password => 'password-1' },
                    201, 'a user')->{json} || {};
    my $su = expect('POST', '/users/',
                    { username => uniq('open_su'), password => 'password-2',
                      is_superuser => $TRUE }, 201, 'a superuser')->{json} || {};
    is $su->{is_superuser}, $TRUE, 'anyone makes a superuser';
    my $u2 = expect('POST', '/users/',
                    { username => uniq('open_off'), password => 'password-3',
                      is_active => $FALSE }, 201, 'an inactive user')->{json} || {};

    my $list = ids(expect('GET', '/users/?limit=1000', undef, 200, 'the list'));
    has_all($list, [ $u1->{id}, $su->{id}, $u2->{id} ], 'everyone is listed');
    is expect('GET', "/users/$su->{id}/", undef, 200, "the superuser's")->{json}{id},
        $su->{id}, 'any user is read';
    is expect('GET', "/users/$u2->{id}/", undef, 200, 'an inactive one')->{json}{id},
        $u2->{id}, 'an inactive user is read';
    problem_ok(req('GET', '/users/me/'), 401, 'GET /users/me/ without a user');

    my $res = expect('PATCH', "/users/$u1->{id}/",
                     { is_superuser => $TRUE, email => 'open@example.org' }, 200,
                     'promote another user');
    is_deeply [ @{ $res->{json} || {} }{qw(is_superuser email)} ],
        [ $TRUE, 'open@example.org' ], 'promoted';
    expect('PATCH', "/users/$u1->{id}/", { is_active => $FALSE }, 200, 'deactivate');
    expect('PATCH', "/users/$u1->{id}/", { is_active => $TRUE, is_superuser => $FALSE }, 200,
           'back');
    my $name = uniq('open_renamed');
    is expect('PUT', "/users/$u1->{id}/", { username => $name, password => 'password-9' },
              200, 'rename and new password')->{json}{username}, $name, 'renamed';
    expect('DELETE', "/users/$su->{id}/", undef, 204, 'delete a superuser');
    expect('DELETE', "/users/$u2->{id}/", undef, 204, 'delete another user');
    is psql("select count(*) from users where id in ($su->{id}, $u2->{id})"), 0, 'deleted';
    $made{user} = $u1->{id};
};

subtest 'clients, providers, slots and reservations: anyone, any of them' => sub {
    my @users = map { make_user(username => uniq('open_role')) } 1 .. 4;
    my $c1 = expect('POST', '/clients/', { user => $users[0]{id} }, 201)->{json}{id};
    my $c2 = expect('POST', '/clients/', { user => $users[1]{id} }, 201)->{json}{id};
    my $p = expect('POST', '/providers/', { user => $users[2]{id} }, 201)->{json}{id};
    my $p2 = expect('POST', '/providers/', { user => $users[3]{id} }, 201)->{json}{id};
    has_all(ids(expect('GET', '/clients/?limit=1000', undef, 200)), [ $c1, $c2 ],
            'every client is listed');
    has_all(ids(expect('GET', '/providers/?limit=1000', undef, 200)), [ $p, $p2 ],
            'every provider is listed');
    expect('GET', "/clients/$c1/", undef, 200);
    expect('GET', "/providers/$p/", undef, 200);
    expect('PATCH', "/providers/$p2/", { user => $users[0]{id} }, 200, 'to another user');
    expect('PUT', "/providers/$p2/", { user => $users[3]{id} }, 200, 'back');
    expect('DELETE', "/providers/$p2/", undef, 204);

    my $res = expect('POST', '/available_slots/',
                     { provider => $p, start_time => at(4, '08:00'), end_time => at(4, '09:00') },
                     201, "any provider's window");
    my @slot = @{ ids($res) };
    is scalar @slot, 4, 'four slots';
    has_all(ids(expect('GET', "/available_slots/?provider=$p", undef, 200)), \@slot,
            'the slots are listed');
    expect('GET', "/available_slots/$slot[0]/", undef, 200);
    expect('PATCH', "/available_slots/$slot[3]/",
           { start_time => at(4, '10:00'), end_time => at(4, '10:15') }, 200, 'move a slot');
    expect('DELETE', "/available_slots/$slot[3]/", undef, 204, 'delete a slot');

    my $r1 = expect('POST', '/appointment_reservations/', { client => $c1, slot => $slot[0] },
                    201, 'for a client')->{json}{id};
    my $r2 = expect('POST', '/appointment_reservations/', { client => $c2, slot => $slot[1] },
                    201, 'for another client')->{json}{id};
    # From the id before the first of them: the other test files make many more.
    my $before = ($r1 < $r2 ? $r1 : $r2) - 1;
    my $after = $before > 0 ? "&after=$before" : '';
    has_all(ids(expect('GET', "/appointment_reservations/?limit=1000$after", undef, 200)),
            [ $r1, $r2 ], 'every reservation is listed');
    is_deeply ids(expect('GET', "/appointment_reservations/?client=$c2", undef, 200)), [ $r2 ],
        '?client= filters';
    expect('GET', "/appointment_reservations/$r2/", undef, 200);
    is expect('POST', "/appointment_reservations/$r1/confirm/", undef, 200, 'confirm any')
        ->{json}{status}, 'confirmed', 'confirmed';
    is expect('PATCH', "/appointment_reservations/$r1/", { slot => $slot[2] }, 200,
              'reschedule any')->{json}{slot}, $slot[2], 'moved';
    is expect('POST', "/appointment_reservations/$r2/cancel/", undef, 200, 'cancel any')
        ->{json}{status}, 'cancelled', 'cancelled';
    expect('DELETE', "/appointment_reservations/$r2/", undef, 204, 'delete any');
    expect('DELETE', "/clients/$c2/", undef, 204, 'delete a client');
    @made{qw(client provider slot reservation)} = ($c1, $p, $slot[0], $r1);
};

subtest 'the same requests to /secure/ need credentials' => sub {
    plan skip_all => 'the rows above were not made' unless keys %made == 5;
    for my $path ("/users/$made{user}/", "/clients/$made{client}/",
                  "/providers/$made{provider}/", "/available_slots/$made{slot}/",
                  "/appointment_reservations/$made{reservation}/", '/users/') {
        my $res = req('GET', "/secure$path");
        is $res->{status}, 401, "GET /secure$path: 401";
        like $res->{headers}{'www-authenticate'} // '', qr/^Basic /i, 'WWW-Authenticate';
    }
    is req('DELETE', "/secure/users/$made{user}/")->{status}, 401,
        'DELETE /secure/users/<id>/: 401';
    is req('POST', "/secure/appointment_reservations/$made{reservation}/cancel/")->{status},
        401, 'cancel at /secure/: 401';
    is psql("select count(*) from users where id = $made{user}"), 1, 'the user stays';
    is psql("select cancelled_at is null from reservations where id = $made{reservation}"),
        't', 'the reservation stays';
};

subtest 'httpd warns at start-up when SchedOpenAccess is on' => sub {
    my ($code, $out) = httpd_configtest(<<'CONF');
<Location /open-dev>
    SetHandler sched
    SchedOpenAccess On
</Location>
CONF
    is $code, 0, 'configtest passes' or diag $out;
    like $out, qr/\[sched:warn\][^\n]*SchedOpenAccess[^\n]*\/open-dev/,
        'a warning names SchedOpenAccess and the location';
    like $out, qr/SchedOpenAccess On in \/:/, 'and the / mount of the test template';

    # The template without it: no warning.
    my $dir = SchedTest::new_rundir('configtest');
    my $text = SchedTest::config_text($dir, free_port());
    ok $text =~ s/^(\s*SchedOpenAccess) On\b/$1 Off/mg, 'a config with it off';
    SchedTest::spew("$dir/httpd.conf", $text);
    ($code, $out) = run_capture($ENV{SCHED_HTTPD}, '-t', '-d', $dir, '-f', "$dir/httpd.conf");
    is $code, 0, 'configtest passes' or diag $out;
    unlike $out, qr/SchedOpenAccess/, 'no warning when it is off';
};

finish();
