# The web interface in a real browser: headless Chromium from Debian, driven over
# WebDriver (chromedriver), against the test run's httpd and PostgreSQL. Signing in
# with httpd's mod_auth_form and a session in PostgreSQL (mod_session_dbd), which a
# second httpd on the same database knows too, and which signing out ends on both;
# the administration's forms, a provider's hours, a client's booking from hold to
# cancel, a race lost by a second browser, what a client and another site may not
# do, a provider's calendar feed. Screenshots of the pages go to the test run's folder (screens/).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Time::HiRes qw(sleep);
use Test::More;
use HTTP::Tiny;
use POSIX ();
use JSON::PP;
use SchedTest;
use WebhookReceiver;

needs_local('starts httpd servers of its own and drives a browser');
use WebDriver;

my $TRUE = JSON::PP::true;

# The background task says what it deleted at info level.
allow_log(qr/SCHED0060[3458]\b/);
# The database stopped on purpose (an outage): the requests of then are 503.
allow_log(qr/SCHED00202\b/);
# The webhook sender, which keeps a connection of its own, says it lost it then.
allow_log(qr/SCHED00702\b/);
my $screens = "$ENV{SCHED_RUNDIR}/screens";
mkdir $screens;

my $admin = make_user(is_superuser => $TRUE, password => 'admin-password-1');
$admin->{password} = 'admin-password-1';

my $browser = WebDriver->start(port => free_port(),
                               log => "$ENV{SCHED_RUNDIR}/chromedriver.log");
END { $browser->quit if $browser }
my $app = url('/app/');

sub shot {
    my ($name) = @_;
    ok $browser->screenshot("$screens/$name.png") > 1000, "screenshot $name.png";
}

sub sign_in {
    my ($user, $password) = @_;
    $browser->get(url('/app/login.html'));
    $browser->type('#username', $user);
    $browser->type('#password', $password);
    $browser->click('button[type=submit]');
}

# The session cookie the browser holds, as a Cookie header.
sub session_cookie {
    my ($c) = grep { $_->{name} eq 'sched_session' } @{ $browser->cookies };
    return $c ? "sched_session=$c->{value}" : undef;
}

subtest 'a wrong password is refused, in words' => sub {
    sign_in($admin->{username}, 'not-the-password');
    like $browser->wait_text('#message', qr/Wrong/), qr/Wrong user name or password/,
        'the sign-in page says so';
    like $browser->url, qr{/app/login\.html\?failed$}, 'back on the sign-in page';
    shot('login-failed');
};

my ($cookie, $second);
subtest 'signing in: a session, known to a second httpd too' => sub {
    sign_in($admin->{username}, $admin->{password});
    like $browser->wait_text('#who', qr/Signed in/), qr/Signed in as \Q$admin->{username}\E/,
        'the start page says who is signed in';
    like $browser->text('#who'), qr/administrator/, 'and the role';
    like $browser->wait_text('#nav', qr/Administration/), qr/Administration/,
        'the menu offers the administration';
    shot('home');
    $cookie = session_cookie();
    ok $cookie, 'a session cookie';
    my ($c) = grep { $_->{name} eq 'sched_session' } @{ $browser->cookies };
    ok $c->{httpOnly}, 'HttpOnly: no script reads it';
    is $c->{sameSite}, 'Strict', 'SameSite=Strict';
    is $browser->execute('return document.cookie'), '', 'the page\'s scripts see no cookie';
    is psql('SELECT count(*) FROM sessions'), 1, 'one session row in PostgreSQL';
    unlike psql('SELECT value FROM sessions'), qr/\Q$admin->{password}\E/,
        'which does not hold the password in clear';
    psql("INSERT INTO sessions (key, value, expiry) VALUES ('ended-session', 'x', 1)");
    $second = start_httpd(extra => 'SchedMaintenanceInterval 1s');
    my $deadline = time + 20;
    sleep 1 while time < $deadline
        && psql("SELECT count(*) FROM sessions WHERE key = 'ended-session'") != 0;
    is psql("SELECT count(*) FROM sessions WHERE key = 'ended-session'"), 0,
        'httpd\'s background task deletes ended sessions';
    is psql('SELECT count(*) FROM sessions'), 1, 'not the live one';
    my $res = HTTP::Tiny->new->get($second->url . '/app/api/users/me/',
                                   { headers => { Cookie => $cookie } });
    is $res->{status}, 200, 'the second httpd knows the session';
    like $res->{content}, qr/"username":"\Q$admin->{username}\E"/, 'as the same user';
};

