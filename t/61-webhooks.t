# Webhooks (sql/010, src/sched_sender.c): the resource (superusers), and delivery by
# the sender inside httpd to receivers on loopback started here
# (t/lib/webhook_receiver.py), signed as the Standard Webhooks specification says and
# checked by an implementation of it of its own (t/lib/standard_webhooks.py): at least
# once, retried, 410 disabling, Retry-After, no redirects, timeouts; a receiver down
# then up; two servers without duplicate attempts; servers stopped in the middle;
# SchedWebhookAllow at creation and on every attempt.
# The test configuration allows 127.0.0.0/8, times out after 2 s and retries after
# 1 s four times.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use MIME::Base64 qw(encode_base64 decode_base64);
use POSIX ();
use Time::HiRes qw(time sleep);
use SchedTest;
use WebhookReceiver;

needs_local('starts webhook receivers on loopback and httpd servers of its own');

my $TRUE = JSON::PP::true;
my $FALSE = JSON::PP::false;
my $JSON = JSON::PP->new->utf8->canonical;

# The sender's notices (a webhook disabled by 410) and its complaints about a
# database that went away (the subtest that stops a server).
allow_log(qr/SCHED0070[2378]\b/);
# The database stopped on purpose: the requests of then are 503.
allow_log(qr/SCHED0020[29]\b/);
allow_log(qr/\[dbd:error\]/);
# The main server's graceful restart says again what its configuration turns off.
allow_log(qr/SCHED00101\b/);

sub basic {
    my ($u) = @_;
    return { Authorization => 'Basic ' . encode_base64("$u->{username}:$u->{password}", '') };
}

sub as {
    my ($who, $method, $path, $body, $h) = @_;
    return req($method, "/secure$path", $body, { %{ $who ? basic($who) : {} }, %{ $h || {} } });
}

sub user {
    my (%fields) = @_;
    my $u = make_user(%fields);
    $u->{password} = $fields{password} // 'password-123';
    return $u;
}

my $SU = user(is_superuser => $TRUE);
my $CLIENT = user();
POST('/clients/', { user => $CLIENT->{id} })->{status} == 201 or die "no client";

# ---- Helpers (the receivers: t/lib/WebhookReceiver.pm) -----------------------------

# Waits up to $seconds for $cond to hold; returns whether it did.
sub wait_for {
    my ($seconds, $cond) = @_;
    my $until = time + $seconds;
    while (time < $until) {
        return 1 if $cond->();
        sleep 0.2;
    }
    return $cond->();
}

# The Standard Webhooks verification of each request, by t/lib/standard_webhooks.py.
sub verified {
    my ($secret, @requests) = @_;
    my $in = "$ENV{SCHED_RUNDIR}/verify-$$.jsonl";
    open my $fh, '>', $in or die "$in: $!";
    print {$fh} $JSON->encode($_), "\n" for @requests;
    close $fh;
    my ($code, $out) = run_capture('bash', '-c',
        "python3 '$FindBin::Bin/lib/standard_webhooks.py' '$secret' < '$in'");
    die "standard_webhooks.py: $out" if $code != 0;
    return map { $JSON->decode($_) } split /\n/, $out;
}

sub hook {
    my ($url, $events, $server) = @_;
    my $path = ($server ? $server->url : '') . '/secure/webhooks/';
    my $res = req('POST', $path, { url => $url, events => $events || ['*'] }, basic($SU));
    die "POST /webhooks/: $res->{status} $res->{content}" unless $res->{status} == 201;
    return $res->{json};
}

sub attempts {
    my ($hook) = @_;
    my $res = as($SU, 'GET', "/webhooks/$hook->{id}/deliveries/?limit=1000");
    die "deliveries: $res->{status}" unless $res->{status} == 200;
    return @{ $res->{json} };
}

# The ids of the events written after the events' feed stood at $mark.
sub events_since {
    my ($mark, $where) = @_;
    $where = $where ? "AND $where" : '';
    return split /\n/, psql("SELECT id FROM events WHERE id > $mark $where ORDER BY id");
}

sub feed_mark { psql('SELECT coalesce(max(id), 0) FROM events') }

sub clear_hooks { psql('DELETE FROM webhooks') }

clear_hooks();

