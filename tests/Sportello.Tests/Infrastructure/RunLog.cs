using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using MimeKit;

[assembly: AssemblyFixture(typeof(Sportello.Tests.Infrastructure.RunLog))]

namespace Sportello.Tests.Infrastructure;

/// <summary>
/// No secret in any log, over the whole test run. Every in-process node logs here at the product's own levels
/// (appsettings: Information, framework warnings); every password and token the tests' clients send or receive, and
/// every secret link in the mail Sportello sends, is noted as it passes. When the run ends the lines are scanned for
/// every one of them, and the run fails naming the line (the secret itself cut short).
/// </summary>
public sealed partial class RunLog : IAsyncDisposable
{
    private static readonly ConcurrentQueue<string> Lines = new();
    private static readonly ConcurrentDictionary<string, byte> Secrets = new(StringComparer.Ordinal);

    /// <summary>The shortest value taken for a secret: shorter ones (test codes, "x") would match by chance.</summary>
    private const int Shortest = 12;

    public static int SecretCount => Secrets.Count;

    public static void Secret(string? value)
    {
        if (value is { Length: >= Shortest })
        {
            Secrets.TryAdd(value, 0);
        }
    }

    /// <summary>Notes the secret links of a mail Sportello sent (confirmations, transcripts, unsubscribe, calendars).</summary>
    public static void SecretsOf(MimeMessage message)
    {
        foreach (var text in new[] { message.TextBody, message.HtmlBody })
        {
            foreach (Match link in SecretLink().Matches(text ?? ""))
            {
                Secret(WebUtility.UrlDecode(link.Groups["secret"].Value));
            }
        }
    }

    /// <summary>Notes the passwords and tokens in a request's or an answer's body.</summary>
    public static void SecretsIn(string body)
    {
        foreach (Match field in SecretField().Matches(body))
        {
            Secret(Regex.Unescape(field.Groups["value"].Value));
        }
        foreach (Match field in SecretFormField().Matches(body))
        {
            Secret(WebUtility.UrlDecode(field.Groups["value"].Value));
        }
    }

    public static ILoggerProvider Provider { get; } = new LineProvider();

    public async ValueTask DisposeAsync()
    {
        await Task.Yield();
        var secrets = Secrets.Keys.ToList();
        var words = secrets.Where(s => !s.Any(Separator)).ToHashSet(StringComparer.Ordinal);
        var phrases = secrets.Where(s => s.Any(Separator)).ToList();
        var found = new List<string>();
        foreach (var line in Lines)
        {
            var leak = Word().Matches(line).Select(m => m.Value).FirstOrDefault(words.Contains)
                ?? phrases.FirstOrDefault(p => line.Contains(p, StringComparison.Ordinal));
            if (leak is not null)
            {
                found.Add(line.Replace(leak, leak[..4] + "…(a secret)", StringComparison.Ordinal));
            }
        }
        if (found.Count > 0)
        {
            throw new InvalidOperationException(
                $"{found.Count} log lines of the run carry a secret ({secrets.Count} secrets noted, {Lines.Count} lines):\n" + string.Join("\n", found.Distinct().Take(20)));
        }
    }

    private static bool Separator(char c) => !(char.IsLetterOrDigit(c) || c is '-' or '_');

    [GeneratedRegex(@"[A-Za-z0-9_\-]{12,}")]
    private static partial Regex Word();

    [GeneratedRegex(@"/(?:confirm-address|confirm-email-change|status/subscriptions/confirm|status/unsubscribe|chat/transcript|calendar)/(?<secret>[^\s""'<>?#)]+)")]
    private static partial Regex SecretLink();

    [GeneratedRegex(@"""(?:[A-Za-z]*[Pp]assword|token|visitorToken|secret|recoveryCode)""\s*:\s*""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex SecretField();

    [GeneratedRegex(@"(?:^|&)[A-Za-z.]*Password=(?<value>[^&]*)")]
    private static partial Regex SecretFormField();

    private sealed class LineProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Line(categoryName);

        public void Dispose()
        {
        }
    }

    private sealed class Line(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}

/// <summary>Notes the secrets of every request and answer of a test client (see <see cref="RunLog"/>).</summary>
public sealed class SecretsSeen : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        RunLog.Secret(request.Headers.Authorization?.Parameter);
        if (request.Content is { Headers.ContentType.MediaType: "application/json" or "application/x-www-form-urlencoded" } sent)
        {
            // As bytes: a test may declare a character set nobody knows, on purpose.
            RunLog.SecretsIn(System.Text.Encoding.UTF8.GetString(await sent.ReadAsByteArrayAsync(cancellationToken)));
        }
        var response = await base.SendAsync(request, cancellationToken);
        if (response.Content.Headers.ContentType?.MediaType is "application/json")
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            RunLog.SecretsIn(System.Text.Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync(cancellationToken)));
        }
        return response;
    }
}
