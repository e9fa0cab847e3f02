# schedctl createsuperuser: creates an active superuser whose bcrypt hash httpd accepts,
# refuses what the API refuses, never overwrites a user unless told to (--update).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use File::Temp ();
use IPC::Open3 ();
use SchedTest;

needs_local("runs schedctl on make test's database");
use Test::More;

my $schedctl = $ENV{SCHED_SCHEDCTL} // "$ENV{SCHED_ROOT}/tools/schedctl";
my $dsn = $ENV{SCHED_DSN};
my $htpasswd = '/usr/bin/htpasswd';

# Run schedctl createsuperuser with INPUT on its standard input (a pipe); returns
# (exit code, stdout and stderr together).
sub createsuperuser {
    my ($input, @args) = @_;
    local $SIG{PIPE} = 'IGNORE';        # it may exit before reading its input
    my $pid = IPC::Open3::open3(my $in, my $out, undef,
                                $schedctl, '--dsn', $dsn, 'createsuperuser', @args);
    print {$in} $input;
    close $in;
    my $text = do { local $/; <$out> } // '';
    waitpid $pid, 0;
    return ($? >> 8, $text);
}

sub quote {
    my ($s) = @_;
    return "'" . ($s =~ s/'/''/gr) . "'";
}

# is_superuser|is_active|password|email of USERNAME, or '' when there is no such user.
sub user_row {
    my ($username) = @_;
    return psql('select is_superuser, is_active, password, email from users'
                . ' where username = ' . quote($username));
}

sub user_count {
    my ($username) = @_;
    return psql('select count(*) from users where username = ' . quote($username));
}

# Exit code of htpasswd -v for USERNAME:HASH and PASSWORD: 0 when it matches. This is
# APR's apr_password_validate, which mod_authn_dbd uses too.
sub htpasswd_verify {
    my ($username, $hash, $password) = @_;
    my $file = File::Temp->new;
    print {$file} "$username:$hash\n";
    close $file;
    my ($code) = run_capture($htpasswd, '-vb', $file->filename, $username, $password);
    return $code;
}

subtest 'creates an active superuser with a bcrypt hash' => sub {
    my $name = uniq('root');
    my $password = 'correct horse 1';
    my ($code, $out) = createsuperuser("$password\n", '--username', $name,
                                       '--email', 'root@example.org', '--password-stdin');
    is $code, 0, 'exit 0' or diag $out;
    is $out, "superuser $name created\n", 'says so';
    my ($superuser, $active, $hash, $email) = split /\|/, user_row($name);
    is $superuser, 't', 'is_superuser';
    is $active, 't', 'is_active';
    is $email, 'root@example.org', 'email';
    like $hash, qr/^\$2y\$10\$[.\/A-Za-z0-9]{53}$/, 'a bcrypt hash';
    unlike $hash, qr/\Q$password\E/, 'not the password';
  SKIP: {
        skip "$htpasswd is missing (apache2-utils)", 2 unless -x $htpasswd;
        is htpasswd_verify($name, $hash, $password), 0, 'APR accepts the password';
        isnt htpasswd_verify($name, $hash, 'correct horse 2'), 0,
            'and refuses another one';
    }
};

subtest 'no email and a CRLF line end: email empty, line end not part of the password' => sub {
    my $name = uniq('crlf');
    my ($code, $out) = createsuperuser("pass-word-crlf\r\nignored\n", '--username', $name,
                                       '--password-stdin');
    is $code, 0, 'exit 0' or diag $out;
    my (undef, undef, $hash, $email) = split /\|/, user_row($name), -1;
    is $email, '', 'email empty';
  SKIP: {
        skip "$htpasswd is missing (apache2-utils)", 1 unless -x $htpasswd;
        is htpasswd_verify($name, $hash, 'pass-word-crlf'), 0, 'the first line, without CRLF';
    }
};

subtest 'an existing username: refused, nothing changes' => sub {
    my $name = uniq('twice');
    my ($code, $out) = createsuperuser("first-password\n", '--username', $name,
                                       '--password-stdin');
    is $code, 0, 'first create' or diag $out;
    my $before = user_row($name);
    ($code, $out) = createsuperuser("second-password\n", '--username', $name,
                                    '--email', 'x@example.org', '--password-stdin');
    is $code, 1, 'second create: exit 1';
    like $out, qr/a user named "\Q$name\E" exists already/, 'says why';
    like $out, qr/--update/, 'and names --update';
    is user_row($name), $before, 'the row is unchanged';
    is user_count($name), 1, 'one user of that name';
};

subtest '--update gives an existing user the password and makes it a superuser' => sub {
    my $name = uniq('plain');
    my $old_hash = '$2y$10$' . ('a' x 53);
    psql('insert into users (username, password, email, is_superuser, is_active)'
         . ' values (' . quote($name) . ', ' . quote($old_hash)
         . q{, 'old@example.org', false, false)});
    my ($code, $out) = createsuperuser("new-password-1\n", '--username', $name,
                                       '--password-stdin', '--update');
    is $code, 0, 'exit 0' or diag $out;
    is $out, "superuser $name updated\n", 'says updated';
    my ($superuser, $active, $hash, $email) = split /\|/, user_row($name);
    is $superuser, 't', 'is_superuser now';
    is $active, 't', 'is_active now';
    isnt $hash, $old_hash, 'a new hash';
    is $email, 'old@example.org', 'the email stays when none is given';
  SKIP: {
        skip "$htpasswd is missing (apache2-utils)", 1 unless -x $htpasswd;
        is htpasswd_verify($name, $hash, 'new-password-1'), 0, 'the new password works';
    }
    ($code, $out) = createsuperuser("new-password-2\n", '--username', $name,
                                    '--email', 'new@example.org', '--password-stdin',
                                    '--update');
    is $code, 0, 'again with --email' or diag $out;
    is((split /\|/, user_row($name))[3], 'new@example.org', 'the email given is set');
    is user_count($name), 1, 'still one user of that name';

    my $fresh = uniq('fresh');
    ($code, $out) = createsuperuser("new-password-3\n", '--username', $fresh,
                                    '--password-stdin', '--update');
    is $code, 0, '--update of a user that does not exist' or diag $out;
    is $out, "superuser $fresh created\n", 'creates it';
};

