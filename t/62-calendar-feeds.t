# Calendar feeds: /calendar_feeds/ makes, lists, reads and revokes the secret URLs of
# providers' and clients' calendars, with the API's rules of who may do what (through
# /secure/, Basic auth, authorization on); /calendar/<token>.ics answers the calendar
# as iCalendar with no credential but its token. The calendar is read by a real parser
# (Debian's python3-icalendar, t/lib/ics2json.py) and checked line by line on the raw
# body: which reservations are in it, UID, DTSTAMP, DTSTART and DTEND in UTC, STATUS,
# SEQUENCE rising with each change, CRLF and lines folded at 75 octets, escapes; ETag
# and 304; a revoked feed is 404 at once; the database down is 503.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp ();
use JSON::PP;
use MIME::Base64 qw(encode_base64);
use Time::HiRes qw(sleep);
use SchedTest;

needs_local("stops PostgreSQL, and uses the test server's /public/ and /app/ mounts");

my $TRUE = JSON::PP::true;
my $FALSE = JSON::PP::false;
my $MISSING = 9223372036854775807;     # a number: JSON writes it as one
my $JSON = JSON::PP->new->utf8->canonical;
my $PYTHON = '/usr/bin/python3';     # Debian's, whose python3-icalendar make test installs
my $TOKEN_RE = qr/cal_[A-Za-z0-9_-]{43}/;

# The module logs each request that finds the database unavailable, and the webhook
# sender, which keeps a connection of its own, that it lost it (the outage below).
allow_log(qr/SCHED00202\b/, qr/SCHED00702\b/);

# ---- People and requests ----------------------------------------------------------

sub mk {
    my ($label, %fields) = @_;
    my $password = "pw-$label-$$-" . int(rand 1e9);
    my $u = make_user(username => $fields{username} // uniq("cal_$label"),
                      password => $password,
                      map { $_ => $fields{$_} } grep { $_ ne 'username' } keys %fields);
    $u->{password} = $password;
    return $u;
}

sub role {
    my ($resource, $u) = @_;
    my $res = POST("/$resource/", { user => $u->{id} });
    die "POST /$resource/ answered $res->{status}: $res->{content}\n" unless $res->{status} == 201;
    return $res->{json}{id};
}

sub cred {
    my ($u) = @_;
    return { Authorization => 'Basic ' . encode_base64("$u->{username}:$u->{password}", '') };
}

# A request to /secure/ as $who (undef: anonymous).
sub sec {
    my ($who, $method, $path, $body) = @_;
    return req($method, "/secure$path", $body, $who ? cred($who) : {});
}

sub feeds_count { psql('SELECT count(*) FROM calendar_feeds') }

my $su = mk('su', is_superuser => $TRUE);
my $pu = mk('provider');
my $pu2 = mk('provider2');
my $cu = mk('client');
my $cu2 = mk('client2');
my $p1 = role('providers', $pu);
my $p2 = role('providers', $pu2);
my $c1 = role('clients', $cu);
my $c2 = role('clients', $cu2);

# A window of $n one-hour slots of provider $p on day $day from 08:00: their ids.
sub slots {
    my ($p, $day, $n) = @_;
    my $res = POST('/available_slots/', { provider => $p, start_time => at($day, '08:00'),
                   end_time => at($day, sprintf('%02d:00', 8 + $n)), slot_minutes => 60 });
    die "POST /available_slots/: $res->{status} $res->{content}" unless $res->{status} == 201;
    return map { $_->{id} } @{ $res->{json} };
}

sub book {
    my ($client, $slot) = @_;
    my $res = POST('/appointment_reservations/', { client => $client, slot => $slot });
    die "booking: $res->{status} $res->{content}" unless $res->{status} == 201;
    return $res->{json}{id};
}

# ---- The calendar, read ------------------------------------------------------------

# The calendar at $url (no credentials): the answer, and what the parser made of it.
sub calendar {
    my ($url, $headers) = @_;
    my $res = req('GET', $url, undef, $headers);
    return ($res, undef) unless $res->{status} == 200;
    return ($res, parse_ics($res->{content}));
}

# The body parsed by python3-icalendar: {calendar => {...}, events => {uid => {...}}}.
sub parse_ics {
    my ($text) = @_;
    my $in = File::Temp->new;
    binmode $in;
    print {$in} $text;
    close $in;
    my $err = File::Temp->new;
    my ($code, $out) = run_capture('/bin/sh', '-c', '"$0" "$1" <"$2" 2>"$3"', $PYTHON,
                                   "$FindBin::Bin/lib/ics2json.py", $in->filename,
                                   $err->filename);
    if ($code != 0) {
        diag "the parser refused the calendar: " . slurp($err->filename) . "\n$text";
        return undef;
    }
    my $parsed = eval { $JSON->decode($out) } or do { diag "ics2json: $out"; return undef };
    $parsed->{by_uid} = { map { ($_->{UID} => $_) } @{ $parsed->{events} } };
    return $parsed;
}

