# Directive values are checked when httpd reads its configuration: a bad value stops
# `httpd -t` with a message naming the directive; good values pass.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use SchedTest;

needs_local('checks configurations with httpd -t');

my @BAD = (
    [ SchedSlotLength         => '90x' ],
    [ SchedSlotLength         => '15' ],
    [ SchedSlotLength         => '2m' ],
    [ SchedSlotLength         => 'm' ],
    [ SchedSlotLength         => '' ],
    [ SchedHoldTime           => '-5m' ],
    [ SchedHoldTime           => '5 m' ],
    [ SchedMinNotice          => 'm' ],
    [ SchedWindow             => '99999999999999999999d' ],
    [ SchedWindow             => '7w' ],
    [ SchedPageSize           => '0' ],
    [ SchedPageSize           => '1001' ],
    [ SchedPageSize           => 'abc' ],
    [ SchedPageSize           => '-1' ],
    [ SchedPageSize           => '10x' ],
    [ SchedMaxBody            => '12q' ],
    [ SchedMaxBody            => '-1' ],
    [ SchedNaiveTimeZone      => '"../etc/passwd"' ],
    [ SchedNaiveTimeZone      => '/etc/passwd' ],
    [ SchedNaiveTimeZone      => 'Mars/Olympus_Mons' ],
    [ SchedPublicAvailability => 'maybe' ],
    [ SchedOpenAccess         => 'yes' ],
    [ SchedAuthCacheTime      => '2d' ],
    [ SchedAuthCacheTime      => '-1s' ],
    [ SchedAuthCacheTime      => 'forever' ],
    [ SchedPoolWait           => '6m' ],
    [ SchedPoolWait           => '-1s' ],
    [ SchedPoolWait           => '3' ],
);

my @GOOD = (
    [ SchedSlotLength         => '30m' ],
    [ SchedSlotLength         => '1h' ],
    [ SchedHoldTime           => '90s' ],
    [ SchedMinNotice          => '2h' ],
    [ SchedWindow             => '14d' ],
    [ SchedPageSize           => '50' ],
    [ SchedPageSize           => '1' ],
    [ SchedPageSize           => '1000' ],
    [ SchedMaxBody            => '1m' ],
    [ SchedMaxBody            => '64k' ],
    [ SchedNaiveTimeZone      => 'Europe/Paris' ],
    [ SchedNaiveTimeZone      => 'UTC' ],
    [ SchedPublicAvailability => 'On' ],
    [ SchedPublicAvailability => 'Off' ],
    [ SchedOpenAccess         => 'On' ],
    [ SchedOpenAccess         => 'Off' ],
    [ SchedAuthCacheTime      => '0s' ],
    [ SchedAuthCacheTime      => '5m' ],
    [ SchedPoolWait           => '0s' ],
    [ SchedPoolWait           => '3s' ],
    [ SchedPoolWait           => '5m' ],
);

sub location {
    my ($lines) = @_;
    return "<Location /x>\n" . join('', map { "    $_->[0] $_->[1]\n" } @$lines)
        . "</Location>\n";
}

subtest 'the test configuration itself is valid' => sub {
    my ($exit, $output) = httpd_configtest('');
    is $exit, 0, 'httpd -t passes with nothing added' or diag $output;
};

subtest 'bad values stop httpd -t and name the directive' => sub {
    for my $case (@BAD) {
        my ($directive, $value) = @$case;
        my ($exit, $output) = httpd_configtest(location([ $case ]));
        isnt $exit, 0, "$directive $value: httpd -t fails";
        like $output, qr/\Q$directive\E/, "$directive $value: the output names it"
            or diag $output;
        unlike $output, qr/Invalid command/, "$directive $value: a known directive"
            or diag $output;
    }
};

subtest 'bad values at server level too' => sub {
    for my $case ([ SchedPageSize => '0' ], [ SchedHoldTime => '-5m' ]) {
        my ($directive, $value) = @$case;
        my ($exit, $output) = httpd_configtest("$directive $value\n");
        isnt $exit, 0, "$directive $value outside any Location: httpd -t fails";
        like $output, qr/\Q$directive\E/, 'and names it' or diag $output;
    }
};

subtest 'good values pass' => sub {
    for my $case (@GOOD) {
        my ($directive, $value) = @$case;
        my ($exit, $output) = httpd_configtest(location([ $case ]));
        is $exit, 0, "$directive $value passes" or diag $output;
    }
    my %last = map { $_->[0] => $_ } @GOOD;
    my ($exit, $output) = httpd_configtest(location([ map { $last{$_} } sort keys %last ]));
    is $exit, 0, 'all directives together pass' or diag $output;
    ($exit, $output) = httpd_configtest("SchedPageSize 50\nSchedMaxBody 1m\n");
    is $exit, 0, 'at server level too' or diag $output;
};

