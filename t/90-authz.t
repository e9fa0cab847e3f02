# Who may do what: every role against every endpoint and method, with authorization
# on. The test server serves the API three times over: at / with SchedOpenAccess On
# (used here only to set rows up, as the original service allowed), at /secure/ with
# httpd Basic authentication against the users table, and at /public/ with no
# authentication at all and SchedPublicAvailability On.
#
# Roles: a superuser; provider users (a provider record); client users (a client
# record); a user who is both; a "plain" user with neither. Every user and row is made
# by this file with unique names, and lists are compared only on the ids made here (or
# on what PostgreSQL says the caller owns), so nothing depends on other rows.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use MIME::Base64 qw(encode_base64);
use SchedTest;

needs_db('reads rows with psql');

my $NOW = time;
my $MISSING_ID = '9223372036854775807';
my $TRUE = JSON::PP::true;
my $FALSE = JSON::PP::false;

# ---- Requests and checks ----------------------------------------------------------

# Every answer seen through /secure/ and /public/ is checked for a password: a bcrypt
# hash anywhere, or a "password" member.
my @leaks;

sub scan {
    my ($res, $what) = @_;
    push @leaks, "$what: $res->{status} $res->{content}"
        if $res->{content} =~ /\$2[abxy]\$|"password"\s*:/;
    return $res;
}

sub basic {
    my ($name, $password) = @_;
    return { Authorization => 'Basic ' . encode_base64("$name:$password", '') };
}

sub cred {
    my ($u) = @_;
    return basic($u->{username}, $u->{password});
}

# A request to /secure/ as $who (a user made by mk(); undef: no credentials).
sub sec {
    my ($who, $method, $path, $body) = @_;
    my $res = req($method, "/secure$path", $body, $who ? cred($who) : {});
    return scan($res, "$method /secure$path");
}

# A request to /public/, anonymous unless headers are given.
sub pub {
    my ($method, $path, $body, $headers) = @_;
    return scan(req($method, "/public$path", $body, $headers), "$method /public$path");
}

sub who {
    my ($u) = @_;
    return $u ? $u->{label} : 'anonymous';
}

