package WebDriver;
# A small WebDriver client (W3C protocol over HTTP, JSON::PP and HTTP::Tiny only) for
# headless Chromium through Debian's chromedriver: what the browser tests need.
use strict;
use warnings;

use HTTP::Tiny;
use JSON::PP;
use MIME::Base64 qw(decode_base64);
use POSIX ();
use Time::HiRes qw(time sleep);

my $JSON = JSON::PP->new->utf8->canonical;
my $ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

# WebDriver->start(port => P, log => FILE): chromedriver on 127.0.0.1:P and one
# headless Chromium session (window 1280x900). Stopped by ->quit (and at exit).
sub start {
    my ($class, %o) = @_;
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', $o{log} or POSIX::_exit(1);
        open STDERR, '>&', \*STDOUT;
        exec '/usr/bin/chromedriver', "--port=$o{port}" or POSIX::_exit(127);
    }
    my $self = bless { pid => $pid, base => "http://127.0.0.1:$o{port}", owner => $$,
                       http => HTTP::Tiny->new(timeout => 60) }, $class;
    my $deadline = time + 20;
    until ($self->{http}->get("$self->{base}/status")->{success}) {
        die "chromedriver did not start (see $o{log})" if time > $deadline;
        sleep 0.1;
    }
    my $caps = { capabilities => { alwaysMatch => { browserName => 'chrome',
        'goog:chromeOptions' => { binary => '/usr/bin/chromium',
            args => [ '--headless=new', '--no-sandbox', '--disable-gpu',
                      '--disable-dev-shm-usage', '--window-size=1280,900' ] } } } };
    my $res = $self->_call('POST', '/session', $caps);
    $self->{session} = $res->{sessionId} or die 'no WebDriver session';
    return $self;
}

sub _call {
    my ($self, $method, $path, $body) = @_;
    my $res = $self->{http}->request($method, $self->{base} . $path, {
        headers => { 'Content-Type' => 'application/json' },
        defined $body ? (content => $JSON->encode($body)) : () });
    my $json = eval { $JSON->decode($res->{content}) } // {};
    die "WebDriver $method $path: $res->{status} " . ($json->{value}{message} // $res->{content})
        unless $res->{success};
    return $json->{value} // $json;
}

sub _s { my ($self, $method, $path, $body) = @_;
         return $self->_call($method, "/session/$self->{session}$path", $body) }

sub get      { my ($self, $url) = @_; $self->_s('POST', '/url', { url => $url }) }
sub url      { $_[0]->_s('GET', '/url') }
sub title    { $_[0]->_s('GET', '/title') }
sub execute  { my ($self, $script, @args) = @_;
               $self->_s('POST', '/execute/sync', { script => $script, args => \@args }) }
sub cookies  { $_[0]->_s('GET', '/cookie') }
# Keys typed into whatever has the focus, as a keyboard would ("\x{E004}" Tab,
# "\x{E007}" Enter).
sub keys {
    my ($self, $text) = @_;
    my $el = $self->_s('GET', '/element/active');
    $self->_s('POST', "/element/$el->{$ELEMENT}/value", { text => $text });
}
sub active_id { my ($self) = @_; $self->execute('return document.activeElement.id') }
# Runs an asynchronous script: its last argument is the callback that ends it.
sub execute_async { my ($self, $script, @args) = @_;
                    $self->_s('POST', '/execute/async', { script => $script, args => \@args }) }
sub window_size { my ($self, $w, $h) = @_;
                  $self->_s('POST', '/window/rect', { width => $w, height => $h }) }

# The element that CSS selector $css finds (waits up to 10 s), or dies.
sub find {
    my ($self, $css) = @_;
    my $deadline = time + 10;
    while (1) {
        my $el = eval { $self->_s('POST', '/element', { using => 'css selector', value => $css }) };
        return $el->{$ELEMENT} if $el && $el->{$ELEMENT};
        die "no element $css on " . $self->url if time > $deadline;
        sleep 0.1;
    }
}

sub click { my ($self, $css) = @_; $self->_s('POST', '/element/' . $self->find($css) . '/click', {}) }
sub type  { my ($self, $css, $text) = @_;
            $self->_s('POST', '/element/' . $self->find($css) . '/value', { text => $text }) }
sub text  { my ($self, $css) = @_; $self->_s('GET', '/element/' . $self->find($css) . '/text') }
sub clear { my ($self, $css) = @_; $self->_s('POST', '/element/' . $self->find($css) . '/clear', {}) }

# Waits up to $seconds for the page's URL to match $re; returns it.
sub wait_url {
    my ($self, $re, $seconds) = @_;
    my $deadline = time + ($seconds // 10);
    my $url = '';
    while (time < $deadline) {
        $url = $self->url;
        return $url if $url =~ $re;
        sleep 0.1;
    }
    return $url;
}

# Waits up to $seconds for the text of $css to match $re; returns the text.
sub wait_text {
    my ($self, $css, $re, $seconds) = @_;
    my $deadline = time + ($seconds // 10);
    my $text = '';
    while (time < $deadline) {
        $text = eval { $self->text($css) } // '';
        return $text if $text =~ $re;
        sleep 0.1;
    }
    return $text;
}

# A PNG of the page in $file.
sub screenshot {
    my ($self, $file) = @_;
    my $png = decode_base64($self->_s('GET', '/screenshot'));
    open my $fh, '>:raw', $file or die "$file: $!";
    print {$fh} $png;
    close $fh;
    return -s $file;
}

sub quit {
    my ($self) = @_;
    return if $self->{quit}++ || $self->{owner} != $$;
    eval { $self->_s('DELETE', '') } if $self->{session};
    kill 'TERM', $self->{pid};
    waitpid $self->{pid}, 0;
}

sub DESTROY { $_[0]->quit }

1;