subtest 'what the API refuses is refused, and nothing is stored' => sub {
    my @cases = (
        ['username with a space', 'has space',  'password-ok', undef],
        ['username of 151 chars', 'u' x 151,    'password-ok', undef],
        ['non-ASCII username',    "j\xc3\xa9r\xc3\xb4me", 'password-ok', undef],
        ['empty username',        '',           'password-ok', undef],
        ['password of 7 bytes',   undef,        'seven77',     undef],
        ['password of 73 bytes',  undef,        'p' x 73,      undef],
        ['empty password',        undef,        '',            undef],
        ['email without @',       undef,        'password-ok', 'nobody.example.org'],
        ['email with a space',    undef,        'password-ok', 'no body@example.org'],
        ['email with two @',      undef,        'password-ok', 'a@b@example.org'],
        ['email of 255 chars',    undef,        'password-ok', ('e' x 243) . '@example.org'],
    );
    for my $case (@cases) {
        my ($what, $name, $password, $email) = @$case;
        $name //= uniq('refused');
        my ($code, $out) = createsuperuser("$password\n", '--username', $name,
                                           defined $email ? ('--email', $email) : (),
                                           '--password-stdin');
        isnt $code, 0, "$what: refused";
        like $out, qr/^schedctl: the (?:username|password|email) /m, "$what: says why"
            or diag $out;
        is user_count($name), 0, "$what: no user";
    }
    my $name = uniq('long');
    my ($code, $out) = createsuperuser(('p' x 72) . "\n", '--username', $name,
                                       '--password-stdin');
    is $code, 0, 'a password of 72 bytes is fine' or diag $out;
};

subtest 'usage errors' => sub {
    my ($code, $out) = createsuperuser("password-ok\n", '--password-stdin');
    is $code, 2, '--password-stdin without --username: exit 2';
    like $out, qr/--password-stdin needs --username/, 'says so';
    ($code, $out) = createsuperuser("password-ok\n", '--username', uniq('pipe'));
    is $code, 2, 'no terminal and no --password-stdin: exit 2';
    like $out, qr/not a terminal/, 'says so';
    ($code, $out) = createsuperuser('', '--username', uniq('none'), '--password-stdin');
    is $code, 1, 'nothing on standard input: exit 1';
    like $out, qr/no password on standard input/, 'says so';
    ($code, $out) = run_capture($schedctl, '--dsn', $dsn, '--update', 'migrate');
    is $code, 2, 'a createsuperuser option with migrate: exit 2';
};

# The questions on a terminal: script(1) gives schedctl a pseudo-terminal.
subtest 'on a terminal: asks, and a mismatch is asked again' => sub {
    my $script = '/usr/bin/script';
    plan skip_all => "$script is missing (util-linux)" unless -x $script;
    my $name = uniq('tty');
    my $command = "'$schedctl' --dsn '$dsn' createsuperuser";
    my $input = "$name\ntty\@example.org\nfirst-try-1\nsecond-try-2\n"
              . "tty-password\ntty-password\n";
    my ($code, $out) = createsuperuser_tty($script, $command, $input);
    is $code, 0, 'exit 0' or diag $out;
    like $out, qr/Username: /, 'asks for the username';
    like $out, qr/the passwords do not match/, 'refuses a mismatch';
    like $out, qr/superuser \Q$name\E created/, 'then creates it';
    my ($superuser, undef, $hash, $email) = split /\|/, user_row($name);
    is $superuser, 't', 'a superuser';
    is $email, 'tty@example.org', 'with the email typed';
  SKIP: {
        skip "$htpasswd is missing (apache2-utils)", 1 unless -x $htpasswd;
        is htpasswd_verify($name, $hash, 'tty-password'), 0, 'and the password typed twice';
    }
};

sub createsuperuser_tty {
    my ($script, $command, $input) = @_;
    local $SIG{PIPE} = 'IGNORE';
    my $pid = IPC::Open3::open3(my $in, my $out, undef,
                                $script, '-qefc', $command, '/dev/null');
    print {$in} $input;
    close $in;
    my $text = do { local $/; <$out> } // '';
    waitpid $pid, 0;
    return ($? >> 8, $text);
}

finish();
