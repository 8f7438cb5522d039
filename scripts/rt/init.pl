# Prepare a throw-away Request Tracker for linewise's integration test (scripts/with-rt):
# the API user linewise writes as and a front-desk user, their auth tokens (printed),
# the queues of the support lines and the custom fields linewise fills.
use strict;
use warnings;
use lib '/usr/share/request-tracker5/lib';
use RT;
RT::LoadConfig();
RT::Init();

my $system = RT->SystemUser;

# linewise's API user, and a front-desk agent who files the customers' tickets in the test.
my %users;
for my $name ('linewise', 'frontdesk') {
    my $user = RT::User->new($system);
    $user->Load($name);
    unless ($user->Id) {
        my ($ok, $msg) = $user->Create(
            Name => $name, Privileged => 1, EmailAddress => "$name\@linewise.test");
        die "cannot create the user $name: $msg\n" unless $ok;
    }
    # The rights each needs on tickets; granted globally on the test instance.
    for my $right (qw(SeeQueue ShowTicket CreateTicket ModifyTicket CommentOnTicket
                      ShowTicketComments ReplyToTicket SeeCustomField ModifyCustomField
                      ShowOutgoingEmail)) {
        $user->PrincipalObj->GrantRight(Right => $right, Object => RT->System);
    }
    $users{$name} = $user;
}
# The front-desk agent can log in to the web pages (the browser check of the ticket).
$users{frontdesk}->SetPassword('frontdesk-test-pass');

for my $name ('Line 2', 'Line 3', 'Vendor', 'Printers') {
    my $queue = RT::Queue->new($system);
    $queue->Load($name);
    next if $queue->Id;
    my ($ok, $msg) = $queue->Create(Name => $name, Description => "linewise test: $name");
    die "cannot create queue $name: $msg\n" unless $ok;
}

for my $name ('linewise fault', 'linewise packs', 'linewise case', 'Asset tag') {
    my $cf = RT::CustomField->new($system);
    $cf->LoadByName(Name => $name, LookupType => RT::Ticket->CustomFieldLookupType);
    unless ($cf->Id) {
        my ($ok, $msg) = $cf->Create(
            Name => $name, Type => 'FreeformSingle',
            LookupType => RT::Ticket->CustomFieldLookupType);
        die "cannot create custom field $name: $msg\n" unless $ok;
    }
    $cf->AddToObject(RT::Queue->new($system));   # applied to every queue
}

# One token per user, printed in that order (linewise's first), and nothing else on stdout.
for my $name ('linewise', 'frontdesk') {
    my $token = RT::AuthToken->new($system);
    my ($ok, $msg, $auth) = $token->Create(Owner => $users{$name}->Id, Description => 'test');
    die "cannot create the auth token of $name: $msg\n" unless $ok;
    print "$auth\n";
}
