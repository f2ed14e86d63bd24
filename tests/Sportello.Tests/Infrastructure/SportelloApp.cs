using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Sportello.Tests.Infrastructure;

/// <summary>
/// Sportello in-process over a fresh database built by the real migrations, with a first admin
/// and a clock the test controls.
/// </summary>
public class SportelloApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminEmail = "admin@test.example";
    public const string AdminPassword = "correct horse staple 2026";

    /// <summary>Where every test clock starts: the one date the suite knows, whatever the machine's calendar says.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 24, 13, 30, 0, TimeSpan.Zero);

    public ManualClock Clock { get; } = new(Start);
    public TestDatabase Database { get; protected set; } = null!;

    /// <summary>Extra settings a test class needs (rate limits, say).</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public virtual async ValueTask InitializeAsync() => Database = await TestDatabase.CreateAsync();

    private bool ownsDatabase = true;

    /// <summary>Another node on a database that some other app created and will drop (a cluster test).</summary>
    protected void ShareDatabase(TestDatabase database)
    {
        Database = database;
        ownsDatabase = false;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        var settings = new Dictionary<string, string?>
        {
            ["Sportello:DataDir"] = Database.DataDir,
            ["Sportello:Database:Provider"] = Database.Provider,
            ["ConnectionStrings:Sportello"] = Database.ConnectionString,
            ["Sportello:Identity:PasswordIterations"] = "1000",
            ["Sportello:Bootstrap:AdminEmail"] = AdminEmail,
            ["Sportello:Bootstrap:AdminPassword"] = AdminPassword,
            ["Sportello:Demo"] = "false",
            ["Sportello:RateLimits:SignIn:PermitLimit"] = "10000",
            // The nodes log at the product's own levels, into the run's log that RunLog scans for secrets; the console
            // shows warnings only.
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:Console:LogLevel:Default"] = "Warning",
            ["Sportello:Sla:Monitor"] = "false",
            ["Sportello:RateLimits:TicketCreation:PermitLimit"] = "10000",
            ["Sportello:Mail:SmtpListen"] = "",
        };
        foreach (var (key, value) in Settings)
        {
            settings[key] = value;
        }
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging.AddProvider(RunLog.Provider));
        RunLog.Secret(AdminPassword);
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }

    /// <summary>A client with no credentials that does not follow redirects.</summary>
    public HttpClient Anonymous() => CreateDefaultClient(ClientOptions.BaseAddress, new SecretsSeen(), new CookieContainerHandler());

    public async Task<HttpClient> SignInAsync(string email, string password)
    {
        var response = await Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email, password });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<TokenBody>())!.Token;
        return WithToken(token);
    }

    public HttpClient WithToken(string token)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public Task<HttpClient> AdminAsync() => SignInAsync(AdminEmail, AdminPassword);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (ownsDatabase)
        {
            await Database.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }

    private sealed record TokenBody(string Token, DateTime ExpiresAt);
}