subtest 'superusers only; every bad body a 400 that makes nothing' => sub {
    is as(undef, 'GET', '/webhooks/')->{status}, 401, 'anonymous: 401';
    problem_ok(as($CLIENT, 'GET', '/webhooks/'), 403, 'a client user lists');
    problem_ok(as($CLIENT, 'POST', '/webhooks/', { url => 'http://127.0.0.1:9/ok',
                                                    events => ['*'] }), 403,
               'a client user creates');
    my $h = hook('http://127.0.0.1:9/ok');
    problem_ok(as($CLIENT, 'GET', "/webhooks/$h->{id}/"), 403, 'a client user reads');
    problem_ok(as($CLIENT, 'PATCH', "/webhooks/$h->{id}/", { active => $FALSE }), 403,
               'a client user changes');
    problem_ok(as($CLIENT, 'DELETE', "/webhooks/$h->{id}/"), 403, 'a client user deletes');
    problem_ok(as($CLIENT, 'GET', "/webhooks/$h->{id}/deliveries/"), 403,
               'a client user lists deliveries');
    problem_ok(as($SU, 'GET', '/webhooks/999999999/'), 404, 'no such webhook');
    problem_ok(as($SU, 'GET', '/webhooks/999999999/deliveries/'), 404,
               'deliveries of no such webhook');

    my $before = psql('SELECT count(*) FROM webhooks');
    my @bad_urls = ('ftp://127.0.0.1/', 'http://', 'http:///x', 'http://user:pw@127.0.0.1/',
                    'http://127.0.0.1/#x', 'http://127.0.0.1:0/', 'http://127.0.0.1:65536/',
                    'http://127.0.0.1/a b', "http://127.0.0.1/\x{e9}", 'http://-a.example/',
                    'http://[::1/', 'http://127.0.0.1/' . ('x' x 2100), 'javascript:alert(1)',
                    'http://10.1.2.3/', 'http://192.168.1.1/', 'http://169.254.169.254/',
                    'http://[::1]:8080/', 'http://[fe80::1]/', 'http://[::ffff:10.0.0.1]/',
                    'http://0.0.0.0/');
    for my $url (@bad_urls) {
        field_error(as($SU, 'POST', '/webhooks/', { url => $url, events => ['*'] }), 400,
                    'url', "url " . substr($url, 0, 40));
    }
    for my $events ([], ['nothing.created'], ['reservation'], ['*', '*'], [1], 'x',
                    ['user.confirmed'], [('user.created') x 2], [''], [undef]) {
        field_error(as($SU, 'POST', '/webhooks/', { url => 'http://127.0.0.1:9/',
                                                     events => $events }), 400,
                    'events', 'events ' . $JSON->encode($events));
    }
    field_error(as($SU, 'POST', '/webhooks/', { events => ['*'] }), 400, 'url', 'no url');
    field_error(as($SU, 'POST', '/webhooks/', { url => 'http://127.0.0.1:9/' }), 400,
                'events', 'no events');
    field_error(as($SU, 'POST', '/webhooks/', { url => 5, events => ['*'] }), 400, 'url',
                'a number for url');
    field_error(as($SU, 'PATCH', "/webhooks/$h->{id}/", { active => 'yes' }), 400, 'active',
                'a string for active');
    field_error(as($SU, 'PUT', "/webhooks/$h->{id}/", { url => 'http://127.0.0.1:9/' }), 400,
                'events', 'PUT without events');
    is psql('SELECT count(*) FROM webhooks'), $before, 'none of them made a webhook';
    is as($SU, 'GET', "/webhooks/$h->{id}/")->{json}{url}, 'http://127.0.0.1:9/ok',
        'nor changed one';
};

