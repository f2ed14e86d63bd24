using System.Net;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Mail;

[Trait("Category", "Data")]
public sealed class HostileMailTests(MailApp app) : IClassFixture<MailApp>
{
    [Fact]
    public async Task HostileCorpus_IsStoredSafely_TheWorstIsQuarantined_AndTheRestStaysText()
    {
        await app.StartAsync();
        var tag = Unique.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var corpus = HostileCorpus.All(tag);
        foreach (var sample in corpus)
        {
            var sent = await Swaks.SendRawAsync(app.SmtpPort, "mallory@hostile.example", MailApp.Support, sample.Raw);
            Assert.True(sent.ExitCode == 0, $"{sample.Name}: swaks failed\n{sent.Transcript}");
            Assert.Contains("250", sent.Transcript, StringComparison.Ordinal);
        }

        var admin = await app.AdminAsync();
        var handled = await admin.HandledAsync(corpus.Count);
        Assert.True(handled.All(m => m.GetProperty("subject").ValueKind == System.Text.Json.JsonValueKind.String), string.Join("\n", handled.Select(m => m.ToString())));
        var agent = await app.AgentAsync($"agent-{Unique.Next()}@sportello.test");
        foreach (var sample in corpus)
        {
            var row = handled.Single(m => m.GetProperty("subject").GetString()!.StartsWith(sample.Subject, StringComparison.Ordinal));
            if (sample.Quarantined)
            {
                Assert.Equal("quarantined", row.GetProperty("state").GetString());
                Assert.False(string.IsNullOrEmpty(row.GetProperty("reason").GetString()), $"{sample.Name} needs a reason");
                continue;
            }
            Assert.True(row.GetProperty("outcome").GetString() == "ticket-opened", $"{sample.Name}: {row}");
            var ticket = await agent.DeskTicketAsync(row.GetProperty("ticketId").GetString()!);
            var body = ticket.GetProperty("messages")[0].GetProperty("body").GetString()!;
            Assert.DoesNotContain("<script", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("javascript:", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain('\u202e', ticket.GetProperty("subject").GetString()!);
            foreach (var file in ticket.GetProperty("messages")[0].GetProperty("attachments").EnumerateArray())
            {
                Assert.DoesNotContain("..", file.GetProperty("fileName").GetString()!, StringComparison.Ordinal);
                Assert.DoesNotContain("/", file.GetProperty("fileName").GetString()!, StringComparison.Ordinal);
                var download = await agent.GetAsync($"/api/v1/attachments/{file.GetProperty("id").GetString()}");
                Assert.Equal("application/octet-stream", download.Content.Headers.ContentType?.MediaType);
            }
        }
        var script = handled.Single(m => m.GetProperty("subject").GetString() == $"Script {tag}");
        var html = await agent.DeskTicketAsync(script.GetProperty("ticketId").GetString()!);
        Assert.Contains("Hello support", html.GetProperty("messages")[0].GetProperty("body").GetString(), StringComparison.Ordinal);

        // Other mail keeps flowing after the hostile ones.
        await app.SendAsync(MailApp.Mail("after@elsewhere.example", $"After {tag}", "Still working?"));
        await Eventually.TrueAsync(async () => (await admin.InboundAsync()).Any(m =>
            m.GetProperty("subject").GetString() == $"After {tag}" && m.GetProperty("outcome").GetString() == "ticket-opened"), "mail after the corpus");
        var summary = await (await admin.GetAsync("/api/v1/admin/mail/summary")).JsonAsync(HttpStatusCode.OK);
        Assert.True(summary.GetProperty("quarantined").GetInt32() >= 2);
    }
}
