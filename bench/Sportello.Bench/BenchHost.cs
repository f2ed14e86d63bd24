using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Sportello.Data;
using Sportello.Features.Mail.Outbound;
using Sportello.Features.Search;
using Sportello.Features.Sla;
using Sportello.Features.Tickets;

namespace Sportello.Bench;

/// <summary>Sportello on Kestrel over a fresh database, configured as for production but with rate limits off.</summary>
public sealed class BenchHost : WebApplicationFactory<Program>
{
    private const string AdminEmail = "bench-admin@example.com";
    /// <summary>Every bench account's password (the scale seed stores its hash for the users it writes).</summary>
    public const string Password = "bench passphrase 2026";
    private readonly string dataDir = Directory.CreateTempSubdirectory("sportello-bench-").FullName;
    private string provider = "Sqlite";
    private string connectionString = "";
    private string? postgresDatabase;
    private Uri baseAddress = null!;
    private IReadOnlyDictionary<string, string> extraSettings = new Dictionary<string, string>();

    /// <summary>Where Kestrel listens (loopback, a free port).</summary>
    public Uri BaseAddress => baseAddress;

    /// <summary>Starts Sportello; <paramref name="settings"/> adds or overrides configuration keys (the mail bench's SMTP ports).</summary>
    public static async Task<BenchHost> StartAsync(string provider, IReadOnlyDictionary<string, string>? settings = null)
    {
        var host = new BenchHost();
        if (settings is not null)
        {
            host.extraSettings = settings;
        }
        if (provider.Equals("postgres", StringComparison.OrdinalIgnoreCase))
        {
            var server = Environment.GetEnvironmentVariable("SPORTELLO_BENCH_POSTGRES")
                ?? throw new InvalidOperationException("Set SPORTELLO_BENCH_POSTGRES to a PostgreSQL connection string.");
            host.provider = "Postgres";
            host.postgresDatabase = "sportello_bench_" + Guid.NewGuid().ToString("N")[..8];
            await using (var admin = new NpgsqlConnection(server))
            {
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{host.postgresDatabase}\"", admin);
                await create.ExecuteNonQueryAsync();
            }
            host.connectionString = new NpgsqlConnectionStringBuilder(server) { Database = host.postgresDatabase, MaxPoolSize = 100 }.ConnectionString;
        }
        else
        {
            host.connectionString = $"Data Source={Path.Combine(host.dataDir, "sportello.db")}";
        }
        host.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        host.StartServer();
        host.baseAddress = new Uri(host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return host;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Sportello.slnx")))
        {
            root = root.Parent;
        }
        builder.UseContentRoot(Path.Combine(root?.FullName ?? ".", "src", "Sportello"));
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["Sportello:DataDir"] = dataDir,
            ["Sportello:Database:Provider"] = provider,
            ["ConnectionStrings:Sportello"] = connectionString,
            ["Sportello:Bootstrap:AdminEmail"] = AdminEmail,
            ["Sportello:Bootstrap:AdminPassword"] = Password,
            ["Sportello:RateLimits:Enabled"] = "false",
            ["Sportello:Sla:Monitor"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        }.Concat(extraSettings))
        {
            builder.UseSetting(key, value);
        }
    }

    public HttpClient Client() => new(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = baseAddress };

    /// <summary>A client holding an API token for <paramref name="email"/> (password <see cref="Password"/>).</summary>
    public async Task<HttpClient> SignInAsync(string email)
    {
        var client = Client();
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { email, password = Password });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<TokenBody>())!.Token;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<HttpClient> CustomerAsync(string email, string orderNumber, string ip)
    {
        using var admin = await SignInAsync(AdminEmail);
        var created = await admin.PostAsJsonAsync("/api/v1/admin/customers", new
        {
            email, name = "Bench " + email, password = Password, country = "IT", language = "en", timeZone = "Europe/Rome",
        });
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<IdBody>())!.Id;
        (await admin.PostAsJsonAsync($"/api/v1/admin/customers/{id}/services", new
        {
            name = "Bench server", product = "VPS", location = "Milan", orderNumber, ipAddresses = new[] { ip },
        })).EnsureSuccessStatusCode();
        return await SignInAsync(email);
    }

    /// <summary>Registers customer accounts (no services, no sign-in): the addresses the mail bench writes from.</summary>
    public async Task RegisterCustomersAsync(IEnumerable<string> emails)
    {
        using var admin = await SignInAsync(AdminEmail);
        foreach (var email in emails)
        {
            (await admin.PostAsJsonAsync("/api/v1/admin/customers", new
            {
                email, name = "Bench " + email, password = Password, country = "IT", language = "en", timeZone = "Europe/Rome",
            })).EnsureSuccessStatusCode();
        }
    }

    /// <summary>A client signed in as the bootstrap admin (the notice bench publishes with it).</summary>
    public Task<HttpClient> AdminAsync() => SignInAsync(AdminEmail);

    public async Task<HttpClient> AgentAsync()
    {
        using var admin = await SignInAsync(AdminEmail);
        (await admin.PostAsJsonAsync("/api/v1/admin/agents", new
        {
            email = "bench-agent@example.com", name = "Bench Agent", password = Password, departments = new[] { "technical", "financial" },
        })).EnsureSuccessStatusCode();
        return await SignInAsync("bench-agent@example.com");
    }

    /// <summary>
    /// The rows a ticket creation writes (ticket, first message, audit entry, the acknowledgement's outbox row, with
    /// a mail of the same size, which the outbox worker then delivers like any other, and the ticket's search document:
    /// the index row, an FTS5 row on SQLite), straight through EF in one transaction. The search document is built from
    /// the entities in memory (<see cref="SearchIndex.DescribeNew"/>) and inserted as it is: the least a new ticket's
    /// document can cost.
    /// </summary>
    public async Task<HttpResponseMessage> BareInsertAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var (customerId, customerName, customerEmail) = await CustomerAsync(db);
        var now = DateTime.UtcNow;
        var ticket = NewTicket(customerId, now, TicketStatus.Open, Priorities.Normal);
        // Sequential under a prefix of its own: a random number could repeat one drawn before (it has no retry).
        var n = Interlocked.Increment(ref bareInserts);
        ticket.Number = $"Y{(char)('A' + n / 1_000_000 % 26)}A-{n % 1_000_000:D6}";
        var mail = await (acknowledgement ??= AcknowledgementAsync(ticket));
        db.Tickets.Add(ticket);
        SearchIndex.DescribeNew(ticket, customerName, customerEmail);
        TicketAudit.Record(db, ticket.Id, customerId, TicketEventKinds.Created, "bench", now);
        db.OutboxMessages.Add(new OutboxMessage
        {
            Id = Guid.CreateVersion7(), MessageId = $"bare.{ticket.Id:N}.{Guid.NewGuid():N}@sportello.local", Kind = mail.Kind, TicketId = ticket.Id,
            ToAddress = mail.ToAddress, Subject = mail.Subject, Mime = mail.Mime, CreatedAt = now, NextAttemptAt = now,
        });
        await db.SaveChangesAsync();
        return new HttpResponseMessage(HttpStatusCode.Created);
    }

    /// <summary>A real acknowledgement, composed once: the bare insert stores a copy of its row per ticket (no rendering).</summary>
    private async Task<OutboxMessage> AcknowledgementAsync(Ticket ticket)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var mails = scope.ServiceProvider.GetRequiredService<TicketMails>();
        return (await mails.OpenedAsync(ticket, await mails.RecipientsAsync(db, ticket)))[0];
    }

    private (Guid Id, string Name, string? Email)? customer;
    private int bareInserts;
    private Task<OutboxMessage>? acknowledgement;

    private async Task<(Guid Id, string Name, string? Email)> CustomerAsync(SportelloDb db)
    {
        if (customer is not { } known)
        {
            var row = await db.Users.Where(u => u.Email == "bench0@example.com").Select(u => new { u.Id, u.Name, u.Email }).SingleAsync();
            customer = known = (row.Id, row.Name, row.Email);
        }
        return known;
    }

    /// <summary>Fills the database like a few years of a busy desk: mostly closed tickets, a tenth waiting on support.</summary>
    public async Task SeedTicketsAsync(int count)
    {
        var random = new Random(42);
        const int Batch = 5000;
        // The scenarios before the seed drew random numbers, and any of them can fall under the seed's prefix: the seed
        // skips every number already stored (nothing else writes while it runs), so it cannot collide.
        HashSet<string> taken;
        await using (var read = Services.CreateAsyncScope())
        {
            taken = await read.ServiceProvider.GetRequiredService<SportelloDb>().Tickets.Select(t => t.Number).ToHashSetAsync();
        }
        var sequence = 0;
        for (var done = 0; done < count; done += Batch)
        {
            await using var scope = Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            var customerId = (await CustomerAsync(db)).Id;
            for (var i = 0; i < Math.Min(Batch, count - done); i++)
            {
                var created = DateTime.UtcNow.AddMinutes(-random.Next(0, 60 * 24 * 365 * 2));
                var waiting = random.Next(10) == 0;
                var status = waiting ? (random.Next(2) == 0 ? TicketStatus.Open : TicketStatus.CustomerReply) : TicketStatus.Closed;
                var ticket = NewTicket(customerId, created, status, random.Next(5) == 0 ? Priorities.High : Priorities.Normal);
                ticket.Number = SeedNumber(ref sequence, taken);
                db.Tickets.Add(ticket);
            }
            await db.SaveChangesAsync();
        }
    }

    /// <summary>The next sequential number under the seed's prefix (ZAA-000000 onwards) that is not stored yet.</summary>
    private static string SeedNumber(ref int sequence, HashSet<string> taken)
    {
        while (true)
        {
            var n = sequence++;
            var number = $"Z{(char)('A' + n / 26_000_000 % 26)}{(char)('A' + n / 1_000_000 % 26)}-{n % 1_000_000:D6}";
            if (taken.Add(number))
            {
                return number;
            }
        }
    }

    private static Ticket NewTicket(Guid customerId, DateTime created, string status, string priority)
    {
        var ticket = new Ticket
        {
            Id = Guid.CreateVersion7(),
            Number = TicketNumbers.New(),
            CustomerId = customerId,
            Department = "technical",
            Priority = priority,
            Status = status,
            Channel = Channels.Web,
            Subject = "Benchmark ticket",
            CreatedAt = created,
            UpdatedAt = created,
        };
        SlaClock.Open(ticket, new SlaPolicy { FirstResponseMinutes = 10, NextResponseMinutes = 120 }, created);
        if (status == TicketStatus.Closed)
        {
            SlaClock.AgentReplied(ticket, created.AddMinutes(5));
        }
        ticket.Messages.Add(new TicketMessage
        {
            Id = Guid.CreateVersion7(),
            TicketId = ticket.Id,
            AuthorId = customerId,
            AuthorKind = AuthorKinds.Customer,
            AuthorName = "Bench",
            Body = "The server answers slowly since this morning; load average is 12.",
            CreatedAt = created,
        });
        return ticket;
    }

    /// <summary>
    /// Stops the outbox worker, so a scenario measures only what the request path writes: the creation and the bare
    /// insert then leave all their mail queued alike. <see cref="ResumeOutboxAsync"/> starts it again.
    /// </summary>
    public Task PauseOutboxAsync() => Outbox.StopAsync(CancellationToken.None);

    public Task ResumeOutboxAsync() => Outbox.StartAsync(CancellationToken.None);

    private OutboxWorker Outbox => Services.GetServices<IHostedService>().OfType<OutboxWorker>().Single();

    /// <summary>
    /// Waits until the outbox has delivered every acknowledgement <paramref name="scenario"/> wrote, and says how long
    /// after its end that was: a creation rate the outbox cannot follow only defers the work. <paramref name="cpu"/>,
    /// started before the scenario, then gives the machine's CPU per request with the mail delivered.
    /// </summary>
    internal async Task<Load.Result> MailedAsync(MailBench.CpuMeter cpu, Load.Result scenario)
    {
        var drained = await DrainOutboxAsync(scenario.Name);
        return scenario with
        {
            Delivered = scenario.Count / (scenario.Count / scenario.PerSecond + drained.TotalSeconds),
            CpuMsEach = cpu.BusyCoreSeconds() * 1000 / scenario.Count,
        };
    }

    /// <summary>Waits until the outbox holds no pending mail (at most 5 minutes), says so under <paramref name="name"/>, and returns how long it took.</summary>
    public async Task<TimeSpan> DrainOutboxAsync(string name)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        int pending;
        while ((pending = await db.OutboxMessages.CountAsync(m => m.State == OutboxStates.Pending)) > 0 && watch.Elapsed < TimeSpan.FromMinutes(5))
        {
            await Task.Delay(20);
        }
        Console.WriteLine($"# {name}: outbox drained {watch.Elapsed.TotalSeconds:0.00} s after the scenario ({pending} pending)");
        return watch.Elapsed;
    }

    public async Task<int> CountTicketsAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SportelloDb>().Tickets.CountAsync();
    }

    public async Task<int> CountWaitingAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SportelloDb>().Tickets
            .CountAsync(t => TicketStatus.WaitingOnSupport.Contains(t.Status));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (postgresDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(Environment.GetEnvironmentVariable("SPORTELLO_BENCH_POSTGRES"));
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{postgresDatabase}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed record TokenBody(string Token);
    private sealed record IdBody(Guid Id);
}
