package WebhookReceiver;
# Webhook receivers for the tests: t/lib/webhook_receiver.py on a port of 127.0.0.1,
# and what it was sent.
#
#   my $r = receiver();          # a free port, or receiver($port)
#   ... point a webhook at "http://127.0.0.1:$r->{port}/ok" ...
#   my @requests = received($r);          # in order; received($r, '/ok'): one path
#   stop_receiver($r);
#
# Each request is {"path", "id", "timestamp", "signature", "body", "at"}; the paths
# the receiver answers are in webhook_receiver.py. Receivers left running are stopped
# when the test ends.
use strict;
use warnings;
use Exporter 'import';
use FindBin;
use JSON::PP;
use POSIX ();
use SchedTest qw(free_port slurp);

our @EXPORT = qw(receiver stop_receiver received);

my $JSON = JSON::PP->new->utf8->canonical;
my %receivers;

sub receiver {
    my ($port) = @_;
    $port //= free_port();
    my $log = "$ENV{SCHED_RUNDIR}/receiver-$$-$port.log";
    my $pid = open(my $fh, '-|');
    die "cannot fork: $!" unless defined $pid;
    if (!$pid) {
        exec 'python3', "$FindBin::Bin/lib/webhook_receiver.py", $port, $log
            or POSIX::_exit(127);
    }
    my $ready = <$fh>;
    die "the receiver on $port did not start" unless defined $ready && $ready =~ /ready/;
    my $r = { port => $port, log => $log, pid => $pid, fh => $fh };
    $receivers{$pid} = $r;
    return $r;
}

sub stop_receiver {
    my ($r) = @_;
    kill 'TERM', $r->{pid};
    close $r->{fh};
    delete $receivers{ $r->{pid} };
}

# What a receiver got, in order; with a path, only the requests to it.
sub received {
    my ($r, $path) = @_;
    my @all = -f $r->{log} ? (map { $JSON->decode($_) } split /\n/, slurp($r->{log})) : ();
    return grep { !defined $path || $_->{path} eq $path } @all;
}

END { kill 'TERM', $_ for keys %receivers }

1;
