# /clients/ and /providers/: the records that give a user a role. Both follow the
# same rules, so every subtest runs for both.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use SchedTest;

needs_db('reads the stored rows with psql');

my $NO_SUCH_USER = 9223372036854775000;
my $MISSING_ID = '9223372036854775807';

sub role_ok {
    my ($r, $user, $name) = @_;
    is_deeply [ sort keys %{ $r || {} } ], [qw(id user)], "$name: exactly id and user";
    like $r->{id} // '', qr/^[1-9][0-9]*$/, "$name: id is a positive integer";
    is $r->{user}, $user, "$name: user is $user";
    ok !ref $r->{user}, "$name: user is a plain id";
}

sub create {
    my ($resource, $user) = @_;
    my $res = POST("/$resource/", { user => $user });
    is $res->{status}, 201, "POST /$resource/ for user $user" or diag $res->{content};
    return $res->{json};
}

for my $resource (qw(clients providers)) {
    my $table = $resource;

    subtest "$resource: create and read" => sub {
        my $u = make_user();
        my $res = POST("/$resource/", { user => $u->{id} });
        is $res->{status}, 201, 'POST is 201' or diag $res->{content};
        like $res->{headers}{'content-type'}, qr{^application/json}, 'JSON';
        role_ok($res->{json}, $u->{id}, 'created');
        my $id = $res->{json}{id};
        is $res->{headers}{location}, url("/$resource/$id/"), 'Location';
        is psql("select user_id from $table where id = $id"), $u->{id}, 'stored';

        my $get = GET("/$resource/$id/");
        is $get->{status}, 200, 'GET item';
        is_deeply $get->{json}, $res->{json}, 'same record';

        my $list = GET("/$resource/?limit=1000");
        is $list->{status}, 200, 'GET list';
        my @ids = map { $_->{id} } @{ $list->{json} || [] };
        is_deeply \@ids, [ sort { $a <=> $b } @ids ], 'ordered by id';
        my ($found) = grep { $_->{id} == $id } @{ $list->{json} || [] };
        is_deeply $found, $res->{json}, 'listed';
        role_ok($_, $_->{user}, 'list entry') for grep { defined } $list->{json}[0];
    };

    subtest "$resource: body validation" => sub {
        my $u = make_user();
        field_error(POST("/$resource/", {}), 400, 'user', 'missing user');
        field_error(POST("/$resource/", { usr => $u->{id} }), 400, 'user', 'misspelt user');
        my %bad = (
            'a string'       => "$u->{id}",
            'a fraction'     => 1.5,
            'true'           => JSON::PP::true,
            'false'          => JSON::PP::false,
            'null'           => JSON::PP::null,
            'zero'           => 0,
            'a negative'     => -5,
            'an object'      => { id => $u->{id} },
            'a list'         => [ $u->{id} ],
        );
        for my $case (sort keys %bad) {
            field_error(POST("/$resource/", { user => $bad{$case} }), 400, 'user',
                        "user is $case");
        }
        # A float such as 3.0 must reach the server as written: send it literally.
        field_error(POST("/$resource/", qq({"user": $u->{id}.0}),
                         { 'Content-Type' => 'application/json' }), 400, 'user',
                    'user is a literal float');
        field_error(POST("/$resource/", qq({"user": 1e2}),
                         { 'Content-Type' => 'application/json' }), 400, 'user',
                    'user in exponent notation');
        field_error(POST("/$resource/", qq({"user": "$u->{id}"}),
                         { 'Content-Type' => 'application/json' }), 400, 'user',
                    'user is a literal string');
        problem_ok(POST("/$resource/", '{"user": 9223372036854775808}',
                        { 'Content-Type' => 'application/json' }), 400,
                   'user beyond int64');
        is psql("select count(*) from $table where user_id = $u->{id}"), 0, 'nothing made';
        is POST("/$resource/", { user => $u->{id}, extra => 'ignored' })->{status}, 201,
            'unknown fields are ignored';
    };

    subtest "$resource: unknown user is 400" => sub {
        field_error(POST("/$resource/", { user => $NO_SUCH_USER }), 400, 'user',
                    'user 9223372036854775000');
        field_error(POST("/$resource/", '{"user": 9223372036854775807}',
                         { 'Content-Type' => 'application/json' }), 400, 'user',
                    'user int64 max');
        my $u = make_user();
        DELETE("/users/$u->{id}/");
        field_error(POST("/$resource/", { user => $u->{id} }), 400, 'user', 'a deleted user');
    };

    subtest "$resource: a user has at most one" => sub {
        my $u = make_user();
        my $first = create($resource, $u->{id});
        field_error(POST("/$resource/", { user => $u->{id} }), 409, 'user', 'again');
        is psql("select count(*) from $table where user_id = $u->{id}"), 1, 'still one';
        is_deeply GET("/$resource/$first->{id}/")->{json}, $first, 'first unchanged';
    };

    subtest "$resource: filter by user" => sub {
        my ($u1, $u2) = (make_user(), make_user());
        my $r1 = create($resource, $u1->{id});
        my $r2 = create($resource, $u2->{id});
        my $res = GET("/$resource/?user=$u1->{id}");
        is $res->{status}, 200, "?user=$u1->{id}";
        is_deeply $res->{json}, [ $r1 ], 'only that user';
        is_deeply GET("/$resource/?user=$u2->{id}&limit=5")->{json}, [ $r2 ],
            'with limit too';
        is_deeply GET("/$resource/?user=$NO_SUCH_USER")->{json}, [], 'unknown user: []';
        my $u3 = make_user();
        is_deeply GET("/$resource/?user=$u3->{id}")->{json}, [], 'user without role: []';
        for my $v ('abc', '0', '-1', '', '1.0', '99999999999999999999') {
            problem_ok(GET("/$resource/?user=$v"), 400, "user=$v");
        }
    };

    subtest "$resource: PUT" => sub {
        my ($u1, $u2, $u3) = (make_user(), make_user(), make_user());
        my $r = create($resource, $u1->{id});
        my $taken = create($resource, $u3->{id});

        my $res = PUT("/$resource/$r->{id}/", { user => $u2->{id} });
        is $res->{status}, 200, 'PUT to another user' or diag $res->{content};
        role_ok($res->{json}, $u2->{id}, 'PUT answer');
        is $res->{json}{id}, $r->{id}, 'same id';
        is_deeply GET("/$resource/$r->{id}/")->{json}, $res->{json}, 'GET shows it';

        field_error(PUT("/$resource/$r->{id}/", {}), 400, 'user', 'PUT without user');
        field_error(PUT("/$resource/$r->{id}/", { user => 'x' }), 400, 'user',
                    'PUT with a string');
        field_error(PUT("/$resource/$r->{id}/", { user => $NO_SUCH_USER }), 400, 'user',
                    'PUT to an unknown user');
        field_error(PUT("/$resource/$r->{id}/", { user => $u3->{id} }), 409, 'user',
                    'PUT to a user who already has one');
        is GET("/$resource/$r->{id}/")->{json}{user}, $u2->{id}, 'unchanged after failures';
        is GET("/$resource/$taken->{id}/")->{json}{user}, $u3->{id}, 'other one unchanged';

        $res = PUT("/$resource/$r->{id}/", { user => $u2->{id} });
        is $res->{status}, 200, 'PUT to the same user again is fine';
        problem_ok(PUT("/$resource/$MISSING_ID/", { user => $u1->{id} }), 404,
                   'PUT of a missing record');
    };

    subtest "$resource: PATCH" => sub {
        my ($u1, $u2, $u3) = (make_user(), make_user(), make_user());
        my $r = create($resource, $u1->{id});
        create($resource, $u3->{id});

        my $res = PATCH("/$resource/$r->{id}/", {});
        is $res->{status}, 200, 'PATCH {}' or diag $res->{content};
        is_deeply $res->{json}, $r, 'unchanged';
        $res = PATCH("/$resource/$r->{id}/", { user => $u2->{id} });
        is $res->{status}, 200, 'PATCH user';
        role_ok($res->{json}, $u2->{id}, 'PATCH answer');
        field_error(PATCH("/$resource/$r->{id}/", { user => $u3->{id} }), 409, 'user',
                    'PATCH to a user who already has one');
        field_error(PATCH("/$resource/$r->{id}/", { user => $NO_SUCH_USER }), 400, 'user',
                    'PATCH to an unknown user');
        field_error(PATCH("/$resource/$r->{id}/", { user => JSON::PP::null }), 400, 'user',
                    'PATCH user to null');
        field_error(PATCH("/$resource/$r->{id}/", { user => 2.5 }), 400, 'user',
                    'PATCH user to a float');
        is GET("/$resource/$r->{id}/")->{json}{user}, $u2->{id}, 'unchanged after failures';
        problem_ok(PATCH("/$resource/$MISSING_ID/", {}), 404, 'PATCH of a missing record');
    };

    subtest "$resource: DELETE" => sub {
        my $u = make_user();
        my $r = create($resource, $u->{id});
        my $res = DELETE("/$resource/$r->{id}/");
        is $res->{status}, 204, 'DELETE is 204';
        is $res->{content}, '', 'no body';
        problem_ok(GET("/$resource/$r->{id}/"), 404, 'then GET is 404');
        problem_ok(DELETE("/$resource/$r->{id}/"), 404, 'DELETE again is 404');
        is GET("/users/$u->{id}/")->{status}, 200, 'the user stays';
        my $again = create($resource, $u->{id});
        isnt $again->{id}, $r->{id}, 'the user may get a new one';
    };

    subtest "$resource: paging" => sub {
        create($resource, make_user()->{id}) for 1 .. 3;
        my $res = GET("/$resource/?limit=2");
        is scalar @{ $res->{json} || [] }, 2, 'two rows';
        my $link = $res->{headers}{link} // '';
        like $link, qr{^<\Q${\ url("/$resource/") }\E\?[^>]*limit=2[^>]*>;\s*rel="?next"?$},
            'Link to the next page';
        my ($after) = $link =~ /[?&]after=([^&>]+)/;
        my $page2 = GET("/$resource/?limit=2&after=" . ($after // 'x'));
        is $page2->{status}, 200, 'next page';
        ok @{ $page2->{json} || [] } && $page2->{json}[0]{id} > $res->{json}[1]{id},
            'continues after the first';
        SKIP: {
            skip "the test server's /alt mount", 2 if remote();
            $res = GET('/alt/' . $resource . '/');
            is scalar @{ $res->{json} || [] }, 2, '/alt/ pages by 2';
            like $res->{headers}{link} // '', qr{^<\Q${\ url("/alt/$resource/") }\E\?},
                'Link under /alt/';
        }
    };
}

subtest 'a user may be both a client and a provider' => sub {
    my $u = make_user();
    my $c = create('clients', $u->{id});
    my $p = create('providers', $u->{id});
    is $c->{user}, $u->{id}, 'client';
    is $p->{user}, $u->{id}, 'provider';
    is_deeply GET("/clients/?user=$u->{id}")->{json}, [ $c ], 'listed as client';
    is_deeply GET("/providers/?user=$u->{id}")->{json}, [ $p ], 'listed as provider';
};

subtest 'deleting a user deletes its client and provider records' => sub {
    my $u = make_user();
    my $c = create('clients', $u->{id});
    my $p = create('providers', $u->{id});
    is DELETE("/users/$u->{id}/")->{status}, 204, 'DELETE /users/<id>/';
    problem_ok(GET("/clients/$c->{id}/"), 404, 'client is gone');
    problem_ok(GET("/providers/$p->{id}/"), 404, 'provider is gone');
    is_deeply GET("/clients/?user=$u->{id}")->{json}, [], 'not listed as client';
    is_deeply GET("/providers/?user=$u->{id}")->{json}, [], 'not listed as provider';
};

finish();