subtest 'the secret is answered once; read, list, change, delete' => sub {
    my $res = as($SU, 'POST', '/webhooks/', { url => 'http://127.0.0.1:9/a',
                                              events => ['reservation.confirmed',
                                                         'client.created'] });
    is $res->{status}, 201, 'created';
    my $h = $res->{json};
    like $h->{secret}, qr{^whsec_[A-Za-z0-9+/]+={0,2}$}, 'whsec_ and base64';
    my $key = decode_base64(substr($h->{secret}, 6));
    ok length($key) >= 24 && length($key) <= 64, 'of 24 to 64 bytes: ' . length($key);
    like $res->{headers}{location}, qr{/webhooks/$h->{id}/$}, 'Location';
    is_deeply [ sort keys %$h ], [qw(active created_at events id secret url)], 'its fields';
    is_deeply $h->{events}, ['reservation.confirmed', 'client.created'], 'events';
    my $other = hook('http://127.0.0.1:9/b');
    isnt $other->{secret}, $h->{secret}, 'each webhook its own secret';

    my $get = as($SU, 'GET', "/webhooks/$h->{id}/");
    is $get->{status}, 200, 'read';
    ok !exists $get->{json}{secret}, 'no secret when read';
    my $etag = $get->{headers}{etag};
    like $etag, qr/^"\d+"$/, 'a strong ETag';
    is as($SU, 'GET', "/webhooks/$h->{id}/", undef, { 'If-None-Match' => $etag })->{status},
        304, 'If-None-Match: 304';
    my @list = @{ as($SU, 'GET', '/webhooks/')->{json} };
    ok !grep({ exists $_->{secret} } @list), 'no secret in the list';
    ok grep({ $_->{id} == $h->{id} } @list), 'the list has it';
    my $page = as($SU, 'GET', '/webhooks/?limit=1');
    is scalar @{ $page->{json} }, 1, 'paged';
    ok next_link($page), 'Link rel="next"';

    my $patch = as($SU, 'PATCH', "/webhooks/$h->{id}/", { active => $FALSE },
                   { 'If-Match' => $etag });
    is $patch->{status}, 200, 'PATCH with If-Match';
    is $patch->{json}{active}, $FALSE, 'inactive';
    is_deeply $patch->{json}{events}, $h->{events}, 'the rest unchanged';
    problem_ok(as($SU, 'PATCH', "/webhooks/$h->{id}/", { active => $TRUE },
                  { 'If-Match' => $etag }), 412, 'the old ETag: 412');
    my $put = as($SU, 'PUT', "/webhooks/$h->{id}/", { url => 'http://127.0.0.1:9/c',
                                                      events => ['*'] });
    is $put->{status}, 200, 'PUT';
    is_deeply [ $put->{json}{url}, $put->{json}{events} ], [ 'http://127.0.0.1:9/c', ['*'] ],
        'replaced';
    is as($SU, 'DELETE', "/webhooks/$h->{id}/")->{status}, 204, 'deleted';
    problem_ok(as($SU, 'GET', "/webhooks/$h->{id}/"), 404, 'gone');
    problem_ok(as($SU, 'DELETE', "/webhooks/$h->{id}/"), 404, 'deleted twice');
    clear_hooks();
};

subtest 'delivered, signed, as the events are' => sub {
    my $r = receiver();
    my $all = hook("http://127.0.0.1:$r->{port}/ok?all");
    my $some = hook("http://127.0.0.1:$r->{port}/ok?some", ['user.updated']);
    my $mark = feed_mark();
    my @users = map { user() } 1 .. 3;
    is PATCH("/users/$users[0]{id}/", { email => 'first@example.org' })->{status}, 200,
        'a user changed';
    my @ids = events_since($mark);
    my ($updated) = events_since($mark, "object = 'user' AND action = 'updated'");
    ok @ids >= 4, scalar(@ids) . ' events';
    ok wait_for(15, sub { received($r, '/ok?all') >= @ids && received($r, '/ok?some') >= 1 }),
        'the receiver got them'
        or diag explain [ received($r) ];
    my @got = received($r, '/ok?all');
    is_deeply [ sort { $a <=> $b } map { $_->{id} } @got ], \@ids,
        'webhook-id: each event once, its id';
    my @some = received($r, '/ok?some');
    is_deeply [ map { $_->{id} } @some ], [$updated], 'the filtered one: only user.updated';
    ok !grep({ !$_->{valid} } verified($all->{secret}, @got)), 'every signature verifies'
        or diag explain [ verified($all->{secret}, @got) ];
    ok !grep({ !$_->{valid} } verified($some->{secret}, @some)),
        'with its own webhook\'s secret';
    ok !grep({ $_->{valid} } verified($some->{secret}, @got)),
        'and not with another\'s';
    my %tampered = (%{ $got[0] }, body => $got[0]{body} . ' ');
    ok !(verified($all->{secret}, \%tampered))[0]{valid}, 'a changed body does not verify';
    is $got[0]{content_type}, 'application/json', 'Content-Type';
    my ($first) = grep { $_->{id} == $ids[0] } @got;
    my $body = $JSON->decode($first->{body});
    is_deeply [ sort keys %$body ], [qw(data timestamp type)], 'the body: type, timestamp, data';
    my $event = psql("SELECT json_build_object('type', object || '.' || action, 'data', data)"
                     . " FROM events WHERE id = $ids[0]");
    my $want = $JSON->decode($event);
    is $body->{type}, $want->{type}, "type $body->{type}";
    is_deeply $body->{data}, $want->{data}, 'data: the object as the event has it';
    like $body->{timestamp}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, 'timestamp RFC 3339';
    ok abs($first->{timestamp} - time) < 60, 'webhook-timestamp: now, in seconds';
    my @a = attempts($all);
    is scalar @a, scalar @ids, 'one attempt each';
    is_deeply [ sort keys %{ $a[0] } ],
        [qw(at attempt error event id next_attempt_at status)], 'an attempt\'s fields';
    ok !grep({ $_->{status} != 204 || defined $_->{error} || defined $_->{next_attempt_at}
               || $_->{attempt} != 1 } @a), 'each: 204, no error, nothing next';
    stop_receiver($r);
    clear_hooks();
};

