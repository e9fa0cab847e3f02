# mod_sched's authentication provider (AuthBasicProvider sched): Basic credentials
# checked against the users table, and its cache of passwords that matched. /secure/
# has the shipped settings (SchedAuthCacheTime 5m); /cached/ a 3 s cache and /nocache/
# none, both logging each check at debug level, which this file counts.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(sleep);
use JSON::PP ();
use MIME::Base64 qw(encode_base64);
use SchedTest;

needs_local("needs the test server's /cached and /nocache mounts and error log");

my $TRUE = JSON::PP::true;
my $FALSE = JSON::PP::false;

sub basic {
    my ($name, $password) = @_;
    return { Authorization => 'Basic ' . encode_base64("$name:$password", '') };
}

# GET $at/users/me/ as ($name, $password); the answer.
sub me {
    my ($at, $name, $password) = @_;
    return req('GET', "$at/users/me/", undef, basic($name, $password));
}

# The same from $n processes at once, each with its own connection: several httpd
# children and threads. The statuses.
sub me_racing {
    my ($n, $at, $name, $password) = @_;
    return map { $_->[0] } race($n, sub {
        $_[0]->get(url("$at/users/me/"), { headers => basic($name, $password) });
    });
}

sub refused_ok {
    my ($res, $name) = @_;
    is $res->{status}, 401, "$name: 401";
    like $res->{headers}{'www-authenticate'} // '', qr/^Basic realm="mod_sched"/,
        "$name: the Basic challenge";
}

# Lines of the error log from byte $from on, of check $id (SCHED00402: matched before,
# 00403: refused, 00404: bcrypt matched) for user $name.
sub checks {
    my ($from, $id, $name) = @_;
    open my $fh, '<', $ENV{SCHED_ERROR_LOG} or die "error log: $!";
    seek $fh, $from, 0;
    return scalar grep { /SCHED$id: user \Q$name\E: / } <$fh>;
}

sub log_size { -s $ENV{SCHED_ERROR_LOG} // 0 }

my $pw = 'first-password-' . int(rand 1e9);
my $u = make_user(password => $pw);
my $name = $u->{username};

subtest 'who gets in' => sub {
    my $res = me('/secure', $name, $pw);
    is $res->{status}, 200, 'the right password: 200';
    is $res->{json}{username}, $name, 'as that user';
    for my $round (1 .. 3) {
        is me('/secure', $name, $pw)->{status}, 200, "again ($round): 200";
    }
    refused_ok(me('/secure', $name, "${pw}x"), 'a wrong password after right ones');
    refused_ok(me('/secure', $name, ''), 'an empty password');
    refused_ok(me('/secure', uc $name, $pw), 'the user name in another case');
    refused_ok(me('/secure', uniq('nobody'), $pw), 'an unknown user');
    refused_ok(me('/secure', $name, psql("select password from users where id = $u->{id}")),
               'the stored hash as the password');
    my $inactive_pw = 'inactive-password';
    my $i = make_user(password => $inactive_pw, is_active => $FALSE);
    refused_ok(me('/secure', $i->{username}, $inactive_pw), 'an inactive user');
    refused_ok(req('GET', '/secure/users/me/'), 'no credentials');

    my @right = me_racing(30, '/secure', $name, $pw);
    is scalar(grep { $_ == 200 } @right), 30, 'thirty logins at once: all 200'
        or diag "answers: @right";
    my @wrong = me_racing(10, '/secure', $name, 'wrong');
    is scalar(grep { $_ == 401 } @wrong), 10, 'ten wrong ones at once: all 401'
        or diag "answers: @wrong";
};

subtest 'a changed password, a deactivated or deleted user: refused at once' => sub {
    my $v = make_user(password => 'old-password');
    # Every child process has now checked the old password, and remembers it.
    my @warm = me_racing(20, '/secure', $v->{username}, 'old-password');
    is scalar(grep { $_ == 200 } @warm), 20, 'twenty logins with the old password: 200'
        or diag "answers: @warm";

    is PATCH("/users/$v->{id}/", { password => 'new-password' })->{status}, 200,
        'the password is changed';
    my @old = me_racing(20, '/secure', $v->{username}, 'old-password');
    is scalar(grep { $_ == 401 } @old), 20, 'the old one right after, twenty times: 401'
        or diag "answers: @old";
    my @new = me_racing(20, '/secure', $v->{username}, 'new-password');
    is scalar(grep { $_ == 200 } @new), 20, 'the new one: 200' or diag "answers: @new";

    is PATCH("/users/$v->{id}/", { is_active => $FALSE })->{status}, 200, 'deactivated';
    my @inactive = me_racing(20, '/secure', $v->{username}, 'new-password');
    is scalar(grep { $_ == 401 } @inactive), 20, 'then: 401' or diag "answers: @inactive";

    is PATCH("/users/$v->{id}/", { is_active => $TRUE })->{status}, 200, 'active again';
    is me('/secure', $v->{username}, 'new-password')->{status}, 200, 'then: 200';

    is DELETE("/users/$v->{id}/")->{status}, 204, 'deleted';
    refused_ok(me('/secure', $v->{username}, 'new-password'), 'then');
    my $again = make_user(username => $v->{username}, password => 'another-one');
    refused_ok(me('/secure', $v->{username}, 'new-password'),
               'a new user of the same name, with the deleted one\'s password');
    is me('/secure', $v->{username}, 'another-one')->{status}, 200, 'with its own: 200';
};

subtest 'a password that matched is not checked with bcrypt again' => sub {
    my $w = make_user(password => 'cached-password');
    my $from = log_size();
    for my $i (1 .. 20) {
        is me('/cached', $w->{username}, 'cached-password')->{status}, 200, "login $i";
    }
    my $bcrypt = checks($from, '00404', $w->{username});
    my $before = checks($from, '00402', $w->{username});
    # One check per child process at most (ServerLimit 4), the rest remembered.
    ok $bcrypt >= 1 && $bcrypt <= 4, "bcrypt ran $bcrypt times for 20 logins";
    is $bcrypt + $before, 20, 'every login was either';

    for my $i (1 .. 5) {
        refused_ok(me('/cached', $w->{username}, "wrong-$i"), "wrong password $i");
    }
    is checks($from, '00403', $w->{username}), 5, 'each wrong password was checked';
    is me('/cached', $w->{username}, 'cached-password')->{status}, 200,
        'the right one still: 200';

    sleep 3.5;    # SchedAuthCacheTime 3s at /cached/
    $from = log_size();
    is me('/cached', $w->{username}, 'cached-password')->{status}, 200,
        'after SchedAuthCacheTime: 200';
    is checks($from, '00404', $w->{username}), 1, 'checked with bcrypt again';
    is checks($from, '00402', $w->{username}), 0, 'not from what was remembered';

    $from = log_size();
    for my $i (1 .. 5) {
        is me('/nocache', $w->{username}, 'cached-password')->{status}, 200,
            "SchedAuthCacheTime 0s: login $i";
    }
    is checks($from, '00404', $w->{username}), 5, 'SchedAuthCacheTime 0s: bcrypt every time';
    is checks($from, '00402', $w->{username}), 0, 'nothing remembered';
};

finish();