# $who sends the request to /secure/; the answer must have this status (a problem
# document for 4xx). Returns the response.
sub expect {
    my ($who, $method, $path, $body, $status, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $res = sec($who, $method, $path, $body);
    $name = who($who) . ": $method $path" . ($name ? " ($name)" : '');
    if ($status >= 400) {
        problem_ok($res, $status, $name);
    }
    else {
        is $res->{status}, $status, "$name: $status" or diag $res->{content};
    }
    return $res;
}

# The ids of a list at /secure/$path as $who, following every Link rel="next" with
# the same credentials (one test: every page 200, every Link under /secure/).
sub walk {
    my ($who, $path) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $prefix = url('/secure/');
    my (@ids, @bad, %seen);
    my $target = "/secure$path";
    my $pages = 0;
    while (defined $target) {
        my $res = scan(req('GET', $target, undef, cred($who)), "GET $target");
        $pages++;
        if ($res->{status} != 200 || ref $res->{json} ne 'ARRAY') {
            push @bad, "GET $target: $res->{status} $res->{content}";
            last;
        }
        push @ids, map { $_->{id} } @{ $res->{json} };
        my $next = next_link($res);
        if (defined $next) {
            if (index($next, $prefix) != 0) {
                push @bad, "a Link outside /secure/: $next";
                last;
            }
            if ($seen{$next}++ || $pages > 5000) {
                push @bad, "the Links loop: $next";
                last;
            }
        }
        $target = $next;
    }
    ok !@bad, who($who) . ": GET $path, $pages page(s): all 200, Links under /secure/"
        or diag join "\n", @bad;
    return \@ids;
}

# Ids PostgreSQL gives for this query (one column), in its order.
sub ids_sql {
    my ($sql) = @_;
    return [ grep { length } split /\n/, psql($sql) ];
}

sub subset_ok {
    my ($list, $want, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my %in = map { $_ => 1 } @$list;
    my @missing = grep { !$in{$_} } @$want;
    ok !@missing, $name or diag "missing: @missing";
}

# ---- Users, roles, slots and reservations of this run -----------------------------

sub mk {
    my ($label, %fields) = @_;
    my $password = "pw-$label-$$-" . int(rand 1e9);
    my $u = make_user(username => uniq("authz_$label"), password => $password, %fields);
    $u->{password} = $password;
    $u->{label} = $label;
    return $u;
}

sub role {
    my ($resource, $u) = @_;
    my $res = POST("/$resource/", { user => $u->{id} });
    die "POST /$resource/ answered $res->{status}: $res->{content}\n"
        unless $res->{status} == 201;
    return $res->{json}{id};
}

sub window {
    my ($provider, $start, $end) = @_;
    my $res = POST('/available_slots/',
                   { provider => $provider, start_time => $start, end_time => $end });
    die "POST /available_slots/ answered $res->{status}: $res->{content}\n"
        unless $res->{status} == 201;
    return map { $_->{id} } @{ $res->{json} };
}

# A reservation made through / (open access); confirmed unless told otherwise, so
# that it stays active whatever the 3 s hold does.
sub booked {
    my ($client, $slot, $pending) = @_;
    my $res = POST('/appointment_reservations/', { client => $client, slot => $slot });
    die "booking slot $slot for client $client answered $res->{status}: $res->{content}\n"
        unless $res->{status} == 201;
    my $id = $res->{json}{id};
    return $id if $pending;
    $res = POST("/appointment_reservations/$id/confirm/");
    die "confirming $id answered $res->{status}: $res->{content}\n"
        unless $res->{status} == 200;
    return $id;
}

my $S  = mk('superuser', is_superuser => $TRUE);
my $CA = mk('client_A');
my $CB = mk('client_B');
my $PA = mk('provider_A');
my $PB = mk('provider_B');
my $X  = mk('client_and_provider');
my $N  = mk('plain');
my $I  = mk('inactive', is_active => $FALSE);
$CA->{client} = role('clients', $CA);
$CB->{client} = role('clients', $CB);
$PA->{provider} = role('providers', $PA);
$PB->{provider} = role('providers', $PB);
$X->{client} = role('clients', $X);
$X->{provider} = role('providers', $X);
my @ALL_USERS = ($S, $CA, $CB, $PA, $PB, $X, $N, $I);
my @OTHERS = ($CA, $CB, $PA, $PB, $X, $N);    # every authenticated role but superuser

# Sixteen 15-minute slots each: provider A on day 5, B on day 6, the user who is both
# on day 7, all from 08:00 UTC.
my @a = window($PA->{provider}, at(5, '08:00'), at(5, '12:00'));
my @b = window($PB->{provider}, at(6, '08:00'), at(6, '12:00'));
my @x = window($X->{provider}, at(7, '08:00'), at(7, '12:00'));
die "expected 16 slots each\n" unless @a == 16 && @b == 16 && @x == 16;

# Confirmed reservations: <client>_<provider of the slot>.
my %R = (
    A_a => booked($CA->{client}, $a[0]),
    A_b => booked($CA->{client}, $b[0]),
    A_x => booked($CA->{client}, $x[0]),
    B_a => booked($CB->{client}, $a[1]),
    B_b => booked($CB->{client}, $b[1]),
    X_a => booked($X->{client}, $a[2]),
);

# The reservations $u may see (its client's, and those on its provider's slots),
# restricted by an SQL condition on r (the reservation) and s (its slot).
sub visible_res {
    my ($u, $where) = @_;
    my @who;
    push @who, "r.client_id = $u->{client}" if $u->{client};
    push @who, "s.provider_id = $u->{provider}" if $u->{provider};
    return [] unless @who;
    return ids_sql('select r.id from reservations r join slots s on s.id = r.slot_id'
                   . ' where (' . join(' or ', @who) . ')'
                   . (defined $where ? " and ($where)" : '') . ' order by r.id');
}

# The bookable slots of a provider, in list order.
sub bookable_sql {
    my ($provider) = @_;
    return ids_sql("select s.id from slots s where s.provider_id = $provider"
                   . " and s.start_time >= now() + interval '24 hours'"
                   . ' and not exists (select 1 from reservations r where r.slot_id = s.id'
                   . '  and r.cancelled_at is null and r.held_until > now())'
                   . ' order by s.start_time, s.id');
}

sub res_state {
    my ($id) = @_;
    return psql("select slot_id || ' ' || sched_reservation_status(r)"
                . " from reservations r where id = $id");
}

sub slot_state {
    my ($id) = @_;
    my $utc = sub { "btrim(to_json($_[0] AT TIME ZONE 'UTC')::text, '\"') || 'Z'" };
    return psql("select provider_id || ' ' || " . $utc->('start_time') . " || ' ' || "
                . $utc->('end_time') . " from slots where id = $id");
}

# ---- Anonymous and bad credentials ------------------------------------------------

subtest 'anonymous on /secure/: httpd answers 401 for every path' => sub {
    # A running server may let anonymous requests through to the module, which then
    # answers them itself (conf/docker.conf does).
    plan skip_all => 'this server lets anonymous requests through'
        if remote() && GET('/secure/health/')->{status} != 401;
    my @cases = (
        [ GET => '/' ], [ GET => '/health/' ], [ GET => '/openapi.json' ],
        [ GET => '/users/' ], [ GET => '/users/me/' ], [ GET => "/users/$CA->{id}/" ],
        [ GET => '/clients/' ], [ GET => "/clients/$CA->{client}/" ],
        [ GET => '/providers/' ], [ GET => "/providers/$PA->{provider}/" ],
        [ GET => '/available_slots/' ], [ GET => "/available_slots/$a[5]/" ],
        [ GET => '/appointment_reservations/' ],
        [ GET => "/appointment_reservations/$R{A_a}/" ],
        [ HEAD => '/available_slots/' ],
        [ POST => '/users/', { username => uniq('anon'), password => 'password-123' } ],
        [ POST => '/clients/', { user => $N->{id} } ],
        [ POST => '/providers/', { user => $N->{id} } ],
        [ POST => '/available_slots/',
          { provider => $PA->{provider}, start_time => at(5, '14:00'),
            end_time => at(5, '15:00') } ],
        [ POST => '/appointment_reservations/', { client => $CA->{client}, slot => $a[5] } ],
        [ POST => "/appointment_reservations/$R{A_a}/cancel/" ],
        [ POST => "/appointment_reservations/$R{A_a}/confirm/" ],
        [ PATCH => "/users/$CA->{id}/", { is_superuser => $TRUE } ],
        [ PUT => "/clients/$CA->{client}/", { user => $CA->{id} } ],
        [ PATCH => "/available_slots/$a[5]/", { start_time => at(5, '15:00') } ],
        [ PATCH => "/appointment_reservations/$R{A_a}/", { slot => $a[5] } ],
        [ DELETE => "/users/$N->{id}/" ], [ DELETE => "/providers/$PA->{provider}/" ],
        [ DELETE => "/available_slots/$a[5]/" ],
        [ DELETE => "/appointment_reservations/$R{A_a}/" ],
    );
    for my $case (@cases) {
        my ($method, $path, $body) = @$case;
        my $res = sec(undef, $method, $path, $body);
        is $res->{status}, 401, "$method /secure$path: 401";
        is $res->{headers}{'www-authenticate'}, 'Basic realm="mod_sched"',
            "$method /secure$path: WWW-Authenticate";
        unlike $res->{headers}{'content-type'} // '', qr/json/i,
            "$method /secure$path: httpd's own page, not JSON" if $method ne 'HEAD';
    }
    is res_state($R{A_a}), "$a[0] confirmed", 'the reservation is untouched';
    is psql("select count(*) from users where id = $N->{id}"), 1, 'the user is still there';
    is psql("select is_superuser::int from users where id = $CA->{id}"), 0, 'not promoted';
    is psql("select count(*) from slots where id = $a[5]"), 1, 'the slot is still there';
    is psql("select count(*) from clients where user_id = $N->{id}"), 0, 'no client made';
};

subtest 'wrong password, unknown or inactive user: 401' => sub {
    my %cases = (
        'a wrong password'           => basic($CA->{username}, 'not-the-password'),
        "the superuser's wrong one"  => basic($S->{username}, "$S->{password}x"),
        'an empty password'          => basic($CA->{username}, ''),
        'an unknown user'            => basic(uniq('nobody'), 'password-123'),
        'an inactive user'           => cred($I),
        'a password hash as password'=> basic($CA->{username},
            psql("select password from users where id = $CA->{id}")),
    );
    for my $name (sort keys %cases) {
        for my $path ('/users/me/', '/available_slots/') {
            my $res = scan(req('GET', "/secure$path", undef, $cases{$name}), $name);
            is $res->{status}, 401, "$name: GET /secure$path is 401";
            is $res->{headers}{'www-authenticate'}, 'Basic realm="mod_sched"',
                "$name: WWW-Authenticate";
        }
    }
    expect($CA, 'GET', '/users/me/', undef, 200, 'the right password works');
};

# ---- /public/: SchedPublicAvailability On, no authentication ----------------------

subtest '/public/: anonymous reads bookable slots, nothing else' => sub {
    needs_local("the test server's /public mount");
    my $res = pub('GET', "/available_slots/?provider=$PA->{provider}&limit=1000");
    is $res->{status}, 200, 'GET /public/available_slots/?provider= is 200';
    is_deeply [ map { $_->{id} } @{ $res->{json} || [] } ], bookable_sql($PA->{provider}),
        'exactly the bookable slots of the provider';
    $res = pub('GET', '/available_slots/');
    is $res->{status}, 200, 'GET /public/available_slots/ is 200';
    is ref $res->{json}, 'ARRAY', 'a list';
    $res = pub('GET', '/available_slots');
    is $res->{status}, 200, 'without the final slash too';

    $res = pub('GET', "/available_slots/$a[5]/");
    is $res->{status}, 200, 'GET a free slot is 200';
    is_deeply [ @{ $res->{json} || {} }{qw(id provider available)} ],
        [ $a[5], $PA->{provider}, $TRUE ], 'the slot, available';
    $res = pub('GET', "/available_slots/$a[0]/");
    is $res->{status}, 200, 'GET a booked slot is 200';
    is $res->{json}{available}, $FALSE, 'not available';
    problem_ok(pub('GET', "/available_slots/$MISSING_ID/"), 404, 'a missing slot');

    for my $path ('/', '/health/') {
        is pub('GET', $path)->{status}, 200, "GET /public$path is 200";
    }

    my @denied = (
        [ GET => '/users/' ], [ GET => '/users/me/' ], [ GET => "/users/$CA->{id}/" ],
        [ GET => '/clients/' ], [ GET => "/clients/$CA->{client}/" ],
        [ GET => '/providers/' ], [ GET => "/providers/$PA->{provider}/" ],
        [ GET => '/appointment_reservations/' ],
        [ GET => "/appointment_reservations/$R{A_a}/" ],
        [ POST => '/users/', { username => uniq('anon'), password => 'password-123' } ],
        [ POST => '/clients/', { user => $N->{id} } ],
        [ POST => '/providers/', { user => $N->{id} } ],
        [ POST => '/available_slots/',
          { provider => $PA->{provider}, start_time => at(5, '14:00'),
            end_time => at(5, '15:00') } ],
        [ PUT => "/available_slots/$a[5]/",
          { provider => $PA->{provider}, start_time => at(5, '14:00'),
            end_time => at(5, '14:15') } ],
        [ PATCH => "/available_slots/$a[5]/", { start_time => at(5, '14:00') } ],
        [ DELETE => "/available_slots/$a[5]/" ],
        [ POST => '/appointment_reservations/', { client => $CA->{client}, slot => $a[5] } ],
        [ POST => "/appointment_reservations/$R{A_a}/confirm/" ],
        [ POST => "/appointment_reservations/$R{A_a}/cancel/" ],
        [ PATCH => "/appointment_reservations/$R{A_a}/", { slot => $a[5] } ],
        [ DELETE => "/appointment_reservations/$R{A_a}/" ],
        [ PATCH => "/users/$CA->{id}/", { is_superuser => $TRUE } ],
        [ DELETE => "/users/$N->{id}/" ],
        [ DELETE => "/clients/$CA->{client}/" ],
    );
    for my $case (@denied) {
        my ($method, $path, $body) = @$case;
        problem_ok(pub($method, $path, $body), 401, "anonymous $method /public$path");
    }
    # No authentication is configured there: credentials are not read.
    problem_ok(pub('GET', '/users/', undef, cred($S)), 401,
               "GET /public/users/ with the superuser's credentials");
    problem_ok(pub('DELETE', "/users/$N->{id}/", undef, cred($S)), 401,
               "DELETE /public/users/<id>/ with the superuser's credentials");

    is res_state($R{A_a}), "$a[0] confirmed", 'the reservation is untouched';
    is slot_state($a[5]), "$PA->{provider} " . at(5, '09:15') . ' ' . at(5, '09:30'),
        'the slot is untouched';
    is psql("select count(*) from users where id = $N->{id}"), 1, 'the user is still there';
    is psql("select count(*) from clients where user_id = $N->{id}"), 0, 'no client made';
    is psql("select count(*) from reservations where slot_id = $a[5]"), 0, 'nothing booked';
};

# ---- Users ------------------------------------------------------------------------

subtest 'users: everyone but the superuser sees and changes only themselves' => sub {
    for my $u (@OTHERS) {
        my $name = $u->{label};
        is_deeply walk($u, '/users/?limit=1'), [ $u->{id} ], "$name: the list is itself";
        my $me = expect($u, 'GET', '/users/me/', undef, 200)->{json} || {};
        is_deeply [ @$me{qw(id username is_superuser is_active)} ],
            [ $u->{id}, $u->{username}, $FALSE, $TRUE ], "$name: /users/me/ is itself";
        my $own = expect($u, 'GET', "/users/$u->{id}/", undef, 200)->{json};
        is_deeply $own, $me, "$name: GET its own id is the same";
        expect($u, 'GET', "/users/$u->{id}", undef, 200, 'no final slash');
        for my $other (grep { $_ != $u } $S, $CA, $CB, $PA, $N, $I) {
            expect($u, 'GET', "/users/$other->{id}/", undef, 404, "$other->{label}'s");
        }
        expect($u, 'GET', "/users/$MISSING_ID/", undef, 404, 'a missing user');

        my $new = uniq('authz_made');
        expect($u, 'POST', '/users/', { username => $new, password => 'password-123' }, 403);
        is psql("select count(*) from users where username = '$new'"), 0,
            "$name: no user made";
        expect($u, 'DELETE', "/users/$u->{id}/", undef, 403, 'itself');
        my $other = $u == $CB ? $CA : $CB;
        my $other_email = psql("select email from users where id = $other->{id}");
        expect($u, 'DELETE', "/users/$other->{id}/", undef, 404, 'another user');
        expect($u, 'DELETE', "/users/$S->{id}/", undef, 404, 'the superuser');
        expect($u, 'PATCH', "/users/$other->{id}/", { email => 'x@example.org' }, 404,
               'another user');
        expect($u, 'PUT', "/users/$other->{id}/", { username => $other->{username} }, 404,
               'another user');
        expect($u, 'PATCH', "/users/$I->{id}/", { is_active => $TRUE }, 404,
               'reactivate another user');
        is psql("select count(*) from users where id in ($u->{id}, $other->{id}, $S->{id})"),
            3, "$name: nobody deleted";
        is psql("select email from users where id = $other->{id}"), $other_email,
            "$name: the other user's email unchanged";

        expect($u, 'PATCH', "/users/$u->{id}/", { is_superuser => $TRUE }, 403,
               'make itself superuser');
        expect($u, 'PATCH', "/users/$u->{id}/", { is_active => $FALSE }, 403,
               'deactivate itself');
        expect($u, 'PATCH', "/users/$u->{id}/", { username => uniq('authz_renamed') }, 403,
               'rename itself');
        expect($u, 'PUT', "/users/$u->{id}/", { username => uniq('authz_renamed') }, 403,
               'rename itself with PUT');
        expect($u, 'PUT', "/users/$u->{id}/",
               { username => $u->{username}, is_superuser => $TRUE }, 403,
               'PUT making itself superuser');
        expect($u, 'PATCH', "/users/$u->{id}/",
               { email => 'sneaky@example.org', is_superuser => $TRUE }, 403,
               'email together with is_superuser');
        is psql("select username || ' ' || is_superuser::int || ' ' || is_active::int"
                . " || ' [' || email || ']' from users where id = $u->{id}"),
            "$u->{username} 0 1 []",
            "$name: unchanged";

        my $res = expect($u, 'PATCH', "/users/$u->{id}/",
                         { username => $u->{username}, is_superuser => $FALSE,
                           is_active => $TRUE }, 200, 'the same values');
        is_deeply [ @{ $res->{json} || {} }{qw(username is_superuser is_active)} ],
            [ $u->{username}, $FALSE, $TRUE ], "$name: the same values are allowed";
        my $email = "$u->{label}\@example.org";
        $res = expect($u, 'PATCH', "/users/$u->{id}/", { email => $email }, 200, 'email');
        is $res->{json}{email}, $email, "$name: its email changed";
        $res = expect($u, 'PUT', "/users/$u->{id}/",
                      { username => $u->{username}, email => "put.$email" }, 200, 'email');
        is $res->{json}{email}, "put.$email", "$name: PUT changes its email";
        is psql("select email from users where id = $u->{id}"), "put.$email",
            "$name: stored";
    }
};

subtest 'users: anyone may change their own password' => sub {
    my $w = mk('password_changer');
    my $old = $w->{password};
    my $new = "new-$old";
    expect($w, 'PATCH', "/users/$w->{id}/", { password => $new }, 200, 'its password');
    like psql("select password from users where id = $w->{id}"), qr/^\$2y\$/,
        'stored as bcrypt';
    is scan(req('GET', '/secure/users/me/', undef, basic($w->{username}, $old)), 'old')
        ->{status}, 401, 'the old password is 401';
    $w->{password} = $new;
    expect($w, 'GET', '/users/me/', undef, 200, 'the new password');

    my $newer = "newer-$old";
    expect($w, 'PUT', "/users/$w->{id}/", { username => $w->{username}, password => $newer },
           200, 'PUT with a password');
    is scan(req('GET', '/secure/users/me/', undef, basic($w->{username}, $new)), 'old')
        ->{status}, 401, 'the previous password is 401';
    $w->{password} = $newer;
    expect($w, 'GET', '/users/me/', undef, 200, 'the newer password');

    # A client user too, with email and password together.
    my $c = mk('client_password');
    role('clients', $c);
    my $pw = "changed-$c->{password}";
    expect($c, 'PATCH', "/users/$c->{id}/", { password => $pw, email => 'c@example.org' },
           200, 'password and email');
    is scan(req('GET', '/secure/users/me/', undef, cred($c)), 'old')->{status}, 401,
        'client user: the old password is 401';
    $c->{password} = $pw;
    expect($c, 'GET', '/users/me/', undef, 200, 'the new password');
};

subtest 'users: the superuser does everything' => sub {
    my $list = walk($S, '/users/?limit=1000');
    subset_ok($list, [ map { $_->{id} } @ALL_USERS ],
              'the list has every user of this test, the inactive one too');
    is_deeply $list, [ sort { $a <=> $b } @$list ], 'ordered by id';
    for my $u (@ALL_USERS) {
        my $res = expect($S, 'GET', "/users/$u->{id}/", undef, 200, $u->{label});
        is $res->{json}{username}, $u->{username}, "GET $u->{label}: the user";
    }
    is expect($S, 'GET', '/users/me/', undef, 200)->{json}{id}, $S->{id}, '/users/me/';

    my $name = uniq('authz_by_super');
    my $res = expect($S, 'POST', '/users/',
                     { username => $name, password => 'made-by-super', email => 'm@example.org' },
                     201);
    my $m = { %{ $res->{json} || {} }, password => 'made-by-super', label => 'made' };
    is $m->{username}, $name, 'the user is made';
    expect($m, 'GET', '/users/me/', undef, 200, 'the new user logs in');
    is_deeply walk($m, '/users/?limit=1'), [ $m->{id} ], 'and sees only itself';

    expect($S, 'PATCH', "/users/$m->{id}/", { is_superuser => $TRUE }, 200, 'promote');
    is_deeply [ grep { $_ == $S->{id} } @{ walk($m, '/users/?limit=1000') } ], [ $S->{id} ],
        'the promoted user sees other users';
    expect($m, 'GET', "/users/$CA->{id}/", undef, 200, 'and reads them');
    expect($S, 'PATCH', "/users/$m->{id}/", { is_superuser => $FALSE }, 200, 'demote');
    expect($m, 'GET', "/users/$CA->{id}/", undef, 404, 'demoted: another user again 404');

    expect($S, 'PATCH', "/users/$m->{id}/", { is_active => $FALSE }, 200, 'deactivate');
    is sec($m, 'GET', '/users/me/')->{status}, 401, 'an inactive user is 401';
    expect($S, 'PATCH', "/users/$m->{id}/", { is_active => $TRUE }, 200, 'reactivate');
    expect($m, 'GET', '/users/me/', undef, 200, 'active again: logs in');

    expect($S, 'PATCH', "/users/$m->{id}/", { password => 'reset-by-super' }, 200,
           'set its password');
    is sec($m, 'GET', '/users/me/')->{status}, 401, 'its old password is 401';
    $m->{password} = 'reset-by-super';
    expect($m, 'GET', '/users/me/', undef, 200, 'its new password works');

    my $renamed = uniq('authz_renamed_by_super');
    $res = expect($S, 'PUT', "/users/$m->{id}/",
                  { username => $renamed, email => 'r@example.org' }, 200, 'rename');
    is $res->{json}{username}, $renamed, 'renamed';
    $m->{username} = $renamed;
    expect($m, 'GET', '/users/me/', undef, 200, 'logs in under the new name');

    expect($S, 'DELETE', "/users/$m->{id}/", undef, 204, 'another user');
    is sec($m, 'GET', '/users/me/')->{status}, 401, 'a deleted user is 401';
    expect($S, 'GET', "/users/$m->{id}/", undef, 404, 'deleted');
};

# ---- Clients and providers --------------------------------------------------------

subtest 'clients and providers: others read only their own record' => sub {
    my $fresh = mk('no_role_yet');
    for my $u (@OTHERS) {
        my $name = $u->{label};
        for my $spec ([ clients => 'client', $CB->{client}, $CA->{client} ],
                      [ providers => 'provider', $PB->{provider}, $PA->{provider} ]) {
            my ($resource, $key, @theirs) = @$spec;
            my $own = $u->{$key};
            my @own = defined $own ? ($own) : ();
            my ($other) = grep { !defined $own || $_ != $own } @theirs;
            is_deeply walk($u, "/$resource/?limit=1"), \@own,
                "$name: /$resource/ lists " . (@own ? 'only its own' : 'nothing');
            is_deeply walk($u, "/$resource/?user=$u->{id}"), \@own, "$name: ?user=itself";
            my $other_user = 0 + psql("select user_id from $resource where id = $other");
            is_deeply walk($u, "/$resource/?user=$other_user"), [],
                "$name: ?user=<another's user>: []";
            expect($u, 'GET', "/$resource/$other/", undef, 404, "another's");
            expect($u, 'PUT', "/$resource/$other/", { user => $other_user }, 404, "another's");
            expect($u, 'PATCH', "/$resource/$other/", {}, 404, "another's");
            expect($u, 'DELETE', "/$resource/$other/", undef, 404, "another's");
            expect($u, 'POST', "/$resource/", { user => $fresh->{id} }, 403, 'for a user');
            expect($u, 'POST', "/$resource/", { user => $u->{id} }, 403, 'for itself')
                unless @own;
            if (@own) {
                my $res = expect($u, 'GET', "/$resource/$own/", undef, 200, 'its own');
                is_deeply $res->{json}, { id => $own, user => $u->{id} }, "$name: its record";
                expect($u, 'PUT', "/$resource/$own/", { user => $u->{id} }, 403, 'its own');
                expect($u, 'PATCH', "/$resource/$own/", {}, 403, 'its own');
                expect($u, 'PATCH', "/$resource/$own/", { user => $fresh->{id} }, 403,
                       'its own to another user');
                expect($u, 'DELETE', "/$resource/$own/", undef, 403, 'its own');
                is psql("select user_id from $resource where id = $own"), $u->{id},
                    "$name: its $key record is unchanged";
            }
            is psql("select user_id from $resource where id = $other"), $other_user,
                "$name: the other $key record is unchanged";
        }
    }
    is psql("select count(*) from clients where user_id = $fresh->{id}")
        + psql("select count(*) from providers where user_id = $fresh->{id}"), 0,
        'no record was made';
    is psql("select count(*) from clients where user_id = $N->{id}")
        + psql("select count(*) from providers where user_id = $N->{id}"), 0,
        'the plain user made itself nothing';
};

subtest 'clients and providers: the superuser does everything' => sub {
    subset_ok(walk($S, '/clients/?limit=1000'), [ map { $_->{client} } $CA, $CB, $X ],
              'every client of this test is listed');
    subset_ok(walk($S, '/providers/?limit=1000'), [ map { $_->{provider} } $PA, $PB, $X ],
              'every provider of this test is listed');
    is_deeply walk($S, "/clients/?user=$CA->{id}&limit=1"), [ $CA->{client} ], '?user=';
    for my $u ($CA, $CB, $X) {
        expect($S, 'GET', "/clients/$u->{client}/", undef, 200, "$u->{label}'s");
    }
    for my $u ($PA, $PB, $X) {
        expect($S, 'GET', "/providers/$u->{provider}/", undef, 200, "$u->{label}'s");
    }
    for my $resource (qw(clients providers)) {
        my ($u1, $u2) = (mk("${resource}_1"), mk("${resource}_2"));
        my $res = expect($S, 'POST', "/$resource/", { user => $u1->{id} }, 201);
        my $id = $res->{json}{id};
        is_deeply $res->{json}, { id => $id, user => $u1->{id} }, "$resource: made";
        is $res->{headers}{location}, url("/secure/$resource/$id/"), 'Location under /secure/';
        expect($u1, 'GET', "/$resource/$id/", undef, 200, 'the user reads its new record');
        is expect($S, 'PATCH', "/$resource/$id/", { user => $u2->{id} }, 200)->{json}{user},
            $u2->{id}, "$resource: PATCH moves it";
        is expect($S, 'PUT', "/$resource/$id/", { user => $u1->{id} }, 200)->{json}{user},
            $u1->{id}, "$resource: PUT moves it back";
        expect($S, 'DELETE', "/$resource/$id/", undef, 204);
        is psql("select count(*) from $resource where id = $id"), 0, "$resource: deleted";
    }
};

# ---- Slots ------------------------------------------------------------------------

subtest 'slots: every authenticated user lists and reads them' => sub {
    for my $u ($S, @OTHERS) {
        for my $p ($PA->{provider}, $PB->{provider}) {
            is_deeply walk($u, "/available_slots/?provider=$p&limit=4"), bookable_sql($p),
                "$u->{label}: the bookable slots of provider $p";
        }
        my $res = expect($u, 'GET', "/available_slots/$a[0]/", undef, 200, 'a booked slot');
        is_deeply [ @{ $res->{json} || {} }{qw(id provider available)} ],
            [ $a[0], $PA->{provider}, $FALSE ], "$u->{label}: reads it, not available";
        $res = expect($u, 'GET', "/available_slots/$b[9]/", undef, 200, 'a free slot');
        is $res->{json}{available}, $TRUE, "$u->{label}: available";
        expect($u, 'GET', "/available_slots/$MISSING_ID/", undef, 404, 'a missing slot');
        is expect($u, 'GET', '/available_slots/', undef, 200, 'no filter')->{status}, 200,
            "$u->{label}: the whole list";
    }
    ok !grep({ $_ == $a[0] || $_ == $a[1] || $_ == $a[2] }
             @{ walk($N, "/available_slots/?provider=$PA->{provider}") }),
        'booked slots are not listed';
};

subtest 'slots: a provider user changes its own slots only' => sub {
    my $p = $PA->{provider};
    my $res = expect($PA, 'POST', '/available_slots/',
                     { provider => $p, start_time => at(5, '13:00'), end_time => at(5, '14:00') },
                     201, 'its own window');
    my @new = map { $_->{id} } @{ $res->{json} || [] };
    is scalar @new, 4, 'four slots';
    is_deeply [ map { $_->{provider} } @{ $res->{json} || [] } ], [ ($p) x 4 ], 'its own';

    expect($PA, 'POST', '/available_slots/',
           { provider => $PB->{provider}, start_time => at(6, '13:00'),
             end_time => at(6, '14:00') }, 403, "another provider's window");
    is psql("select count(*) from slots where provider_id = $PB->{provider}"
            . " and start_time >= '" . at(6, '13:00') . "'"
            . " and start_time < '" . at(6, '14:00') . "'"), 0, 'nothing made';

    $res = expect($PA, 'PATCH', "/available_slots/$new[0]/",
                  { start_time => at(5, '15:00'), end_time => at(5, '15:15') }, 200, 'its own');
    is $res->{json}{start_time}, at(5, '15:00'), 'moved';
    $res = expect($PA, 'PUT', "/available_slots/$new[1]/",
                  { provider => $p, start_time => at(5, '15:30'), end_time => at(5, '15:45') },
                  200, 'its own');
    is $res->{json}{start_time}, at(5, '15:30'), 'moved';
    expect($PA, 'DELETE', "/available_slots/$new[2]/", undef, 204, 'its own');
    is psql("select count(*) from slots where id = $new[2]"), 0, 'deleted';

    my $before = slot_state($new[3]);
    expect($PA, 'PATCH', "/available_slots/$new[3]/", { provider => $PB->{provider} }, 403,
           'its own, to another provider');
    expect($PA, 'PUT', "/available_slots/$new[3]/",
           { provider => $PB->{provider}, start_time => at(5, '16:00'),
             end_time => at(5, '16:15') }, 403, 'its own, to another provider');
    is slot_state($new[3]), $before, 'still its own, unchanged';

    my $theirs = slot_state($b[5]);
    expect($PA, 'PATCH', "/available_slots/$b[5]/", { start_time => at(6, '16:00'),
                                                     end_time => at(6, '16:15') }, 403,
           "another provider's");
    expect($PA, 'PATCH', "/available_slots/$b[5]/", { provider => $p }, 403,
           "another provider's, to itself");
    expect($PA, 'PUT', "/available_slots/$b[5]/",
           { provider => $PB->{provider}, start_time => at(6, '16:00'),
             end_time => at(6, '16:15') }, 403, "another provider's");
    expect($PA, 'DELETE', "/available_slots/$b[5]/", undef, 403, "another provider's");
    is slot_state($b[5]), $theirs, "the other provider's slot is unchanged";

    # The user who is both client and provider: the same rules for its provider.
    my $q = $X->{provider};
    $res = expect($X, 'POST', '/available_slots/',
                  { provider => $q, start_time => at(7, '13:00'), end_time => at(7, '13:30') },
                  201, 'its own window');
    is scalar @{ $res->{json} || [] }, 2, 'two slots';
    expect($X, 'POST', '/available_slots/',
           { provider => $p, start_time => at(5, '17:00'), end_time => at(5, '17:30') },
           403, "another provider's window");
    expect($X, 'PATCH', "/available_slots/$x[5]/",
           { start_time => at(7, '14:00'), end_time => at(7, '14:15') }, 200, 'its own');
    expect($X, 'DELETE', "/available_slots/$x[6]/", undef, 204, 'its own');
    expect($X, 'DELETE', "/available_slots/$a[10]/", undef, 403, "another provider's");
    expect($X, 'PATCH', "/available_slots/$a[10]/", { provider => $q }, 403,
           "another provider's, to itself");
    is psql("select provider_id from slots where id = $a[10]"), $p, 'unchanged';
};

subtest 'slots: client and plain users change none' => sub {
    my $p = $PA->{provider};
    my $before = slot_state($a[11]);
    for my $u ($CA, $CB, $N) {
        expect($u, 'POST', '/available_slots/',
               { provider => $p, start_time => at(5, '18:00'), end_time => at(5, '19:00') },
               403, 'a window');
        expect($u, 'PATCH', "/available_slots/$a[11]/",
               { start_time => at(5, '19:00'), end_time => at(5, '19:15') }, 403);
        expect($u, 'PUT', "/available_slots/$a[11]/",
               { provider => $p, start_time => at(5, '19:00'), end_time => at(5, '19:15') },
               403);
        expect($u, 'DELETE', "/available_slots/$a[11]/", undef, 403);
    }
    is slot_state($a[11]), $before, 'the slot is unchanged';
    is psql("select count(*) from slots where provider_id = $p"
            . " and start_time >= '" . at(5, '18:00') . "'"
            . " and start_time < '" . at(5, '19:00') . "'"), 0, 'no slot made';
};

subtest 'slots: the superuser changes any' => sub {
    my $res = expect($S, 'POST', '/available_slots/',
                     { provider => $PB->{provider}, start_time => at(6, '14:00'),
                       end_time => at(6, '15:00') }, 201, "a provider's window");
    is scalar @{ $res->{json} || [] }, 4, 'four slots';
    $res = expect($S, 'PATCH', "/available_slots/$b[6]/",
                  { start_time => at(6, '16:00'), end_time => at(6, '16:15') }, 200);
    is $res->{json}{start_time}, at(6, '16:00'), 'moved';
    $res = expect($S, 'PUT', "/available_slots/$a[12]/",
                  { provider => $PB->{provider}, start_time => at(5, '11:00'),
                    end_time => at(5, '11:15') }, 200, 'to another provider');
    is $res->{json}{provider}, $PB->{provider}, 'now the other provider\'s';
    expect($S, 'DELETE', "/available_slots/$b[7]/", undef, 204);
    is psql("select count(*) from slots where id = $b[7]"), 0, 'deleted';
};

# ---- Reservations -----------------------------------------------------------------

# What each role's list shows, one page of one row at a time, and its filters.
sub reservation_lists {
    my ($when) = @_;
    for my $u (@OTHERS) {
        is_deeply walk($u, '/appointment_reservations/?limit=1'), visible_res($u),
            "$when: $u->{label} lists exactly its own";
    }
    is_deeply walk($N, '/appointment_reservations/'), [], "$when: plain user: []";
    is_deeply walk($PB, '/appointment_reservations/?limit=1000'), visible_res($PB),
        "$when: provider B, one page";

    my ($ca, $cb, $cx) = map { $_->{client} } $CA, $CB, $X;
    my ($pa, $pb, $px) = map { $_->{provider} } $PA, $PB, $X;
    my %filters = (
        $CA->{label} => [
            [ "client=$cb", [] ], [ "client=$cx", [] ],
            [ "client=$ca", visible_res($CA) ],
            [ "provider=$pa", visible_res($CA, "s.provider_id = $pa") ],
            [ "provider=$pb", visible_res($CA, "s.provider_id = $pb") ],
            [ "slot=$a[1]", [] ], [ "slot=$a[0]", [ $R{A_a} ] ],
            [ 'status=confirmed', visible_res($CA, "sched_reservation_status(r) = 'confirmed'") ],
            [ 'status=cancelled', visible_res($CA, "sched_reservation_status(r) = 'cancelled'") ],
            [ "client=$cb&provider=$pa", [] ],
        ],
        $PA->{label} => [
            [ "client=$ca", visible_res($PA, "r.client_id = $ca") ],
            [ "client=$cb", visible_res($PA, "r.client_id = $cb") ],
            [ "provider=$pb", [] ], [ "provider=$px", [] ],
            [ "provider=$pa", visible_res($PA) ],
            [ "slot=$b[0]", [] ],
            [ 'status=confirmed', visible_res($PA, "sched_reservation_status(r) = 'confirmed'") ],
        ],
        $X->{label} => [
            [ "provider=$pa", visible_res($X, "s.provider_id = $pa") ],
            [ "provider=$px", visible_res($X, "s.provider_id = $px") ],
            [ "client=$ca", visible_res($X, "r.client_id = $ca") ],
            [ "client=$cb&provider=$pa", [] ],
            [ "slot=$a[1]", [] ],
        ],
        $N->{label} => [
            [ "client=$ca", [] ], [ "provider=$pa", [] ], [ "slot=$a[0]", [] ],
            [ 'status=confirmed', [] ],
        ],
    );
    for my $u ($CA, $PA, $X, $N) {
        for my $f (@{ $filters{ $u->{label} } }) {
            my ($query, $want) = @$f;
            is_deeply walk($u, "/appointment_reservations/?$query&limit=1"), $want,
                "$when: $u->{label} ?$query";
        }
    }
    ok @{ visible_res($CA) } >= 3 && @{ visible_res($PA) } >= 3,
        "$when: the lists compared have several rows (paging was exercised)";
}

subtest 'reservations: each role lists what it may see' => sub {
    reservation_lists('before');
};

subtest 'reservations: a client user books and changes its own only' => sub {
    my ($ca, $cb) = ($CA->{client}, $CB->{client});
    my $res = expect($CA, 'POST', '/appointment_reservations/', { client => $ca, slot => $a[3] },
                     201, 'for its own client');
    my $r = $res->{json} || {};
    is_deeply [ @$r{qw(client slot status)} ], [ $ca, $a[3], 'pending' ], 'pending';
    is $res->{headers}{location}, url("/secure/appointment_reservations/$r->{id}/"),
        'Location under /secure/';
    is expect($CA, 'GET', "/appointment_reservations/$r->{id}/", undef, 200)->{json}{id},
        $r->{id}, 'reads it';
    is expect($CA, 'POST', "/appointment_reservations/$r->{id}/confirm/", undef, 200)
        ->{json}{status}, 'confirmed', 'confirms it';
    is expect($CA, 'PATCH', "/appointment_reservations/$r->{id}/", { slot => $a[4] }, 200)
        ->{json}{slot}, $a[4], 'moves it';
    is expect($CA, 'PUT', "/appointment_reservations/$r->{id}/", { slot => $a[5] }, 200)
        ->{json}{slot}, $a[5], 'moves it with PUT';
    is expect($CA, 'POST', "/appointment_reservations/$r->{id}/cancel/", undef, 200)
        ->{json}{status}, 'cancelled', 'cancels it';
    my $r2 = expect($CA, 'POST', '/appointment_reservations/', { client => $ca, slot => $a[6] },
                    201, 'another')->{json} || {};
    expect($CA, 'DELETE', "/appointment_reservations/$r2->{id}/", undef, 204, 'its own');
    is psql("select count(*) from reservations where id = " . ($r2->{id} // 0)), 0, 'deleted';

    expect($CA, 'POST', '/appointment_reservations/', { client => $cb, slot => $a[7] }, 403,
           'for another client');
    expect($CA, 'POST', '/appointment_reservations/', { client => $X->{client}, slot => $a[7] },
           403, 'for another client');
    is psql("select count(*) from reservations where slot_id = $a[7]"), 0, 'nothing booked';

    for my $key (qw(B_a B_b X_a)) {
        my $id = $R{$key};
        my $state = res_state($id);
        expect($CA, 'GET', "/appointment_reservations/$id/", undef, 404, "another's ($key)");
        expect($CA, 'POST', "/appointment_reservations/$id/confirm/", undef, 404, "another's");
        expect($CA, 'POST', "/appointment_reservations/$id/cancel/", undef, 404, "another's");
        expect($CA, 'PATCH', "/appointment_reservations/$id/", { slot => $a[8] }, 404,
               "another's");
        expect($CA, 'PUT', "/appointment_reservations/$id/", { slot => $a[8] }, 404,
               "another's");
        expect($CA, 'DELETE', "/appointment_reservations/$id/", undef, 404, "another's");
        is res_state($id), $state, "$key is unchanged";
    }
    expect($CA, 'GET', "/appointment_reservations/$MISSING_ID/", undef, 404, 'a missing one');
    expect($CB, 'GET', "/appointment_reservations/$R{A_a}/", undef, 404, "client A's");
    expect($CB, 'GET', "/appointment_reservations/$R{B_a}/", undef, 200, 'its own');
};

subtest 'reservations: a provider user reads and cancels those on its slots' => sub {
    my ($ca, $cb) = ($CA->{client}, $CB->{client});
    expect($PA, 'POST', '/appointment_reservations/', { client => $ca, slot => $a[8] }, 403,
           'for a client');
    expect($PA, 'POST', '/appointment_reservations/', { client => $cb, slot => $b[8] }, 403,
           'for a client, on another provider\'s slot');
    is psql("select count(*) from reservations where slot_id in ($a[8], $b[8])"), 0,
        'nothing booked';

    for my $key (qw(A_a B_a X_a)) {
        is expect($PA, 'GET', "/appointment_reservations/$R{$key}/", undef, 200,
                  "on its slot ($key)")->{json}{id}, $R{$key}, "reads $key";
    }
    # A pending one on its slot: it may cancel it, nothing else.
    my $id = booked($cb, $a[9], 'pending');
    expect($PA, 'POST', "/appointment_reservations/$id/confirm/", undef, 403, 'on its slot');
    expect($PA, 'PATCH', "/appointment_reservations/$id/", { slot => $a[13] }, 403,
           'on its slot');
    expect($PA, 'PUT', "/appointment_reservations/$id/", { slot => $a[13] }, 403,
           'on its slot');
    expect($PA, 'DELETE', "/appointment_reservations/$id/", undef, 403, 'on its slot');
    is psql("select slot_id || ' ' || (confirmed_at is null)::int from reservations"
            . " where id = $id"),
        "$a[9] 1", 'not confirmed, not moved, not deleted';
    is expect($PA, 'POST', "/appointment_reservations/$id/cancel/", undef, 200, 'on its slot')
        ->{json}{status}, 'cancelled', 'cancelled';
    expect($PA, 'POST', "/appointment_reservations/$R{A_a}/confirm/", undef, 403,
           'a confirmed one on its slot');
    expect($PA, 'DELETE', "/appointment_reservations/$R{A_a}/", undef, 403,
           'a confirmed one on its slot');

    for my $key (qw(A_b B_b A_x)) {
        my $rid = $R{$key};
        my $state = res_state($rid);
        expect($PA, 'GET', "/appointment_reservations/$rid/", undef, 404,
               "not on its slot ($key)");
        expect($PA, 'POST', "/appointment_reservations/$rid/confirm/", undef, 404, 'not its');
        expect($PA, 'POST', "/appointment_reservations/$rid/cancel/", undef, 404, 'not its');
        expect($PA, 'PATCH', "/appointment_reservations/$rid/", { slot => $a[13] }, 404,
               'not its');
        expect($PA, 'DELETE', "/appointment_reservations/$rid/", undef, 404, 'not its');
        is res_state($rid), $state, "$key is unchanged";
    }
    expect($PB, 'GET', "/appointment_reservations/$R{B_b}/", undef, 200, 'on its slot');
    expect($PB, 'GET', "/appointment_reservations/$R{B_a}/", undef, 404, 'not on its slot');
};

subtest 'reservations: the permissions of a client and provider add up' => sub {
    my $cx = $X->{client};
    my $res = expect($X, 'POST', '/appointment_reservations/', { client => $cx, slot => $b[2] },
                     201, 'for its own client');
    my $mine = $res->{json}{id};
    expect($X, 'POST', '/appointment_reservations/', { client => $CA->{client}, slot => $x[1] },
           403, 'for another client on its own slot');
    is psql("select count(*) from reservations where slot_id = $x[1]"), 0, 'nothing booked';
    is expect($X, 'POST', "/appointment_reservations/$mine/confirm/", undef, 200,
              'its own')->{json}{status}, 'confirmed', 'confirmed';

    is expect($X, 'POST', "/appointment_reservations/$R{X_a}/confirm/", undef, 200,
              'its own, already confirmed')->{json}{status}, 'confirmed', 'still confirmed';
    expect($X, 'GET', "/appointment_reservations/$R{A_x}/", undef, 200,
           "another client's on its slot");
    my $id = booked($CB->{client}, $x[2], 'pending');
    expect($X, 'POST', "/appointment_reservations/$id/confirm/", undef, 403,
           "another client's on its slot");
    expect($X, 'PATCH', "/appointment_reservations/$id/", { slot => $x[3] }, 403,
           "another client's on its slot");
    expect($X, 'DELETE', "/appointment_reservations/$id/", undef, 403,
           "another client's on its slot");
    is expect($X, 'POST', "/appointment_reservations/$id/cancel/", undef, 200,
              "another client's on its slot")->{json}{status}, 'cancelled', 'cancelled';
    expect($X, 'GET', "/appointment_reservations/$R{B_b}/", undef, 404, 'neither');
    expect($X, 'POST', "/appointment_reservations/$R{B_b}/cancel/", undef, 404, 'neither');
    is res_state($R{B_b}), "$b[1] confirmed", 'unchanged';

    is_deeply walk($X, '/clients/?limit=1'), [ $cx ], 'its client record';
    is_deeply walk($X, '/providers/?limit=1'), [ $X->{provider} ], 'its provider record';
};

subtest 'reservations: a plain user sees and does nothing' => sub {
    expect($N, 'POST', '/appointment_reservations/', { client => $CA->{client}, slot => $a[13] },
           403, 'for a client');
    is psql("select count(*) from reservations where slot_id = $a[13]"), 0, 'nothing booked';
    for my $key (qw(A_a B_b)) {
        my $id = $R{$key};
        expect($N, 'GET', "/appointment_reservations/$id/", undef, 404, $key);
        expect($N, 'POST', "/appointment_reservations/$id/confirm/", undef, 404, $key);
        expect($N, 'POST', "/appointment_reservations/$id/cancel/", undef, 404, $key);
        expect($N, 'PATCH', "/appointment_reservations/$id/", { slot => $a[13] }, 404, $key);
        expect($N, 'DELETE', "/appointment_reservations/$id/", undef, 404, $key);
    }
    is res_state($R{A_a}), "$a[0] confirmed", 'unchanged';
};

subtest 'reservations: the superuser does everything' => sub {
    my $list = walk($S, '/appointment_reservations/?limit=1000');
    subset_ok($list, [ values %R ], 'every reservation of this test is listed');
    is_deeply walk($S, "/appointment_reservations/?client=$CA->{client}&limit=1"),
        ids_sql("select id from reservations where client_id = $CA->{client} order by id"),
        '?client= shows all of that client';
    is_deeply walk($S, "/appointment_reservations/?provider=$PA->{provider}&limit=2"),
        ids_sql('select r.id from reservations r join slots s on s.id = r.slot_id'
                . " where s.provider_id = $PA->{provider} order by r.id"),
        '?provider= shows all on that provider';
    for my $key (sort keys %R) {
        expect($S, 'GET', "/appointment_reservations/$R{$key}/", undef, 200, $key);
    }
    my $res = expect($S, 'POST', '/appointment_reservations/',
                     { client => $CB->{client}, slot => $b[3] }, 201, 'for any client');
    my $id = $res->{json}{id};
    is $res->{json}{client}, $CB->{client}, 'booked for that client';
    is expect($S, 'POST', "/appointment_reservations/$id/confirm/", undef, 200)
        ->{json}{status}, 'confirmed', 'confirms';
    is expect($S, 'PATCH', "/appointment_reservations/$id/", { slot => $b[4] }, 200)
        ->{json}{slot}, $b[4], 'moves';
    is expect($S, 'POST', "/appointment_reservations/$id/cancel/", undef, 200)
        ->{json}{status}, 'cancelled', 'cancels';
    expect($S, 'DELETE', "/appointment_reservations/$id/", undef, 204);
    is psql("select count(*) from reservations where id = $id"), 0, 'deleted';
    expect($CB, 'GET', "/appointment_reservations/$R{B_b}/", undef, 200,
           'its client still reads its own');
};

subtest 'reservations: the lists after all of that' => sub {
    reservation_lists('after');
};

subtest 'no answer showed a password or its hash' => sub {
    ok !@leaks, 'no body had a bcrypt hash or a "password" member' or diag join "\n", @leaks;
    my $me = sec($CA, 'GET', '/users/me/');
    ok ref $me->{json} eq 'HASH' && !exists $me->{json}{password}, '/users/me/ has none';
};

finish();