subtest 'failures: retried until spent, 410 disables, Retry-After, no redirect, timeout' => sub {
    my $r = receiver();
    my $u = "http://127.0.0.1:$r->{port}";
    my %h = (fail => hook("$u/status/500"), gone => hook("$u/status/410"),
             later => hook("$u/retry-after/3"), moved => hook("$u/redirect"),
             slow => hook("$u/slow/5"));
    my $mark = feed_mark();
    user();
    my ($event) = events_since($mark);
    ok wait_for(30, sub { my @a = attempts($h{fail}); @a == 5 && !defined $a[-1]{next_attempt_at} }),
        'a 500: five attempts (the first and four retries), then none'
        or diag explain [ attempts($h{fail}) ];
    my @fail = attempts($h{fail});
    is_deeply [ map { $_->{attempt} } @fail ], [ 1 .. 5 ], 'attempts 1 to 5';
    ok !grep({ $_->{status} != 500 || $_->{event} != $event } @fail), 'each 500, the event';
    ok !grep({ !defined $_->{next_attempt_at} } @fail[0 .. 3]), 'each but the last says when next';
    my %ids = map { $_->{id} => 1 } received($r, '/status/500');
    is_deeply [ keys %ids ], [$event], 'the same webhook-id on every retry';

    my @gone = attempts($h{gone});
    is scalar @gone, 1, '410: one attempt';
    is $gone[0]{status}, 410, 'its status';
    ok !defined $gone[0]{next_attempt_at}, 'nothing next';
    is as($SU, 'GET', "/webhooks/$h{gone}{id}/")->{json}{active}, $FALSE, 'the webhook is disabled';

    my @later = attempts($h{later});
    ok @later >= 2, 'Retry-After: tried again';
    my ($t1, $t2) = map { epoch($_->{at}) } @later[0, 1];
    ok $t2 - $t1 >= 2.9, sprintf('not before Retry-After (3 s; the schedule says 1 s): %.1f s',
                                 $t2 - $t1);
    is $later[0]{status}, 503, 'its status';

    my @moved = attempts($h{moved});
    is $moved[0]{status}, 302, 'a redirect is a failed attempt';
    is scalar(received($r, '/ok')), 0, 'and is not followed';

    my @slow = attempts($h{slow});
    ok @slow >= 1, 'the slow receiver: attempted';
    ok !defined $slow[0]{status}, 'no status';
    like $slow[0]{error}, qr/tim(e|ed) ?out/i, "an error: $slow[0]{error}";
    stop_receiver($r);
    clear_hooks();
};

subtest 'a slow receiver leaves room for the others' => sub {
    my $r = receiver();
    my $slow = hook("http://127.0.0.1:$r->{port}/slow/5");
    my $fast = hook("http://127.0.0.1:$r->{port}/ok");
    my $mark = feed_mark();
    user() for 1 .. 12;
    my @ids = events_since($mark);
    my $slow_done;
    ok wait_for(10, sub { $slow_done //= 0 + attempts($slow) if received($r, '/ok') >= @ids;
                          received($r, '/ok') >= @ids }),
        'the fast receiver gets every event';
    is $slow_done, 0, 'while the slow one\'s first attempts are still under way';
    ok wait_for(10, sub { attempts($slow) >= 1 }), 'which end with a timeout';
    stop_receiver($r);
    clear_hooks();
};

