# /users/: create, validate, read, list, replace, update, delete; passwords are
# stored as bcrypt hashes and never returned.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use SchedTest;

needs_db('reads the stored password hashes with psql');

my @USER_KEYS = sort qw(id username email is_superuser is_active date_joined);
my $RFC3339_UTC = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/;
my $PASSWORD = 'correct horse battery';

# Every hash key anywhere in a decoded JSON value.
sub all_keys {
    my ($v) = @_;
    return ref $v eq 'HASH' ? (keys %$v, map { all_keys($_) } values %$v)
         : ref $v eq 'ARRAY' ? (map { all_keys($_) } @$v)
         : ();
}

# No password, hash or bcrypt text in a response.
sub no_secret {
    my ($res, $name) = @_;
    my @bad = grep { /^(?:password|password_hash|hash)$/i } all_keys($res->{json});
    ok !@bad, "$name: no password key" or diag "keys: @bad";
    unlike $res->{content} // '', qr/\$2[abxy]\$/, "$name: no bcrypt hash in the body";
}

sub user_ok {
    my ($u, $name) = @_;
    is_deeply [ sort keys %{ $u || {} } ], \@USER_KEYS, "$name: exactly the user fields";
    like $u->{id} // '', qr/^[1-9][0-9]*$/, "$name: id is a positive integer";
    ok JSON::PP::is_bool($u->{is_superuser}) && JSON::PP::is_bool($u->{is_active}),
        "$name: flags are JSON booleans";
    like $u->{date_joined} // '', $RFC3339_UTC, "$name: date_joined is RFC 3339 UTC";
}

sub stored_password {
    my ($id) = @_;
    return psql("select password from users where id = $id");
}

subtest 'create with defaults' => sub {
    my $name = uniq('alice');
    my $res = POST('/users/', { username => $name, password => $PASSWORD });
    is $res->{status}, 201, 'POST /users/ is 201' or diag $res->{content};
    my $u = $res->{json};
    user_ok($u, 'created user');
    no_secret($res, 'created user');
    is $u->{username}, $name, 'username';
    is $u->{email}, '', 'email defaults to ""';
    ok defined $u->{is_superuser} && !$u->{is_superuser}, 'is_superuser defaults to false';
    ok $u->{is_active}, 'is_active defaults to true';
    is $res->{headers}{location}, url("/users/$u->{id}/"), 'Location';

    my $stored = stored_password($u->{id});
    like $stored, qr/^\$2y\$/, 'password stored as a bcrypt ($2y$) hash';
    isnt $stored, $PASSWORD, 'not the plain password';
    unlike $stored, qr/\Q$PASSWORD\E/, 'which it does not contain';

    my $get = GET("/users/$u->{id}/");
    is $get->{status}, 200, 'GET /users/<id>/';
    is_deeply $get->{json}, $u, 'same user';
    no_secret($get, 'GET item');
};

subtest 'create with every field' => sub {
    my $name = uniq('bob');
    my $res = POST('/users/', { username => $name, password => $PASSWORD,
                                email => 'bob@example.org', is_superuser => JSON::PP::true,
                                is_active => JSON::PP::false });
    is $res->{status}, 201, 'created' or diag $res->{content};
    my $u = $res->{json};
    user_ok($u, 'user');
    is $u->{email}, 'bob@example.org', 'email';
    ok $u->{is_superuser}, 'is_superuser true';
    ok !$u->{is_active}, 'is_active false';
    is psql("select is_superuser::text || ' ' || is_active::text from users where id = $u->{id}"),
        'true false', 'stored as given';
};

