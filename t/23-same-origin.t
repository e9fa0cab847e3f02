# Cross-site requests cannot act for a user: where SchedSameOrigin is On (the mount a
# browser's session uses), a write must say it comes from a page of this origin
# (Sec-Fetch-Site: same-origin, or an Origin that is this server's own); a forged
# cross-site write is 403 and changes nothing. Reads are answered: without CORS
# headers no other site can read them.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use SchedTest;

needs_local("needs the test server's /browser mount (SchedSameOrigin On)");

(my $origin = url('')) =~ s{/+\z}{};

sub users_named { psql("SELECT count(*) FROM users WHERE username = '$_[0]'") }

subtest 'a forged cross-site write is refused and changes nothing' => sub {
    for my $forged ([ 'Origin' => 'https://evil.example' ],
                    [ 'Sec-Fetch-Site' => 'cross-site' ],
                    [ 'Sec-Fetch-Site' => 'same-site' ],
                    [ 'Sec-Fetch-Site' => 'none' ],
                    [ 'Sec-Fetch-Site' => 'cross-site', 'Origin' => $origin ],
                    [ 'Origin' => 'null' ],
                    [ 'Origin' => "$origin.evil.example" ],
                    []) {
        my $name = uniq('xs');
        my %h = @$forged;
        my $what = %h ? join(', ', map { "$_: $h{$_}" } sort keys %h) : 'neither header';
        problem_ok(POST('/browser/users/', { username => $name, password => 'password-123' },
                        \%h), 403, "POST with $what");
        is users_named($name), 0, "$what: no user made";
    }
    my $u = make_user(email => 'kept@example.com');
    problem_ok(PATCH("/browser/users/$u->{id}/", { email => 'evil@example.com' },
                     { Origin => 'https://evil.example' }), 403, 'PATCH from another site');
    problem_ok(DELETE("/browser/users/$u->{id}/", { 'Sec-Fetch-Site' => 'cross-site' }), 403,
               'DELETE from another site');
    is GET("/users/$u->{id}/")->{json}{email}, 'kept@example.com', 'the user unchanged, there';
};

subtest 'same-origin writes and any read go through' => sub {
    my $name = uniq('so');
    is POST('/browser/users/', { username => $name, password => 'password-123' },
            { 'Sec-Fetch-Site' => 'same-origin' })->{status}, 201, 'Sec-Fetch-Site: same-origin';
    is users_named($name), 1, 'made';
    $name = uniq('so');
    is POST('/browser/users/', { username => $name, password => 'password-123' },
            { Origin => $origin })->{status}, 201, "Origin: $origin (no Sec-Fetch-Site)";
    is GET('/browser/users/', { 'Sec-Fetch-Site' => 'cross-site' })->{status}, 200,
        'a read from anywhere is answered';
    ok !defined GET('/browser/users/', { Origin => 'https://evil.example' })
        ->{headers}{'access-control-allow-origin'}, 'with no CORS header';
    is POST('/users/', { username => uniq('so'), password => 'password-123' },
            { Origin => 'https://evil.example' })->{status}, 201,
        'elsewhere (SchedSameOrigin Off, the default) nothing is checked';
};

finish();