subtest 'send one again: POST .../deliveries/{id}/retry/' => sub {
    my $r = receiver();
    my $h = hook("http://127.0.0.1:$r->{port}/ok");
    my $mark = feed_mark();
    user();
    my ($event) = events_since($mark);
    ok wait_for(10, sub { attempts($h) >= 1 }), 'delivered';
    my ($a) = attempts($h);
    problem_ok(as($CLIENT, 'POST', "/webhooks/$h->{id}/deliveries/$a->{id}/retry/"), 403,
               'a client user');
    problem_ok(as($SU, 'POST', "/webhooks/$h->{id}/deliveries/999999999/retry/"), 404,
               'no such attempt');
    my $other = hook("http://127.0.0.1:$r->{port}/ok?other", ['reservation.created']);
    problem_ok(as($SU, 'POST', "/webhooks/$other->{id}/deliveries/$a->{id}/retry/"), 404,
               'an attempt of another webhook');
    problem_ok(as($SU, 'GET', "/webhooks/$h->{id}/deliveries/$a->{id}/retry/"), 405,
               'GET: 405');
    my $res = as($SU, 'POST', "/webhooks/$h->{id}/deliveries/$a->{id}/retry/");
    is $res->{status}, 202, 'accepted';
    is $res->{json}{event}, $event, 'the event';
    ok wait_for(10, sub { attempts($h) >= 2 }), 'attempted again';
    my @a = attempts($h);
    is_deeply [ map { [ $_->{event}, $_->{attempt}, $_->{status} ] } @a ],
        [ [ $event, 1, 204 ], [ $event, 2, 204 ] ], 'attempt 2 of the same event';
    is_deeply [ map { $_->{id} } received($r, '/ok') ], [ $event, $event ],
        'the receiver got it twice, with the same webhook-id';
    stop_receiver($r);
    clear_hooks();
};

subtest 'a receiver down, then up: every event, once by webhook-id' => sub {
    my $port = free_port();
    my $h = hook("http://127.0.0.1:$port/ok");
    my $mark = feed_mark();
    user() for 1 .. 4;
    my @ids = events_since($mark);
    ok wait_for(10, sub { grep { defined $_->{error} } attempts($h) }), 'attempts fail';
    my ($failed) = grep { defined $_->{error} } attempts($h);
    ok !defined $failed->{status}, 'no status';
    like $failed->{error}, qr/connect/i, "the error says why: $failed->{error}";
    ok defined $failed->{next_attempt_at}, 'and when the next attempt is';
    my $r = receiver($port);
    ok wait_for(20, sub { my %s = map { $_->{id} => 1 } received($r); keys %s >= @ids }),
        'once it is up, it gets them';
    my %seen;
    $seen{ $_->{id} }++ for received($r);
    is_deeply [ sort { $a <=> $b } keys %seen ], \@ids, 'every event, by webhook-id';
    my $attempts = () = received($r);
    ok $attempts >= @ids, "at least once by attempt ($attempts requests)";
    ok !grep({ !$_->{valid} } verified($h->{secret}, received($r))), 'all signed';
    stop_receiver($r);
    clear_hooks();
};

subtest 'two servers on one database: no attempt twice' => sub {
    my $second = start_httpd();
    my $r = receiver();
    my $h = hook("http://127.0.0.1:$r->{port}/ok");
    my $mark = feed_mark();
    for my $i (1 .. 30) {
        my $res = req('POST', ($i % 2 ? $second->url : url('')) . '/users/',
                      { username => uniq('two'), password => 'password-123' });
        die "POST /users/: $res->{status}" unless $res->{status} == 201;
    }
    my @ids = events_since($mark);
    ok wait_for(30, sub { received($r) >= @ids }), scalar(@ids) . ' events delivered';
    sleep 2;    # any second attempt would come now
    my %seen;
    $seen{ $_->{id} }++ for received($r);
    is_deeply [ sort { $a <=> $b } keys %seen ], \@ids, 'every event'
        or diag explain [ \@ids, [ sort { $a <=> $b } keys %seen ] ];
    is scalar(grep { $seen{$_} > 1 } keys %seen), 0, 'none sent twice';
    is psql("SELECT count(*) FROM webhook_attempts WHERE webhook_id = $h->{id}"), scalar @ids,
        'one attempt recorded each';
    $second->stop;
    stop_receiver($r);
    clear_hooks();
};