# The raw text with every fold (CRLF and one space) taken out, as lines.
sub unfolded {
    my ($text) = @_;
    (my $t = $text) =~ s/\r\n //g;
    return split /\r\n/, $t;
}

# Checks on the raw body: CRLF only, no line over 75 octets, no line that splits a
# UTF-8 sequence.
sub lines_ok {
    my ($text, $name) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    like $text, qr/\ABEGIN:VCALENDAR\r\n/, "$name: begins with BEGIN:VCALENDAR and CRLF";
    like $text, qr/\r\nEND:VCALENDAR\r\n\z/, "$name: ends with END:VCALENDAR and CRLF";
    (my $no_crlf = $text) =~ s/\r\n//g;
    unlike $no_crlf, qr/[\r\n]/, "$name: every line ends with CRLF, no bare CR or LF";
    my @lines = split /\r\n/, $text;
    my @long = grep { length($_) > 75 } @lines;       # bytes: the text is not decoded
    is scalar(@long), 0, "$name: no line longer than 75 octets" or diag explain \@long;
    my @broken = grep { my $l = $_; !eval { Encode::decode('UTF-8', $l, Encode::FB_CROAK()); 1 } }
        @lines;
    is scalar(@broken), 0, "$name: every line is whole UTF-8 (no fold inside a character)"
        or diag explain \@broken;
}

# "20261201T080000Z" of an RFC 3339 UTC time.
sub ical_time {
    my ($t) = @_;
    (my $s = $t) =~ s/[-:]//g;
    $s =~ s/\.\d+Z$/Z/;
    return $s;
}

# The same of a timestamptz SQL expression about reservation $id, in UTC.
sub db_ical_time {
    my ($expr, $id) = @_;
    return psql("SELECT to_char($expr AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS\"Z\"')"
                . " FROM reservations WHERE id = $id");
}

my $domain = psql('SELECT uid_domain FROM calendar_identity');
sub uid { "reservation-$_[0]\@$domain" }

require Encode;

# ---- Tests --------------------------------------------------------------------------

subtest 'a real parser reads the calendars' => sub {
    my ($code, $out) = run_capture($PYTHON, '-c', 'import icalendar');
    is $code, 0, "python3-icalendar is installed (make test installs it)" or diag $out;
    like $domain, qr/^[0-9a-f-]{36}\.mod-sched$/, "this database's identity ($domain)";
};

my %made;    # feeds made by this file: id => {url, who}

subtest 'who may make a feed' => sub {
    my $before = feeds_count();
    for my $case ([ $pu, { provider => $p1 }, 'a provider user, for its provider' ],
                  [ $cu, { client => $c1 }, 'a client user, for its client' ],
                  [ $su, { provider => $p2 }, 'a superuser, for any provider' ],
                  [ $su, { client => $c2 }, 'a superuser, for any client' ]) {
        my ($who, $body, $name) = @$case;
        my $res = sec($who, POST => '/calendar_feeds/', $body);
        is $res->{status}, 201, "$name: 201" or diag $res->{content};
        my $f = $res->{json} || {};
        is_deeply [ sort keys %$f ], [qw(client created_at id name provider url)],
            "$name: id, provider, client, name, created_at, url";
        is $f->{provider}, $body->{provider}, "$name: provider";
        is $f->{client}, $body->{client}, "$name: client";
        is $f->{name}, '', "$name: no name";
        ok defined epoch($f->{created_at}), "$name: created_at is RFC 3339 UTC";
        like $f->{url}, qr{^\Q${\ url('/secure/calendar/')}\E$TOKEN_RE\.ics$},
            "$name: the URL is below the mount that served the request";
        is $res->{headers}{location}, url("/secure/calendar_feeds/$f->{id}/"), "$name: Location";
        like $res->{headers}{etag} // '', qr/^"[^"]+"$/, "$name: a strong ETag";
        $made{$f->{id}} = { url => $f->{url}, who => $who, %$body };
    }
    is feeds_count(), $before + 4, 'four feeds made';

    $before = feeds_count();
    problem_ok(sec($pu, POST => '/calendar_feeds/', { provider => $p2 }), 403,
               "a provider user, for another provider");
    problem_ok(sec($cu, POST => '/calendar_feeds/', { client => $c2 }), 403,
               "a client user, for another client");
    problem_ok(sec($pu, POST => '/calendar_feeds/', { client => $c1 }), 403,
               "a provider user, for a client");
    problem_ok(sec($cu, POST => '/calendar_feeds/', { provider => $p1 }), 403,
               "a client user, for a provider");
    problem_ok(sec($pu, POST => '/calendar_feeds/', { provider => $MISSING }), 403,
               "a provider user, for no provider (it learns nothing of which exist)");
    # httpd's own 401 at /secure/ (Require valid-user)
    is sec(undef, POST => '/calendar_feeds/', { provider => $p1 })->{status}, 401, 'anonymous';
    is sec(undef, GET => '/calendar_feeds/')->{status}, 401, 'anonymous list';
    problem_ok(req('POST', '/public/calendar_feeds/', { provider => $p1 }), 401,
               "anonymous, where httpd lets it through: the module's 401");
    field_error(sec($su, POST => '/calendar_feeds/', { provider => $MISSING }), 400,
                'provider', 'a superuser, for no provider');
    field_error(sec($su, POST => '/calendar_feeds/', { client => $MISSING }), 400,
                'client', 'a superuser, for no client');
    is feeds_count(), $before, 'the refusals made nothing';
};

