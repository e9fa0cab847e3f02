# The web interface in a real browser: headless Chromium from Debian, driven over
# WebDriver (chromedriver), against the test run's httpd and PostgreSQL. Signing in
# with httpd's mod_auth_form and a session in PostgreSQL (mod_session_dbd), which a
# second httpd on the same database knows too, and which signing out ends on both.
# Screenshots of the pages go to the test run's folder (screens/).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use HTTP::Tiny;
use JSON::PP;
use SchedTest;
use WebDriver;

my $TRUE = JSON::PP::true;

# The background task says what it deleted at info level.
allow_log(qr/SCHED0060[3458]\b/);
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
    is $browser->text('#role'), 'administrator', 'and the role';
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
    $browser->wait_text('#who', qr/Signed in/);
    cmp_ok $browser->execute('return document.documentElement.scrollWidth'), '<=', 375,
        'nothing wider than the screen';
    shot('home-phone');
    $browser->window_size(1280, 900);
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
    like $browser->url, qr{/app/login\.html$}, 'the start page sends the browser to sign in';
    $second->stop;
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