subtest 'at phone width' => sub {
    $browser->window_size(375, 800);
    $browser->get($app);
    $browser->wait_text('h1', qr/Welcome/);
    cmp_ok $browser->execute('return document.documentElement.scrollWidth'), '<=', 375,
        'nothing wider than the screen';
    shot('home-phone');
    $browser->window_size(1280, 900);
};

my %people;
# A user made through the administration's form: its id.
sub user_by_form {
    my ($name, $password) = @_;
    $browser->get("$app#/admin/users/new");
    $browser->type('#f-username', $name);
    $browser->type('#f-password', $password);
    $browser->click('form.edit button[type=submit]');
    my $url = $browser->wait_url(qr{#/admin/users/\d+$});
    return $url =~ m{/(\d+)$} ? $1 : undef;
}

# The first answer of the page's API whose URL matches $pattern (a regular
# expression) reaches the page 1.5 s late; window.lateDone says when it has.
sub answer_late {
    my ($pattern) = @_;
    $browser->execute(q{
        const re = new RegExp(arguments[0]);
        const real = window.fetch;
        window.lateDone = false;
        let once = false;
        window.fetch = async (url, init) => {
            const res = await real(url, init);
            if (!once && re.test(String(url))) {
                once = true;
                await new Promise((r) => setTimeout(r, 1500));
                window.lateDone = true;
            }
            return res;
        };}, $pattern);
}

# Waits up to 10 s for the late answer of answer_late; whether it came.
sub late_answer_came {
    my $deadline = time + 10;
    sleep 0.2 until $browser->execute('return window.lateDone;') || time > $deadline;
    return $browser->execute('return window.lateDone;');
}

subtest 'administration: users, clients and providers through the forms' => sub {
    $browser->get("$app#/admin/users/new");
    $browser->type('#f-username', 'not a valid name!');
    $browser->type('#f-password', 'password-123');
    $browser->click('form.edit button[type=submit]');
    like $browser->wait_text('#f-username-error', qr/\S/), qr/\S/,
        'a refused user name: the API\'s message beside the field';
    is $browser->execute(q{return document.getElementById('f-username').getAttribute('aria-invalid')}),
        'true', 'the field is marked invalid';
    shot('admin-field-error');
    $browser->clear('#f-username');
    my $cname = 'client_' . time;
    $browser->type('#f-username', $cname);
    $browser->click('form.edit button[type=submit]');
    my ($cid) = $browser->wait_url(qr{#/admin/users/\d+$}) =~ m{/(\d+)$};
    ok $cid, "the user is made ($cname, id " . ($cid // '?') . ')';
    like $browser->wait_text('h1', qr/Users: \d/), qr/Users: $cid/, 'its page';
    shot('admin-user');
    $browser->get("$app#/admin/clients/new");
    $browser->type('#f-user', $cid);
    $browser->click('form.edit button[type=submit]');
    my ($client) = $browser->wait_url(qr{#/admin/clients/\d+$}) =~ m{/(\d+)$};
    ok $client, 'a client record for it, through the form';
    $browser->get("$app#/admin/users/$cid");
    like $browser->wait_text('main', qr/Client record/), qr/Client record \Q$client\E/,
        'the user\'s page links its client record';
    my $pname = 'provider_' . time;
    my $pid = user_by_form($pname, 'password-123');
    ok $pid, 'a second user';
    $browser->get("$app#/admin/providers/new");
    $browser->type('#f-user', $pid);
    $browser->click('form.edit button[type=submit]');
    my ($provider) = $browser->wait_url(qr{#/admin/providers/\d+$}) =~ m{/(\d+)$};
    ok $provider, 'a provider record for it';
    like $browser->wait_text('h1', qr/Providers: \d/), qr/Providers: \Q$provider\E/, 'its page';
    like $browser->wait_text('section', qr/History/), qr/created/, 'which shows its history';
    # The users' list asked for while the provider's page still loads (its history
    # made to answer late): the list is what stays on the screen.
    answer_late('providers/\\d+/history/');
    $browser->execute('window.dispatchEvent(new HashChangeEvent("hashchange"));');
    $browser->get("$app#/admin/users");
    $browser->wait_text('tbody', qr/\Q$cname\E/);
    ok late_answer_came(), 'the provider\'s page answered late';
    sleep 0.5;
    is $browser->text('h1'), 'Users', 'and the users\' list stays';
    $browser->execute('location.reload();');
    $browser->wait_text('tbody', qr/\Q$cname\E/);
    unlike $browser->text('main'), qr/\b(?:null|undefined|NaN)\b/, 'no stray null on the page';
    shot('admin-users');
    %people = (client => { name => $cname, id => $client }, provider => { name => $pname, id => $provider });
};

subtest 'administration: a webhook, its secret shown once, its deliveries sent again' => sub {
    my $r = receiver();
    $browser->get("$app#/admin/webhooks/new");
    $browser->type('#f-url', 'http://10.0.0.1/hook');
    $browser->type('#f-events', 'user.created');
    $browser->click('form.edit button[type=submit]');
    like $browser->wait_text('#f-url-error', qr/\S/), qr/10\.0\.0\.1/,
        'a private address: refused beside the field, naming it';
    my $target = "http://127.0.0.1:$r->{port}/ok";
    $browser->clear('#f-url');
    $browser->type('#f-url', $target);
    $browser->click('form.edit button[type=submit]');
    $browser->find('#secret');
    my $secret = $browser->execute(q{return document.getElementById('secret').value;});
    like $secret, qr{^whsec_[A-Za-z0-9+/]{32,}=*$}, 'its signing secret, shown once';
    is psql("SELECT array_to_string(events, ',') FROM webhooks WHERE url = '$target'"),
        'user.created', 'made with the event types of the form';
    shot('admin-webhook-secret');
    $browser->click('a[href^="#/admin/webhooks/"]');
    my ($hid) = $browser->wait_url(qr{#/admin/webhooks/\d+$}) =~ m{/(\d+)$};
    like $browser->wait_text('h1', qr/Webhooks: \d/), qr/Webhooks: \Q$hid\E/, 'its page';
    unlike $browser->text('main'), qr/whsec_/, 'which does not show the secret';
    ok user_by_form('hooked_' . time, 'password-123'), 'a user is made: an event of its type';
    my $deadline = time + 20;
    sleep 0.2 until received($r, '/ok') || time > $deadline;
    ok scalar(received($r, '/ok')), 'the receiver gets it';
    my $text = '';
    for (1 .. 20) {
        $browser->get("$app#/admin/webhooks/$hid");
        $browser->execute('location.reload();');
        last if ($text = $browser->wait_text('#deliveries', qr/HTTP 204/, 2)) =~ /HTTP 204/;
    }
    like $text, qr/HTTP 204/, 'its page lists the delivery, with the receiver\'s answer';
    $browser->click('#deliveries button');
    like $browser->wait_text('main', qr/sent again/), qr/is being sent again/, 'Send again: said';
    $deadline = time + 20;
    my %seen;
    until (grep { $_ > 1 } values %seen or time > $deadline) {
        %seen = ();
        $seen{ $_->{id} }++ for received($r, '/ok');
        sleep 0.2;
    }
    ok((grep { $_ > 1 } values %seen), 'and done: the receiver gets the same event again');
    unlike $browser->text('main'), qr/\b(?:null|undefined|NaN)\b/, 'no stray null on the page';
    shot('admin-webhook');
    $browser->click('p > button.danger');
    $browser->click('dialog button[value=delete]');
    $browser->wait_url(qr{#/admin/webhooks$});
    is psql("SELECT count(*) FROM webhooks WHERE id = $hid"), 0, 'deleted, through its dialog';
    stop_receiver($r);
};

# Signs $b (a browser) in as $name, on the start page.
sub sign_in_as {
    my ($b, $name, $password) = @_;
    $b->get(url('/app/login.html'));
    $b->type('#username', $name);
    $b->type('#password', $password // 'password-123');
    $b->click('button[type=submit]');
    $b->wait_text('#who', qr/Signed in/);
}

subtest 'a provider publishes hours' => sub {
    $browser->get(url('/app/logout'));
    sign_in_as($browser, $people{provider}{name});
    like $browser->text('#nav'), qr/My week/, 'the menu offers the provider\'s week';
    unlike $browser->text('#nav'), qr/Administration/, 'not the administration';
    $browser->get("$app#/provider");
    $browser->find('#save-hours');
    $browser->click('#add-interval') for 1 .. 7;
    $browser->execute(q{document.querySelectorAll('#intervals select')
        .forEach((s, i) => { s.value = String(i + 1); });});
    $browser->click('#save-hours');
    like $browser->wait_text('#provider-status', qr/saved/), qr/Hours saved/, 'the hours are saved';
    like $browser->wait_text('#calendar', qr/free/), qr/free/, 'its week shows free slots';
    my $date = POSIX::strftime('%m%d%Y', gmtime(time + 20 * 86400));
    $browser->type('#f-odate', $date);
    $browser->click('#other-hours button[type=submit]');
    like $browser->wait_text('#provider-status', qr/that day/), qr/Hours of that day set/,
        'different hours for one date (an override)';
    like $browser->wait_text('#away', qr/10:00/), qr/10:00.14:00/, 'listed';
    shot('provider');
    is psql("SELECT count(*) > 0 FROM slots WHERE provider_id = $people{provider}{id}"), 't',
        'the schedule made slots';
};

subtest 'a provider makes a calendar feed: its URL shown once, then revoked' => sub {
    $browser->get("$app#/provider");
    like $browser->wait_text('#feeds', qr/No feed yet/), qr/Calendar feed/,
        'the provider\'s page offers a calendar feed';
    $browser->click('#make-feed');
    like $browser->wait_text('#provider-status', qr/feed made/), qr/not shown again/,
        'made, and said to be shown once';
    my $url = $browser->execute(q{return document.getElementById('feed-url').value;});
    like $url, qr{^\Q${\ url('/app/api/calendar/')}\E cal_[A-Za-z0-9_-]{43}\.ics$}x,
        'its URL, below the pages\' mount, in a field to copy it from';
    $browser->click('#copy-feed');
    like $browser->wait_text('#provider-status', qr/URL/), qr/cop|Select/,
        'Copy says it copied it (or how to)';
    shot('provider-feed');
    my $res = HTTP::Tiny->new->get($url);
    is $res->{status}, 200, 'a calendar application reads it, with no session';
    like $res->{headers}{'content-type'}, qr{^text/calendar}, 'text/calendar';
    like $res->{content}, qr/^BEGIN:VCALENDAR\r\n/, 'iCalendar';
    $browser->execute('location.reload();');
    like $browser->wait_text('#feed-list', qr/Feed \d+/), qr/Feed \d+, made/,
        'after a reload, the feed is listed';
    ok $browser->execute(q{return document.getElementById('feed-url') === null;}),
        'but its URL is not shown again';
    $browser->click('#feed-list button');
    like $browser->wait_text('#provider-status', qr/revoked/), qr/no longer answers/,
        'revoked from the page';
    is(HTTP::Tiny->new->get($url)->{status}, 404, 'its URL answers 404 at once');
    like $browser->wait_text('#feed-list', qr/No feed/), qr/No feed yet/, 'none left';
};

subtest 'a client books, confirms, reschedules and cancels' => sub {
    $browser->get(url('/app/logout'));
    sign_in_as($browser, $people{client}{name});
    $browser->get("$app#/book");
    $browser->find('#provider');
    $browser->execute(q{const s = document.getElementById('provider'); s.value = arguments[0];
        s.dispatchEvent(new Event('change'));}, $people{provider}{id});
    $browser->click('#next-week');
    my $slot = $browser->find('.slot');
    like $browser->wait_text('#week', qr/\d\d:\d\d/), qr/\(\S+\)/, 'a week of slots, with its zone';
    $browser->click('.slot');
    like $browser->wait_text('#hold', qr/Held for you/), qr/Held for you for \d+:\d\d/,
        'a hold, with its countdown';
    $browser->click('#confirm');
    like $browser->wait_text('#hold', qr/Booked/), qr/It is confirmed/, 'confirmed';
    like $browser->wait_text('#mine', qr/confirmed/), qr/confirmed/, 'among my reservations';
    unlike $browser->text('main'), qr/\b(?:null|undefined|NaN)\b/, 'no stray null on the page';
    shot('book');
    $browser->window_size(375, 800);
    cmp_ok $browser->execute('return document.documentElement.scrollWidth'), '<=', 375,
        'at 375 px, nothing wider than the screen';
    shot('book-phone');
    $browser->window_size(1280, 900);
    $browser->click('#mine button');                   # Reschedule
    $browser->wait_text('#week', qr/Choose the new time/);
    # The list of my reservations asked for after the move answers late (after the
    # cancel's own list): an old answer must not draw the cancelled reservation again.
    answer_late('appointment_reservations/\\?client=');
    $browser->execute(q{document.querySelectorAll('.slot')[1].click();});
    like $browser->wait_text('#book-status', qr/moved/), qr/moved to/, 'rescheduled';
    $browser->click('#mine button.danger');            # Cancel
    like $browser->wait_text('#book-status', qr/Cancelled/), qr/Cancelled/, 'cancelled';
    like $browser->wait_text('#mine', qr/None/), qr/None right now/, 'nothing left';
    ok late_answer_came(), 'the late answer came';
    like $browser->text('#mine'), qr/None right now/, 'and drew nothing over the newer one';
    $browser->execute('location.reload();');
};

subtest 'a hold runs out, and is taken again' => sub {
    $browser->get("$app#/book");
    $browser->find('#provider');
    $browser->execute(q{const s = document.getElementById('provider'); s.value = arguments[0];
        s.dispatchEvent(new Event('change'));}, $people{provider}{id});
    $browser->click('#next-week');
    $browser->find('.slot');
    $browser->click('.slot');
    $browser->wait_text('#hold', qr/Held for you/);
    like $browser->wait_text('#book-status', qr/expired/, 8), qr/has expired/,
        'the hold (3 s in the test server) expires, in words';
    shot('book-expired');
    $browser->click('#hold-again');
    like $browser->wait_text('#hold', qr/Held for you/), qr/Held for you/, 'held again';
};

subtest 'a second browser loses the race for a slot, and is told so' => sub {
    my $other = make_user(password => 'password-123');
    POST('/clients/', { user => $other->{id} });
    my $b2 = WebDriver->start(port => free_port(), log => "$ENV{SCHED_RUNDIR}/chromedriver2.log");
    sign_in_as($b2, $other->{username});
    for my $b ($browser, $b2) {
        $b->get("$app#/book");
        $b->find('#provider');
        $b->execute(q{const s = document.getElementById('provider'); s.value = arguments[0];
            s.dispatchEvent(new Event('change'));}, $people{provider}{id});
        $b->click('#next-week');
        $b->find('.slot');
    }
    my $target = $browser->execute(q{return document.querySelectorAll('.slot')[2].dataset.slot;});
    $browser->execute(q{document.querySelector(`.slot[data-slot="${arguments[0]}"]`).click();}, $target);
    $browser->wait_text('#hold', qr/Held for you/);
    $b2->execute(q{document.querySelector(`.slot[data-slot="${arguments[0]}"]`).click();}, $target);
    like $b2->wait_text('#book-status', qr/taken/), qr/Someone else has just taken this slot/,
        'the second is told the slot was just taken';
    $b2->screenshot("$screens/book-race-lost.png");
    $b2->quit;
};

subtest 'a client cannot use the administration' => sub {
    $browser->get("$app#/admin/users");
    like $browser->wait_text('#view', qr/administrators/), qr/Only administrators/,
        'the page refuses';
    my $res = HTTP::Tiny->new->post(url('/app/api/users/'), { headers => {
        Cookie => session_cookie(), 'Content-Type' => 'application/json',
        'Sec-Fetch-Site' => 'same-origin' }, content => '{"username":"sneaky","password":"password-123"}' });
    is $res->{status}, 403, 'and so does the API';
    is psql("SELECT count(*) FROM users WHERE username = 'sneaky'"), 0, 'nothing made';
};

subtest 'a page of another site cannot act for the signed-in user' => sub {
    my $evil = start_httpd();
    $browser->get($evil->url . '/health/');
    my $out = $browser->execute_async(q{const done = arguments[arguments.length - 1];
        fetch(arguments[0], { method: 'POST', credentials: 'include', mode: 'cors',
          headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(
          { username: 'forged', password: 'password-123' }) })
        .then((r) => done('status ' + r.status), (e) => done('refused: ' + e));},
        url('/app/api/users/'));
    like $out, qr/refused|status 40[13]/, "the browser's forged write fails ($out)";
    is psql("SELECT count(*) FROM users WHERE username = 'forged'"), 0, 'nothing made';
    $evil->stop;
    $browser->get($app);
};

subtest 'a database outage is told, and the page recovers without a reload' => sub {
    $browser->get($app);
    $browser->wait_text('h1', qr/Welcome/);
    pg_stop();
    $browser->execute(q{location.hash = '#/book';});
    like $browser->wait_text('#status', qr/unavailable/), qr/database is unavailable/,
        'the page says the database is away';
    like $browser->url, qr{/app/#/book$}, 'still on the page: the session is not taken for ended';
    shot('outage');
    pg_start();
    like $browser->wait_text('#view', qr/Book an appointment/, 30), qr/Book an appointment/,
        'once it is back, the page loads by itself';
    is $browser->text('#status'), '', 'and the message is gone';
};

subtest 'a session ends with its lifetime, however recently used' => sub {
    my $http = HTTP::Tiny->new(max_redirect => 0);
    my $res = $http->post_form(url('/app/login'), { httpd_username => $admin->{username},
                                                   httpd_password => $admin->{password} });
    my $set = $res->{headers}{'set-cookie'} // '';
    my ($id) = join(' ', ref $set ? @$set : $set) =~ /sched_session=([^;]+)/;
    ok $id, 'signed in without a browser';
    my $me = sub { $http->get(url('/app/api/users/me/'), { headers => { Cookie => "sched_session=$id" } })->{status} };
    is $me->(), 200, 'the session works';
    psql("UPDATE sessions SET created_at = now() - interval '13 hours' WHERE key = '$id'");
    is $me->(), 401, 'begun 13 hours ago: over (12 hours at most)';
};

subtest 'signing out ends the session on every server' => sub {
    $browser->click('#logout');
    like $browser->wait_text('#message', qr/signed out/), qr/You are signed out/,
        'the sign-in page says so';
    is psql("SELECT count(*) FROM sessions WHERE key = '" . ($cookie =~ s/^[^=]*=//r) . "'"),
        0, 'the session row is gone';
    my $res = HTTP::Tiny->new->get($second->url . '/app/api/users/me/',
                                   { headers => { Cookie => $cookie } });
    is $res->{status}, 401, 'the second httpd refuses the old cookie';
    $res = HTTP::Tiny->new->get(url('/app/api/users/me/'), { headers => { Cookie => $cookie } });
    is $res->{status}, 401, 'so does the first';
    $browser->get($app);
    like $browser->wait_url(qr{/app/login\.html$}), qr{/app/login\.html$},
        'the start page sends the browser to sign in';
    $second->stop;
};

subtest 'signing in with the keyboard alone' => sub {
    $browser->get(url('/app/login.html'));
    $browser->find('#username');
    is $browser->active_id, 'username', 'the focus starts on the user name';
    $browser->keys($admin->{username});
    $browser->keys("\x{E004}");
    is $browser->active_id, 'password', 'Tab: the password';
    $browser->keys($admin->{password});
    $browser->keys("\x{E007}");
    like $browser->wait_text('#who', qr/Signed in/), qr/Signed in/, 'Enter: signed in';
    $browser->keys("\x{E004}");
    is $browser->execute('return document.activeElement.className'), 'skip',
        'Tab on the page: the skip link first';
    isnt $browser->execute('return getComputedStyle(document.activeElement).outlineStyle'),
        'none', 'and the focus is visible';
};

subtest 'the pages forbid inline scripts' => sub {
    my $res = HTTP::Tiny->new->get($app);
    my $csp = $res->{headers}{'content-security-policy'} // '';
    like $csp, qr/script-src 'self'/, 'Content-Security-Policy: scripts from this origin';
    unlike $csp, qr/unsafe-inline/, 'and never inline ones';
    unlike $res->{content}, qr/<script>(?!<)/, 'the page has none';
};

$browser->quit;
finish();
