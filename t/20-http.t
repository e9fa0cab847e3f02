# HTTP conventions of the API: content types, problem details, trailing slashes,
# unknown paths, methods (405, OPTIONS, HEAD), request bodies (415, 413, 400),
# created and deleted answers, paged lists, the service endpoints and the second
# mount point (/alt, SchedPageSize 2).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use HTTP::Tiny;
use JSON::PP;
use SchedTest;

needs_db('counts rows with psql');

my $JSON_TYPE = qr{^application/json;\s*charset=utf-8$}i;
my %COLLECTION = map { $_ => 1 } qw(GET HEAD POST OPTIONS);
my %ITEM = map { $_ => 1 } qw(GET HEAD PUT PATCH DELETE OPTIONS);
my %READ_ONLY = map { $_ => 1 } qw(GET HEAD OPTIONS);

sub allow_set {
    my ($header) = @_;
    return { map { s/^\s+|\s+$//gr => 1 } split /,/, $header // '' };
}

sub user_body {
    return { username => uniq('http'), password => 'correct horse', @_ };
}

my $raw = http_client(max_redirect => 0, timeout => 30);

subtest 'success responses are application/json; charset=utf-8' => sub {
    my $res = GET('/users/');
    is $res->{status}, 200, 'GET /users/ is 200';
    like $res->{headers}{'content-type'}, $JSON_TYPE, 'content type';
    is ref $res->{json}, 'ARRAY', 'a list is a bare JSON array';

    $res = POST('/users/', user_body());
    is $res->{status}, 201, 'POST /users/ is 201';
    like $res->{headers}{'content-type'}, $JSON_TYPE, 'content type of 201';
};

subtest 'errors are problem+json with type, title, status and detail' => sub {
    my $p = problem_ok(GET('/nope/'), 404, 'unknown resource');
    is $p->{type}, 'about:blank', 'type';
    is $p->{title}, 'Not Found', 'title is the reason phrase';
    is $p->{status}, 404, 'status is an integer 404';
    ok defined $p->{detail} && !ref $p->{detail} && length $p->{detail}, 'detail is a string';
    ok !exists $p->{errors}, 'no errors member when nothing was validated';

    my $res = POST('/users/', { password => 'long enough' });
    $p = problem_ok($res, 400, 'missing username');
    is $p->{title}, 'Bad Request', 'title of 400';
    is ref $p->{errors}, 'HASH', 'errors is an object';
    is ref $p->{errors}{username}, 'ARRAY', 'errors.username is a list';
    ok @{ $p->{errors}{username} || [] } >= 1, 'with a message';
    ok !grep({ ref } @{ $p->{errors}{username} || [] }), 'messages are strings';
};

subtest 'trailing slash is optional' => sub {
    my $u = make_user();
    my $with = GET("/users/$u->{id}/");
    my $without = GET("/users/$u->{id}");
    is $with->{status}, 200, 'item with slash';
    is $without->{status}, 200, 'item without slash';
    is_deeply $without->{json}, $with->{json}, 'same resource';

    for my $path ('/users', '/clients', '/providers', '/health') {
        my $res = GET($path);
        is $res->{status}, 200, "GET $path";
        like $res->{headers}{'content-type'}, $JSON_TYPE, "GET $path is JSON";
    }
    my $res = GET('/users?limit=1');
    is $res->{status}, 200, 'collection without slash takes a query';
    is scalar @{ $res->{json} || [] }, 1, 'and honours it';

    my $name = uniq('noslash');
    $res = POST('/users', { username => $name, password => 'no slash here' });
    is $res->{status}, 201, 'POST /users without slash creates (no redirect)';
    is $res->{json}{username}, $name, 'the body was read';
    my $p = problem_ok(PATCH("/users/$u->{id}", { email => 'x' }), 400,
                       'PATCH without slash');
    ok $p->{errors}{email}, 'PATCH without slash reads the body';
};

subtest 'unknown and malformed paths are 404' => sub {
    for my $path ('/nope/', '/nope', '/clients/7/extra/', '/clients/abc/', '/clients/0/',
                  '/clients/007/', '/clients/-1/', '/clients/+1/', '/clients/1.0/',
                  '/clients/99999999999999999999/', '/clients/9223372036854775808/',
                  '/users/1/2/3/4/', '/Users/', '/health/1/') {
        problem_ok(GET($path), 404, "GET $path");
    }
    problem_ok(POST('/nope/', {}), 404, 'POST to an unknown resource');
    problem_ok(DELETE('/clients/abc/'), 404, 'DELETE of a malformed id');
};

subtest 'a well-formed id that does not exist is 404' => sub {
    for my $res (qw(users clients providers)) {
        my $p = problem_ok(GET("/$res/9223372036854775807/"), 404, "GET /$res/<int64 max>/");
        unlike $p->{detail} // '', qr/SELECT|FROM |\$1|\.c\b|sched_/,
            'detail leaks no SQL or source';
        problem_ok(DELETE("/$res/9223372036854775807/"), 404, "DELETE /$res/<int64 max>/");
        problem_ok(PATCH("/$res/9223372036854775807/", {}), 404, "PATCH /$res/<int64 max>/");
    }
};

subtest '405 with an Allow header' => sub {
    my $u = make_user();
    my @cases = (
        [ PUT => '/users/', \%COLLECTION ],
        [ PATCH => '/clients/', \%COLLECTION ],
        [ DELETE => '/providers/', \%COLLECTION ],
        [ POST => "/users/$u->{id}/", \%ITEM ],
        [ DELETE => '/users/me/', \%READ_ONLY ],
        [ POST => '/users/me/', \%READ_ONLY ],
        [ POST => '/', \%READ_ONLY ],
        [ DELETE => '/', \%READ_ONLY ],
        [ POST => '/health/', \%READ_ONLY ],
        [ PUT => '/health/', \%READ_ONLY ],
    );
    for my $case (@cases) {
        my ($method, $path, $allow) = @$case;
        my $body = $method =~ /^(POST|PUT|PATCH)$/ ? {} : undef;
        my $res = req($method, $path, $body);
        problem_ok($res, 405, "$method $path");
        is_deeply allow_set($res->{headers}{allow}), $allow,
            "Allow of $path: " . join(', ', sort keys %$allow);
    }
};

subtest 'OPTIONS answers 204 with Allow and no body' => sub {
    my $u = make_user();
    for my $case ([ '/users/', \%COLLECTION ], [ '/clients/', \%COLLECTION ],
                  [ '/providers', \%COLLECTION ], [ "/users/$u->{id}/", \%ITEM ],
                  [ '/clients/1/', \%ITEM ], [ '/users/me/', \%READ_ONLY ],
                  [ '/', \%READ_ONLY ], [ '/health/', \%READ_ONLY ]) {
        my ($path, $allow) = @$case;
        my $res = OPTIONS($path);
        is $res->{status}, 204, "OPTIONS $path";
        is_deeply allow_set($res->{headers}{allow}), $allow, "Allow of $path";
        is $res->{content}, '', 'empty body';
    }
    problem_ok(OPTIONS('/nope/'), 404, 'OPTIONS of an unknown path');
};

subtest 'HEAD is GET without the body' => sub {
    my $u = make_user();
    for my $path ('/', '/health/', '/users/', "/users/$u->{id}/", '/users/?limit=1',
                  '/clients/', '/nope/', '/users/9223372036854775807/', '/users/me/') {
        my $get = GET($path);
        my $head = HEAD($path);
        is $head->{status}, $get->{status}, "HEAD $path: same status ($get->{status})";
        is $head->{headers}{'content-type'}, $get->{headers}{'content-type'},
            'same content type';
        is $head->{headers}{link}, $get->{headers}{link}, 'same Link';
        is $head->{headers}{'content-length'}, $get->{headers}{'content-length'},
            'same Content-Length';
        is $head->{content}, '', 'no body';
    }
    make_user();
    ok GET('/users/?limit=1')->{headers}{link}, 'a list with more rows has a Link';
    ok HEAD('/users/?limit=1')->{headers}{link}, 'HEAD has it too';
};

subtest 'request bodies must be application/json' => sub {
    my $json = sub { encode_json(user_body()) };
    for my $type ('text/plain', 'application/x-www-form-urlencoded',
                  'application/json; charset=latin1', 'application/json; charset=utf-16',
                  'application/jsonx', 'application/octet-stream', 'text/json') {
        problem_ok(POST('/users/', $json->(), { 'Content-Type' => $type }), 415,
                   "POST with $type");
    }
    my $u = make_user();
    problem_ok(PUT("/users/$u->{id}/", encode_json({ username => uniq('put') }),
                   { 'Content-Type' => 'text/plain' }), 415, 'PUT with text/plain');
    problem_ok(PATCH("/users/$u->{id}/", '{}', { 'Content-Type' => 'text/plain' }), 415,
               'PATCH with text/plain');
    is GET("/users/$u->{id}/")->{json}{username}, $u->{username}, 'nothing changed';

    for my $type ('application/json', 'application/json; charset=utf-8',
                  'application/json;charset=UTF-8', 'Application/JSON') {
        my $res = POST('/users/', $json->(), { 'Content-Type' => $type });
        is $res->{status}, 201, "POST with $type is accepted" or diag $res->{content};
    }
};

subtest 'bodies over SchedMaxBody are 413' => sub {
    my $name = uniq('big');
    my $big = encode_json({ username => $name, password => 'long enough',
                            email => 'e@example.org', padding => 'x' x 70_000 });
    cmp_ok length $big, '>', 70_000, 'body of more than 70 000 bytes';
    problem_ok(POST('/users/', $big, { 'Content-Type' => 'application/json' }), 413,
               'POST of a large body');
    is psql("select count(*) from users where username = '$name'"), 0, 'nothing created';

    # Without Content-Length (chunked): the limit holds while reading.
    local $SIG{PIPE} = 'IGNORE';
    my @chunks = ($big =~ /(.{1,8192})/gs);
    my $res = $raw->request('POST', url('/users/'), {
        headers => { 'Content-Type' => 'application/json' },
        content => sub { shift @chunks },
    });
    is $res->{status}, 413, 'chunked large body is 413' or diag $res->{content};
    like $res->{headers}{'content-type'} // '', qr{^application/problem\+json}, 'problem+json';

    my $ok = encode_json({ username => uniq('fits'), password => 'long enough',
                           padding => 'x' x 60_000 });
    is POST('/users/', $ok, { 'Content-Type' => 'application/json' })->{status}, 201,
        'a 60 000-byte body is accepted';
};

subtest 'malformed bodies are 400' => sub {
    my %bad = (
        'malformed JSON'   => '{"username": "x", "password": ',
        'trailing garbage' => '{"username": "x"} x',
        'a JSON array'     => '[{"username": "x", "password": "long enough"}]',
        'a JSON string'    => '"username"',
        'a JSON number'    => '42',
        'JSON null'        => 'null',
        'duplicate keys'   => sprintf('{"username": "%s", "password": "long enough", '
                                      . '"username": "%s"}', uniq('dup'), uniq('dup')),
        'empty body'       => '',
        'not UTF-8'        => qq({"username": "caf\xe9", "password": "long enough"}),
        'nested too deep'  => '{"username": ' . ('[' x 5000) . (']' x 5000) . '}',
    );
    for my $name (sort keys %bad) {
        problem_ok(POST('/users/', $bad{$name}, { 'Content-Type' => 'application/json' }),
                   400, "POST with $name");
    }
    my $u = make_user();
    problem_ok(PATCH("/users/$u->{id}/", '[]', { 'Content-Type' => 'application/json' }),
               400, 'PATCH with an array');
    problem_ok(PUT("/users/$u->{id}/", '', { 'Content-Type' => 'application/json' }), 400,
               'PUT with an empty body');
    problem_ok(POST('/clients/', '{"user": 1,}', { 'Content-Type' => 'application/json' }),
               400, 'POST /clients/ with malformed JSON');
};

subtest 'unknown body fields are ignored' => sub {
    my $name = uniq('extra');
    my $res = POST('/users/', { username => $name, password => 'long enough',
                                favourite_colour => 'blue', id => 12345678,
                                date_joined => '1999-01-01T00:00:00Z' });
    is $res->{status}, 201, 'created' or diag $res->{content};
    ok !exists $res->{json}{favourite_colour}, 'unknown field not echoed';
    isnt $res->{json}{date_joined}, '1999-01-01T00:00:00Z', 'read-only field ignored';
};

subtest '201 with an absolute Location; 204 on delete, then 404' => sub {
    my $res = POST('/users/', user_body());
    is $res->{status}, 201, 'created';
    my $id = $res->{json}{id};
    my $loc = $res->{headers}{location} // '';
    is $loc, url("/users/$id/"), 'Location is the absolute URL of the new user';
    like $loc, qr{^https?://[^/]+/.*users/\Q$id\E/$}, 'absolute, ends in /users/<id>/';
    my $got = $raw->get($loc);
    is $got->{status}, 200, 'Location is usable as is';
    is_deeply eval { decode_json($got->{content}) }, $res->{json}, 'and is the resource';

    my $client = POST('/clients/', { user => $id });
    is $client->{status}, 201, 'client created';
    is $client->{headers}{location}, url("/clients/$client->{json}{id}/"), 'its Location';

    my $del = DELETE("/clients/$client->{json}{id}/");
    is $del->{status}, 204, 'DELETE is 204';
    is $del->{content}, '', 'with no body';
    problem_ok(GET("/clients/$client->{json}{id}/"), 404, 'then GET is 404');
    problem_ok(DELETE("/clients/$client->{json}{id}/"), 404, 'and DELETE again is 404');
};

subtest 'limit and after are validated' => sub {
    for my $v ('0', '1001', '-1', 'abc', '', '1.5', '1e2', '10x', '99999999999999999999') {
        problem_ok(GET("/users/?limit=$v"), 400, "limit=$v");
    }
    for my $v ('abc', '', '-1', '0', '1.5', '99999999999999999999') {
        problem_ok(GET("/users/?after=$v"), 400, "after=$v");
    }
    problem_ok(GET('/clients/?limit=0'), 400, 'limit on /clients/ too');
    problem_ok(GET('/providers/?after=x'), 400, 'after on /providers/ too');
    for my $v (1, 1000) {
        my $res = GET("/users/?limit=$v");
        is $res->{status}, 200, "limit=$v is fine";
        cmp_ok scalar @{ $res->{json} || [] }, '<=', $v, "at most $v rows";
    }
    my $res = GET('/users/?foo=bar&limit=1&utm_source=x');
    is $res->{status}, 200, 'unknown query parameters are ignored';
    is scalar @{ $res->{json} || [] }, 1, 'known ones still apply';
};

subtest 'walking all pages of /users/?limit=2' => sub {
    make_user() for 1 .. 5;
    my @expected = split /\s+/, psql('select id from users order by id');
    cmp_ok scalar @expected, '>=', 5, 'at least five users';

    my (@seen, $ok_links);
    my $next = url('/users/?limit=2');
    my $pages = 0;
    $ok_links = 1;
    while (defined $next && $pages <= @expected) {
        my $res = $raw->get($next);
        $pages++;
        unless ($res->{status} == 200) {
            fail("page $pages ($next) is $res->{status}");
            last;
        }
        my $list = decode_json($res->{content});
        if (@$list > 2 || (!@$list && $pages > 1)) {
            fail('page ' . $pages . ' has ' . scalar(@$list) . ' rows');
        }
        push @seen, map { $_->{id} } @$list;
        $next = next_link({ headers => $res->{headers} });
        if (defined $next) {
            $ok_links &&= $next =~ m{^\Q${\ url('/users/') }\E\?}
                && $next =~ /(?:^|[?&])limit=2(?:&|$)/ && $next =~ /[?&]after=[^&]+/;
            diag "odd Link: $next" unless $ok_links;
        }
    }
    ok $ok_links, 'every Link is an absolute /users/ URL with limit=2 and after=';
    is_deeply \@seen, \@expected, 'pages hold every user once, in id order';
    is $pages, int((@expected + 1) / 2), 'as many pages as needed';

    my $last = GET('/users/?limit=1000');
    ok !defined $last->{headers}{link}, 'no Link on the last page';
    my $res = GET("/users/?after=$expected[-2]");
    is_deeply [ map { $_->{id} } @{ $res->{json} || [] } ], [ $expected[-1] ],
        'after=<id> starts after that id';
    ok !defined $res->{headers}{link}, 'and has no next page';
    $res = GET("/users/?after=$expected[-1]");
    is_deeply $res->{json}, [], 'after the last id: an empty list';
};

subtest 'paging /clients/ and its user filter' => sub {
    my $u = make_user();
    my $c = POST('/clients/', { user => $u->{id} })->{json};
    my $res = GET("/clients/?user=$u->{id}&limit=1");
    is_deeply $res->{json}, [ $c ], 'filter finds the one client';
    ok !defined $res->{headers}{link}, 'one row and limit=1: no next page';

    POST('/clients/', { user => make_user()->{id} }) for 1 .. 2;
    $res = GET('/clients/?limit=1&foo=bar');
    my $next = next_link($res);
    ok defined $next, 'several clients and limit=1: a next page';
    like $next // '', qr{^\Q${\ url('/clients/') }\E\?}, 'absolute /clients/ URL';
    my $page2 = $raw->get($next // url('/nope/'));
    is $page2->{status}, 200, 'usable as is';
    my $list = eval { decode_json($page2->{content}) } || [];
    ok @$list == 1 && $list->[0]{id} > $res->{json}[0]{id}, 'next page goes on after';
};

subtest 'GET / lists the collections as absolute URLs' => sub {
    my $res = GET('/');
    is $res->{status}, 200, 'GET / is 200';
    like $res->{headers}{'content-type'}, $JSON_TYPE, 'JSON';
    my %want = map { $_ => url("/$_/") }
        qw(users clients providers available_slots appointment_reservations schedules
           schedule_overrides time_off calendar_feeds);
    is_deeply $res->{json}, \%want, 'keys and absolute URLs';
    my $users = $raw->get($res->{json}{users} // url('/nope/'));
    is $users->{status}, 200, 'the users URL works as is';
};

subtest 'GET /health/' => sub {
    my $res = GET('/health/');
    is $res->{status}, 200, 'GET /health/ is 200';
    like $res->{headers}{'content-type'}, $JSON_TYPE, 'JSON';
    is_deeply $res->{json}, { status => 'ok' }, '{"status":"ok"}';
};

subtest 'second mount point /alt (SchedPageSize 2)' => sub {
    needs_local("the test server's /alt mount");
    make_user() for 1 .. 3;
    my $res = GET('/alt/');
    is $res->{status}, 200, 'GET /alt/';
    my %want = map { $_ => url("/alt/$_/") }
        qw(users clients providers available_slots appointment_reservations schedules
           schedule_overrides time_off calendar_feeds);
    is_deeply $res->{json}, \%want, 'root URLs contain /alt/';
    is GET('/alt')->{status}, 200, 'GET /alt without slash';
    is_deeply GET('/alt/health/')->{json}, { status => 'ok' }, '/alt/health/';

    $res = GET('/alt/users/');
    is $res->{status}, 200, 'GET /alt/users/';
    is scalar @{ $res->{json} || [] }, 2, 'default page size is 2 there';
    my $next = next_link($res) // '';
    like $next, qr{^\Q${\ url('/alt/users/') }\E\?}, 'Link points into /alt/';
    like $next, qr/[?&]limit=2(?:&|$)/, 'with limit=2';
    my $page2 = $raw->get($next || url('/nope/'));
    is $page2->{status}, 200, 'next page works';
    my $list = eval { decode_json($page2->{content}) } || [];
    ok @$list && $list->[0]{id} > $res->{json}[1]{id}, 'and continues after page 1';

    is scalar @{ GET('/alt/users/?limit=3')->{json} || [] }, 3, 'limit still overrides';
    cmp_ok scalar @{ GET('/users/')->{json} || [] }, '>', 2, '/users/ keeps 100';

    $res = POST('/alt/users/', user_body());
    is $res->{status}, 201, 'POST /alt/users/';
    is $res->{headers}{location}, url("/alt/users/$res->{json}{id}/"), 'Location in /alt/';
    is GET("/alt/users/$res->{json}{id}/")->{json}{id}, $res->{json}{id}, 'readable there';
    problem_ok(GET('/alt/nope/'), 404, 'unknown path under /alt');
    problem_ok(GET('/altx/'), 404, '/altx/ is not /alt/');
};

subtest 'mount point is where SetHandler sched is, whatever else is configured' => sub {
    needs_local("the test server's /bare mount");
    # <Location /bare> has only SetHandler; <Location /bare/users> nested in it sets
    # something else and must not move the mount.
    my $res = GET('/bare/');
    is $res->{status}, 200, 'GET /bare/ is the API root';
    is $res->{json}{users}, url('/bare/users/'), 'its URLs are below /bare/';
    is_deeply GET('/bare/health/')->{json}, { status => 'ok' }, '/bare/health/';
    my $u = make_user();
    is GET("/bare/users/$u->{id}/")->{json}{id}, $u->{id}, '/bare/users/{id}/ is a user';
    is GET('/bare/users/')->{status}, 200, '/bare/users/ is the list, not a root';
    ok ref GET('/bare/users/')->{json} eq 'ARRAY', 'and answers an array';
    problem_ok(GET('/bare/bare/'), 404, '/bare/bare/ names nothing');
};

finish();