subtest 'username rules' => sub {
    my %good = (
        'every allowed character' => uniq('c') . 'aZ09@.+-_',
        '150 characters'          => substr(uniq('l') . ('x' x 150), 0, 150),
        'one character'           => undef,
    );
    for my $case (sort keys %good) {
        my $name = $good{$case};
        if (!defined $name) {    # a one-character name unused so far, if any
            ($name) = grep { psql("select count(*) from users where username = '$_'") == 0 }
                ('a' .. 'z', 'A' .. 'Z', 0 .. 9);
            next unless defined $name;
        }
        my $res = POST('/users/', { username => $name, password => $PASSWORD });
        is $res->{status}, 201, "$case is accepted" or diag $res->{content};
        is $res->{json}{username}, $name, 'and kept as given';
    }
    my %bad = (
        'missing'             => undef,
        'empty'               => '',
        '151 characters'      => substr(uniq('l') . ('x' x 151), 0, 151),
        'a space'             => uniq('w') . ' space',
        'a slash'             => uniq('s') . '/b',
        'a quote'             => uniq('q') . q('brien),
        'non-ASCII letters'   => uniq('n') . "caf\x{e9}",
        'a number'            => 12345,
        'null'                => JSON::PP::null,
        'a list'              => [ 'x' ],
        'a boolean'           => JSON::PP::true,
    );
    for my $case (sort keys %bad) {
        my %body = (password => $PASSWORD);
        $body{username} = $bad{$case} if $case ne 'missing';
        field_error(POST('/users/', \%body), 400, 'username', "username $case");
    }
    my $nul = uniq('nul');
    problem_ok(POST('/users/', qq({"username": "$nul\\u0000x", "password": "$PASSWORD"}),
                    { 'Content-Type' => 'application/json' }), 400, 'username with a NUL');
    is psql("select count(*) from users where username like '$nul%'"), 0, 'not created';
};

subtest 'password rules' => sub {
    my %good = (
        '8 bytes'                 => 'x' x 8,
        '72 bytes'                => 'y' x 72,
        '8 bytes of 4 characters' => "\x{e9}" x 4,
        'spaces and symbols'      => ' pa$$ w0rd ',
    );
    for my $case (sort keys %good) {
        my $res = POST('/users/', { username => uniq('pw'), password => $good{$case} });
        is $res->{status}, 201, "password of $case is accepted" or diag $res->{content};
        like stored_password($res->{json}{id} // 0), qr/^\$2y\$/, 'stored hashed';
    }
    my %bad = (
        'missing'                   => undef,
        'empty'                     => '',
        '7 bytes'                   => 'x' x 7,
        '73 bytes'                  => 'x' x 73,
        '74 bytes of 37 characters' => "\x{e9}" x 37,
        'a number'                  => 12345678,
        'null'                      => JSON::PP::null,
        'a boolean'                 => JSON::PP::true,
    );
    for my $case (sort keys %bad) {
        my $name = uniq('pw');
        my %body = (username => $name);
        $body{password} = $bad{$case} if $case ne 'missing';
        field_error(POST('/users/', \%body), 400, 'password', "password $case");
        is psql("select count(*) from users where username = '$name'"), 0, 'nothing created';
    }
};

subtest 'email rules' => sub {
    my $long_ok = ('a' x 64) . '@' . ('b' x 185) . '.org';    # 254 characters
    is length $long_ok, 254, '254-character address';
    for my $email ('', 'x@example.org', 'first.last+tag@sub.example.co.uk', $long_ok) {
        my $res = POST('/users/', { username => uniq('mail'), password => $PASSWORD,
                                    email => $email });
        is $res->{status}, 201, "email '" . substr($email, 0, 30) . "' is accepted"
            or diag $res->{content};
        is $res->{json}{email}, $email, 'kept as given';
    }
    my %bad = (
        'no @'            => 'example.org',
        'nothing before @' => '@example.org',
        'nothing after @' => 'x@',
        'a space'         => 'x y@example.org',
        'a tab'           => "x\t\@example.org",
        'a newline'       => "x\n\@example.org",
        'two @'           => 'x@y@example.org',
        '255 characters'  => ('a' x 65) . '@' . ('b' x 185) . '.org',
        'a number'        => 42,
        'null'            => JSON::PP::null,
        'a boolean'       => JSON::PP::false,
    );
    for my $case (sort keys %bad) {
        field_error(POST('/users/', { username => uniq('mail'), password => $PASSWORD,
                                      email => $bad{$case} }), 400, 'email', "email $case");
    }
};

subtest 'flags must be booleans' => sub {
    for my $field (qw(is_superuser is_active)) {
        for my $value ('true', 1, 0, undef, 'yes', []) {
            my $shown = !defined $value ? 'null' : ref $value ? '[]' : "'$value'";
            field_error(POST('/users/', { username => uniq('flag'), password => $PASSWORD,
                                          $field => $value }),
                        400, $field, "$field $shown");
        }
    }
};

subtest 'several invalid fields are all reported' => sub {
    my $p = problem_ok(POST('/users/', { username => 'bad name', password => 'short',
                                         email => 'nope' }), 400, 'three bad fields');
    ok $p->{errors}{$_}, "errors.$_" for qw(username password email);
};

subtest 'duplicate username is 409' => sub {
    my $u = make_user();
    my $res = POST('/users/', { username => $u->{username}, password => 'another one' });
    field_error($res, 409, 'username', 'same username again');
    is psql("select count(*) from users where username = '$u->{username}'"), 1, 'still one';
};

subtest 'list' => sub {
    my @mine = map { make_user() } 1 .. 3;
    my $res = GET('/users/?limit=1000');
    is $res->{status}, 200, 'GET /users/';
    no_secret($res, 'list');
    my %by_id = map { $_->{id} => $_ } @{ $res->{json} || [] };
    is_deeply $by_id{ $_->{id} }, $_, "user $_->{id} is listed as created" for @mine;
    my @ids = map { $_->{id} } @{ $res->{json} || [] };
    is_deeply \@ids, [ sort { $a <=> $b } @ids ], 'ordered by id';
    user_ok($res->{json}[0], 'a listed user');
};

subtest 'GET /users/me/ without an authenticated user is 401' => sub {
    # A running server's shipped configuration lets httpd answer anonymous requests.
    needs_local("the test server's open mount, where anonymous requests reach the module");
    problem_ok(GET('/users/me/'), 401, 'GET /users/me/');
    problem_ok(GET('/users/me'), 401, 'GET /users/me');
};

subtest 'PUT' => sub {
    my $u = POST('/users/', { username => uniq('put'), password => $PASSWORD,
                              email => 'old@example.org', is_superuser => JSON::PP::true })
        ->{json};
    my $hash = stored_password($u->{id});

    my $name = uniq('put2');
    my $res = PUT("/users/$u->{id}/", { username => $name, email => 'new@example.org' });
    is $res->{status}, 200, 'PUT is 200' or diag $res->{content};
    user_ok($res->{json}, 'PUT answer');
    no_secret($res, 'PUT answer');
    is $res->{json}{username}, $name, 'username changed';
    is $res->{json}{email}, 'new@example.org', 'email changed';
    ok $res->{json}{is_superuser}, 'absent is_superuser keeps its value';
    ok $res->{json}{is_active}, 'absent is_active keeps its value';
    is $res->{json}{id}, $u->{id}, 'same id';
    is $res->{json}{date_joined}, $u->{date_joined}, 'same date_joined';
    is stored_password($u->{id}), $hash, 'no password: the hash is kept';
    is_deeply GET("/users/$u->{id}/")->{json}, $res->{json}, 'GET shows the change';

    $res = PUT("/users/$u->{id}/", { username => $name, password => 'a new password' });
    is $res->{status}, 200, 'PUT with a password';
    my $new = stored_password($u->{id});
    like $new, qr/^\$2y\$/, 'new password hashed';
    isnt $new, $hash, 'hash changed';

    field_error(PUT("/users/$u->{id}/", { email => 'x@example.org' }), 400, 'username',
                'PUT without username');
    field_error(PUT("/users/$u->{id}/", { username => $name, password => 'short' }), 400,
                'password', 'PUT with a short password');
    field_error(PUT("/users/$u->{id}/", { username => $name, is_active => 'no' }), 400,
                'is_active', 'PUT with a bad flag');
    my $other = make_user();
    field_error(PUT("/users/$u->{id}/", { username => $other->{username} }), 409,
                'username', 'PUT to a taken username');
    is GET("/users/$u->{id}/")->{json}{username}, $name, 'unchanged after the failures';
    problem_ok(PUT('/users/9223372036854775807/', { username => uniq('ghost') }), 404,
               'PUT of a missing user');
};

subtest 'PATCH' => sub {
    my $u = POST('/users/', { username => uniq('patch'), password => $PASSWORD,
                              email => 'p@example.org' })->{json};
    my $hash = stored_password($u->{id});

    my $res = PATCH("/users/$u->{id}/", {});
    is $res->{status}, 200, 'PATCH {} is 200' or diag $res->{content};
    is_deeply $res->{json}, $u, 'and changes nothing';
    is stored_password($u->{id}), $hash, 'password untouched';

    $res = PATCH("/users/$u->{id}/", { email => 'q@example.org' });
    is $res->{status}, 200, 'PATCH email';
    is_deeply $res->{json}, { %$u, email => 'q@example.org' }, 'only email changed';

    $res = PATCH("/users/$u->{id}/", { is_active => JSON::PP::false });
    ok $res->{status} == 200 && !$res->{json}{is_active}, 'PATCH is_active false';
    $res = PATCH("/users/$u->{id}/", { email => '' });
    ok $res->{status} == 200 && $res->{json}{email} eq '', 'PATCH email to ""';

    $res = PATCH("/users/$u->{id}/", { password => 'brand new secret' });
    is $res->{status}, 200, 'PATCH password';
    no_secret($res, 'PATCH password answer');
    my $new = stored_password($u->{id});
    like $new, qr/^\$2y\$/, 'hashed';
    isnt $new, $hash, 'changed';

    my $name = uniq('patched');
    $res = PATCH("/users/$u->{id}/", { username => $name });
    is $res->{json}{username}, $name, 'PATCH username';

    my $other_id = make_user()->{id};
    $res = PATCH("/users/$u->{id}/", { id => $other_id, date_joined => '2000-01-01T00:00:00Z' });
    is $res->{status}, 200, 'PATCH of read-only fields is accepted';
    is $res->{json}{id}, $u->{id}, 'id unchanged';
    is $res->{json}{date_joined}, $u->{date_joined}, 'date_joined unchanged';

    my $other = make_user();
    field_error(PATCH("/users/$u->{id}/", { username => $other->{username} }), 409,
                'username', 'PATCH to a taken username');
    field_error(PATCH("/users/$u->{id}/", { username => '' }), 400, 'username',
                'PATCH to an empty username');
    field_error(PATCH("/users/$u->{id}/", { username => undef }), 400, 'username',
                'PATCH username to null');
    field_error(PATCH("/users/$u->{id}/", { password => 'x' x 73 }), 400, 'password',
                'PATCH to a 73-byte password');
    field_error(PATCH("/users/$u->{id}/", { email => 'no at' }), 400, 'email',
                'PATCH to a bad email');
    field_error(PATCH("/users/$u->{id}/", { is_superuser => 'true' }), 400, 'is_superuser',
                'PATCH a flag with a string');
    is GET("/users/$u->{id}/")->{json}{username}, $name, 'unchanged after the failures';
    is stored_password($u->{id}), $new, 'password unchanged after the failures';
    problem_ok(PATCH('/users/9223372036854775807/', {}), 404, 'PATCH of a missing user');
};

subtest 'DELETE' => sub {
    my $u = make_user();
    my $res = DELETE("/users/$u->{id}/");
    is $res->{status}, 204, 'DELETE is 204';
    is $res->{content}, '', 'no body';
    problem_ok(GET("/users/$u->{id}/"), 404, 'then GET is 404');
    problem_ok(DELETE("/users/$u->{id}/"), 404, 'DELETE again is 404');
    problem_ok(PATCH("/users/$u->{id}/", {}), 404, 'PATCH after delete is 404');
    is psql("select count(*) from users where id = $u->{id}"), 0, 'row gone';
    my $again = POST('/users/', { username => $u->{username}, password => $PASSWORD });
    is $again->{status}, 201, 'the username is free again';
    isnt $again->{json}{id}, $u->{id}, 'with a new id';
};

finish();
