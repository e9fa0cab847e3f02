# Uniqueness under concurrency: many clients at once (separate processes and
# connections, against httpd's real MPM) ask for the same unique thing; exactly one
# wins and every other one gets 409, never a 5xx.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use HTTP::Tiny;
use JSON::PP;
use SchedTest;

needs_db('counts rows with psql');

my $CHILDREN = 40;

# Sends the same POST from $CHILDREN processes released at the same moment (race());
# returns the list of statuses (one per child; 0 when a child reported nothing).
sub concurrent_posts {
    my ($path, $body) = @_;
    my $target = url($path);
    my $content = encode_json($body);
    return map { $_->[0] } race($CHILDREN, sub {
        $_[0]->request('POST', $target, {
            headers => { 'Content-Type' => 'application/json' }, content => $content });
    });
}

sub tally {
    my %count;
    $count{$_}++ for @_;
    return \%count;
}

subtest "$CHILDREN concurrent POST /users/ with one username" => sub {
    my $name = uniq('race');
    my $count = tally(concurrent_posts('/users/', { username => $name,
                                                    password => 'same password' }));
    is $count->{201} // 0, 1, 'exactly one 201';
    is $count->{409} // 0, $CHILDREN - 1, 'every other one 409'
        or diag explain $count;
    ok !grep({ $_ >= 500 || $_ == 0 } keys %$count), 'no 5xx, no lost answer';
    is psql("select count(*) from users where username = '$name'"), 1, 'one row';
};

for my $resource (qw(clients providers)) {
    subtest "$CHILDREN concurrent POST /$resource/ for one user" => sub {
        my $u = make_user();
        my $count = tally(concurrent_posts("/$resource/", { user => $u->{id} }));
        is $count->{201} // 0, 1, 'exactly one 201';
        is $count->{409} // 0, $CHILDREN - 1, 'every other one 409'
            or diag explain $count;
        ok !grep({ $_ >= 500 || $_ == 0 } keys %$count), 'no 5xx, no lost answer';
        is psql("select count(*) from $resource where user_id = $u->{id}"), 1, 'one row';
    };
}

subtest "$CHILDREN concurrent POST /users/ with different usernames" => sub {
    # Not a race for one row, but for the pool: every request must be served.
    my $prefix = uniq('many');
    my $target = url('/users/');
    my @statuses = map { $_->[0] } race($CHILDREN, sub {
        my ($http, $n) = @_;
        $http->request('POST', $target, {
            headers => { 'Content-Type' => 'application/json' },
            content => encode_json({ username => "$prefix-$n", password => 'pw pw pw pw' }),
        });
    });
    my $count = tally(@statuses);
    is $count->{201} // 0, $CHILDREN, 'every one 201' or diag explain $count;
    is psql("select count(*) from users where username like '$prefix-%'"), $CHILDREN,
        "$CHILDREN rows";
};

finish();