subtest 'bad bodies: 400 naming the field, nothing made' => sub {
    my $before = feeds_count();
    my @cases = (
        [ {}, [qw(provider client)], 'neither provider nor client' ],
        [ { provider => $p1, client => $c1 }, [qw(provider client)], 'both' ],
        [ { provider => "$p1" }, ['provider'], 'provider as a string' ],
        [ { provider => $p1 + 0.5 }, ['provider'], 'provider as a float' ],
        [ { client => $TRUE }, ['client'], 'client as a boolean' ],
        [ { client => undef }, ['client'], 'client null' ],
        [ { provider => 0 }, ['provider'], 'provider 0' ],
        [ { provider => -3 }, ['provider'], 'provider negative' ],
        [ { provider => $p1, name => 7 }, ['name'], 'name not a string' ],
        [ { provider => $p1, name => 'x' x 201 }, ['name'], 'name longer than 200 bytes' ],
        [ { provider => $p1, name => "\x{e9}" x 101 }, ['name'], 'name of 202 bytes' ],
    );
    for my $c (@cases) {
        my ($body, $fields, $name) = @$c;
        my $p = field_error(sec($su, POST => '/calendar_feeds/', $body), 400, $fields->[0],
                            $name);
        is_deeply [ sort keys %{ $p->{errors} || {} } ], [ sort @$fields ],
            "$name: errors names " . join(' and ', @$fields);
    }
    problem_ok(req('POST', '/secure/calendar_feeds/', '{"provider": 1',
                   { %{ cred($su) }, 'Content-Type' => 'application/json' }), 400,
               'malformed JSON');
    problem_ok(req('POST', '/secure/calendar_feeds/', '{}',
                   { %{ cred($su) }, 'Content-Type' => 'text/plain' }), 415, 'not JSON');
    is feeds_count(), $before, 'nothing made';
    my $res = sec($su, POST => '/calendar_feeds/', { provider => $p1, name => "\x{e9}" x 100 });
    is $res->{status}, 201, 'a name of 200 bytes is made' or diag $res->{content};
    is $res->{json}{name}, "\x{e9}" x 100, 'and reads back';
    $made{$res->{json}{id}} = { url => $res->{json}{url}, who => $su, provider => $p1 };
};

