# GET /openapi.json: the module serves src/openapi.json as it is, and the document
# tells the truth about the paths and methods the module serves.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use SchedTest;

my $SOURCE = "$FindBin::Bin/../src/openapi.json";
my @METHODS = qw(get put post delete patch head options trace);

# Every path the module serves, as the document must name it.
my @SERVED = qw(
    / /health/ /openapi.json
    /users/ /users/{id}/ /users/me/
    /clients/ /clients/{id}/ /providers/ /providers/{id}/
    /available_slots/ /available_slots/{id}/
    /appointment_reservations/ /appointment_reservations/{id}/
    /appointment_reservations/{id}/confirm/ /appointment_reservations/{id}/cancel/
    /schedules/ /schedules/{id}/ /schedule_overrides/ /schedule_overrides/{id}/
    /time_off/ /time_off/{id}/
    /events/
    /webhooks/ /webhooks/{id}/ /webhooks/{id}/deliveries/
    /webhooks/{id}/deliveries/{attempt}/retry/
    /calendar_feeds/ /calendar_feeds/{id}/ /calendar/{token}.ics
);
push @SERVED, map { "/$_/{id}/history/" } qw(users clients providers available_slots
    appointment_reservations schedules schedule_overrides time_off);

# The required fields of each request body (API.md, README "API").
my %REQUIRED = (
    'post /users/'                         => [qw(username password)],
    'put /users/{id}/'                     => [qw(username)],
    'patch /users/{id}/'                   => [],
    'post /clients/'                       => [qw(user)],
    'put /clients/{id}/'                   => [qw(user)],
    'patch /clients/{id}/'                 => [],
    'post /providers/'                     => [qw(user)],
    'put /providers/{id}/'                 => [qw(user)],
    'patch /providers/{id}/'               => [],
    'post /available_slots/'               => [qw(provider start_time end_time)],
    'put /available_slots/{id}/'           => [qw(provider start_time end_time)],
    'patch /available_slots/{id}/'         => [],
    'post /appointment_reservations/'      => [qw(client slot)],
    'put /appointment_reservations/{id}/'  => [qw(slot)],
    'patch /appointment_reservations/{id}/' => [],
    'post /schedules/'                     => [qw(provider time_zone weekly)],
    'put /schedules/{id}/'                 => [qw(time_zone weekly)],
    'patch /schedules/{id}/'               => [],
    'post /schedule_overrides/'            => [qw(provider date intervals)],
    'put /schedule_overrides/{id}/'        => [qw(date intervals)],
    'patch /schedule_overrides/{id}/'      => [],
    'post /time_off/'                      => [qw(provider start_time end_time)],
    'put /time_off/{id}/'                  => [qw(start_time end_time)],
    'patch /time_off/{id}/'                => [],
    'post /webhooks/'                      => [qw(url events)],
    'put /webhooks/{id}/'                  => [qw(url events)],
    'patch /webhooks/{id}/'                => [],
    'post /calendar_feeds/'                => [],      # exactly one of provider, client
);

my %ID_FIELDS = map { $_ => 1 } qw(user provider client slot);
my %TIME_FIELDS = map { $_ => 1 } qw(start_time end_time);

