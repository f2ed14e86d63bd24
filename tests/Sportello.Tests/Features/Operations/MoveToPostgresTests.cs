using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Data;
using Sportello.Features.Demo;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Operations;

/// <summary>A SQLite installation with the demo data, whatever database the run is on: where a move starts.</summary>
public sealed class SqliteInstallation : SportelloApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Sportello:Demo"] = "true" };

    public override async ValueTask InitializeAsync() => Database = await TestDatabase.CreateAsync(postgres: false);
}

/// <summary>An empty PostgreSQL database (dropped afterwards), and Sportello on it once something was moved there.</summary>
public sealed class PostgresInstallation : SportelloApp
{
    public override async ValueTask InitializeAsync() => Database = await TestDatabase.CreateAsync(postgres: true);
}

/// <summary>
/// <c>migrate-data --to-postgres</c> run as an operator runs it (the built program, a separate process), then Sportello
/// started on the PostgreSQL database: what customers and agents had is there, and keeps working.
/// </summary>
public sealed class MoveToPostgresTests(SqliteInstallation source) : IClassFixture<SqliteInstallation>
{
    private const string Password = "customer passphrase 2026";

    [Fact]
    public async Task TheMove_CopiesEverything_AndSignInsNumbersFilesAndSearchKeepWorkingOnPostgres()
    {
        var admin = await source.AdminAsync();
        var (email, order, ip) = Unique.Customer("move");
        var customerId = (await admin.CreateCustomerAsync(email)).GetProperty("id").GetString()!;
        await admin.AddServiceAsync(customerId, order, ip);
        var customer = await source.SignInAsync(email, Password);
        await (await customer.PutAsJsonAsync("/api/v1/account/billing", new { company = "Mossa S.r.l.", address = "Via Roma 1, 00100 Roma", country = "IT" }))
            .JsonAsync(HttpStatusCode.OK);
        var ticket = await customer.OpenTicketAsync(new
        {
            department = "technical", priority = "normal", subject = "Mailbox quota after the move",
            description = "La casella postale è piena dopo il backup: perché?",
        });
        var id = ticket.GetProperty("id").GetString()!;
        var number = ticket.GetProperty("number").GetString()!;
        var file = Enumerable.Range(0, 70_000).Select(i => (byte)(i * 7 % 256)).ToArray();
        var upload = new MultipartFormDataContent();
        var part = new ByteArrayContent(file);
        part.Headers.ContentType = MediaTypeHeaderValue.Parse("application/octet-stream");
        upload.Add(part, "files", "quota-report.bin");
        var attachmentId = (await (await customer.PostAsync($"/api/v1/tickets/{id}/attachments", upload)).JsonAsync(HttpStatusCode.Created))[0]
            .GetProperty("id").GetString()!;
        var agent = await source.AgentAsync($"move-agent-{Unique.Next()}@sportello.example", "technical");
        await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{id}/messages", new { body = "Quota raised to 50 GB." })).JsonAsync(HttpStatusCode.Created);
        await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{id}/messages", new { body = "Internal: billed as goodwill.", @internal = true }))
            .JsonAsync(HttpStatusCode.Created);
        var invoice = await IssueAsync(admin, customerId);
        var customerToken = customer.DefaultRequestHeaders.Authorization!.Parameter!;

        await using var target = new PostgresInstallation();
        await target.InitializeAsync();
        var exit = await MoveAsync(source.Database, target.Database.ConnectionString);

        Assert.True(exit.Code == 0, $"exit {exit.Code}: {exit.Error}\n{exit.Output}");
        Assert.Contains("counts and checksums match", exit.Output, StringComparison.Ordinal);
        Assert.Contains("Tickets", exit.Output, StringComparison.Ordinal);

        // The customer's API token, issued on SQLite, still signs them in; their ticket, the reply and the file are there.
        var moved = target.WithToken(customerToken);
        var view = await (await moved.GetAsync($"/api/v1/tickets/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(number, view.GetProperty("number").GetString());
        Assert.Equal("Mailbox quota after the move", view.GetProperty("subject").GetString());
        var bodies = view.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("body").GetString()).ToList();
        Assert.Equal(["La casella postale è piena dopo il backup: perché?", "Quota raised to 50 GB."], bodies);
        var download = await moved.GetAsync($"/api/v1/attachments/{attachmentId}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(file, await download.Content.ReadAsByteArrayAsync());

        // Passwords: the demo's customers, the admin, the agent.
        await target.SignInAsync("giulia.rossi@example.it", DemoData.Password);
        var movedAdmin = await target.AdminAsync();
        var movedAgent = target.WithToken(agent.DefaultRequestHeaders.Authorization!.Parameter!);
        var desk = await (await movedAgent.GetAsync($"/api/v1/desk/tickets/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains("goodwill", desk.GetRawText(), StringComparison.Ordinal);

        // Search was rebuilt on PostgreSQL: stemmed, accent-folded, and still bounded by the customer.
        var found = await (await moved.GetAsync("/api/v1/tickets?q=caselle%20perche")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(found.EnumerateArray(), t => t.GetProperty("id").GetString() == id);
        var deskFound = await (await movedAgent.GetAsync($"/api/v1/desk/search?q={Uri.EscapeDataString(number)}")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(deskFound.EnumerateArray(), t => t.GetProperty("ticketId").GetString() == id);

        // Numbering goes on from where SQLite left it: the next invoice follows, a new ticket gets a new number.
        var next = await IssueAsync(movedAdmin, customerId);
        Assert.Equal(Sequence(invoice) + 1, Sequence(next));
        var newer = await moved.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "After the move", description = "Still here." });
        Assert.NotEqual(number, newer.GetProperty("number").GetString());
        var list = await (await moved.GetAsync("/api/v1/tickets")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, list.GetArrayLength());
    }

    [Fact]
    public async Task AMoveIntoADatabaseThatHoldsData_IsRefused_AndCopiesNothing()
    {
        await source.AdminAsync();
        await using var target = new PostgresInstallation();
        await target.InitializeAsync();
        await target.AdminAsync(); // a node ran there: its first admin is data

        var exit = await MoveAsync(source.Database, target.Database.ConnectionString);

        Assert.NotEqual(0, exit.Code);
        Assert.Contains("already holds data", exit.Error, StringComparison.Ordinal);
        Assert.Contains("AspNetUsers", exit.Error, StringComparison.Ordinal);
        var refused = await target.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email = "giulia.rossi@example.it", password = DemoData.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task AnOlderInstallationThatHoldsData_IsRefused_BeforeItsSchemaIsTouched()
    {
        await source.AdminAsync();
        await using var target = new PostgresInstallation();
        await target.InitializeAsync();
        await target.AdminAsync();
        // The installation of the version before: its last migration undone, its data kept.
        string[] older;
        await using (var scope = target.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            older = [.. db.Database.GetMigrations().SkipLast(1)];
            await db.GetService<IMigrator>().MigrateAsync(older[^1], TestContext.Current.CancellationToken);
        }

        var exit = await MoveAsync(source.Database, target.Database.ConnectionString);

        Assert.NotEqual(0, exit.Code);
        Assert.Contains("already holds data", exit.Error, StringComparison.Ordinal);
        Assert.Contains("AspNetUsers", exit.Error, StringComparison.Ordinal);
        // Refused as it was: not migrated to this version's schema on the way.
        await using (var scope = target.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            Assert.Equal(older, await db.Database.GetAppliedMigrationsAsync(TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task AnUnreachableOrMalformedTarget_IsNamed_WithoutItsPassword()
    {
        await source.AdminAsync();

        var unreachable = await MoveAsync(source.Database, "Host=127.0.0.1;Port=1;Database=sportello;Username=sportello;Password=s3cret-move-pass;Timeout=3");
        var malformed = await MoveAsync(source.Database, "this is not; a connection=string=at all;Password=s3cret-move-pass");
        var missing = await SportelloProcess.RunToExitAsync(["migrate-data", "--Sportello:DataDir", source.Database.DataDir], TimeSpan.FromMinutes(1));

        Assert.Equal(1, unreachable.Code);
        Assert.Contains("127.0.0.1:1/sportello", unreachable.Error, StringComparison.Ordinal);
        Assert.Equal(1, malformed.Code);
        Assert.Contains("--to-postgres", malformed.Error, StringComparison.Ordinal);
        Assert.Equal(2, missing.Code);
        Assert.Contains("migrate-data --to-postgres", missing.Error, StringComparison.Ordinal);
        foreach (var exit in new[] { unreachable, malformed })
        {
            Assert.DoesNotContain("s3cret-move-pass", exit.Output + exit.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AValuePostgresCannotHold_RollsTheWholeMoveBack_NamingWhere()
    {
        await using var broken = new SqliteInstallation();
        await broken.InitializeAsync();
        var (email, order, ip) = Unique.Customer("nul");
        var (customer, _) = await broken.CustomerWithServiceAsync(email, order, ip);
        var id = (await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Fine", description = "Fine." }))
            .GetProperty("id").GetString()!;
        // A NUL character: SQLite keeps it in text, PostgreSQL's text cannot.
        await broken.Database.ExecuteAsync($"UPDATE \"Tickets\" SET \"Subject\" = 'Fi' || char(0) || 'ne' WHERE \"Id\" = '{id.ToUpperInvariant()}'");
        await using var target = new PostgresInstallation();
        await target.InitializeAsync();

        var exit = await MoveAsync(broken.Database, target.Database.ConnectionString);

        Assert.Equal(1, exit.Code);
        Assert.Contains("rolled back", exit.Error, StringComparison.Ordinal);
        Assert.Contains("Tickets", exit.Error, StringComparison.Ordinal);
        // Nothing of the source arrived: the demo's customers do not exist there, and the database still counts as empty.
        var again = await MoveAsync(broken.Database, target.Database.ConnectionString);
        Assert.DoesNotContain("already holds data", again.Error, StringComparison.Ordinal);
    }

    private static Task<SportelloProcess.Exit> MoveAsync(TestDatabase from, string to) =>
        SportelloProcess.RunToExitAsync(
        [
            "migrate-data", "--to-postgres", to,
            "--Sportello:Database:Provider", "Sqlite",
            "--ConnectionStrings:Sportello", from.ConnectionString,
            "--Sportello:DataDir", from.DataDir,
        ], TimeSpan.FromMinutes(3));

    private static async Task<JsonElement> IssueAsync(HttpClient admin, string customerId) =>
        await (await admin.PostAsJsonAsync("/api/v1/admin/invoices", new
        {
            customerId, lines = new[] { new { description = "Hosting Pro, December", netCents = 12345 } },
        })).JsonAsync(HttpStatusCode.Created);

    private static int Sequence(JsonElement invoice) =>
        int.Parse(invoice.GetProperty("number").GetString()!.Split('/')[1], System.Globalization.CultureInfo.InvariantCulture);
}
