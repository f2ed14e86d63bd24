using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Web;

/// <summary>Every log line a node writes, kept whole: category, message, the values it was given, the exception.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<string> lines = new();
    private readonly ConcurrentQueue<string> scopes = new();

    /// <summary>The lines, and the scopes when the node's own log output includes them.</summary>
    public string All(bool withScopes) => string.Join('\n', withScopes ? lines.Concat(scopes) : lines);

    public int Count => lines.Count;

    public ILogger CreateLogger(string categoryName) => new Writer(categoryName, lines, scopes);

    public void Dispose()
    {
    }

    private sealed class Writer(string category, ConcurrentQueue<string> lines, ConcurrentQueue<string> scopes) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            var scope = new StringBuilder($"{category} scope: {state}");
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    scope.Append(" | ").Append(key).Append('=').Append(value);
                }
            }
            scopes.Enqueue(scope.ToString());
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = new StringBuilder($"{logLevel} {category}: {formatter(state, exception)}");
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    line.Append(" | ").Append(key).Append('=').Append(value);
                }
            }
            if (exception is not null)
            {
                line.Append(" | ").Append(exception);
            }
            lines.Enqueue(line.ToString());
        }
    }
}

/// <summary>Sportello logging at Debug into a <see cref="LogCapture"/>, besides its usual logs.</summary>
public sealed class LoggedApp : MailApp
{
    public LogCapture Logs { get; } = new();

    protected override IReadOnlyDictionary<string, string?> MailSettings => new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Debug",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Debug",
        ["Logging:Console:LogLevel:Default"] = "Warning",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<ILoggerProvider>(Logs));
    }
}

/// <summary>
/// No secret in any log: passwords (right and wrong), API tokens, confirmation links, chat and calendar secrets never
/// reach a log line, at Debug, whatever flows ran.
/// </summary>
[Trait("Category", "Data")]
public sealed partial class LogSecretsTests(LoggedApp app) : IClassFixture<LoggedApp>
{
    [GeneratedRegex(@"https://desk\.sportello\.test/confirm-address/([A-Za-z0-9_\-]+)")]
    private static partial Regex ConfirmationLink();

    [Fact]
    public async Task TheSecretsOfSignInTokensLinksAndPasswordChanges_NeverReachALogLine()
    {
        await app.StartAsync();
        var secrets = new List<string> { SportelloApp.AdminPassword };
        var n = Unique.Next();
        var (email, password, wrong, changed) = ($"logged-{n}@example.com", $"first secret phrase {n}x", $"wrong secret phrase {n}y", $"second secret phrase {n}z");
        secrets.AddRange([password, wrong, changed]);
        var admin = await app.AdminAsync();
        await (await admin.PostAsJsonAsync("/api/v1/admin/customers", new
        {
            email, name = "Logged Customer", password, country = "IT", language = "en", timeZone = "Europe/Rome",
        })).JsonAsync(HttpStatusCode.Created);

        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email, password = wrong })).StatusCode);
        var token = (await (await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email, password })).JsonAsync(HttpStatusCode.OK))
            .GetProperty("token").GetString()!;
        secrets.Add(token);
        var customer = app.WithToken(token);
        var colleague = $"colleague-{n}@example.com";
        await (await customer.PutAsJsonAsync("/api/v1/account/notification-addresses", new { support = new[] { colleague } })).JsonAsync(HttpStatusCode.OK);
        var link = ConfirmationLink().Match((await app.MailOut.WaitForAsync(colleague)).TextBody!);
        secrets.Add(link.Groups[1].Value);
        var confirm = new Uri(link.Value).PathAndQuery;
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().SubmitAsync(confirm, confirm, new Dictionary<string, string>())).StatusCode);

        var web = await app.SignInWebAsync(email, password);
        Assert.Equal(HttpStatusCode.Redirect, (await web.SubmitAsync("/account", "/account?handler=Password", new Dictionary<string, string>
        {
            ["Password.CurrentPassword"] = password,
            ["Password.NewPassword"] = changed,
        })).StatusCode);
        var again = await app.SignInAsync(email, changed);
        await app.SendAsync(MailApp.Mail(email, "Logged mail", $"A ticket by mail, number {n}."));
        await Eventually.TrueAsync(async () => (await again.TicketsAsync()).Length == 1, "the mail's ticket");

        // Scopes reach the log when the node's JSON console writes them (outside Development): then they count too.
        var withScopes = app.Services.GetRequiredService<IOptionsMonitor<JsonConsoleFormatterOptions>>().Get(ConsoleFormatterNames.Json).IncludeScopes;
        var logs = app.Logs.All(withScopes);
        Assert.True(app.Logs.Count > 100, $"only {app.Logs.Count} log lines captured: is the capture wired?");
        Assert.Contains("Microsoft.EntityFrameworkCore.Database.Command", logs, StringComparison.Ordinal);
        foreach (var secret in secrets)
        {
            var at = logs.IndexOf(secret, StringComparison.Ordinal);
            Assert.False(at >= 0, $"a secret reached the logs: {(at < 0 ? "" : logs[Math.Max(0, logs.LastIndexOf('\n', at) + 1)..at].Replace(secret, "<secret>", StringComparison.Ordinal))}<secret>");
        }
    }
}
