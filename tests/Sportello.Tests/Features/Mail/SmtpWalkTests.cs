using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Mail;

/// <summary>
/// Bad SMTP gets a well-formed reply, never silence and never a dead listener. A raw TCP client (a library would refuse
/// to send most of this) tries junk verbs, broken and hostile addresses, over-long lines, 8-bit bytes, commands out of
/// order, pipelined junk, bare CR and LF, a message cut off before its final dot; then an ordinary mail still goes
/// through, and only the messages the listener answered 250 to were stored.
/// </summary>
[Trait("Category", "Data")]
public sealed partial class SmtpWalkTests(MailApp app, ITestOutputHelper output) : IClassFixture<MailApp>
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(20);

    /// <summary>What a reply to a step may be: junk must be refused (4xx or 5xx); the rest may be taken or refused.</summary>
    private enum Expect { Refused, Any, Accepted }

    private sealed record Step(byte[] Line, Expect Expect);

    private sealed record Reply(int Code, string Text);

    /// <summary>One session over a bare socket: bytes out exactly as given, replies read line by line with a deadline.</summary>
    private sealed partial class RawSmtp : IAsyncDisposable
    {
        private readonly TcpClient tcp;
        private readonly NetworkStream stream;
        private readonly List<byte> pending = [];

        private RawSmtp(TcpClient tcp)
        {
            this.tcp = tcp;
            stream = tcp.GetStream();
        }

        public static async Task<RawSmtp> ConnectAsync(int port)
        {
            var tcp = new TcpClient { NoDelay = true };
            await tcp.ConnectAsync(IPAddress.Loopback, port);
            return new RawSmtp(tcp);
        }

        public async Task SendAsync(byte[] bytes)
        {
            await stream.WriteAsync(bytes);
            await stream.FlushAsync();
        }

        /// <summary>The next whole reply (every line of a multi-line one), or null when the server closed the connection.</summary>
        public async Task<Reply?> ReadAsync()
        {
            using var timeout = new CancellationTokenSource(ReplyTimeout);
            var lines = new List<string>();
            while (true)
            {
                var line = await LineAsync(timeout.Token);
                if (line is null)
                {
                    Assert.True(lines.Count == 0, $"the connection closed in the middle of a reply: {string.Join(" | ", lines)}");
                    return null;
                }
                var match = ReplyLine().Match(line);
                Assert.True(match.Success, $"not an SMTP reply line: '{line}'");
                Assert.True(lines.Count == 0 || lines[0][..3] == line[..3], $"a multi-line reply changed its code: {string.Join(" | ", lines)} | {line}");
                lines.Add(line);
                if (match.Groups[2].Value != "-")
                {
                    return new Reply(int.Parse(line[..3], System.Globalization.CultureInfo.InvariantCulture), string.Join("\n", lines));
                }
            }
        }

        private async Task<string?> LineAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[4096];
            while (true)
            {
                var end = pending.IndexOf((byte)'\n');
                if (end >= 0)
                {
                    var line = Encoding.Latin1.GetString([.. pending.Take(end)]).TrimEnd('\r');
                    pending.RemoveRange(0, end + 1);
                    return line;
                }
                int read;
                try
                {
                    read = await stream.ReadAsync(buffer, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"no reply within {ReplyTimeout.TotalSeconds} s");
                }
                catch (IOException)
                {
                    read = 0;
                }
                if (read == 0)
                {
                    return pending.Count == 0 ? null : throw new InvalidOperationException("the connection closed after half a line");
                }
                pending.AddRange(buffer.AsSpan(0, read).ToArray());
            }
        }

        public async ValueTask DisposeAsync()
        {
            await stream.DisposeAsync();
            tcp.Dispose();
        }

        [GeneratedRegex(@"^([2-5][0-9]{2})([ -]|$)")]
        private static partial Regex ReplyLine();
    }

    private int commands;
    private readonly List<string> failures = [];

    private static byte[] Line(string text) => [.. Encoding.UTF8.GetBytes(text), (byte)'\r', (byte)'\n'];

    private static Step Junk(string text) => new(Line(text), Expect.Refused);

    private static Step Any(string text) => new(Line(text), Expect.Any);

    private static Step Ok(string text) => new(Line(text), Expect.Accepted);

    private static readonly Step Hello = Ok("EHLO walk.example");
    private static readonly Step From = Ok("MAIL FROM:<walker@walk.example>");
    private static readonly Step To = Ok($"RCPT TO:<{MailApp.Support}>");

    private static Step Bytes(byte[] bytes, Expect expect) => new([.. bytes, (byte)'\r', (byte)'\n'], expect);

    /// <summary>The walk: each case on its own connection, its steps in order, each step one command and one reply.</summary>
    private static IEnumerable<(string Name, Step[] Steps)> Cases()
    {
        foreach (var verb in new[] { "FOO", "HELLO walk.example", "XYZZY", "MAIL", "RCPT", "VRFY root", "EXPN staff", "TURN", "ETRN walk.example", "AUTH PLAIN AGFAAGI=", "", "   ", "\t", "::::", "DATA\0", "RSET extra words" })
        {
            yield return ($"verb '{verb}'", [Hello, Junk(verb)]);
        }
        yield return ("NUL bytes only", [Hello, Bytes([0, 0, 0], Expect.Refused)]);
        yield return ("EHLO without a name", [Any("EHLO")]);
        yield return ("EHLO with NUL and bidi", [Any("EHLO wa\0lk\u202e.example")]);
        yield return ("EHLO with 8-bit bytes", [Bytes([.. "EHLO "u8, 0xff, 0xfe, 0xe9, 0x80], Expect.Any)]);
        yield return ("lower case", [Ok("ehlo walk.example"), Ok("mail from:<walker@walk.example>"), Ok($"rcpt to:<{MailApp.Support}>"), Ok("rset")]);
        yield return ("MAIL FROM without brackets", [Hello, Any("MAIL FROM:walker@walk.example")]);
        yield return ("MAIL FROM without a colon", [Hello, Junk("MAIL FROM <walker@walk.example>")]);
        yield return ("MAIL FROM with junk after", [Hello, Any("MAIL FROM:<walker@walk.example> junk=<>")]);
        yield return ("MAIL FROM with SIZE at limits", [Hello, Any("MAIL FROM:<walker@walk.example> SIZE=99999999999999999999")]);
        yield return ("MAIL FROM with SIZE -1", [Hello, Any("MAIL FROM:<walker@walk.example> SIZE=-1")]);
        yield return ("MAIL FROM with BODY unknown", [Hello, Any("MAIL FROM:<walker@walk.example> BODY=NINEBIT")]);
        yield return ("MAIL FROM twice", [Hello, From, Any("MAIL FROM:<again@walk.example>")]);
        yield return ("MAIL FROM with NUL", [Hello, Any("MAIL FROM:<wal\0ker@walk.example>")]);
        yield return ("MAIL FROM with bidi", [Hello, Any("MAIL FROM:<\u202ereklaw@walk.example>")]);
        yield return ("MAIL FROM with 8-bit bytes", [Hello, Bytes([.. "MAIL FROM:<j"u8, 0xe9, .. "r"u8, 0xf4, .. "me@walk.example>"u8], Expect.Any)]);
        yield return ("MAIL FROM with a local part of 65", [Hello, Any($"MAIL FROM:<{new string('a', 65)}@walk.example>")]);
        yield return ("MAIL FROM with a domain of 300", [Hello, Any($"MAIL FROM:<walker@{string.Join('.', Enumerable.Repeat(new string('d', 60), 5))}.example>")]);
        yield return ("MAIL FROM of 100 KB", [Hello, Any($"MAIL FROM:<{new string('a', 100_000)}@walk.example>")]);
        yield return ("RCPT TO empty", [Hello, From, Junk("RCPT TO:<>")]);
        yield return ("RCPT TO elsewhere", [Hello, From, Junk("RCPT TO:<someone@elsewhere.example>")]);
        yield return ("RCPT TO without brackets", [Hello, From, Any($"RCPT TO:{MailApp.Support}")]);
        yield return ("RCPT TO with NUL", [Hello, From, Junk($"RCPT TO:<sup\0port@sportello.test>")]);
        yield return ("RCPT TO with bidi", [Hello, From, Junk("RCPT TO:<\u202etroppus@sportello.test>")]);
        yield return ("RCPT TO with a local part of 65", [Hello, From, Junk($"RCPT TO:<{new string('s', 65)}@sportello.test>")]);
        yield return ("RCPT TO of 100 KB", [Hello, From, Junk($"RCPT TO:<{new string('s', 100_000)}@sportello.test>")]);
        yield return ("RCPT before MAIL", [Hello, Junk($"RCPT TO:<{MailApp.Support}>")]);
        yield return ("DATA before MAIL", [Hello, Junk("DATA")]);
        yield return ("DATA before RCPT", [Hello, From, Junk("DATA")]);
        yield return ("BDAT", [Hello, From, To, Junk("BDAT 10 LAST")]);
        yield return ("STARTTLS without a certificate", [Hello, Junk("STARTTLS")]);
        yield return ("a command line of 1100 bytes", [Hello, Any("NOOP " + new string('n', 1100))]);
        yield return ("a line of 100 KB", [Hello, Junk(new string('z', 100_000))]);
        yield return ("bare LF inside a command", [Hello, new Step("NOOP\nNOOP\r\n"u8.ToArray(), Expect.Any)]);
        yield return ("bare CR inside a command", [Hello, new Step("NOOP\rNOOP\r\n"u8.ToArray(), Expect.Any)]);
        yield return ("many recipients", [Hello, From, .. Enumerable.Repeat(Any($"RCPT TO:<{MailApp.Support}>"), 150), Ok("RSET")]);
        yield return ("four errors then on", [Hello, Junk("A"), Junk("B"), Junk("C"), Junk("D"), Ok("NOOP")]);
    }

    private async Task<Reply?> StepAsync(RawSmtp smtp, string name, Step step)
    {
        commands++;
        await smtp.SendAsync(step.Line);
        var reply = await smtp.ReadAsync();
        var shown = Encoding.Latin1.GetString(step.Line.AsSpan(0, Math.Min(step.Line.Length, 60))).TrimEnd();
        if (reply is null)
        {
            failures.Add($"{name}: '{shown}' got no reply (the connection closed)");
        }
        else if (step.Expect == Expect.Refused && reply.Code < 400 || step.Expect == Expect.Accepted && reply.Code >= 400)
        {
            failures.Add($"{name}: '{shown}' → {reply.Text}");
        }
        return reply;
    }

    private async Task WalkAsync(string name, Step[] steps)
    {
        await using var smtp = await RawSmtp.ConnectAsync(app.SmtpPort);
        Assert.Equal(220, (await smtp.ReadAsync())?.Code);
        foreach (var step in steps)
        {
            if (await StepAsync(smtp, name, step) is null)
            {
                return;
            }
        }
        // The session still answers.
        await StepAsync(smtp, name, Ok("NOOP"));
    }

    /// <summary>A whole message by hand, ending as given; the final reply, or null when the listener said nothing.</summary>
    private async Task<Reply?> MessageAsync(string name, byte[] data)
    {
        await using var smtp = await RawSmtp.ConnectAsync(app.SmtpPort);
        await smtp.ReadAsync();
        foreach (var step in new[] { Hello, From, To, new Step(Line("DATA"), Expect.Any) })
        {
            await StepAsync(smtp, name, step);
        }
        commands++;
        await smtp.SendAsync(data);
        var reply = await smtp.ReadAsync();
        if (reply is null)
        {
            failures.Add($"{name}: no reply to the message");
        }
        await StepAsync(smtp, name, Ok("QUIT"));
        return reply;
    }

    private static byte[] Mail(string subject, string body, string newline = "\r\n") =>
        Encoding.UTF8.GetBytes($"From: walker@walk.example{newline}To: {MailApp.Support}{newline}Subject: {subject}{newline}Message-ID: <{Guid.NewGuid():N}@walk.example>{newline}{newline}{body}{newline}");

    [Fact]
    public async Task MalformedCommandsAndMessages_GetWellFormedReplies_TheListenerKeepsServing_AndNothingHalfReceivedIsStored()
    {
        await app.StartAsync();
        var tag = $"smtpwalk{Unique.Next()}";
        var cases = Cases().ToList();
        foreach (var (name, steps) in cases)
        {
            await WalkAsync(name, steps);
        }

        // Messages: the listener answers each, and stores what it said 250 to, and nothing else.
        var accepted = 0;
        var messages = new (string Name, byte[] Data)[]
        {
            ("a line of 2000 bytes", [.. Mail($"{tag} long line", new string('l', 2000)), .. ".\r\n"u8]),
            ("bare LF line ends", [.. Mail($"{tag} bare LF", "one\ntwo", "\n"), .. "\r\n.\r\n"u8]),
            ("bare CR line ends", [.. Mail($"{tag} bare CR", "one\rtwo", "\r"), .. "\r\n.\r\n"u8]),
            ("NUL and 8-bit bytes in the body", [.. Mail($"{tag} bytes", "a\0b"), 0xff, 0xfe, .. "\r\n.\r\n"u8]),
            ("a dot line inside", [.. Mail($"{tag} dots", "..\r\n. .\r\n.x"), .. ".\r\n"u8]),
        };
        foreach (var (name, data) in messages)
        {
            if (await MessageAsync(name, data) is { Code: 250 })
            {
                accepted++;
            }
        }
        // Cut off before the final dot: the client leaves, and nothing may be stored.
        await using (var half = await RawSmtp.ConnectAsync(app.SmtpPort))
        {
            await half.ReadAsync();
            foreach (var step in new[] { Hello, From, To, new Step(Line("DATA"), Expect.Any) })
            {
                await StepAsync(half, "cut off", step);
            }
            commands++;
            // The last line's dot, without the line end that would make it the end of the message.
            await half.SendAsync([.. Mail($"{tag} half", "never ended"), (byte)'.']);
        }

        // The listener still serves: an ordinary mail from the usual client is taken and becomes a ticket.
        await app.SendAsync(MailApp.Mail("after-walk@elsewhere.example", $"{tag} after", "Still working?"));
        var admin = await app.AdminAsync();
        await Eventually.TrueAsync(async () => (await admin.InboundAsync()).Any(m =>
            m.GetProperty("subject").GetString() == $"{tag} after" && m.GetProperty("outcome").GetString() == "ticket-opened"), "the mail after the walk");
        // This class has the listener to itself: every stored mail is the walk's.
        var stored = (await admin.InboundAsync()).Select(m => m.GetProperty("subject").GetString() ?? "").ToList();

        var summary = $"SMTP walk: {cases.Count} sessions of commands, {messages.Length} messages ({accepted} accepted), {commands} commands";
        output.WriteLine(summary);
        TestContext.Current.SendDiagnosticMessage(summary);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.DoesNotContain(stored, s => s.Contains("half", StringComparison.Ordinal));
        Assert.Equal(accepted + 1, stored.Count);
        Assert.True(commands >= 250, summary);
    }
}
