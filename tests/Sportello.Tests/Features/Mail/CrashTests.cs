using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Mail;

/// <summary>Sportello as a child process, killed right after it answered 250: the mail must survive, once.</summary>
[Trait("Category", "Data")]
public sealed class CrashTests
{
    private static List<string> Arguments(TestDatabase database, int httpPort, int smtpPort, bool hold) =>
    [
        "--urls", $"http://127.0.0.1:{httpPort}",
        "--Sportello:DataDir", database.DataDir,
        "--Sportello:Database:Provider", database.Provider,
        "--ConnectionStrings:Sportello", database.ConnectionString,
        "--Sportello:Identity:PasswordIterations", "1000",
        "--Sportello:Bootstrap:AdminEmail", SportelloApp.AdminEmail,
        "--Sportello:Bootstrap:AdminPassword", SportelloApp.AdminPassword,
        "--Sportello:Demo", "false",
        "--Sportello:Mail:SmtpListen", $"127.0.0.1:{smtpPort}",
        "--Sportello:Mail:SupportAddress", MailApp.Support,
        "--Sportello:Mail:Intake:Hold", hold ? "true" : "false",
        "--Logging:LogLevel:Default", "Warning",
    ];

    private static async Task<HttpClient> AdminAsync(int httpPort)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return (await http.GetAsync("/health/live")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the child's HTTP endpoint", seconds: 60);
        var token = await (await http.PostAsJsonAsync("/api/v1/auth/token", new { email = SportelloApp.AdminEmail, password = SportelloApp.AdminPassword }))
            .JsonAsync(HttpStatusCode.OK);
        http.DefaultRequestHeaders.Authorization = new("Bearer", token.GetProperty("token").GetString());
        return http;
    }

    [Fact]
    public async Task KilledRightAfterThe250_TheMailBecomesATicketExactlyOnceAfterRestart()
    {
        await using var database = await TestDatabase.CreateAsync();
        var smtpPort = MailApp.FreePort();
        var httpPort = MailApp.FreePort();
        var stranger = $"survivor-{Unique.Next()}@elsewhere.example";
        var held = SportelloProcess.Start(Arguments(database, httpPort, smtpPort, hold: true));
        try
        {
            await MailApp.WaitForSmtpAsync(smtpPort, seconds: 60);
            var answer = await MailApp.SendToAsync(smtpPort, MailApp.Mail(stranger, "Sopravvissuta", "Questa mail deve arrivare."));
            Assert.Contains("Ok", answer, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            held.Kill(entireProcessTree: true);
            await held.WaitForExitAsync();
            held.Dispose();
        }

        var restarted = SportelloProcess.Start(Arguments(database, httpPort, smtpPort, hold: false));
        try
        {
            await MailApp.WaitForSmtpAsync(smtpPort, seconds: 60);
            var admin = await AdminAsync(httpPort);
            JsonElement[] inbound = [];
            await Eventually.TrueAsync(async () =>
            {
                inbound = (await (await admin.GetAsync("/api/v1/admin/mail/inbound")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().ToArray();
                return inbound.Length == 1 && inbound[0].GetProperty("state").GetString() == "processed";
            }, "the stored mail to become a ticket after the restart", seconds: 30);
            Assert.Equal("ticket-opened", inbound[0].GetProperty("outcome").GetString());
            var queue = await (await admin.GetAsync("/api/v1/desk/queue")).JsonAsync(HttpStatusCode.OK);
            Assert.Single(queue.EnumerateArray(), t => t.GetProperty("subject").GetString() == "Sopravvissuta");
        }
        finally
        {
            restarted.Kill(entireProcessTree: true);
            await restarted.WaitForExitAsync();
            restarted.Dispose();
        }
    }
}