subtest 'SchedMaintenanceInterval: main server only, 1s to its maximum' => sub {
    for my $value ('0s', '-1h', '1', 'hourly', '400d') {
        my ($exit, $output) = httpd_configtest("SchedMaintenanceInterval $value\n");
        isnt $exit, 0, "SchedMaintenanceInterval $value: httpd -t fails";
        like $output, qr/SchedMaintenanceInterval/, 'and names it' or diag $output;
    }
    for my $value ('1s', '10m', '1h', '1d') {
        my ($exit, $output) = httpd_configtest("SchedMaintenanceInterval $value\n");
        is $exit, 0, "SchedMaintenanceInterval $value passes" or diag $output;
    }
    my ($exit, $output) = httpd_configtest(location([ [ SchedMaintenanceInterval => '1h' ] ]));
    isnt $exit, 0, 'refused inside <Location>';
    like $output, qr/SchedMaintenanceInterval/, 'naming it' or diag $output;
    ($exit, $output) = httpd_configtest("<VirtualHost *:1>\n    SchedMaintenanceInterval 1h\n"
                                        . "</VirtualHost>\n");
    isnt $exit, 0, 'refused inside <VirtualHost>: one task serves every server';
    like $output, qr/SchedMaintenanceInterval/, 'naming it' or diag $output;
};

subtest 'the webhook directives: main server only, values checked' => sub {
    my %bad = (
        SchedWebhookAllow => [ '10.0.0.1/8', '300.0.0.0/8', 'localhost', '::/129', 'pub',
                               '10.0.0.0/x' ],
        SchedWebhookTimeout => [ '0s', '10', '6m', 'soon' ],
        SchedWebhookRetries => [ '0s', '1s 2x', '8d', join(' ', ('1s') x 21) ],
        SchedWebhookParallel => [ '0', '65', 'many', '-1' ],
    );
    my %good = (
        SchedWebhookAllow => [ 'public', '127.0.0.0/8', 'public 127.0.0.0/8 ::1/128',
                               '0.0.0.0/0 ::/0', '10.1.2.3' ],
        SchedWebhookTimeout => [ '1s', '10s', '5m' ],
        SchedWebhookRetries => [ '1s', '5s 5m 30m 2h 5h 10h 10h', '7d' ],
        SchedWebhookParallel => [ '1', '8', '64' ],
    );
    for my $d (sort keys %bad) {
        for my $value (@{ $bad{$d} }) {
            my ($exit, $output) = httpd_configtest("$d $value\n");
            isnt $exit, 0, "$d $value: httpd -t fails";
            like $output, qr/$d/, 'and names it' or diag $output;
        }
        for my $value (@{ $good{$d} }) {
            my ($exit, $output) = httpd_configtest("$d $value\n");
            is $exit, 0, "$d $value passes" or diag $output;
        }
        my ($exit, $output) = httpd_configtest(location([ [ $d => $good{$d}[0] ] ]));
        isnt $exit, 0, "$d refused inside <Location>";
        ($exit, $output) = httpd_configtest("<VirtualHost *:1>\n    $d $good{$d}[0]\n"
                                            . "</VirtualHost>\n");
        isnt $exit, 0, "$d refused inside <VirtualHost>: one sender serves every server";
        like $output, qr/$d/, 'naming it' or diag $output;
    }
};

subtest 'SchedOpenAccess On warns at start-up' => sub {
    my ($exit, $output) = httpd_configtest(location([ [ SchedOpenAccess => 'On' ] ]));
    is $exit, 0, 'passes';
    like $output, qr{SchedOpenAccess.*/x\b}, 'with a warning naming it and where'
        or diag $output;
    ($exit, $output) = httpd_configtest(location([ [ SchedOpenAccess => 'Off' ] ]));
    unlike $output, qr{SchedOpenAccess.*/x\b}, 'no warning for Off' or diag $output;
};

subtest 'SchedMaxBody and SchedPageSize apply where they are set' => sub {
    my $server = start_httpd(extra => "<Location /small>\n    SetHandler sched\n"
                                      . "    SchedMaxBody 1k\n"
                                      . "    SchedPageSize 1\n</Location>\n");
    my $body = sub {
        my ($pad) = @_;
        return encode_json({ username => uniq('cfg'), password => 'long enough',
                             padding => 'x' x $pad });
    };
    my $json = { 'Content-Type' => 'application/json' };
    problem_ok(POST("$server->{url}/small/users/", $body->(2000), $json), 413,
               '2000 bytes under SchedMaxBody 1k');
    my $res = POST("$server->{url}/small/users/", $body->(500), $json);
    is $res->{status}, 201, '500 bytes fit' or diag $res->{content};
    is $res->{headers}{location}, "$server->{url}/small/users/$res->{json}{id}/",
        'Location under /small/';
    $res = POST("$server->{url}/users/", $body->(2000), $json);
    is $res->{status}, 201, 'elsewhere the default 64k applies' or diag $res->{content};

    $res = GET("$server->{url}/small/users/");
    is scalar @{ $res->{json} || [] }, 1, 'SchedPageSize 1: one row per page';
    like $res->{headers}{link} // '', qr{^<\Q$server->{url}\E/small/users/\?[^>]*limit=1\b},
        'Link with limit=1 under /small/';
    $server->stop;
};

finish();