subtest 'the URL is shown once; only its hash is stored' => sub {
    my ($id) = grep { ($made{$_}{provider} // 0) == $p1 } sort { $a <=> $b } keys %made;
    my ($token) = $made{$id}{url} =~ /($TOKEN_RE)/;
    my $one = sec($pu, GET => "/calendar_feeds/$id/");
    is $one->{status}, 200, 'GET of the feed';
    is_deeply [ sort keys %{ $one->{json} } ], [qw(client created_at id name provider)],
        'no url in it';
    my $list = sec($su, GET => '/calendar_feeds/?limit=1000');
    is $list->{status}, 200, 'the list';
    ok !(grep { exists $_->{url} } @{ $list->{json} }), 'no url in the list';
    for my $res ($one, $list, sec($su, GET => "/calendar_feeds/?provider=$p1")) {
        unlike $res->{content}, qr/\Q$token\E/, 'the token in no answer';
    }
    is psql("SELECT count(*) FROM calendar_feeds WHERE id = $id"
            . " AND token_hash = sha256(convert_to('$token', 'UTF8'))"), 1,
        'the database holds the SHA-256 of the token';
    is psql("SELECT count(*) FROM calendar_feeds f WHERE f::text LIKE '%$token%'"
            . " OR encode(f.token_hash, 'escape') LIKE '%$token%'"), 0, 'and not the token';
    is psql("SELECT count(*) FROM events WHERE data::text LIKE '%$token%'"
            . " OR changes::text LIKE '%$token%'"), 0, 'nor do the events';
    problem_ok(sec($su, GET => "/calendar_feeds/$id/history/"), 404, 'feeds have no history');
};

subtest 'who sees a feed: the owner and superusers; others get 404' => sub {
    my ($pf) = grep { ($made{$_}{provider} // 0) == $p1 && $made{$_}{who} == $pu } keys %made;
    my ($cf) = grep { ($made{$_}{client} // 0) == $c1 } keys %made;
    is sec($su, GET => "/calendar_feeds/$pf/")->{status}, 200, 'a superuser reads any';
    problem_ok(sec($pu2, GET => "/calendar_feeds/$pf/"), 404, "another provider user");
    problem_ok(sec($cu, GET => "/calendar_feeds/$pf/"), 404, 'a client user, of a provider feed');
    problem_ok(sec($pu, GET => "/calendar_feeds/$cf/"), 404, 'a provider user, of a client feed');
    problem_ok(sec($cu2, GET => "/calendar_feeds/$cf/"), 404, 'another client user');
    is sec(undef, GET => "/calendar_feeds/$cf/")->{status}, 401, 'anonymous';
    problem_ok(req('GET', "/public/calendar_feeds/$cf/"), 401,
               "anonymous, where httpd lets it through: the module's 401");
    problem_ok(sec($pu2, DELETE => "/calendar_feeds/$pf/"), 404, 'another user cannot revoke');
    is sec($pu, GET => "/calendar_feeds/$pf/")->{status}, 200, 'still there';
    my %mine = map { $_->{id} => 1 } @{ sec($pu, GET => '/calendar_feeds/?limit=1000')->{json} };
    ok $mine{$pf} && !$mine{$cf}, "a provider user's list: its provider's feeds only";
    is psql("SELECT count(*) FROM calendar_feeds WHERE provider_id = $p1"),
        scalar(keys %mine), '... all of them';
    my @others = @{ sec($pu2, GET => "/calendar_feeds/?provider=$p1")->{json} };
    is scalar(@others), 0, "another provider user filtering on it: nothing";
    my %all = map { $_->{id} => 1 } @{ sec($su, GET => '/calendar_feeds/?limit=1000')->{json} };
    ok !(grep { !$all{$_} } keys %made), "a superuser's list has every feed";
    my $filtered = sec($su, GET => "/calendar_feeds/?client=$c1")->{json};
    ok @$filtered && !(grep { ($_->{client} // 0) != $c1 } @$filtered), '?client= filters';
    my $page = sec($su, GET => "/calendar_feeds/?provider=$p1&limit=1");
    is scalar(@{ $page->{json} }), 1, 'limit=1: one';
    like next_link($page) // '', qr{/secure/calendar_feeds/\?provider=$p1&limit=1&after=\d+$},
        'and a Link to the next page, with the filter';
    problem_ok(sec($su, GET => '/calendar_feeds/?provider=x'), 400, 'a bad filter');
};

subtest 'no PUT or PATCH: 405 with Allow' => sub {
    my ($id) = sort keys %made;
    for my $m (qw(PUT PATCH)) {
        my $res = sec($su, $m => "/calendar_feeds/$id/", { name => 'x' });
        problem_ok($res, 405, $m);
        is $res->{headers}{allow}, 'GET, HEAD, DELETE, OPTIONS', "$m: Allow";
    }
    is OPTIONS("/calendar_feeds/")->{headers}{allow}, 'GET, HEAD, POST, OPTIONS',
        'the collection: GET and POST';
    my $opt = OPTIONS("/calendar/cal_${\ ('A' x 43)}.ics");
    is $opt->{status}, 204, 'OPTIONS of a calendar URL';
    is $opt->{headers}{allow}, 'GET, HEAD, OPTIONS', 'GET only';
    problem_ok(POST("/calendar/cal_${\ ('A' x 43)}.ics", {}), 405, 'POST to a calendar URL');
};

# The calendars of one provider and two clients, with reservations in every state.
my $pp_user = mk('feedprovider');
my $pp = role('providers', $pp_user);
my $long = mk('long', username => 'long_' . ('l' x 110) . '_' . uniq('c'));
my $ca = role('clients', $long);
my $cb_user = mk('cb');
my $cb = role('clients', $cb_user);
my @s = slots($pp, 3, 9);
my %r;

subtest 'what a feed shows' => sub {
    $r{confirmed} = book($ca, $s[0]);
    is POST("/appointment_reservations/$r{confirmed}/confirm/")->{status}, 200, 'confirmed';
    $r{cancelled} = book($ca, $s[1]);
    is POST("/appointment_reservations/$r{cancelled}/cancel/")->{status}, 200, 'cancelled';
    $r{cancelled_old} = book($ca, $s[2]);
    is POST("/appointment_reservations/$r{cancelled_old}/cancel/")->{status}, 200,
        'cancelled, then 31 days ago';
    psql("UPDATE reservations SET created_at = now() - interval '32 days',"
         . " held_from = now() - interval '32 days', expires_at = now() - interval '31 days 23 hours',"
         . " held_until = now() - interval '31 days 23 hours', cancelled_at = now() - interval '31 days'"
         . " WHERE id = $r{cancelled_old}");
    $r{cancelled_29} = book($ca, $s[3]);
    POST("/appointment_reservations/$r{cancelled_29}/cancel/");
    psql("UPDATE reservations SET created_at = now() - interval '30 days',"
         . " held_from = now() - interval '30 days', expires_at = now() - interval '29 days 23 hours',"
         . " held_until = now() - interval '29 days 23 hours', cancelled_at = now() - interval '29 days'"
         . " WHERE id = $r{cancelled_29}");
    $r{expired_old} = book($cb, $s[4]);
    psql("UPDATE reservations SET created_at = now() - interval '41 days',"
         . " held_from = now() - interval '41 days', expires_at = now() - interval '40 days',"
         . " held_until = now() - interval '40 days' WHERE id = $r{expired_old}");
    $r{expired} = book($cb, $s[5]);
    psql("UPDATE reservations SET created_at = now() - interval '2 hours',"
         . " held_from = now() - interval '2 hours', expires_at = now() - interval '1 hour',"
         . " held_until = now() - interval '1 hour' WHERE id = $r{expired}");
    $r{pending} = book($cb, $s[6]);

    my $pf = sec($pp_user, POST => '/calendar_feeds/', { provider => $pp });
    is $pf->{status}, 201, "the provider's feed, by its user" or diag $pf->{content};
    my $cf = sec($long, POST => '/calendar_feeds/', { client => $ca });
    is $cf->{status}, 201, "a client's feed, by its user" or diag $cf->{content};
    my ($res, $cal) = calendar($pf->{json}{url});
    is $res->{status}, 200, "the provider's calendar, with no credentials"
        or diag $res->{content};
    like $res->{headers}{'content-type'}, qr{^text/calendar; charset=utf-8$}i,
        'text/calendar; charset=utf-8';
    like $res->{headers}{'cache-control'} // '', qr/\bprivate\b.*\bno-cache\b/,
        'Cache-Control: private, no-cache';
    lines_ok($res->{content}, "the provider's calendar");
    ok $cal, 'the parser reads it' or return;
    is $cal->{calendar}{VERSION}, '2.0', 'VERSION:2.0';
    like $cal->{calendar}{PRODID} // '', qr/mod_sched/, 'PRODID';
    is $cal->{calendar}{CALSCALE}, 'GREGORIAN', 'CALSCALE:GREGORIAN';
    ok !exists $cal->{calendar}{METHOD}, 'no METHOD (a published calendar: DTSTAMP is a revision)';
    is $cal->{calendar}{'X-WR-CALNAME'}, "Appointments of $pp_user->{username}",
        'X-WR-CALNAME: the default name';
    is_deeply $cal->{others}, [], 'nothing but events in it';

    my %in = map { $_ => uid($r{$_}) } keys %r;
    for my $k (qw(confirmed cancelled cancelled_29 expired pending)) {
        ok $cal->{by_uid}{ $in{$k} }, "$k: in the provider's calendar";
    }
    for my $k (qw(cancelled_old expired_old)) {
        ok !$cal->{by_uid}{ $in{$k} }, "$k (more than 30 days ago): not in it";
    }
    is scalar(@{ $cal->{events} }), 5, 'five events, one per reservation';
    my %status = (confirmed => 'CONFIRMED', cancelled => 'CANCELLED',
                  cancelled_29 => 'CANCELLED', expired => 'CANCELLED', pending => 'TENTATIVE');
    my %client_of = (confirmed => $long, cancelled => $long, cancelled_29 => $long,
                     expired => $cb_user, pending => $cb_user);
    for my $k (sort keys %status) {
        my $e = $cal->{by_uid}{ $in{$k} } or next;
        my $slot = GET("/available_slots/" . GET("/appointment_reservations/$r{$k}/")
                       ->{json}{slot} . '/')->{json};
        is $e->{STATUS}, $status{$k}, "$k: STATUS $status{$k}";
        is $e->{DTSTART}{ical}, ical_time($slot->{start_time}), "$k: DTSTART, the slot's start";
        is $e->{DTEND}{ical}, ical_time($slot->{end_time}), "$k: DTEND, the slot's end";
        ok $e->{DTSTART}{utc} && $e->{DTEND}{utc} && $e->{DTSTAMP}{utc},
            "$k: DTSTART, DTEND and DTSTAMP in UTC";
        is $e->{SUMMARY}, "Appointment with $client_of{$k}{username}",
            "$k: SUMMARY names the client";
        like $e->{DESCRIPTION}, qr/^Reservation $r{$k}: \w+\.$/, "$k: DESCRIPTION";
    }
    my $e = $cal->{by_uid};
    is $e->{ $in{confirmed} }{DTSTAMP}{ical}, db_ical_time('confirmed_at', $r{confirmed}),
        'confirmed: DTSTAMP is when it was confirmed';
    is $e->{ $in{cancelled} }{DTSTAMP}{ical}, db_ical_time('cancelled_at', $r{cancelled}),
        'cancelled: DTSTAMP is when it was cancelled';
    is $e->{ $in{expired} }{DTSTAMP}{ical}, db_ical_time('expires_at', $r{expired}),
        'expired: DTSTAMP is when its hold ran out';
    is $e->{ $in{pending} }{DTSTAMP}{ical}, db_ical_time('created_at', $r{pending}),
        'pending: DTSTAMP is when it was made';
    is $e->{ $in{confirmed} }{SEQUENCE}, 1, 'confirmed: SEQUENCE 1';
    is $e->{ $in{pending} }{SEQUENCE}, 0, 'pending: SEQUENCE 0';
    is $e->{ $in{cancelled} }{SEQUENCE}, 1, 'cancelled while pending: SEQUENCE 1';

    my ($cres, $ccal) = calendar($cf->{json}{url});
    is $cres->{status}, 200, "the client's calendar";
    lines_ok($cres->{content}, "the client's calendar (a 150-character username)");
    ok $ccal, 'parsed' or return;
    is_deeply [ sort keys %{ $ccal->{by_uid} } ],
        [ sort map { $in{$_} } qw(confirmed cancelled cancelled_29) ],
        "the client's own reservations, and none of another client's";
    is $ccal->{by_uid}{ $in{confirmed} }{SUMMARY}, "Appointment with $pp_user->{username}",
        'SUMMARY names the provider';
    is $ccal->{by_uid}{ $in{confirmed} }{UID}, $in{confirmed},
        'the same UID in both calendars';
    is $ccal->{calendar}{'X-WR-CALNAME'}, "Appointments of $long->{username}",
        'its name, folded over two lines, reads back';
    like $cres->{content}, qr/\r\nX-WR-CALNAME:[^\r]*\r\n [^\r]*\r\n/, 'it was folded';
    my ($other) = calendar($made{ (grep { ($made{$_}{client} // 0) == $c2 } keys %made)[0] }{url});
    is $other->{status}, 200, "another client's calendar";
    unlike $other->{content}, qr/reservation-(?:$r{confirmed}|$r{pending})\@/,
        "shows none of these reservations";
};

subtest 'SEQUENCE rises with each change; DTSTAMP follows' => sub {
    my $feed = sec($pp_user, POST => '/calendar_feeds/', { provider => $pp })->{json};
    my $id = book($ca, $s[7]);
    my @seen;
    my $look = sub {
        my ($what) = @_;
        my ($res, $cal) = calendar($feed->{url});
        my $e = $cal ? $cal->{by_uid}{ uid($id) } : undef;
        ok $e, "$what: in the calendar" or return {};
        push @seen, $e;
        return $e;
    };
    my $e = $look->('made');
    is $e->{SEQUENCE}, 0, 'made: SEQUENCE 0';
    is $e->{STATUS}, 'TENTATIVE', 'made: TENTATIVE';
    is POST("/appointment_reservations/$id/confirm/")->{status}, 200, 'confirm';
    $e = $look->('confirmed');
    is $e->{SEQUENCE}, 1, 'confirmed: SEQUENCE 1';
    is $e->{STATUS}, 'CONFIRMED', 'confirmed: CONFIRMED';
    sleep 1.1;     # DTSTAMP has whole seconds
    my $moved = PATCH("/appointment_reservations/$id/", { slot => $s[8] });
    is $moved->{status}, 200, 'reschedule' or diag $moved->{content};
    $e = $look->('rescheduled');
    is $e->{SEQUENCE}, 2, 'rescheduled: SEQUENCE 2';
    is $e->{DTSTART}{ical}, ical_time(GET("/available_slots/$s[8]/")->{json}{start_time}),
        'rescheduled: DTSTART is the new slot\'s';
    is $e->{DTSTAMP}{ical}, db_ical_time('held_from', $id), 'rescheduled: DTSTAMP, the move';
    sleep 1.1;
    is POST("/appointment_reservations/$id/cancel/")->{status}, 200, 'cancel';
    $e = $look->('cancelled');
    is $e->{SEQUENCE}, 3, 'cancelled: SEQUENCE 3';
    is $e->{STATUS}, 'CANCELLED', 'cancelled: CANCELLED';
    is_deeply [ map { $_->{UID} } @seen ], [ (uid($id)) x 4 ], 'the same UID all along';
    my @stamps = map { $_->{DTSTAMP}{ical} } @seen;
    is_deeply [ sort @stamps ], \@stamps, 'DTSTAMP never goes back';
    cmp_ok $stamps[3], 'gt', $stamps[1], 'and moved on with the changes';

    # A hold that runs out changes no row: its SEQUENCE rises all the same, and once
    # more when the expired reservation is then cancelled.
    my $held = book($ca, $s[7]);
    my ($res, $cal) = calendar($feed->{url});
    is $cal->{by_uid}{ uid($held) }{SEQUENCE}, 0, 'a hold: SEQUENCE 0';
    my $etag = $res->{headers}{etag};
    sleep 3.5;     # SchedHoldTime 3s
    ($res, $cal) = calendar($feed->{url});
    is $cal->{by_uid}{ uid($held) }{STATUS}, 'CANCELLED', 'expired: CANCELLED';
    is $cal->{by_uid}{ uid($held) }{SEQUENCE}, 1, 'expired: SEQUENCE 1';
    is $cal->{by_uid}{ uid($held) }{DTSTAMP}{ical}, db_ical_time('expires_at', $held),
        'expired: DTSTAMP, when the hold ran out';
    isnt $res->{headers}{etag}, $etag, 'the clock alone changed the ETag';
    is POST("/appointment_reservations/$held/cancel/")->{status}, 200,
        'the expired one cancelled';
    ($res, $cal) = calendar($feed->{url});
    is $cal->{by_uid}{ uid($held) }{SEQUENCE}, 2, 'cancelled after it expired: SEQUENCE 2';
};

subtest 'names: escaped, folded, whole UTF-8, read back by the parser' => sub {
    my $name = "Caf\x{e9} \x{d8}rsted; Paris, 2e\nligne deux \x{2014} \x{65e5}\x{672c}"
             . "\x{8a9e} \x{1f4c5}, avec \\ une barre et un long texte qui se plie sur "
             . "plusieurs lignes";
    my $res = POST('/calendar_feeds/', { client => $cb, name => $name });
    is $res->{status}, 201, 'a feed with a name' or diag $res->{content};
    is $res->{json}{name}, $name, 'the name as given';
    my ($cal_res, $cal) = calendar($res->{json}{url});
    is $cal_res->{status}, 200, 'its calendar';
    lines_ok($cal_res->{content}, 'a calendar named with escapes and non-ASCII');
    my ($line) = grep { /^X-WR-CALNAME:/ } unfolded($cal_res->{content});
    my $want = Encode::encode('UTF-8', $name);
    $want =~ s/([\\;,])/\\$1/g;
    $want =~ s/\n/\\n/g;
    is $line, "X-WR-CALNAME:$want", 'unfolded, the line is the name escaped (\\\\ \\; \\, \\n)';
    my ($raw) = $cal_res->{content} =~ /^(X-WR-CALNAME:.*?)\r\n(?! )/ms;
    like $raw // '', qr/\r\n /, 'it was folded';
    ok $cal, 'the parser reads it' or return;
    is $cal->{calendar}{'X-WR-CALNAME'}, $name, 'the parser reads the name back as it was given';
    is $cal->{calendar}{NAME}, $cal->{calendar}{'X-WR-CALNAME'}, 'NAME too (RFC 7986)';
};

subtest 'ETag and 304' => sub {
    my $feed = POST('/calendar_feeds/', { provider => $pp })->{json};
    my $a = req('GET', $feed->{url});
    my $etag = $a->{headers}{etag};
    like $etag, qr/^"[0-9a-f]{32}"$/, "a strong ETag ($etag)";
    sleep 1.1;
    my $b = req('GET', $feed->{url});
    is $b->{headers}{etag}, $etag, 'the same a second later';
    is $b->{content}, $a->{content}, 'the same text (DTSTAMP is no clock)';
    my $c = req('GET', $feed->{url}, undef, { 'If-None-Match' => $etag });
    is $c->{status}, 304, 'If-None-Match with it: 304';
    is $c->{content}, '', 'no body';
    is $c->{headers}{etag}, $etag, 'the ETag again';
    like $c->{headers}{'cache-control'} // '', qr/no-cache/, 'Cache-Control on the 304 too';
    is req('GET', $feed->{url}, undef, { 'If-None-Match' => "W/$etag" })->{status}, 304,
        'its weak form too';
    is req('GET', $feed->{url}, undef, { 'If-None-Match' => '"0"' })->{status}, 200,
        'another: 200';
    my $head = req('HEAD', $feed->{url});
    is $head->{status}, 200, 'HEAD';
    is $head->{headers}{etag}, $etag, 'HEAD: the ETag';
    is $head->{content}, '', 'HEAD: no body';
    my ($free) = map { $_->{id} } @{ POST('/available_slots/', { provider => $pp,
        start_time => at(4, '08:00'), end_time => at(4, '09:00'), slot_minutes => 60 })->{json} };
    book($cb, $free);
    my $d = req('GET', $feed->{url}, undef, { 'If-None-Match' => $etag });
    is $d->{status}, 200, 'after a booking, the old ETag: 200';
    isnt $d->{headers}{etag}, $etag, 'a new ETag';
    is req('GET', $feed->{url}, undef, { 'If-None-Match' => $d->{headers}{etag} })->{status},
        304, 'the new one: 304';
};

subtest 'revoked: 404 at once' => sub {
    my $feed = sec($pp_user, POST => '/calendar_feeds/', { provider => $pp })->{json};
    is req('GET', $feed->{url})->{status}, 200, 'the calendar answers';
    my $res = sec($pp_user, DELETE => "/calendar_feeds/$feed->{id}/");
    is $res->{status}, 204, 'revoked by its owner';
    problem_ok(req('GET', $feed->{url}), 404, 'the URL right after');
    problem_ok(sec($pp_user, GET => "/calendar_feeds/$feed->{id}/"), 404, 'the feed is gone');
    problem_ok(sec($pp_user, DELETE => "/calendar_feeds/$feed->{id}/"), 404, 'revoked again');

    my $f2 = POST('/calendar_feeds/', { provider => $pp })->{json};
    problem_ok(DELETE("/calendar_feeds/$f2->{id}/", { 'If-Match' => '"2"' }), 412,
               'DELETE with another ETag');
    is req('GET', $f2->{url})->{status}, 200, 'still answers';
    is DELETE("/calendar_feeds/$f2->{id}/", { 'If-Match' => '"1"' })->{status}, 204,
        'DELETE with its ETag';

    my $owner = mk('gone');
    my $prov = role('providers', $owner);
    my $f3 = POST('/calendar_feeds/', { provider => $prov })->{json};
    is PATCH("/users/$owner->{id}/", { is_active => $FALSE })->{status}, 200,
        "its owner's user deactivated";
    problem_ok(req('GET', $f3->{url}), 404, "the calendar of an inactive user's provider");
    is PATCH("/users/$owner->{id}/", { is_active => $TRUE })->{status}, 200, 'active again';
    is req('GET', $f3->{url})->{status}, 200, 'it answers again';
    is DELETE("/providers/$prov/")->{status}, 204, 'the provider deleted';
    problem_ok(req('GET', $f3->{url}), 404, 'its calendar with it');
    is psql("SELECT count(*) FROM calendar_feeds WHERE provider_id = $prov"), 0,
        'the feed went with it (ON DELETE CASCADE)';
};

subtest 'tokens of another shape, unknown ones: 404' => sub {
    my ($known) = $made{ (sort keys %made)[0] }{url} =~ /($TOKEN_RE)/;
    (my $unknown = $known) =~ s/^cal_(.)/'cal_' . ($1 eq 'A' ? 'B' : 'A')/e;
    for my $path ("/calendar/$unknown.ics", '/calendar/x.ics', '/calendar/cal_.ics',
                  "/calendar/$known.ICS", "/calendar/$known", "/calendar/$known.ics/",
                  "/calendar/${known}A.ics", '/calendar/cal_' . ('+' x 43) . '.ics',
                  "/calendar/x$known.ics", '/calendar/', '/calendar/1/') {
        problem_ok(GET($path), 404, $path);
    }
    is GET("/calendar/$known.ics")->{status}, 200, 'the known one: 200';
};

subtest 'the URL needs nothing but its token, below any mount' => sub {
    my $feed = sec($cu, POST => '/calendar_feeds/', { client => $c1 })->{json};
    my ($token) = $feed->{url} =~ /($TOKEN_RE)/;
    is req('GET', $feed->{url})->{status}, 200, '/secure/calendar/: no credentials, 200';
    is req('GET', $feed->{url}, undef, { Authorization => 'Basic ' . encode_base64('x:y', '') })
        ->{status}, 200, 'wrong credentials are not even read';
    is sec(undef, GET => '/users/me/')->{status}, 401, 'the rest of /secure/ still needs a login';
    is GET("/calendar/$token.ics")->{status}, 200, 'the same token at another mount';
    is GET("/app/api/calendar/$token.ics")->{status}, 200,
        "and at the web interface's, with no session";
    is GET('/app/api/calendar_feeds/')->{status}, 401, 'where the rest needs a session';
    my $root = POST('/calendar_feeds/', { client => $c1 })->{json};
    like $root->{url}, qr{^\Q${\ url('/calendar/')}\E$TOKEN_RE\.ics$},
        'a feed made at / has its URL at /';
};

subtest 'the database down: 503, and a token of another shape is still 404' => sub {
    my $feed = POST('/calendar_feeds/', { provider => $pp })->{json};
    my $stopped = eval { pg_stop(); 1 };
    ok $stopped, 'database stopped' or diag $@;
    my $res = req('GET', $feed->{url});
    problem_ok($res, 503, 'the calendar');
    like $res->{headers}{'retry-after'} // '', qr/^\d+$/, 'Retry-After';
    problem_ok(GET('/calendar/x.ics'), 404, 'a token of another shape: 404, no database asked');
    problem_ok(GET("/calendar/cal_${\ ('Q' x 43)}.ics"), 503,
               'a well-shaped one: the database would say');
    problem_ok(POST('/calendar_feeds/', { provider => $pp }), 503, 'making a feed');
    my $started = eval { pg_start(); 1 };
    ok $started, 'database started again' or diag $@;
    my $status = 0;
    for (1 .. 50) {
        $status = req('GET', $feed->{url})->{status};
        last if $status == 200;
        sleep 0.2;
    }
    is $status, 200, 'the calendar answers again';
};

finish();
