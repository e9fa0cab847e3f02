# httpd's own guards, in every configuration the project ships or runs: TRACE is off
# (it would echo the Authorization header) and mod_reqtimeout bounds slow clients.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use SchedTest;

my $root = $ENV{SCHED_ROOT} // "$FindBin::Bin/..";

subtest 'TRACE is refused' => sub {
    my $res = req('TRACE', '/users/', undef,
                  { Authorization => 'Basic c2VjcmV0OnNlY3JldA==' });
    is $res->{status}, 405, 'TRACE: 405';
    unlike $res->{content}, qr/c2VjcmV0OnNlY3JldA==|Authorization/i,
        'the Authorization header is not echoed';
};

subtest 'every configuration sets the guards' => sub {
    for my $file (qw(conf/dev.conf.in t/conf/test.conf.in bench/httpd.conf.in
                     conf/sched.conf conf/docker.conf)) {
        open my $fh, '<', "$root/$file" or die "$file: $!";
        my $text = do { local $/; <$fh> };
        # Comments do not count.
        $text =~ s/^\s*#.*$//mg;
        like $text, qr/^\s*TraceEnable\s+Off\s*$/mi, "$file: TraceEnable Off";
        like $text, qr/^\s*RequestReadTimeout\s+handshake=\d+\s+header=\d+-\d+,MinRate=\d+\s+body=\d+,MinRate=\d+\s*$/mi,
            "$file: RequestReadTimeout for handshake, header and body";
        if ($file =~ /\.in$/) {
            like $text, qr{^\s*LoadModule\s+reqtimeout_module\s}mi, "$file: loads mod_reqtimeout";
        }
    }
    open my $fh, '<', "$root/conf/sched.load" or die $!;
    like scalar(do { local $/; <$fh> }), qr/^# Depends:.*\breqtimeout\b/m,
        'sched.load: a2enmod sched enables reqtimeout';
};

subtest 'the test server runs with mod_reqtimeout' => sub {
    needs_local("asks the test server's httpd for its modules");
    my ($code, $out) = run_capture($ENV{SCHED_HTTPD}, '-d', $ENV{SCHED_RUNDIR},
        '-f', "$ENV{SCHED_RUNDIR}/httpd.conf", '-t', '-D', 'DUMP_MODULES');
    is $code, 0, 'httpd -M';
    like $out, qr/reqtimeout_module/, 'reqtimeout_module is loaded';
};

finish();