subtest 'servers stopped in the middle of sending lose nothing' => sub {
    my $second = start_httpd();
    my $r = receiver();
    my $h = hook("http://127.0.0.1:$r->{port}/slow/1");
    my $mark = feed_mark();
    req('POST', $second->url . '/users/', { username => uniq('mid'), password => 'password-123' })
        for 1 .. 12;
    my @ids = events_since($mark);
    ok wait_for(10, sub { received($r) >= 1 }), 'sending has begun';
    # The second server goes at once, whatever it was sending; the main one restarts.
    my ($pid) = slurp($second->dir . '/httpd.pid') =~ /(\d+)/;
    kill 'KILL', -$pid;     # httpd and its children: one process group
    ok wait_for(5, sub { !kill 0, $pid }), 'the second server is gone';
    my ($code, $out) = run_capture($ENV{SCHED_HTTPD}, '-d', $ENV{SCHED_RUNDIR}, '-f',
                                   "$ENV{SCHED_RUNDIR}/httpd.conf", '-k', 'graceful');
    is $code, 0, 'the main server restarted gracefully' or diag $out;
    ok wait_for(60, sub { my %s = map { $_->{id} => 1 } received($r); keys %s >= @ids }),
        'every event arrives in the end';
    my %seen = map { $_->{id} => 1 } received($r);
    is_deeply [ sort { $a <=> $b } keys %seen ], \@ids, 'none lost';
    stop_receiver($r);
    clear_hooks();
};

subtest 'the database away and back: the sender connects again' => sub {
    my $r = receiver();
    my $h = hook("http://127.0.0.1:$r->{port}/ok");
    pg_stop();
    sleep 1.5;
    pg_start();
    ok wait_for(15, sub { GET('/health/')->{status} == 200 }), 'the API is back';
    my $mark = feed_mark();
    user();
    my @ids = events_since($mark);
    ok wait_for(20, sub { received($r) >= @ids }), 'what happens next is delivered';
    stop_receiver($r);
    clear_hooks();
};

subtest 'SchedWebhookAllow: at creation, and on every attempt' => sub {
    psql('DROP DATABASE IF EXISTS sched_allow');
    psql('CREATE DATABASE sched_allow OWNER sched');
    (my $dsn = $ENV{SCHED_DSN}) =~ s/dbname=\S+/dbname=sched_allow/;
    my ($code, $out) = run_capture($ENV{SCHED_SCHEDCTL}, '--dsn', $dsn, 'migrate');
    is $code, 0, 'a database of its own' or diag $out;
    my $second = start_httpd(replace => { 'dbname=sched ' => 'dbname=sched_allow ',
                                     'SchedWebhookAllow public 127.0.0.0/8' =>
                                         'SchedWebhookAllow public' });
    my $r = receiver();
    for my $url ("http://127.0.0.1:$r->{port}/ok", "http://localhost:$r->{port}/ok",
                 "http://127.1:$r->{port}/ok") {
        my $p = field_error(req('POST', $second->url . '/webhooks/', { url => $url, events => ['*'] }),
                            400, 'url', "public addresses only: $url");
        like $p->{errors}{url}[0], qr/SchedWebhookAllow/, 'says why';
    }
    # A webhook made while its name led elsewhere: its URL is checked again on every
    # attempt, after the name is resolved.
    (my $psql_dsn = $dsn) =~ s/'/'\\''/g;
    ($code, $out) = run_capture("$ENV{SCHED_PGBIN}/psql", '-X', '-q', '-d', $dsn, '-c',
        "INSERT INTO webhooks (url, events, secret) VALUES"
        . " ('http://localhost:$r->{port}/ok', '{*}', decode(repeat('ab', 32), 'hex'))");
    is $code, 0, 'a webhook to loopback, in the database' or diag $out;
    is req('POST', $second->url . '/users/', { username => uniq('allow'),
                                          password => 'password-123' })->{status}, 201,
        'an event';
    my @a;
    ok wait_for(10, sub { @a = @{ req('GET', $second->url . '/webhooks/1/deliveries/')->{json} || [] };
                          @a >= 1 }), 'attempted';
    like $a[0]{error}, qr/address (127\.0\.0\.1|::1) is not allowed by SchedWebhookAllow/,
        "refused before connecting: $a[0]{error}";
    my @got = received($r);
    is scalar @got, 0, 'the receiver got nothing';
    $second->stop;
    stop_receiver($r);
    psql('DROP DATABASE sched_allow');
};

clear_hooks();
finish();
