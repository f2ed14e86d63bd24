using Sportello.Features.Accounts;

namespace Sportello.Features.Mail;

/// <summary>The <c>Sportello:Mail</c> section (CONTRACT.md; docs/configuration.md lists every key).</summary>
public sealed class MailOptions
{
    public const string Section = "Sportello:Mail";

    public string SupportAddress { get; set; } = "support@sportello.local";
    public string AbuseAddress { get; set; } = "abuse@sportello.local";
    /// <summary>Inbound SMTP endpoint, host:port; empty disables the listener.</summary>
    public string? SmtpListen { get; set; } = "127.0.0.1:2525";
    public int MaxMessageBytes { get; set; } = 30 * 1024 * 1024;
    /// <summary>Concurrent SMTP sessions in all; beyond, 421 at the greeting. Each may hold a message in memory.</summary>
    public int MaxSessions { get; set; } = 100;
    /// <summary>Concurrent SMTP sessions from one client address; beyond, 421 at the greeting.</summary>
    public int MaxSessionsPerIp { get; set; } = 10;
    /// <summary>STARTTLS on the listener: offered when a certificate is configured.</summary>
    public SmtpTlsOptions SmtpTls { get; set; } = new();
    /// <summary>The name on outgoing mail.</summary>
    public string FromName { get; set; } = "Sportello";
    /// <summary>Language of mail to people without an account (en, it).</summary>
    public string StrangerLanguage { get; set; } = "en";
    /// <summary>At most one automatic answer per stranger's address in this many minutes.</summary>
    public int AutoReplyIntervalMinutes { get; set; } = 10;
    /// <summary>More recipient addresses and the department their mail goes to (say, billing@ → financial).</summary>
    public List<MailRoute> Routes { get; set; } = [];
    public OutboundOptions Outbound { get; set; } = new();
    public IntakeOptions Intake { get; set; } = new();
    public AuthenticationOptions Authentication { get; set; } = new();
    public DkimSigningOptions DkimSigning { get; set; } = new();
    public List<ImapMailboxOptions> Imap { get; set; } = [];

    /// <summary>The domain of the support address: our Message-IDs and bounce addresses live there.</summary>
    public string Domain => SupportAddress[(SupportAddress.LastIndexOf('@') + 1)..].ToLowerInvariant();

    public string DepartmentFor(IEnumerable<string> recipients)
    {
        foreach (var recipient in recipients)
        {
            var route = Routes.FirstOrDefault(r => string.Equals(r.Address, recipient, StringComparison.OrdinalIgnoreCase));
            if (route is not null && Departments.All.Contains(route.Department))
            {
                return route.Department;
            }
        }
        return Departments.Technical;
    }
}

public sealed class MailRoute
{
    public string Address { get; set; } = "";
    public string Department { get; set; } = Departments.Technical;
}

public sealed class SmtpTlsOptions
{
    /// <summary>
    /// The listener's certificate: a PEM file (a full-chain file: the first certificate is the listener's, the rest are sent as its chain)
    /// or a PKCS#12 file (<c>.pfx</c>, <c>.p12</c>). Read again whenever the file changes, so a renewal needs no restart.
    /// </summary>
    public string? CertificateFile { get; set; }
    /// <summary>The PEM private key, when the certificate file does not hold it.</summary>
    public string? KeyFile { get; set; }
    /// <summary>The PKCS#12 password, or the password of an encrypted PEM key.</summary>
    public string? Password { get; set; }
    /// <summary>
    /// Refuse mail (530) until the client has said STARTTLS. Off by default: a public MX must take plain SMTP
    /// (RFC 3207, section 4); turn it on for a listener only your own MTAs deliver to.
    /// </summary>
    public bool Require { get; set; }

    public bool Configured => !string.IsNullOrWhiteSpace(CertificateFile);
}

public sealed class OutboundOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 25;
    public string? User { get; set; }
    public string? Password { get; set; }
    /// <summary><c>auto</c> (STARTTLS when offered), <c>starttls</c> (required), <c>tls</c> (implicit), <c>none</c>.</summary>
    public string Tls { get; set; } = "auto";
    /// <summary>Deliveries tried before a message is given up (with exponential backoff, about a day in all).</summary>
    public int MaxAttempts { get; set; } = 15;
    /// <summary>
    /// Connections to the relay per node, each delivering its own claimed batch (a relay answers one mail at a time per
    /// connection; several keep it busy), up to 16; 0 picks for the database: 1 on SQLite, 4 on PostgreSQL.
    /// </summary>
    public int Connections { get; set; }
}

public sealed class IntakeOptions
{
    /// <summary>Stores inbound mail but does not turn it into tickets (maintenance, and the crash test).</summary>
    public bool Hold { get; set; }
    /// <summary>How many times a message that fails to process is retried before it is quarantined.</summary>
    public int MaxAttempts { get; set; } = 3;
    /// <summary>
    /// Concurrent intake workers per node; 0 picks for the database: 1 on SQLite (one writer at a time anyway), 2 on
    /// PostgreSQL (where a worker mostly waits on round trips).
    /// </summary>
    public int Workers { get; set; }
}

public sealed class AuthenticationOptions
{
    /// <summary>
    /// authserv-ids of the provider's own MTAs: their Authentication-Results headers are believed (the MTA must
    /// remove such headers arriving from outside). Anything else is ignored.
    /// </summary>
    public List<string> TrustedAuthServIds { get; set; } = [];
    /// <summary>
    /// IP addresses or CIDR ranges of the relays that hand mail to the listener and write a trusted
    /// Authentication-Results header; from anyone else such a header is ignored. Default none.
    /// </summary>
    public List<string> TrustedRelays { get; set; } = [];
    /// <summary>DKIM public keys known without DNS: selector, domain and the TXT record's value.</summary>
    public List<DkimKeyOptions> DkimKeys { get; set; } = [];
}

public sealed class DkimKeyOptions
{
    public string Domain { get; set; } = "";
    public string Selector { get; set; } = "";
    /// <summary>The DNS TXT value, e.g. <c>v=DKIM1; k=rsa; p=MIIB...</c>.</summary>
    public string Record { get; set; } = "";
}

public sealed class DkimSigningOptions
{
    public string? Domain { get; set; }
    public string? Selector { get; set; }
    /// <summary>A PEM file with the private key; signing is off without it.</summary>
    public string? PrivateKeyFile { get; set; }
}

public sealed class ImapMailboxOptions
{
    public string Name { get; set; } = "imap";
    public string Host { get; set; } = "";
    public int Port { get; set; } = 993;
    /// <summary><c>tls</c> (implicit), <c>starttls</c>, <c>auto</c> or <c>none</c>.</summary>
    public string Tls { get; set; } = "tls";
    public string User { get; set; } = "";
    public string Password { get; set; } = "";
    public string Folder { get; set; } = "INBOX";
    /// <summary>Used when the server has no IDLE, and as the longest IDLE before a fresh check.</summary>
    public int PollSeconds { get; set; } = 30;
}