sub set_is {
    my ($got, $want, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    is_deeply [ sort @$got ], [ sort @$want ], $name;
}

my $source = slurp($SOURCE);
my $res = GET('/openapi.json');
is $res->{status}, 200, 'GET /openapi.json is 200';
like $res->{headers}{'content-type'} // '', qr{^application/json; charset=utf-8$}i,
    'application/json; charset=utf-8';
ok $res->{content} eq $source, 'the body is src/openapi.json byte for byte'
    or diag 'served ' . length($res->{content}) . ' bytes, the file has '
            . length($source);
is GET('/openapi.json/')->{content}, $source, 'also at /openapi.json/';
my $head = HEAD('/openapi.json');
is $head->{status}, 200, 'HEAD /openapi.json is 200';
is $head->{content}, '', 'HEAD has no body';

my $doc = ref $res->{json} eq 'HASH' ? $res->{json} : eval { decode_json($source) };
ok ref $doc eq 'HASH', 'the document is a JSON object' or BAIL_OUT('no document');
is $doc->{openapi}, '3.1.0', 'openapi 3.1.0';
is $doc->{info}{title}, 'mod_sched', 'info.title';
like $doc->{info}{version} // '', qr/^\d+\.\d+\.\d+$/, 'info.version';
is_deeply $doc->{servers}, [ { url => '/', description => $doc->{servers}[0]{description} } ],
    'one relative server: /';
is_deeply $doc->{security}, [ { basicAuth => [] } ], 'basicAuth applies globally';
is $doc->{components}{securitySchemes}{basicAuth}{type}, 'http', 'basicAuth is http';
is $doc->{components}{securitySchemes}{basicAuth}{scheme}, 'basic', 'basicAuth is basic';

# A local reference: #/a/b/c with ~1 and ~0 (RFC 6901). undef when it names nothing.
sub deref {
    my ($ref) = @_;
    return undef unless $ref =~ m{^#(/.*)?\z};
    my $node = $doc;
    for my $part (grep { length } split m{/}, $1 // '') {
        $part =~ s/~1/\//g;
        $part =~ s/~0/~/g;
        if (ref $node eq 'HASH' && exists $node->{$part}) {
            $node = $node->{$part};
        }
        elsif (ref $node eq 'ARRAY' && $part =~ /^(0|[1-9]\d*)\z/ && $1 < @$node) {
            $node = $node->[$part];
        }
        else {
            return undef;
        }
    }
    return $node;
}

# The node itself, or what its $ref names (followed to the end).
sub resolve {
    my ($node) = @_;
    my $hops = 0;
    while (ref $node eq 'HASH' && defined $node->{'$ref'} && $hops++ < 20) {
        $node = deref($node->{'$ref'});
    }
    return $node;
}

subtest 'every $ref resolves inside the document' => sub {
    my @refs;
    my @todo = ($doc);
    while (@todo) {
        my $n = shift @todo;
        if (ref $n eq 'HASH') {
            push @refs, $n->{'$ref'} if exists $n->{'$ref'};
            push @todo, values %$n;
        }
        elsif (ref $n eq 'ARRAY') {
            push @todo, @$n;
        }
    }
    cmp_ok scalar @refs, '>', 50, 'the document uses references';
    my %seen;
    for my $ref (grep { !$seen{$_}++ } @refs) {
        ok defined deref($ref), "$ref resolves";
    }
};

my $paths = $doc->{paths} || {};

# The operations of a path: {method => operation}.
sub operations {
    my ($path) = @_;
    my $item = $paths->{$path} || {};
    return { map { $_ => $item->{$_} } grep { exists $item->{$_} } @METHODS };
}

subtest 'every served path is in the document, and nothing else' => sub {
    set_is [ keys %$paths ], \@SERVED, 'the paths of the document are the served ones';
    for my $path (@SERVED) {
        ok scalar keys %{ operations($path) }, "$path has operations";
    }
};

subtest 'every collection of the API root is documented, with its items' => sub {
    my $root = GET('/')->{json} || {};
    cmp_ok scalar keys %$root, '>=', 8, 'the root names the collections';
    for my $name (sort keys %$root) {
        # The path below the mount (SCHED_URL: a running server's may be /api).
        (my $path = $root->{$name}) =~ s{^\Q${\ url('') }\E}{};
        ok exists $paths->{$path}, "$name: $path is documented";
        ok exists $paths->{"${path}{id}/"}, "$name: ${path}{id}/ is documented";
        ok exists $doc->{components}{schemas}{Root}{properties}{$name},
            "$name is a property of the Root schema";
    }
};

subtest 'the methods of each path are those the module serves' => sub {
    for my $path (sort keys %$paths) {
        my @documented = map { uc } keys %{ operations($path) };
        my @want = (@documented, 'OPTIONS');
        push @want, 'HEAD' if grep { $_ eq 'GET' } @documented;
        (my $url = $path) =~ s/\{(?:id|attempt)\}/1/g;
        $url =~ s/\{token\}/cal_${\ ('A' x 43)}/g;
        my $opt = OPTIONS($url);
        is $opt->{status}, 204, "OPTIONS $url is 204";
        my @allow = grep { length } split /\s*,\s*/, $opt->{headers}{allow} // '';
        set_is \@allow, \@want, "Allow of $url is what the document says";
        (my $bare = $url) =~ s{/\z}{};
        if (length $bare && $bare ne $url) {
            is OPTIONS($bare)->{headers}{allow}, $opt->{headers}{allow},
                "$bare (no final slash) is served the same";
        }
    }
    is OPTIONS('/openapi.json/1/')->{status}, 404, '/openapi.json has no items';
};

subtest 'path ids are positive 64-bit integers' => sub {
    for my $path (grep { /\{id\}/ } sort keys %$paths) {
        my $item = $paths->{$path};
        my @params = map { resolve($_) } @{ $item->{parameters} || [] };
        for my $op (values %{ operations($path) }) {
            push @params, map { resolve($_) } @{ $op->{parameters} || [] };
        }
        my ($id) = grep { $_->{in} eq 'path' && $_->{name} eq 'id' } @params;
        ok $id && $id->{required}, "$path: id is a required path parameter" or next;
        my $s = resolve($id->{schema});
        ok $s->{type} eq 'integer' && $s->{format} eq 'int64' && $s->{minimum} == 1,
            "$path: id is an int64, minimum 1";
    }
};

# Properties and required fields of a schema, through $ref and allOf.
sub flatten {
    my ($schema) = @_;
    $schema = resolve($schema);
    my (%props, %required);
    for my $part (@{ $schema->{allOf} || [] }) {
        my ($p, $r) = flatten($part);
        %props = (%props, %$p);
        $required{$_} = 1 for @$r;
    }
    %props = (%props, %{ $schema->{properties} || {} });
    $required{$_} = 1 for @{ $schema->{required} || [] };
    return (\%props, [ keys %required ]);
}

subtest 'request bodies have the required fields and types of the API' => sub {
    my %seen;
    for my $path (sort keys %$paths) {
        my $ops = operations($path);
        for my $method (sort keys %$ops) {
            my $body = $ops->{$method}{requestBody} or next;
            my $key = "$method $path";
            $seen{$key} = 1;
            ok exists $REQUIRED{$key}, "$key is expected to take a body" or next;
            $body = resolve($body);
            ok $body->{required}, "$key: the body is required";
            set_is [ keys %{ $body->{content} || {} } ], ['application/json'],
                "$key: application/json";
            my ($props, $required) = flatten($body->{content}{'application/json'}{schema});
            set_is $required, $REQUIRED{$key}, "$key: required fields";
            ok exists $props->{$_}, "$key: $_ is described" for @{ $REQUIRED{$key} };
            for my $field (sort keys %$props) {
                my $s = resolve($props->{$field});
                if ($ID_FIELDS{$field}) {
                    ok $s->{type} eq 'integer' && $s->{format} eq 'int64'
                       && $s->{minimum} == 1, "$key: $field is an int64 id";
                }
                if ($TIME_FIELDS{$field}) {
                    ok $s->{type} eq 'string' && $s->{format} eq 'date-time',
                        "$key: $field is a date-time";
                }
            }
            if ($path eq '/users/') {
                is $props->{password}{minLength}, 8, 'password: minLength 8';
                is $props->{password}{maxLength}, 72, 'password: maxLength 72';
                my $u = resolve($props->{username});
                ok defined $u->{pattern}, 'username has a pattern';
                is $u->{maxLength}, 150, 'username: maxLength 150';
            }
            if ($key eq 'post /available_slots/') {
                is $props->{slot_minutes}{minimum}, 5, 'slot_minutes: minimum 5';
                is $props->{slot_minutes}{maximum}, 1440, 'slot_minutes: maximum 1440';
            }
        }
    }
    set_is [ keys %seen ], [ keys %REQUIRED ], 'every write that takes a body has one';
};

# The responses of an operation, resolved.
sub responses {
    my ($method, $path) = @_;
    my $op = $paths->{$path}{$method} or return {};
    return { map { $_ => resolve($op->{responses}{$_}) } keys %{ $op->{responses} || {} } };
}

subtest 'responses: success, errors, headers' => sub {
    my $problem = $doc->{components}{schemas}{Problem};
    ok $problem, 'a Problem schema';
    set_is [ keys %{ $problem->{properties} || {} } ],
        [qw(type title status detail errors)], 'Problem: type, title, status, detail, errors';
    my %reservation = %{ $doc->{components}{schemas}{Reservation} || {} };
    is_deeply resolve($reservation{properties}{status})->{enum},
        [qw(pending confirmed expired cancelled)], 'Reservation: status enum';
    for my $name (qw(User Client Provider Slot SlotDetail Reservation Problem)) {
        ok $doc->{components}{schemas}{$name}, "schema $name";
    }
    my ($detail) = flatten($doc->{components}{schemas}{SlotDetail});
    ok $detail->{available} && $detail->{start_time}, 'SlotDetail: a Slot with available';

    for my $path (sort keys %$paths) {
        my $ops = operations($path);
        for my $method (sort keys %$ops) {
            my $key = "$method $path";
            my $r = responses($method, $path);
            my @success = grep { /^2/ } keys %$r;
            is scalar @success, 1, "$key: one success status";
            for my $status (grep { /^[45]/ } sort keys %$r) {
                ok $r->{$status}{content}{'application/problem+json'}, "$key $status: a problem"
                    and is resolve($r->{$status}{content}{'application/problem+json'}{schema}),
                           $problem, "$key $status: Problem";
            }
            ok $r->{201}{headers}{Location}, "$key: 201 has Location"
                if $r->{201} && $key ne 'post /available_slots/';
            if ($method eq 'get' && $r->{200}) {
                my $s = resolve($r->{200}{content}{'application/json'}{schema});
                if (($s->{type} // '') eq 'array') {
                    ok $r->{200}{headers}{Link}, "$key: a list has Link";
                    my @names = map { resolve($_)->{name} } @{ $ops->{$method}{parameters} || [] };
                    ok((grep { $_ eq 'limit' } @names) && (grep { $_ eq 'after' } @names),
                       "$key: limit and after");
                }
            }
            if ($r->{503}) {
                ok $r->{503}{headers}{'Retry-After'}, "$key: 503 has Retry-After";
            }
            elsif ($path ne '/openapi.json' && $path ne '/') {
                fail "$key: touches the database, so 503";
            }
            if ($ops->{$method}{requestBody}) {
                ok $r->{$_}, "$key: $_" for qw(400 413 415);
            }
            if (exists $ops->{$method}{security}) {
                ok $path eq '/health/' || $path eq '/openapi.json'
                   || $path eq '/calendar/{token}.ics',
                    "$key: security is overridden only on /health/, /openapi.json and"
                    . " a calendar feed's URL";
                is_deeply $ops->{$method}{security}, [], "$key: no security";
            }
        }
    }
    ok exists $paths->{'/health/'}{get}{security}, '/health/ needs no credentials';
    ok exists $paths->{'/openapi.json'}{get}{security}, '/openapi.json needs no credentials';
    ok exists $paths->{'/calendar/{token}.ics'}{get}{security},
        "a calendar feed's URL needs no credentials";
    ok responses('get', '/calendar/{token}.ics')->{200}{content}{'text/calendar'},
        "a calendar feed's URL answers text/calendar";
    my ($create) = flatten($paths->{'/calendar_feeds/'}{post}{requestBody}{content}
                           {'application/json'}{schema});
    is_deeply [ sort map { @{ $_->{required} } }
                @{ resolve($paths->{'/calendar_feeds/'}{post}{requestBody}{content}
                           {'application/json'}{schema})->{oneOf} || [] } ],
        [qw(client provider)], 'POST /calendar_feeds/: exactly one of client and provider';
    ok $create->{name}, 'POST /calendar_feeds/: name is described';

    my @idem = grep { $_->{in} eq 'header' && $_->{name} eq 'Idempotency-Key' }
               map { resolve($_) }
               @{ $paths->{'/appointment_reservations/'}{post}{parameters} || [] };
    is scalar @idem, 1, 'POST /appointment_reservations/ takes Idempotency-Key';
    ok responses('post', '/appointment_reservations/')->{422}, '... and documents 422';
    my %param = map { my $p = resolve($_); ($p->{name} => $p) }
                @{ $paths->{'/available_slots/'}{get}{parameters} || [] };
    is resolve($param{date}{schema})->{format}, 'date', 'date is a date';
    is resolve($param{$_}{schema})->{format}, 'date-time', "$_ is a date-time" for qw(from to);
    ok $param{$_}, "GET /available_slots/ takes $_" for qw(provider tz);
};

# Statuses the module answers: the document has each of them for the operation.
subtest 'documented statuses that the module produces' => sub {
    my $documented = sub {
        my ($method, $path, $got, $name) = @_;
        local $Test::Builder::Level = $Test::Builder::Level + 1;
        ok exists responses($method, $path)->{$got}, "$name answered $got, documented";
    };
    my $name = uniq('oa');
    my $r = POST('/users/', { username => $name, password => 'password-123' });
    is $r->{status}, 201, 'POST /users/ 201';
    $documented->('post', '/users/', $r->{status}, 'POST /users/');
    $r = POST('/users/', { username => $name, password => 'password-123' });
    is $r->{status}, 409, 'POST /users/ taken 409';
    $documented->('post', '/users/', $r->{status}, 'POST /users/ taken');
    $r = POST('/users/', { username => 'x' });
    is $r->{status}, 400, 'POST /users/ without password 400';
    $documented->('post', '/users/', $r->{status}, 'POST /users/ without password');
    $r = POST('/users/', '{}', { 'Content-Type' => 'text/plain' });
    is $r->{status}, 415, 'POST /users/ text/plain 415';
    $documented->('post', '/users/', $r->{status}, 'POST /users/ text/plain');
    $r = POST('/users/', '{"username": "' . ('a' x (70 * 1024)) . '"}',
              { 'Content-Type' => 'application/json' });
    is $r->{status}, 413, 'POST /users/ too large 413';
    $documented->('post', '/users/', $r->{status}, 'POST /users/ too large');
    $r = GET('/clients/9223372036854775807/');
    is $r->{status}, 404, 'GET /clients/{id}/ missing 404';
    $documented->('get', '/clients/{id}/', $r->{status}, 'GET /clients/{id}/');
    $r = GET('/users/?limit=0');
    is $r->{status}, 400, 'GET /users/?limit=0 400';
    $documented->('get', '/users/', $r->{status}, 'GET /users/?limit=0');
    $r = GET('/appointment_reservations/?status=nope');
    is $r->{status}, 400, 'GET /appointment_reservations/?status=nope 400';
    $documented->('get', '/appointment_reservations/', $r->{status}, 'a bad status filter');
    $r = POST('/appointment_reservations/9223372036854775807/confirm/');
    is $r->{status}, 404, 'confirm of nothing 404';
    $documented->('post', '/appointment_reservations/{id}/confirm/', $r->{status},
                  'confirm of nothing');
    $r = GET('/health/');
    is $r->{status}, 200, 'GET /health/ 200';
    $documented->('get', '/health/', $r->{status}, 'GET /health/');
};

# The answers carry the required fields of their schema, and nothing undocumented.
subtest 'answers have the fields their schema names' => sub {
    my $fields_are = sub {
        my ($object, $schema, $name) = @_;
        local $Test::Builder::Level = $Test::Builder::Level + 1;
        my ($props, $required) = flatten($doc->{components}{schemas}{$schema});
        ok ref $object eq 'HASH', "$name: an object" or return;
        set_is [ grep { exists $object->{$_} } @$required ], $required,
            "$name: every required field of $schema";
        set_is [ grep { !exists $props->{$_} } keys %$object ], [],
            "$name: no field that $schema does not describe";
    };
    my $provider = make_provider();
    my $r = POST('/schedules/', { provider => $provider, time_zone => 'Europe/Paris',
                                  weekly => [ map { { weekday => $_, start => '09:00',
                                                end => '10:00' } } 1 .. 7 ] });
    is $r->{status}, 201, 'POST /schedules/ 201' or diag $r->{content};
    $fields_are->($r->{json}, 'ScheduleChanged', 'POST /schedules/');
    $fields_are->(GET("/schedules/$r->{json}{id}/")->{json}, 'Schedule', 'GET /schedules/{id}/');
    my $slots = GET("/available_slots/?provider=$provider&limit=1")->{json};
    $fields_are->($slots->[0], 'Slot', 'GET /available_slots/ (a schedule slot)');
    is $slots->[0]{source}, 'schedule', 'its source is schedule';
    $fields_are->(GET("/available_slots/$slots->[0]{id}/")->{json}, 'SlotDetail',
                  'GET /available_slots/{id}/');
    $r = POST('/schedule_overrides/', { provider => $provider, date => day(30),
                                        intervals => [] });
    is $r->{status}, 201, 'POST /schedule_overrides/ 201' or diag $r->{content};
    $fields_are->($r->{json}, 'OverrideChanged', 'POST /schedule_overrides/');
    $fields_are->(GET("/schedule_overrides/$r->{json}{id}/")->{json}, 'Override',
                  'GET /schedule_overrides/{id}/');
    $r = POST('/time_off/', { provider => $provider, start_time => at(40, '00:00'),
                              end_time => at(41, '00:00') });
    is $r->{status}, 201, 'POST /time_off/ 201' or diag $r->{content};
    $fields_are->($r->{json}, 'TimeOffChanged', 'POST /time_off/');
    $fields_are->(GET("/time_off/$r->{json}{id}/")->{json}, 'TimeOff', 'GET /time_off/{id}/');
    $fields_are->(GET('/')->{json}, 'Root', 'GET /');
    my $history = GET("/time_off/$r->{json}{id}/history/")->{json};
    $fields_are->($history->[0], 'Change', 'GET /time_off/{id}/history/');
    my $events = GET('/events/?limit=1')->{json};
    $fields_are->($events->[0], 'Event', 'GET /events/');
    $r = POST('/calendar_feeds/', { provider => $provider });
    is $r->{status}, 201, 'POST /calendar_feeds/ 201' or diag $r->{content};
    $fields_are->($r->{json}, 'CalendarFeedCreated', 'POST /calendar_feeds/');
    $fields_are->(GET("/calendar_feeds/$r->{json}{id}/")->{json}, 'CalendarFeed',
                  'GET /calendar_feeds/{id}/');
};

finish();
