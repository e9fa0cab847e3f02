# Every change recorded (sql/007): the database writes an event for each row a write
# changes, in the write's transaction, with who made it; GET /{collection}/{id}/history/
# reads the changes of one object, GET /events/ the feed of all of them, in an order a
# consumer follows without missing one while transactions commit out of order; old
# events go after SchedEventRetention (httpd's background task, schedctl prune-events).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use MIME::Base64 qw(encode_base64);
use POSIX ();
use Time::HiRes qw(time sleep);
use SchedTest;

needs_local('starts httpd servers of its own');

my $TRUE = JSON::PP::true;
my $JSON = JSON::PP->new->utf8->canonical;

# The background task says what it did at info level.
allow_log(qr/SCHED0060[3458]\b/);

sub basic {
    my ($u) = @_;
    return { Authorization => 'Basic '
             . encode_base64("$u->{username}:$u->{password}", '') };
}

# A request through the mount that authenticates (Basic against the users table).
sub as {
    my ($who, $method, $path, $body) = @_;
    return req($method, "/secure$path", $body, $who ? basic($who) : {});
}

sub user {
    my (%fields) = @_;
    my $u = make_user(%fields);
    $u->{password} = $fields{password} // 'password-123';
    return $u;
}

my $SU = user(is_superuser => $TRUE);

# Where the feed stood when this file began (the tests before it left many events):
# the feed is read from there on.
my $FEED_START = '/events/?limit=1000&after='
    . psql("SELECT xid || '_' || id FROM events ORDER BY xid DESC, id DESC LIMIT 1");

# Every page of a list, following Link; returns the rows (dies past 200 pages).
sub all_pages {
    my ($who, $path) = @_;
    my @rows;
    for (1 .. 200) {
        my $res = as($who, 'GET', $path);
        die "GET $path: $res->{status} $res->{content}" unless $res->{status} == 200;
        push @rows, @{ $res->{json} };
        my $next = next_link($res) or return @rows;
        return @rows unless @{ $res->{json} };    # a feed: the last page links on
        ($path = $next) =~ s{^https?://[^/]+/secure}{};
    }
    die "GET $path: more than 200 pages";
}

# Where the feed ends now: the link of its first empty page, below the mount.
sub feed_end {
    my $path = $FEED_START;
    for (1 .. 1000) {
        my $res = as($SU, 'GET', $path);
        die "GET $path: $res->{status} $res->{content}" unless $res->{status} == 200;
        my $next = (next_link($res) // die "GET $path: no Link") =~ s{^https?://[^/]+/secure}{}r;
        return $next unless @{ $res->{json} };
        $path = $next;
    }
    die 'the feed has no end';
}

sub history {
    my ($collection, $id, $who) = @_;
    return [ all_pages($who // $SU, "/$collection/$id/history/?limit=3") ];
}

sub actions { [ map { $_->{action} } @{ $_[0] } ] }

subtest 'each write through the API is one event, with its caller' => sub {
    my $u = as($SU, 'POST', '/users/', { username => uniq('ev'), password => 'password-123',
                                          email => 'a@example.com' })->{json};
    as($SU, 'PATCH', "/users/$u->{id}/", { email => 'b@example.com' });
    my $c = as($SU, 'POST', '/clients/', { user => $u->{id} })->{json};
    my $h = history('users', $u->{id});
    is_deeply actions($h), [qw(created updated)], 'the user: created, updated';
    is $h->[0]{actor}, $SU->{id}, 'the actor is the superuser who asked';
    is_deeply $h->[0]{changes}{email}, [ undef, 'a@example.com' ], 'a creation: [null, value]';
    ok !exists $h->[0]{changes}{id}, 'the id is not a change';
    is_deeply $h->[1]{changes}, { email => [ 'a@example.com', 'b@example.com' ] },
        'an update: only what changed, [old, new]';
    like $h->[1]{at}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, 'at is RFC 3339 UTC';
    cmp_ok $h->[0]{id}, '<', $h->[1]{id}, 'oldest first';
    my $ch = history('clients', $c->{id});
    is_deeply [ map { [ $_->{action}, $_->{actor} ] } @$ch ], [ [ 'created', $SU->{id} ] ],
        'the client record: created, by the superuser';
    is_deeply $ch->[0]{changes}, { user => [ undef, $u->{id} ] }, 'in the API\'s field names';

    my $open = POST('/users/', { username => uniq('ev'), password => 'password-123' })->{json};
    is history('users', $open->{id})->[0]{actor}, undef,
        'through a mount with SchedOpenAccess and no user: no actor';

    is as($SU, 'DELETE', "/users/$u->{id}/")->{status}, 204, 'the user deleted';
    is_deeply actions(history('users', $u->{id})), [qw(created updated deleted)],
        'its history ends with its deletion';
    my $gone = history('clients', $c->{id});
    is_deeply actions($gone), [qw(created deleted)], 'the client record went with it (cascade)';
    is_deeply $gone->[1]{changes}, { user => [ $u->{id}, undef ] }, 'a deletion: [value, null]';
};

subtest 'a password is never copied' => sub {
    my $u = user();
    my $res = as($u, 'PATCH', "/users/$u->{id}/", { password => 'another-password-1' });
    is $res->{status}, 200, 'the user changes its password' or diag $res->{content};
    my $h = history('users', $u->{id});
    is_deeply $h->[-1]{changes}, { password => 'changed' }, '"password": "changed"';
    is $h->[-1]{actor}, $u->{id}, 'by itself';
    is psql(q{SELECT count(*) FROM events WHERE coalesce(changes, '{}')::text LIKE '%$2%'}
            . q{ OR coalesce(data, '{}')::text LIKE '%$2%'}
            . q{ OR coalesce(old_data, '{}')::text LIKE '%$2%'}), 0,
        'no bcrypt hash in any event';
};

# A slot window of one provider: slot ids.
sub window {
    my ($provider, $day, $n) = @_;
    my $res = as($SU, 'POST', '/available_slots/', { provider => $provider,
        start_time => at($day, '08:00'), end_time => at($day, sprintf('%02d:00', 8 + $n)),
        slot_minutes => 60 });
    die "POST /available_slots/: $res->{status} $res->{content}" unless $res->{status} == 201;
    return map { $_->{id} } @{ $res->{json} };
}

subtest 'a reservation: created, confirmed, rescheduled, cancelled' => sub {
    my $p = make_provider();
    my @slots = window($p, 5, 3);
    my $cu = user();
    my $client = as($SU, 'POST', '/clients/', { user => $cu->{id} })->{json}{id};
    my $r = as($cu, 'POST', '/appointment_reservations/', { client => $client,
                                                             slot => $slots[0] });
    is $r->{status}, 201, 'the client books' or diag $r->{content};
    my $id = $r->{json}{id};
    is as($cu, 'POST', "/appointment_reservations/$id/confirm/")->{status}, 200, 'confirms';
    is as($cu, 'PATCH', "/appointment_reservations/$id/", { slot => $slots[1] })->{status},
        200, 'moves it';
    is as($cu, 'POST', "/appointment_reservations/$id/cancel/")->{status}, 200, 'cancels';
    my $h = history('appointment_reservations', $id, $cu);
    is_deeply actions($h), [qw(created confirmed rescheduled cancelled)], 'four actions';
    is_deeply [ map { $_->{actor} } @$h ], [ ($cu->{id}) x 4 ], 'each by the client';
    is_deeply $h->[1]{changes}{status}, [ 'pending', 'confirmed' ], 'confirmed: the status';
    is_deeply $h->[2]{changes}{slot}, [ $slots[0], $slots[1] ], 'rescheduled: the slot';
    is_deeply $h->[3]{changes}{status}, [ 'confirmed', 'cancelled' ], 'cancelled: the status';
    ok !grep({ exists $_->{changes}{held_until} || exists $_->{changes}{slot_start} } @$h),
        'no column the API does not show';

    my @feed = grep { $_->{object} eq 'reservation' && $_->{object_id} == $id }
               all_pages($SU, $FEED_START);
    is_deeply [ map { $_->{type} } @feed ],
        [ map { "reservation.$_" } qw(created confirmed rescheduled cancelled) ],
        'the feed has them, typed';
    is $feed[-1]{data}{status}, 'cancelled', 'data: the reservation after the change';
    is_deeply $feed[-1]{data}, as($cu, 'GET', "/appointment_reservations/$id/")->{json},
        'as the API shows it, field for field';
    my ($made) = grep { $_->{type} eq 'slot.created' && $_->{object_id} == $slots[2] }
                 all_pages($SU, $FEED_START);
    my $slot = as($SU, 'GET', "/available_slots/$slots[2]/")->{json};
    delete $slot->{available};
    is_deeply $made->{data}, $slot, 'a slot\'s too';
};

subtest 'schedules: the weekly hours are a field of the schedule' => sub {
    my $p = make_provider();
    my $week = sub { [ map { { weekday => $_, start => $_[0], end => $_[1] } } 1 .. 5 ] };
    my $s = as($SU, 'POST', '/schedules/', { provider => $p, time_zone => 'Europe/Paris',
        slot_minutes => 60, horizon_days => 7, weekly => $week->('09:00', '12:00') });
    is $s->{status}, 201, 'a schedule' or diag $s->{content};
    my $id = $s->{json}{id};
    is as($SU, 'PUT', "/schedules/$id/", { time_zone => 'Europe/Paris', slot_minutes => 60,
        horizon_days => 7, weekly => $week->('10:00', '12:00') })->{status}, 200,
        'its hours replaced';
    is as($SU, 'PUT', "/schedules/$id/", { time_zone => 'Europe/Paris', slot_minutes => 60,
        horizon_days => 7, weekly => $week->('10:00', '12:00') })->{status}, 200,
        'and replaced by the same';
    my $h = history('schedules', $id);
    is_deeply actions($h), [qw(created updated)], 'created, then one update (the same'
        . ' hours again change nothing)' or diag explain $h;
    is_deeply $h->[0]{changes}{weekly}, [ undef, $week->('09:00', '12:00') ],
        'the creation has its weekly hours';
    is_deeply $h->[1]{changes}, { weekly => [ $week->('09:00', '12:00'),
                                              $week->('10:00', '12:00') ] },
        'the change: the hours before and after, nothing else';
    my $made = psql("SELECT count(*) FROM events WHERE object = 'slot' AND action = 'created'"
                    . " AND actor = $SU->{id} AND (data ->> 'provider')::int8 = $p");
    is $made, psql("SELECT count(*) FROM slots WHERE provider_id = $p") + psql(
        "SELECT count(*) FROM events WHERE object = 'slot' AND action = 'deleted'"
        . " AND (old_data ->> 'provider')::int8 = $p"),
        "every slot the schedule made or took back is an event ($made made)";
};

subtest 'writes outside the module are recorded too' => sub {
    my $u = user();
    psql("UPDATE users SET email = 'psql\@example.com' WHERE id = $u->{id}");
    my $h = history('users', $u->{id});
    is_deeply [ $h->[-1]{action}, $h->[-1]{actor}, $h->[-1]{changes} ],
        [ 'updated', undef, { email => [ '', 'psql@example.com' ] } ], 'psql: no actor';
    psql("SET sched.actor = '$SU->{id}'; UPDATE users SET email = '' WHERE id = $u->{id}");
    is history('users', $u->{id})->[-1]{actor}, $SU->{id}, 'unless the session names one';
    my $e = eval { psql('TRUNCATE time_off'); 1 } ? '' : $@;
    like $e, qr/would leave no event/, 'TRUNCATE is refused';
    psql("UPDATE users SET email = email WHERE id = $u->{id}");
    is scalar @{ history('users', $u->{id}) }, scalar @$h + 1, 'an update that changes nothing'
        . ' records nothing';
};

subtest 'who reads a history' => sub {
    my $p = make_provider();
    my ($slot) = window($p, 6, 1);
    my ($a, $b) = (user(), user());
    my $ca = as($SU, 'POST', '/clients/', { user => $a->{id} })->{json}{id};
    as($SU, 'POST', '/clients/', { user => $b->{id} });
    my $r = as($a, 'POST', '/appointment_reservations/', { client => $ca, slot => $slot });
    my $id = $r->{json}{id};
    is as($a, 'GET', "/appointment_reservations/$id/history/")->{status}, 200,
        'its client reads it';
    problem_ok(as($b, 'GET', "/appointment_reservations/$id/history/"), 404,
               'another client: 404, as for the reservation');
    is as($a, 'GET', "/users/$a->{id}/history/")->{status}, 200, 'a user reads its own';
    problem_ok(as($a, 'GET', "/users/$b->{id}/history/"), 404, 'not another\'s');
    is as($a, 'GET', "/available_slots/$slot/history/")->{status}, 200,
        'a slot\'s: whoever reads slots';
    is as(undef, 'GET', "/available_slots/$slot/history/")->{status}, 401, 'anonymous: 401';
    problem_ok(as($SU, 'GET', '/available_slots/9223372036854775807/history/'), 404,
               'an object that never was: 404');
    problem_ok(as($SU, 'POST', "/available_slots/$slot/history/", {}), 405,
               'POST on a history: 405');
    is as($SU, 'DELETE', "/appointment_reservations/$id/")->{status}, 204, 'deleted';
    my $h = as($SU, 'GET', "/appointment_reservations/$id/history/");
    is_deeply actions($h->{json}), [qw(created deleted)], 'a superuser still reads it';
    problem_ok(as($a, 'GET', "/appointment_reservations/$id/history/"), 404,
               'its client no longer');
    problem_ok(as($SU, 'GET', "/users/$a->{id}/history/?limit=0"), 400, 'limit 0: 400');
    problem_ok(as($SU, 'GET', "/users/$a->{id}/history/?after=x"), 400, 'a bad cursor: 400');
};

subtest 'a history in pages' => sub {
    my $u = user();
    as($SU, 'PATCH', "/users/$u->{id}/", { email => "e$_\@example.com" }) for 1 .. 6;
    my $res = as($SU, 'GET', "/users/$u->{id}/history/?limit=2");
    is scalar @{ $res->{json} }, 2, 'two per page';
    like next_link($res), qr{/secure/users/$u->{id}/history/\?limit=2&after=\d+$},
        'Link: the next page of the same history';
    my $h = history('users', $u->{id});
    is_deeply [ map { $_->{changes}{email}[1] } @$h[1 .. 6] ],
        [ map { "e$_\@example.com" } 1 .. 6 ], 'page after page, each change once, in order';
};

subtest '/events/: the feed' => sub {
    my $c = user();
    as($SU, 'POST', '/clients/', { user => $c->{id} });
    problem_ok(as($c, 'GET', '/events/'), 403, 'a client: 403');
    is as(undef, 'GET', '/events/')->{status}, 401, 'anonymous: 401';
    problem_ok(as($SU, 'GET', "/events/?after=$_"), 400, "after=$_: 400")
        for qw(x 12 -1_5 1_ _3 1_2_3);
    my $first = as($SU, 'GET', '/events/?limit=1');
    is $first->{json}[0]{id}, psql('SELECT id FROM events ORDER BY xid, id LIMIT 1'),
        'without a cursor, the feed starts at its first event';
    my @all = all_pages($SU, $FEED_START =~ s/limit=1000/limit=50/r);
    cmp_ok scalar @all, '>', 20, 'every event of this file so far, page after page ('
        . @all . ')';
    my %seen;
    is scalar(grep { $seen{ $_->{id} }++ } @all), 0, 'each once';
    my $next = feed_end();
    like $next, qr{^/events/\?limit=1000&after=\d+_\d+$}, 'the last page links on too';
    my $empty = as($SU, 'GET', $next);
    is_deeply [ $empty->{status}, $empty->{json}, next_link($empty) =~ s{^https?://[^/]+/secure}{}r ],
        [ 200, [], $next ], 'nothing new: an empty page, linking to where it was';
    my $u = user();
    my $new = as($SU, 'GET', $next);
    is_deeply [ map { [ $_->{type}, $_->{object_id} ] } @{ $new->{json} } ],
        [ [ 'user.created', $u->{id} ] ], 'then what happened since, from that link';
    my @keys = sort keys %{ $new->{json}[0] };
    is_deeply \@keys, [ sort qw(id type object object_id at actor action changes data) ],
        'an event\'s fields';
};

# The feed read while writers commit out of order: some transactions write an event,
# wait, and commit after others that wrote later have committed.
subtest 'the feed misses nothing while transactions commit out of order' => sub {
    my $from = feed_end() =~ s/limit=1000/limit=7/r;
    my $stop = time + 6;
    my @pids;
    for my $w (1 .. 4) {
        my $pid = fork // die "fork: $!";
        if ($pid == 0) {
            srand($$);
            my $i = 0;
            while (time < $stop) {
                $i++;
                my $name = "feed_${w}_${$}_$i";
                my $wait = sprintf '%.3f', rand() < 0.25 ? 0.3 + rand(0.7) : rand(0.02);
                eval {
                    psql("BEGIN; INSERT INTO users (username, password) VALUES ('${name}a',"
                         . " '\$2y\$05\$abcdefghijklmnopqrstuu5s1kTa6ukbzC1W1LzjnFGyaPcHfGMuy');"
                         . " SELECT pg_sleep($wait);"
                         . " UPDATE users SET email = '$name\@example.com'"
                         . " WHERE username = '${name}a'; COMMIT");
                };
            }
            POSIX::_exit(0);
        }
        push @pids, $pid;
    }
    my (@got, $polls);
    my $path = $from;
    my $quiet = 0;
    while (1) {
        my $res = as($SU, 'GET', $path);
        die "GET $path: $res->{status}" unless $res->{status} == 200;
        $polls++;
        push @got, map { $_->{id} } @{ $res->{json} };
        $path = next_link($res) =~ s{^https?://[^/]+/secure}{}r;
        @pids = grep { waitpid($_, POSIX::WNOHANG()) == 0 } @pids;
        $quiet = @{ $res->{json} } ? 0 : $quiet + 1;
        last if !@pids && $quiet >= 2;
        sleep 0.05 unless @{ $res->{json} };
    }
    my ($after_xid, $after_id) = $from =~ /after=(\d+)_(\d+)/;
    my @want = split /\n/, psql("SELECT id FROM events WHERE (xid, id) >"
                                . " ('$after_xid'::xid8, $after_id) ORDER BY xid, id");
    my %n;
    $n{$_}++ for @got;
    is scalar(grep { $n{$_} > 1 } keys %n), 0, 'no event twice';
    is_deeply [ sort { $a <=> $b } keys %n ], [ sort { $a <=> $b } @want ],
        scalar(@want) . " events written, each read ($polls pages)";
    my $late = psql("SELECT count(*) FROM (SELECT id, lag(id) OVER (ORDER BY xid, id) AS prev"
                    . " FROM events WHERE (xid, id) > ('$after_xid'::xid8, $after_id)) x"
                    . " WHERE id < prev");
    cmp_ok $late, '>', 0, "the test did commit events out of id order ($late)";
};

subtest 'old events go' => sub {
    my $u = user();
    as($SU, 'PATCH', "/users/$u->{id}/", { email => "$_\@example.com" }) for qw(old new);
    my @ids = map { $_->{id} } @{ history('users', $u->{id}) };
    psql("UPDATE events SET at = now() - interval '100 days' WHERE id = $ids[0]");
    psql("UPDATE events SET at = now() - interval '40 days' WHERE id = $ids[1]");
    my ($code, $out) = run_capture("$ENV{SCHED_ROOT}/tools/schedctl", '--dsn',
                                   $ENV{SCHED_DSN}, 'prune-events');
    is $code, 0, 'schedctl prune-events' or diag $out;
    like $out, qr/deleted: [1-9]\d*$/m, 'says how many';
    is_deeply [ map { $_->{id} } @{ history('users', $u->{id}) } ], [ @ids[1 .. $#ids] ],
        'an event older than 90 days is gone; one of 40 days stays';
    ($code, $out) = run_capture("$ENV{SCHED_ROOT}/tools/schedctl", '--dsn', $ENV{SCHED_DSN},
                                'prune-events', '--keep', 'soon');
    is $code, 2, 'a bad --keep is a usage error' or diag $out;
    my $server = start_httpd(extra => "SchedMaintenanceInterval 1s\nSchedEventRetention 30d");
    my $deadline = time + 20;
    sleep 0.5 while time < $deadline
        && psql("SELECT count(*) FROM events WHERE id = $ids[1]") != 0;
    is psql("SELECT count(*) FROM events WHERE id = $ids[1]"), 0,
        'httpd\'s background task deletes it with SchedEventRetention 30d';
    is psql("SELECT count(*) FROM events WHERE id = $ids[-1]"), 1, 'not the recent one';
    $server->stop;
    for my $bad ('0s', '101y', 'soon') {
        my ($c, $o) = httpd_configtest("SchedEventRetention $bad");
        isnt $c, 0, "SchedEventRetention $bad: httpd does not start";
        like $o, qr/SchedEventRetention/, 'the message names the directive';
    }
};

finish();
